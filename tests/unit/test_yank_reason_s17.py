"""A yank with no reason and a yank with an empty reason are told apart, as uv 0.13.8 tells them:
PEP 691 ``"yanked": true`` (and a bare ``data-yanked``) has none, ``"yanked": ""`` and PEP 592's
``data-yanked=""`` an empty one — ``(reason: "")`` in the warning, ``(reason: )`` in a
resolution error. The distinction survives the page cache."""

from __future__ import annotations

import json

from ferry.index.page_rows import files_from_rows, rows_from_files
from ferry.index.pages import file_from_json, file_to_json
from ferry.index.parse_html import parse_html
from ferry.index.parse_json import parse_json
from ferry.resolve.diagnostics import yank_detail, yanked_warning

PAGE = "https://index.example/simple/demo/"


def _json(*yanks: object) -> bytes:
    files = [{"filename": f"demo-{n}.tar.gz", "url": f"demo-{n}.tar.gz", "hashes": {},
              "yanked": yanked} for n, yanked in enumerate(yanks)]
    return json.dumps({"meta": {"api-version": "1.1"}, "name": "demo", "files": files}).encode()


def test_json_true_has_no_reason_and_an_empty_string_is_one() -> None:
    files = parse_json(_json(False, True, "", "gone"), PAGE, index_url="idx")
    assert [f.yanked for f in files] == [None, True, "", "gone"]


def test_html_empty_value_is_a_reason_and_a_bare_attribute_none() -> None:
    page = ('<a href="demo-0.tar.gz">x</a><a href="demo-1.tar.gz" data-yanked>x</a>'
            '<a href="demo-2.tar.gz" data-yanked="">x</a>'
            '<a href="demo-3.tar.gz" data-yanked="a &amp; b">x</a>')
    files = parse_html(page.encode(), PAGE, index_url="idx")
    assert [f.yanked for f in files] == [None, True, "", "a & b"]


def test_the_cache_keeps_the_difference() -> None:
    files = parse_json(_json(True, "", "gone", False), PAGE, index_url="idx")
    rows = json.loads(json.dumps(rows_from_files(files)))
    assert [f.yanked for f in files_from_rows(rows, "idx")] == [True, "", "gone", None]
    old_form = [file_from_json(json.loads(json.dumps(file_to_json(f))), "idx") for f in files]
    assert [f.yanked for f in old_form] == [True, "", "gone", None]


def test_uvs_words_for_each() -> None:
    assert yanked_warning("ccc", "1.0", True) == "`ccc==1.0` is yanked"
    assert yanked_warning("ddd", "1.0", "") == '`ddd==1.0` is yanked (reason: "")'
    assert yanked_warning("eee", "1.0", "broken") == '`eee==1.0` is yanked (reason: "broken")'
    assert [yank_detail(r) for r in (True, "", "broken", None)] == [
        "", " (reason: )", " (reason: broken)", ""]
