"""PEP 503 HTML and PEP 691 JSON project pages → FileRef, and the garbage they can contain (D5)."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from ferry.index.fields import InvalidRequiresPython, lenient_requires_python
from ferry.index.pages import file_from_json, file_to_json, parse_page
from ferry.index.parse_html import parse_html
from ferry.index.parse_json import parse_json
from ferry.model.dist import Hashes
from ferry.model.errors import ParseError

PAGE = "https://index.example/simple/demo/"
SHA_A = "a" * 64
SHA_B = "b" * 64

HTML_PAGE = f"""<!DOCTYPE html>
<html><head><meta name="pypi:repository-version" content="1.1"><title>demo</title></head>
<body>
<h1>Links for demo</h1>
<a href="../../files/demo-1.0-py3-none-any.whl#sha256={SHA_A}"
   data-requires-python="&gt;=3.8,&lt;4"
   data-dist-info-metadata="sha256={SHA_B}"
   data-upload-time="2024-01-02T03:04:05.123456Z">demo-1.0-py3-none-any.whl</a><br/>
<a href="https://files.example/demo-1.0.tar.gz#sha256={SHA_B}" data-yanked="broken build">
   demo-1.0.tar.gz</a>
<a href="demo-0.9-py3-none-any.whl" data-yanked data-core-metadata="true">demo-0.9</a>
<a name="no-href">not a file</a>
</body></html>
"""


def test_html_page_reads_every_pep_attribute() -> None:
    files = parse_html(HTML_PAGE.encode(), PAGE, index_url="https://index.example/simple")
    assert [f.filename for f in files] == [
        "demo-1.0-py3-none-any.whl",
        "demo-1.0.tar.gz",
        "demo-0.9-py3-none-any.whl",
    ]
    wheel, sdist, old = files
    assert wheel.url == "https://index.example/files/demo-1.0-py3-none-any.whl"
    assert wheel.hashes == Hashes.of(sha256=SHA_A)
    assert wheel.requires_python == ">=3.8,<4"  # HTML-unescaped
    assert wheel.metadata == Hashes.of(sha256=SHA_B)
    assert wheel.upload_time == "2024-01-02T03:04:05.123456Z"
    assert wheel.yanked is None
    assert wheel.index_url == "https://index.example/simple"
    assert sdist.yanked == "broken build"
    assert sdist.metadata is None
    assert sdist.url == "https://files.example/demo-1.0.tar.gz"
    assert old.url == "https://index.example/simple/demo/demo-0.9-py3-none-any.whl"
    assert old.yanked is True  # a bare data-yanked: yanked without a reason
    assert old.metadata == Hashes()  # offered, no hash


def test_html_base_href_changes_where_relative_links_point() -> None:
    body = '<html><head><base href="https://mirror.example/pkgs/"></head><body>' \
           '<a href="demo-1.0.tar.gz">demo-1.0.tar.gz</a></body></html>'
    (ref,) = parse_html(body.encode(), PAGE)
    assert ref.url == "https://mirror.example/pkgs/demo-1.0.tar.gz"


def test_html_core_metadata_wins_over_dist_info_metadata() -> None:
    body = (
        f'<a href="demo-1.0-py3-none-any.whl" data-core-metadata="sha256={SHA_A}" '
        f'data-dist-info-metadata="sha256={SHA_B}">x</a>'
    )
    (ref,) = parse_html(body.encode(), PAGE)
    assert ref.metadata == Hashes.of(sha256=SHA_A)


def test_html_page_without_anchors_is_a_project_without_files() -> None:
    assert parse_html(b"<html><body><h1>Links for demo</h1></body></html>", PAGE) == []


def test_html_garbage_is_a_parse_error_naming_the_url() -> None:
    with pytest.raises(ParseError) as caught:
        parse_html(b"this is not html at all {}", "https://user:secret@index.example/simple/x/")
    assert "index.example/simple/x/" in caught.value.message
    assert "secret" not in caught.value.message
    assert "body" in caught.value.message


@pytest.mark.parametrize("fragment", ["sha256=xyz", f"sha256={SHA_A}0", "md5=abc"])
def test_malformed_hash_fragment_is_a_parse_error(fragment: str) -> None:
    body = f'<a href="demo-1.0.tar.gz#{fragment}">demo</a>'
    with pytest.raises(ParseError) as caught:
        parse_html(body.encode(), PAGE)
    assert "demo-1.0.tar.gz" in caught.value.message
    assert fragment.split("=")[0] in caught.value.message
    assert PAGE in caught.value.message


def test_unknown_fragments_are_ignored() -> None:
    body = '<a href="demo-1.0.tar.gz#egg=demo&amp;whirlpool=zz">demo</a>'
    (ref,) = parse_html(body.encode(), PAGE)
    assert ref.hashes == Hashes()


def test_invalid_requires_python_skips_only_that_file(caplog: pytest.LogCaptureFixture) -> None:
    body = (
        '<a href="demo-1.0.tar.gz" data-requires-python="&gt;=3.6.*">a</a>'  # repaired
        '<a href="demo-2.0.tar.gz" data-requires-python="not a specifier">b</a>'  # skipped
        '<a href="demo-3.0.tar.gz" data-requires-python="">c</a>'  # empty: no constraint
    )
    with caplog.at_level(logging.DEBUG, logger="ferry.index"):
        files = parse_html(body.encode(), PAGE)
    assert [(f.filename, f.requires_python) for f in files] == [
        ("demo-1.0.tar.gz", ">=3.6"),
        ("demo-3.0.tar.gz", None),
    ]
    assert "Skipping demo-2.0.tar.gz" in caplog.text
    assert "not a specifier" in caplog.text


@pytest.mark.parametrize(
    ("raw", "fixed"),
    [
        (">=3.6", ">=3.6"),
        (">=3.6.*,", ">=3.6,"),  # packaging itself tolerates the trailing comma
        (">=1.9.*", ">=1.9"),
        (">= '2.7'", ">= 2.7"),
        (">=3.6'", ">=3.6"),
        (">=7.2.0<8.0.0", ">=7.2.0,<8.0.0"),
        ("!=~5.0,>=4.12", "!=5.0.*,>=4.12"),
        (">=2.7,!=3.0*", ">=2.7,!=3.0.*"),
    ],
)
def test_lenient_requires_python_repairs_common_mistakes(raw: str, fixed: str) -> None:
    assert lenient_requires_python(raw) == fixed


def test_lenient_requires_python_gives_up_on_nonsense() -> None:
    with pytest.raises(InvalidRequiresPython):
        lenient_requires_python("python three please")


def test_bad_upload_time_is_a_parse_error() -> None:
    body = '<a href="demo-1.0.tar.gz" data-upload-time="yesterday">x</a>'
    with pytest.raises(ParseError, match="data-upload-time"):
        parse_html(body.encode(), PAGE)


def _json_page(*files: dict[str, Any], meta: Any = None) -> bytes:
    return json.dumps(
        {"meta": meta or {"api-version": "1.1"}, "name": "demo", "files": list(files)}
    ).encode()


def test_json_page_reads_every_field() -> None:
    page = _json_page(
        {
            "filename": "demo-1.0-py3-none-any.whl",
            "url": "../../files/demo-1.0-py3-none-any.whl",
            "hashes": {"sha256": SHA_A.upper(), "whirlpool": "ignored"},
            "requires-python": ">=3.8",
            "yanked": False,
            "core-metadata": {"sha256": SHA_B},
            "upload-time": "2024-01-02T03:04:05Z",
            "size": 1234,
        },
        {
            "filename": "demo-1.0.tar.gz",
            "url": "https://files.example/demo-1.0.tar.gz",
            "hashes": {},
            "yanked": "security issue",
            "dist-info-metadata": True,
        },
        {
            "filename": "demo-0.1.tar.gz",
            "url": "demo-0.1.tar.gz",
            "hashes": {},
            "yanked": True,
        },
    )
    wheel, sdist, old = parse_json(page, PAGE, index_url="idx")
    assert wheel.url == "https://index.example/files/demo-1.0-py3-none-any.whl"
    assert wheel.hashes == Hashes.of(sha256=SHA_A)
    assert wheel.requires_python == ">=3.8"
    assert wheel.metadata == Hashes.of(sha256=SHA_B)
    assert wheel.upload_time == "2024-01-02T03:04:05Z"
    assert wheel.size == 1234
    assert wheel.yanked is None
    assert wheel.index_url == "idx"
    assert sdist.yanked == "security issue"
    assert sdist.metadata == Hashes()
    assert old.yanked is True  # "yanked": true, no reason (uv tells it from "")
    assert old.metadata is None


@pytest.mark.parametrize(
    ("page", "field"),
    [
        (b"[1, 2]", "body"),
        (b"{not json", "body"),
        (json.dumps({"files": {"a": 1}}).encode(), "files"),
        (_json_page("just a string"), "files[0]"),  # type: ignore[arg-type]
        (_json_page({"url": "x.tar.gz", "hashes": {}}), "files[0].filename"),
        (_json_page({"filename": 3, "url": "x", "hashes": {}}), "files[0].filename"),
        (_json_page({"filename": "a.tar.gz", "url": "a.tar.gz", "hashes": []}), "files[0].hashes"),
        (
            _json_page({"filename": "a.tar.gz", "url": "a.tar.gz", "hashes": {"sha256": 1}}),
            "files[0].hashes.sha256",
        ),
        (
            _json_page({"filename": "a.tar.gz", "url": "a.tar.gz", "hashes": {"sha256": "zz"}}),
            "files[0].hashes.sha256",
        ),
        (
            _json_page({"filename": "a.tar.gz", "url": "a.tar.gz", "hashes": {}, "yanked": 1}),
            "files[0].yanked",
        ),
        (
            _json_page({"filename": "a.tar.gz", "url": "a.tar.gz", "hashes": {}, "size": "9"}),
            "files[0].size",
        ),
        (
            _json_page(
                {"filename": "a.tar.gz", "url": "a.tar.gz", "hashes": {}, "core-metadata": "y"}
            ),
            "files[0].core-metadata",
        ),
        (_json_page(meta={"api-version": "2.0"}), "meta.api-version"),
    ],
)
def test_json_of_wrong_types_is_a_parse_error_naming_the_field(page: bytes, field: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_json(page, PAGE)
    assert f"`{field}`" in caught.value.message
    assert PAGE in caught.value.message
    assert caught.value.path == PAGE


def test_parse_page_follows_the_content_type() -> None:
    html = b'<a href="demo-1.0.tar.gz">demo</a>'
    assert parse_page(html, "text/html; charset=utf-8", PAGE)[0].filename == "demo-1.0.tar.gz"
    page = _json_page({"filename": "demo-2.0.tar.gz", "url": "demo-2.0.tar.gz", "hashes": {}})
    assert (
        parse_page(page, "application/vnd.pypi.simple.v1+json", PAGE)[0].filename
        == "demo-2.0.tar.gz"
    )
    with pytest.raises(ParseError, match="Content-Type `application/octet-stream`"):
        parse_page(html, "application/octet-stream", PAGE)
    with pytest.raises(ParseError, match="Content-Type"):
        parse_page(html, None, PAGE)


def test_file_ref_round_trips_through_the_page_cache_format() -> None:
    (ref,) = parse_html(
        f'<a href="demo-1.0-py3-none-any.whl#sha256={SHA_A}" data-yanked="x" '
        f'data-core-metadata="true" data-requires-python="&gt;=3.9" '
        f'data-upload-time="2024-01-01T00:00:00Z">d</a>'.encode(),
        PAGE,
        index_url="idx",
    )
    assert file_from_json(json.loads(json.dumps(file_to_json(ref))), "idx") == ref
