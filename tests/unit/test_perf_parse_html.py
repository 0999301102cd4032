"""The fast path of ``parse_html`` reads every page exactly as ``HTMLParser`` does.

``parse_html`` tokenizes pages in the plain subset of HTML with one regular expression and takes
short cuts per file (absolute hrefs, ``#sha256=`` fragments, one check per distinct
``data-requires-python``). The oracle below is the straightforward reading: ``HTMLParser`` for the
anchors, then ``urljoin`` and the ``fields`` helpers for every file. Hand-written pages cover the
shapes real indexes produce and the constructs that must fall back; Hypothesis generates the rest.
"""

from __future__ import annotations

import hashlib
from urllib.parse import urljoin

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ferry.index import parse_html as module
from ferry.index.fields import (
    InvalidRequiresPython,
    check_upload_time,
    filename_from_url,
    hashes_from_fragment,
    lenient_requires_python,
    metadata_hashes,
    without_fragment,
)
from ferry.index.parse_html import parse_html
from ferry.model.dist import FileRef
from ferry.model.errors import ParseError

PAGE_URL = "https://index.example/simple/demo/"
SHA = hashlib.sha256(b"demo").hexdigest()


def oracle(content: bytes, page_url: str = PAGE_URL) -> list[FileRef]:
    text = content.decode("utf-8", errors="replace")
    collector = module._AnchorCollector()
    collector.feed(text)
    collector.close()
    if not collector.saw_element:
        raise module.page_error(page_url, "body", "the response is not an HTML page")
    base = urljoin(page_url, collector.base) if collector.base else page_url
    files = []
    for attrs in collector.anchors:
        href = (attrs.get("href") or "").strip()
        if not href:
            continue
        url = urljoin(base, href)
        filename = filename_from_url(url)
        if not filename:
            continue
        hashes = hashes_from_fragment(url, page_url)
        requires_python = attrs.get("data-requires-python")
        if requires_python is not None and requires_python.strip():
            try:
                requires_python = lenient_requires_python(requires_python)
            except InvalidRequiresPython:
                continue
        else:
            requires_python = None
        # a bare attribute is yanked without a reason (True); data-yanked="" an empty reason
        yanked: str | bool | None = None
        if "data-yanked" in attrs:
            yanked = True if attrs["data-yanked"] is None else attrs["data-yanked"]
        field = "data-core-metadata" if "data-core-metadata" in attrs else "data-dist-info-metadata"
        metadata = (
            metadata_hashes(page_url, f"{field} of {filename}", attrs[field] or "true")
            if field in attrs
            else None
        )
        upload_time = attrs.get("data-upload-time")
        upload_time = (
            check_upload_time(page_url, f"data-upload-time of {filename}", upload_time)
            if upload_time
            else None
        )
        files.append(
            FileRef(filename=filename, url=without_fragment(url), hashes=hashes,
                    requires_python=requires_python, yanked=yanked, upload_time=upload_time,
                    metadata=metadata, index_url=None)
        )
    return files


def outcome(parse: object, content: bytes) -> object:
    try:
        return parse(content)  # type: ignore[operator]
    except ParseError as error:
        return ("ParseError", str(error))


def same_as_oracle(content: bytes) -> None:
    assert outcome(parse_html_at_page, content) == outcome(oracle, content)


def parse_html_at_page(content: bytes) -> list[FileRef]:
    return parse_html(content, PAGE_URL)


def takes_fast_path(content: bytes) -> bool:
    return module._fast_anchors(content.decode()) is not None


PYPI_LIKE = f"""<!DOCTYPE html>
<html>
  <head>
    <meta name="pypi:repository-version" content="1.1">
    <title>Links for demo</title>
  </head>
  <body>
    <h1>Links for demo</h1>
    <a href="https://files.example/packages/ab/cd/demo-1.0-py3-none-any.whl#sha256={SHA}" \
data-requires-python="&gt;=3.8" data-dist-info-metadata="sha256={SHA}" \
data-core-metadata="sha256={SHA}">demo-1.0-py3-none-any.whl</a><br />
    <a href="https://files.example/packages/ab/cd/demo-1.0.tar.gz#sha256={SHA}" \
data-requires-python="&gt;=3.8" data-yanked="broken">demo-1.0.tar.gz</a><br />
    <a href="https://files.example/packages/ab/cd/demo-0.9.tar.gz#sha256={SHA.upper()}" \
data-yanked>demo-0.9.tar.gz</a><br />
    <a href="https://files.example/packages/ab/cd/demo%2B1-0.8.tar.gz" \
data-requires-python="&gt;=3.6.*">demo+1-0.8.tar.gz</a><br />
    <a href="https://files.example/packages/ab/cd/demo-0.7.tar.gz#md5=\
{hashlib.md5(b"x").hexdigest()}" data-requires-python="not a specifier">x</a><br />
  </body>
</html>
<!--SERIAL 123456-->
"""

MIRROR_LIKE = f"""<!DOCTYPE html>
<html><head><title>Links for demo</title></head><body>
<a href="../../files/demo-1.0-py3-none-any.whl#sha256={SHA}" data-requires-python=">=3.8" \
data-upload-time="2024-01-02T03:04:05.000000Z">demo-1.0-py3-none-any.whl</a>
<A HREF='../../files/demo-1.1-py3-none-any.whl#sha256={SHA}&amp;egg=demo' DATA-YANKED=''>x</A>
<a href="demo-1.2.tar.gz">relative to the page</a>
<a href="/files/demo-1.3.tar.gz?x=1#sha256={SHA}">query</a>
<a href="http://other.example/demo-1.4.tar.gz#">empty fragment</a>
<a href="https://files.example/">no file name</a>
<a>no href</a>
</body></html>
"""

WITH_BASE = f"""<html><head><base href="https://cdn.example/root/"></head><body>
<a href="sub/demo-2.0.tar.gz#sha256={SHA}">demo-2.0.tar.gz</a>
</body></html>"""


@pytest.mark.parametrize("page", [PYPI_LIKE, MIRROR_LIKE, WITH_BASE])
def test_index_pages_take_the_fast_path_and_read_the_same(page: str) -> None:
    content = page.encode()
    assert takes_fast_path(content)
    same_as_oracle(content)
    assert parse_html_at_page(content)


@pytest.mark.parametrize(
    "page",
    [
        '<html><script>var s = "<a href=\\"evil-1.0.tar.gz\\">";</script>'
        '<a href="demo-1.0.tar.gz">x</a></html>',
        "<html><!-- a -- b --><a href=\"demo-1.0.tar.gz\">x</a></html>",
        "<html><a href=demo-1.0.tar.gz>unquoted</a></html>",
        '<html><a href="demo-1.0.tar.gz"data-yanked="">no space</a></html>',
        "<html><p>1 < 2</p><a href=\"demo-1.0.tar.gz\">x</a></html>",
        '<html><title><a href="t-1.0.tar.gz">in a title</a></title></html>',
        '<html><a href="demo-1.0.tar.gz">x</a><![CDATA[ <a href="c-1.0.tar.gz"> ]]></html>',
    ],
)
def test_unusual_pages_fall_back_to_htmlparser(page: str) -> None:
    content = page.encode()
    assert not takes_fast_path(content)
    same_as_oracle(content)


def test_tags_inside_attribute_values_are_not_read() -> None:
    content = b'<html><meta content="<a href=\'fake-1.0.tar.gz\'>"><a href="demo-1.0.tar.gz">x</a>'
    assert takes_fast_path(content)
    same_as_oracle(content)
    assert [f.filename for f in parse_html_at_page(content)] == ["demo-1.0.tar.gz"]


def test_anchors_in_comments_are_not_read() -> None:
    content = b'<html><!-- <a href="hidden-1.0.tar.gz">x</a> --><a href="demo-1.0.tar.gz">y</a>'
    assert takes_fast_path(content)
    same_as_oracle(content)
    assert [f.filename for f in parse_html_at_page(content)] == ["demo-1.0.tar.gz"]


@pytest.mark.parametrize("body", [b"", b"not html at all", b"<html></html>", b'{"files": []}'])
def test_pages_without_anchors_read_the_same(body: bytes) -> None:
    same_as_oracle(body)


def test_a_bad_digest_is_still_an_error() -> None:
    content = b'<html><a href="https://f.example/demo-1.0.tar.gz#sha256=abc">x</a></html>'
    assert takes_fast_path(content)
    with pytest.raises(ParseError, match="sha256"):
        parse_html_at_page(content)
    same_as_oracle(content)


# -- generated pages ---------------------------------------------------------------------------

_hex = st.text("0123456789abcdef", min_size=64, max_size=64)
_fragment = st.one_of(
    st.just(""),
    st.just("#"),
    _hex.map(lambda h: f"#sha256={h}"),
    _hex.map(lambda h: f"#sha256={h.upper()}"),
    _hex.map(lambda h: f"#SHA256={h}"),
    _hex.map(lambda h: f"#sha256={h}&amp;egg=demo"),
    st.just("#egg=demo"),
    st.just("#md5=00112233445566778899aabbccddeeff"),
)
_name = st.sampled_from(["demo-1.0.tar.gz", "demo-1.0-py3-none-any.whl", "d%C3%A9mo-2.zip",
                         "demo-3.0.tar.gz/", ""])
_prefix = st.sampled_from(["https://files.example/p/", "http://files.example/p/",
                           "../../files/", "", "/abs/", "HTTPS://files.example/",
                           "https://files.example/a;b/", "https://files.example/q?x=1&amp;y=/",
                           "//cdn.example/x/", "https://[::1]/p/"])
_value = st.sampled_from([">=3.8", "&gt;=3.8", "&gt;=3.6.*", ">=3.7,<4", "&lt;4,&gt;=3.7",
                          "", " ", "nonsense", "true", "false", f"sha256={'a' * 64}",
                          "2024-01-02T03:04:05Z", "a \"quoted\" 'value'", "x > y"])
_attr_name = st.sampled_from(["data-requires-python", "data-yanked", "data-core-metadata",
                              "data-dist-info-metadata", "data-upload-time", "class", "rel",
                              "DATA-YANKED", "data-requires-python"])


@st.composite
def _attribute(draw: st.DrawFn) -> str:
    name = draw(_attr_name)
    value = draw(_value)
    form = draw(st.sampled_from(["double", "single", "bare", "spaced"]))
    if form == "bare":
        return name
    if form == "single" or (form == "double" and '"' in value):
        return f"{name}='{value}'" if "'" not in value else name
    if form == "spaced":
        return f'{name} =\n "{value}"' if '"' not in value else name
    return f'{name}="{value}"'


@st.composite
def _anchor(draw: st.DrawFn) -> str:
    href = draw(_prefix) + draw(_name) + draw(_fragment)
    attrs = draw(st.lists(_attribute(), max_size=4))
    position = draw(st.integers(min_value=0, max_value=len(attrs)))
    attrs.insert(position, f'href="{href}"')
    separators = draw(st.lists(st.sampled_from([" ", "\n  ", "\t"]), min_size=len(attrs),
                               max_size=len(attrs)))
    inner = "".join(sep + attr for sep, attr in zip(separators, attrs, strict=True))
    tag = draw(st.sampled_from(["a", "A"]))
    close = draw(st.sampled_from([">", " >", "/>"]))
    return f"<{tag}{inner}{close}{draw(_name)}</{tag}><br/>"


@st.composite
def _page(draw: st.DrawFn) -> str:
    anchors = draw(st.lists(_anchor(), max_size=6))
    head = draw(st.sampled_from([
        "<!DOCTYPE html><html><head><title>Links</title></head><body>",
        "<html><head><base href=\"https://cdn.example/base/\"></head><body>",
        "<html><body><!-- a comment -->",
        "<html><body><h1>Links</h1>\n",
        "",
    ]))
    tail = draw(st.sampled_from(["</body></html>", "</body></html>\n<!--SERIAL 1-->", ""]))
    return head + "\n".join(anchors) + tail


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(page=_page())
def test_generated_pages_read_the_same(page: str) -> None:
    same_as_oracle(page.encode())
