"""Adding a directory to a workspace's ``members`` array, byte for byte as ``uv init`` writes it.

Why so exact: ``ferry init`` inside a workspace edits the root ``pyproject.toml`` of a
repository that uv users share, and the diff must be the one uv would have produced. uv appends
the path and rewrites the array in its multi-line layout (one entry per line, the indentation of
the first entry, a trailing comma), keeping comments by where they sat in the raw text: a comment
on the line of the token before it stays at the end of that line (of ``[`` or of the entry
before; a comment after the last comma thus ends up after the new last entry), a comment on its
own line stays on its own line above the next entry; blank lines go. When there is no
``members`` key or no workspace table, uv creates them: the key at the end of the table, a new
``[tool.uv.workspace]`` table after the last table of ``[tool.uv]`` (or of ``[tool]``, or of the
document), separated by one blank line — before any blank lines or comments that followed.
"""

from __future__ import annotations

import tomlkit
from tomlkit.items import Array

from ferry._regex_cache import compile_pattern
from ferry.model.errors import UserError
from ferry.project.edit_array import DEFAULT_INDENT, string_text
from ferry.project.toml_tables import insert_after, insert_after_family, table_spans

_STRING = compile_pattern(r'"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\'')


def add_member(text: str, member: str, tool: str = "uv") -> str:
    """``text`` (a pyproject, LF newlines) with ``member`` appended to
    ``[tool.<tool>.workspace] members``, created if needed."""
    doc = tomlkit.parse(text)
    workspace = doc.get("tool", {}).get(tool, {}).get("workspace")
    entry = string_text(member)
    if workspace is not None and "members" in workspace:
        old = workspace["members"]
        if not isinstance(old, Array):
            raise UserError(f"`tool.{tool}.workspace.members` is not an array")
        new = tomlkit.parse(f"x = {reformat_members(old.as_string(), entry)}\n")["x"]
        new.trivia.indent = old.trivia.indent
        new.trivia.comment_ws = old.trivia.comment_ws
        new.trivia.comment = old.trivia.comment
        new.trivia.trail = old.trivia.trail
        workspace["members"] = new
        return str(doc.as_string())
    array = reformat_members("[]", entry)
    spans = table_spans(text)
    if workspace is not None:
        own = [s for s in spans if s.name == ("tool", tool, "workspace")]
        if not own:  # a dotted or inline table: let tomlkit place the key
            workspace["members"] = tomlkit.parse(f"x = {array}\n")["x"]
            return str(doc.as_string())
        return insert_after(text, own[-1], f"members = {array}\n")
    block = f"\n[tool.{tool}.workspace]\nmembers = {array}\n"
    return insert_after_family(text, (("tool", tool), ("tool",)), block)


# -- the array ------------------------------------------------------------------------------


def reformat_members(raw: str, entry: str) -> str:
    """The array ``raw`` (its TOML text) with ``entry`` (a TOML string) appended, in uv's
    multi-line layout."""
    values, prefixes, suffixes, trailing = _split(raw)
    values.append(entry)
    prefixes.append("")
    suffixes.append("")
    indent = _indent(prefixes[0]) if len(values) > 1 else DEFAULT_INDENT
    lines = ["["]
    for value, prefix, suffix in zip(values, prefixes, suffixes, strict=True):
        _place_comments(lines, prefix, indent)
        _place_comments(lines, suffix, indent)
        lines.append(f"{indent}{value},")
    _place_comments(lines, trailing, indent)
    lines.append("]")
    return "\n".join(lines)


def _indent(prefix: str) -> str:
    """uv's indentation: the last line of the first entry's prefix, four spaces if empty."""
    last = prefix.removesuffix("\n").rsplit("\n", 1)[-1]
    return last or DEFAULT_INDENT


def _place_comments(lines: list[str], raw: str, indent: str) -> None:
    """A comment on the first line of ``raw`` ends the previous line, with its spacing; the
    others get lines of their own at ``indent``."""
    for number, line in enumerate(raw.split("\n")):
        if "#" not in line:
            continue
        before, _, comment = line.partition("#")
        if number == 0:
            lines[-1] += f"{before}#{comment.rstrip()}"
        else:
            lines.append(f"{indent}#{comment.rstrip()}")


def _split(raw: str) -> tuple[list[str], list[str], list[str], str]:
    """The values (as written), the raw text before each (after ``[`` or a comma), after each
    (up to its comma) and after the last comma, as toml_edit keeps them."""
    body = raw.strip()
    if not (body.startswith("[") and body.endswith("]")):
        raise UserError("`members` of the workspace is not an array")
    body = body[1:-1]
    values: list[str] = []
    prefixes: list[str] = []
    suffixes: list[str] = []
    position = 0
    pending = ""
    while True:
        gap, position = _gap(body, position)
        if position >= len(body):
            return values, prefixes, suffixes, pending + gap
        match = _STRING.match(body, position)
        if match is None:
            raise UserError("`members` of the workspace must be an array of strings")
        values.append(match.group())
        prefixes.append(pending + gap)
        pending = ""
        gap, position = _gap(body, match.end())
        suffixes.append(gap)
        if position < len(body) and body[position] == ",":
            position += 1
        elif position < len(body):
            raise UserError("`members` of the workspace must be an array of strings")


def _gap(body: str, position: int) -> tuple[str, int]:
    """Whitespace and comments from ``position``: their text and where they end."""
    start = position
    while position < len(body):
        char = body[position]
        if char == "#":
            end = body.find("\n", position)
            position = len(body) if end < 0 else end
        elif char in " \t\n\r":
            position += 1
        else:
            break
    return body[start:position], position
