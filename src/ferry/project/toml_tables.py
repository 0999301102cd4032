"""Where each table of a TOML document sits in its text: the header's dotted name, the keys
it defines, and the last line that belongs to its body.

Why by hand: tomlkit can add a table but decides itself where it goes and which blank lines and
comments go with it — not where uv puts one (after the body of a given table, before the blank
lines and comments that precede the next header, which toml_edit gives to that header). A line
scan that knows strings, comments and brackets is enough to find those places exactly.
"""

from __future__ import annotations

from ferry._regex_cache import compile_pattern
from ferry.model.immutable import immutable

_HEADER = compile_pattern(r"\s*(\[\[?)(?P<name>[^\[\]]+?)\]\]?\s*(?:#.*)?$")
_KEY_PART = compile_pattern(r"""\s*("(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_-]+)\s*(\.|=|$)""")


@immutable
class TableSpan:
    """One table (``name`` ``()`` for the keys before the first header)."""

    name: tuple[str, ...]
    key_paths: tuple[tuple[str, ...], ...]
    """Every dotted key the body defines, prefixed with ``name``."""
    last_line: int
    """Index of the last line of the body (the header's own line when it has no keys)."""

    def touches(self, family: tuple[str, ...]) -> bool:
        """Whether this table defines anything at or below ``family``."""
        return any(path[: len(family)] == family for path in (self.name, *self.key_paths))


def dotted(text: str) -> tuple[str, ...] | None:
    """``tool . "uv".x`` as ``("tool", "uv", "x")``; None if it ends before ``=``/the end."""
    parts: list[str] = []
    position = 0
    while True:
        match = _KEY_PART.match(text, position)
        if match is None:
            return None
        part = match.group(1)
        parts.append(part[1:-1] if part[0] in "\"'" else part)
        if match.group(2) != ".":
            return tuple(parts)
        position = match.end()


def table_spans(text: str) -> list[TableSpan]:
    """The tables of ``text`` in file order (the root's keys first)."""
    spans: list[TableSpan] = []
    name: tuple[str, ...] = ()
    keys: list[tuple[str, ...]] = []
    last = -1
    state = _Scanner()
    for number, line in enumerate(text.split("\n")):
        continuing = state.open()
        if not continuing:
            header = _HEADER.match(line)
            if header is not None:
                parsed = dotted(header.group("name"))
                if parsed is not None:
                    spans.append(TableSpan(name, tuple(keys), last))
                    name, keys, last = parsed, [], number
                    continue
        if state.scan(line) or continuing:
            last = number
            if not continuing:
                key = dotted(line.split("=", 1)[0] + "=") if "=" in line else None
                if key is not None:
                    keys.append(name + key)
    spans.append(TableSpan(name, tuple(keys), last))
    return [s for s in spans if s.name or s.last_line >= 0]


class _Scanner:
    """Carries what is open (brackets, a multi-line string) from one line to the next."""

    def __init__(self) -> None:
        self.depth = 0
        self.quote: str | None = None

    def open(self) -> bool:
        return self.depth > 0 or self.quote is not None

    def scan(self, line: str) -> bool:
        """Consume ``line``; whether it holds anything besides blanks and a comment."""
        content = self.quote is not None
        position = 0
        while position < len(line):
            if self.quote is not None:
                end = line.find(self.quote, position)
                if end < 0:
                    return True
                position, self.quote = end + 3, None
                continue
            char = line[position]
            if char == "#":
                break
            if char in " \t\r":
                position += 1
                continue
            content = True
            if line.startswith(('"""', "'''"), position):
                self.quote, position = line[position : position + 3], position + 3
            elif char in "\"'":
                end = _string_end(line, position)
                position = end
            else:
                if char in "[{":
                    self.depth += 1
                elif char in "]}":
                    self.depth = max(0, self.depth - 1)
                position += 1
        return content


def _string_end(line: str, start: int) -> int:
    quote = line[start]
    position = start + 1
    while position < len(line):
        if quote == '"' and line[position] == "\\":
            position += 2
            continue
        if line[position] == quote:
            return position + 1
        position += 1
    return len(line)


def drop_table(text: str, name: tuple[str, ...]) -> str | None:
    """``text`` without the ``[name]`` table, as toml_edit drops one: its header with the blank
    lines and comments above it (they belong to the header) and its body; what follows the
    last key (comments before the next header) stays. None when there is no such header."""
    spans = table_spans(text)
    index = next((i for i, s in enumerate(spans) if s.name == name), None)
    if index is None or index == 0:
        return None
    span = spans[index]
    lines = text.split("\n")
    start = spans[index - 1].last_line + 1
    return "\n".join(lines[:start] + lines[span.last_line + 1 :])


def insert_after_family(text: str, families: tuple[tuple[str, ...], ...], block: str) -> str:
    """``block`` (a new table, starting with its blank line) placed as toml_edit places a new
    table: after the body of the last table of the first of ``families`` present (else of the
    document), before the blank lines and comments that precede the next header."""
    spans = table_spans(text)
    if not spans:
        return text + block.lstrip("\n")
    anchor = spans[-1]
    for family in families:
        inside = [s for s in spans if s.touches(family)]
        if inside:
            anchor = inside[-1]
            break
    return insert_after(text, anchor, block)


def insert_after(text: str, span: TableSpan, block: str) -> str:
    """``block`` right after the last line of ``span``'s body."""
    lines = text.splitlines(keepends=True)
    head = "".join(lines[: span.last_line + 1])
    if head and not head.endswith("\n"):
        head += "\n"
    return head + block + "".join(lines[span.last_line + 1 :])
