"""parse_html._unescape is html.unescape, without importing html for the references index pages
use (``&gt;=3.8``): every string, common or odd, must come out as html.unescape makes it."""

from __future__ import annotations

import html

from hypothesis import given, settings
from hypothesis import strategies as st

from ferry.index.parse_html import _unescape

_PIECES = st.sampled_from([
    "&gt;", "&lt;", "&amp;", "&quot;", "&#39;", "&#x27;", "&gt", "&amp;gt;", "&#62;", "&#x3e;",
    "&nbsp;", "&notit;", "&ltx;", "&", ";", "#", "x", ">=3.8", ",<4", " ", "é",
])


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=8).map("".join))
def test_same_as_html_unescape(value: str) -> None:
    assert _unescape(value) == html.unescape(value)


def test_index_page_values_and_other_references() -> None:
    assert _unescape("&gt;=3.8, !=3.9.*, &lt;4") == ">=3.8, !=3.9.*, <4"
    assert _unescape("&amp;gt;") == "&gt;"
    assert _unescape("&copy;") == "\N{COPYRIGHT SIGN}"  # anything else: html.unescape
