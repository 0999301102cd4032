"""Finding a release's sdist on an upstream project page."""

from __future__ import annotations

from bench.sdists import SdistLink, find_sdist
from bench.upstream import Pin

PAGE = """<!DOCTYPE html><html><body>
<a href="../../files/Foo_Bar-1.0.zip#sha256=aaa">Foo_Bar-1.0.zip</a><br/>
<a href="../../files/foo_bar-1.0.tar.gz#sha256=bbb" data-requires-python="&gt;=3.8">x</a>
<a href="https://files.example/foo_bar-1.1.tar.gz#sha256=ccc">foo_bar-1.1.tar.gz</a>
<a href="../../files/foo_bar-1.0-py3-none-any.whl#sha256=ddd">wheel</a>
<a href="../../files/README">not a distribution</a>
<a>no href</a>
</body></html>"""
URL = "http://127.0.0.1:1/simple/foo-bar/"


def test_the_pinned_release_tar_gz_preferred() -> None:
    assert find_sdist(PAGE, URL, Pin("foo-bar", "1.0")) == SdistLink(
        "http://127.0.0.1:1/files/foo_bar-1.0.tar.gz", "bbb")


def test_absolute_links_and_missing_releases() -> None:
    link = find_sdist(PAGE, URL, Pin("foo-bar", "1.1"))
    assert link == SdistLink("https://files.example/foo_bar-1.1.tar.gz", "ccc")
    assert link.filename == "foo_bar-1.1.tar.gz"
    assert find_sdist(PAGE, URL, Pin("foo-bar", "2.0")) is None


def test_a_link_without_a_sha256_has_none() -> None:
    page = '<a href="/files/foo_bar-3.0.tar.gz#md5=123">x</a>'
    assert find_sdist(page, URL, Pin("foo-bar", "3.0")) == SdistLink(
        "http://127.0.0.1:1/files/foo_bar-3.0.tar.gz", None)
