"""Rewriting one TOML array of requirement strings without losing what the user wrote around it.

Why by hand: tomlkit keeps comments when a document is only read, but its list operations drop or
misplace the comments that sit between array items. ``ferry add`` and ``ferry remove`` must leave
a reviewer nothing to wonder about in the diff, so the array is taken apart into entries — each
value with the comment lines above it and the comment after it on its line — edited as a list,
and written back as text that tomlkit parses again. Untouched values keep their exact spelling
(a literal ``'string'`` stays one); the layout becomes uv's: one entry per line, the indentation
of the first entry (four spaces if the array was on one line), a trailing comma, and ``[]`` when
nothing is left.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import tomlkit
from tomlkit.items import Array, Comment, Item, Null, String

from ferry._regex_cache import compile_pattern
from ferry.model.immutable import mutable
from ferry.model.value_fields import field

DEFAULT_INDENT = "    "
_SPECIFIER_START = compile_pattern(r"[><=~!@]")


@mutable
class ArrayEntry:
    """One value of the array with the comments that belong to it."""

    text: str
    """The value as TOML source (``"anyio>=4"``)."""
    value: Any
    """The parsed value (a ``str`` for requirement arrays)."""
    comments_before: list[str] = field(default_factory=list)
    trailing_comment: str | None = None
    """``(whitespace, "# text")`` joined: the comment after the value on its line."""


@mutable
class ArrayLayout:
    """An array taken apart: its entries, the comments after the last one, the indentation."""

    entries: list[ArrayEntry]
    closing_comments: list[str]
    indent: str


def _comment_text(comment: Comment | None) -> str | None:
    if comment is None:
        return None
    text = comment.trivia.comment.strip()
    return text or None


def take_apart(array: Array) -> ArrayLayout:
    """Split ``array`` into entries; relies on tomlkit's item groups (``Array._value``)."""
    entries: list[ArrayEntry] = []
    pending: list[str] = []
    indent: str | None = None
    groups = getattr(array, "_value", None)
    if groups is None:  # pragma: no cover - a tomlkit without item groups
        return ArrayLayout(
            [ArrayEntry(tomlkit.item(v).as_string(), v) for v in array], [], DEFAULT_INDENT
        )
    for group in groups:
        value: Item | None = group.value
        comment = _comment_text(group.comment)
        if value is None or isinstance(value, Null):
            if comment:
                pending.append(comment)
            continue
        if indent is None:
            raw = group.indent.s if group.indent is not None else ""
            indent = raw.rsplit("\n", 1)[-1] if "\n" in raw else ""
        trailing = None
        if comment:
            spacing = group.comment.trivia.indent if group.comment is not None else " "
            trailing = f"{spacing or ' '}{comment}"
        entries.append(ArrayEntry(value.as_string().strip(), _unwrap(value), pending, trailing))
        pending = []
    return ArrayLayout(entries, pending, indent or DEFAULT_INDENT)


def _unwrap(value: Item) -> Any:
    if isinstance(value, String):
        return str(value)
    return value.unwrap()


def render(layout: ArrayLayout) -> str:
    """The array as TOML text in uv's multi-line layout."""
    if not layout.entries and not layout.closing_comments:
        return "[]"
    ind = layout.indent
    lines = ["["]
    for entry in layout.entries:
        lines.extend(f"{ind}{comment}" for comment in entry.comments_before)
        lines.append(f"{ind}{entry.text},{entry.trailing_comment or ''}")
    lines.extend(f"{ind}{comment}" for comment in layout.closing_comments)
    lines.append("]")
    return "\n".join(lines)


def rebuild(old: Array, layout: ArrayLayout) -> Array:
    """A new array item for ``layout`` that keeps ``old``'s comment after the closing bracket."""
    parsed = tomlkit.parse(f"x = {render(layout)}\n")["x"]
    assert isinstance(parsed, Array)
    parsed.trivia.indent = old.trivia.indent
    parsed.trivia.comment_ws = old.trivia.comment_ws
    parsed.trivia.comment = old.trivia.comment
    parsed.trivia.trail = old.trivia.trail
    return parsed


def string_text(value: str) -> str:
    """``value`` as a TOML basic string (``"…"``, escaped as needed)."""
    return tomlkit.string(value).as_string()


def _split_specifiers(text: str) -> tuple[str, str]:
    """uv's sort key: the text before the first ``><=~!@`` and the rest, both stripped (so a
    marker with no version stays in the first part: ``six ; sys_platform``, ``== 'linux'``)."""
    match = _SPECIFIER_START.search(text)
    if match is None:
        return text.strip(), ""
    return text[: match.start()].strip(), text[match.start() :].strip()


_SORT_KEYS: tuple[Callable[[str], Any], ...] = (
    lambda text: _split_specifiers(text.lower()),
    _split_specifiers,
    str.lower,
    lambda text: text,
)


def insert_position(layout: ArrayLayout, text: str) -> int:
    """Where uv inserts ``text``: in a list sorted by one of its four orders (name then the
    rest, case-insensitive or not; whole text, case-insensitive or not — only the strings
    count, an ``{include-group = …}`` table is skipped), before the first larger string;
    otherwise after the last string, so a hand-ordered list stays as the user had it."""
    values = [e.value for e in layout.entries]
    strings = [v for v in values if isinstance(v, str)]
    for key in _SORT_KEYS:
        if all(a <= b for a, b in itertools.pairwise(map(key, strings))):
            new = key(text)
            found = next(
                (i for i, v in enumerate(values) if isinstance(v, str) and key(v) > new), None
            )
            if found is not None:
                return found
            break
    return max((i + 1 for i, v in enumerate(values) if isinstance(v, str)), default=len(values))
