"""TOML string and key encoding, byte-compatible with the Rust ``toml_writer`` crate uv uses.

Why not a generic TOML writer: uv's lock bytes depend on which quoting style its writer picks for
each string (basic ``"…"`` when possible, else literal ``'…'``, else the multi-line forms), and on
exactly which characters it escapes. Matching that choice here is what makes ferry's ``uv.lock``
identical to uv's, so a lock written by one tool is not rewritten by the other.
"""

from __future__ import annotations

from ferry._regex_cache import compile_pattern

# What makes a string more than '"' + text + '"': control characters (tab and newline included),
# double quotes and backslashes. Almost every string of a lock (URLs, hashes, names, versions,
# markers with single quotes) has none, and one regex search in C decides that.
_SPECIAL = compile_pattern(r'[\x00-\x1f\x7f"\\]')
_BARE_KEY = compile_pattern(r"[A-Za-z0-9_-]+")

_ESCAPES = {0x08: "\\b", 0x09: "\\t", 0x0C: "\\f", 0x0D: "\\r", 0x5C: "\\\\"}


def _is_control(code: int) -> bool:
    return code <= 0x1F or code == 0x7F


def _max_run(text: str, char: str) -> int:
    best = run = 0
    for ch in text:
        run = run + 1 if ch == char else 0
        best = max(best, run)
    return best


def _encode_basic(text: str, multiline: bool) -> str:
    """Escape ``text`` for a basic string; in the multi-line form newlines stay raw and only a
    third consecutive double quote is escaped."""
    max_quotes = 2 if multiline else 0
    out: list[str] = []
    quotes = 0
    for ch in text:
        code = ord(ch)
        if ch == '"':
            quotes += 1
            out.append('\\"' if quotes > max_quotes else '"')
            if quotes > max_quotes:
                quotes = 0
            continue
        quotes = 0
        if code == 0x0A:
            out.append("\n" if multiline else "\\n")
        elif code in _ESCAPES:
            out.append(_ESCAPES[code])
        elif _is_control(code):
            out.append(f"\\u{code:04X}")
        else:
            out.append(ch)
    return "".join(out)


def toml_string(text: str) -> str:
    """Encode ``text`` as a TOML string value the way ``toml_writer``'s default style does."""
    if _SPECIAL.search(text) is None:
        return '"' + text + '"'
    return _toml_string_general(text)


def _toml_string_general(text: str) -> str:
    """:func:`toml_string` for any text: the style choice ``toml_writer`` makes."""
    escape_codes = any(_is_control(ord(ch)) and ch not in "\t\n" for ch in text)
    backslash = "\\" in text
    newline = "\n" in text
    singles = _max_run(text, "'")
    doubles = _max_run(text, '"')
    if not (escape_codes or backslash or doubles or newline):
        return '"' + _encode_basic(text, multiline=False) + '"'
    if not (escape_codes or singles or newline):
        return "'" + text + "'"
    prefix = "\n" if newline else ""
    if not (escape_codes or backslash or doubles > 2):
        return '"""' + prefix + _encode_basic(text, multiline=True) + '"""'
    if not (escape_codes or singles > 2):
        return "'''" + prefix + text + "'''"
    if newline:
        return '"""' + prefix + _encode_basic(text, multiline=True) + '"""'
    return '"' + _encode_basic(text, multiline=False) + '"'


def toml_key(key: str) -> str:
    """Encode a key: bare when it only has ``A-Za-z0-9_-``, else quoted like ``toml_writer``."""
    if _BARE_KEY.fullmatch(key):
        return key
    escape_codes = any(_is_control(ord(ch)) and ch != "\t" for ch in key)
    if not (escape_codes or "\\" in key or '"' in key):
        return '"' + _encode_basic(key, multiline=False) + '"'
    if not (escape_codes or "'" in key):
        return "'" + key + "'"
    return '"' + _encode_basic(key, multiline=False) + '"'
