"""The fast path of ``toml_string``/``toml_key`` writes exactly what the general encoder writes.

Lock files are byte-compared with uv's, so a faster encoder must not change a single byte: the
fast path (no control character, double quote or backslash) is checked against the general one
on generated text, and on the characters at the edges of what it accepts.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ferry.project.toml_encode import _toml_string_general, toml_key, toml_string

EDGES = ["", "a", "\t", "\n", "\x7f", "\x80", "\x1f", " ", "'", "''''", '"', '"""', "\\", "é",
         "\u2028", "https://host/x.whl", "python_full_version >= '3.12'", "a\r\nb"]


def test_edge_characters() -> None:
    for text in EDGES:
        assert toml_string(text) == _toml_string_general(text), repr(text)
        for other in EDGES:
            joined = text + other
            assert toml_string(joined) == _toml_string_general(joined), repr(joined)


@settings(max_examples=400, deadline=None, derandomize=True, database=None)
@given(st.text(alphabet=st.characters(max_codepoint=0x2030), max_size=30))
def test_fast_path_equals_the_general_encoder(text: str) -> None:
    assert toml_string(text) == _toml_string_general(text)


def _bare_reference(key: str) -> bool:
    return bool(key) and all(ch.isascii() and (ch.isalnum() or ch in "-_") for ch in key)


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(st.text(alphabet=st.characters(max_codepoint=0x250), max_size=12))
def test_bare_keys_are_exactly_ascii_alphanumerics_dash_and_underscore(key: str) -> None:
    assert (toml_key(key) == key) is _bare_reference(key)
