"""``--index``/``--default-index`` and a new ``[tool.uv.sources]`` laid out as uv lays them out.

uv edits ``pyproject.toml`` with toml_edit, where every table parsed from a header keeps its
place in the file as a number (its ``position``), and a table uv creates has none. uv's
``add_index`` takes the entry the request matches (same name, same URL, or for a default index
the current default) or a new one, drops every entry the request matches, gives the result the
smallest position of the entries left (they move one down) and appends it to the array. When
the file is written, toml_edit walks the tables in key order (an array's entries in the order of
the array) and sorts them, stably, by their position — a table without one taking the position
of the table walked before it. Hence uv's layout, which this module reproduces on the text:

* the new index goes where the first entry left was (entries split by another table included:
  tomlkit cannot edit those, and ferry once dropped the new index there);
* ``[tool.uv.sources]``, created before the indexes, follows the table walked before it: the
  index entry appended last (the one just put first), or the last entry when no index was asked
  for, or comes before the array when the array is new.

:func:`relayout` returns None for a file it does not model (an inline ``index = [...]``); the
caller keeps tomlkit's layout then. Its result is checked to hold exactly the data expected.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.items import Table

from ferry.project.edit_index import IndexRequest, same_index_url, update_entry
from ferry.project.toml_tables import table_spans

__all__ = ["relayout"]

INDEX = ("tool", "uv", "index")
SOURCES = ("tool", "uv", "sources")


class _Block:
    """One table as written: the blank lines and comments above its header, the header, the
    body; ``position`` its place in the file (None: new)."""

    __slots__ = ("array", "name", "position", "text")

    def __init__(self, name: tuple[str, ...], array: bool, text: str, position: int | None):
        self.name, self.array, self.text, self.position = name, array, text, position


class _Node:
    """A table of the key tree: its block (None: implicit) and its children in key order (a
    list for an array of tables)."""

    __slots__ = ("block", "children")

    def __init__(self, block: _Block | None = None) -> None:
        self.block = block
        self.children: dict[str, _Node | list[_Node]] = {}

    def child(self, key: str) -> _Node:
        found = self.children.setdefault(key, _Node())
        assert isinstance(found, _Node)
        return found


def _blocks(text: str) -> tuple[str, list[_Block], str]:
    """The text before the first header, each header's block, the text after the last body."""
    lines = [line + "\n" for line in text.split("\n")]
    lines[-1] = lines[-1][:-1]
    spans = table_spans(text)
    head_end = spans[0].last_line + 1 if spans and not spans[0].name else 0
    blocks: list[_Block] = []
    start = head_end
    for span in spans:
        if not span.name:
            continue
        body = "".join(lines[start : span.last_line + 1])
        if not body.endswith("\n"):
            body += "\n"  # the file's last line: toml_edit ends every key with a newline
        header = next(line for line in body.splitlines() if line.strip()
                      and not line.lstrip().startswith("#"))
        blocks.append(_Block(span.name, header.lstrip().startswith("[["), body, len(blocks) + 1))
        start = span.last_line + 1
    return "".join(lines[:head_end]), blocks, "".join(lines[start:])


def _split_prefix(text: str) -> tuple[str, str]:
    """The blank lines and comments above a block's header, and the rest."""
    lines = text.splitlines(keepends=True)
    count = 0
    while count < len(lines) and (not lines[count].strip()
                                  or lines[count].lstrip().startswith("#")):
        count += 1
    return "".join(lines[:count]), "".join(lines[count:])


def _keep_prefixes(blocks: list[_Block], before: list[_Block]) -> None:
    """Give each table the blank lines and comments it had above its header: toml_edit keeps
    them with the header, tomlkit hands them to a table it inserted before it. A table the
    edit created (``[dependency-groups]``) has no position and toml_edit's blank line."""
    earlier = _keyed(before)
    for key, block in _keyed(blocks).items():
        if key in earlier:
            block.text = _split_prefix(earlier[key].text)[0] + _split_prefix(block.text)[1]
        else:
            block.text, block.position = "\n" + _split_prefix(block.text)[1], None


def _tree(blocks: list[_Block]) -> _Node:
    root = _Node()
    for block in blocks:
        node = root
        for key in block.name[:-1]:
            node = node.child(key)
        if block.array:
            entries = node.children.setdefault(block.name[-1], [])
            if not isinstance(entries, list):
                raise ValueError("a table and an array of tables share a name")
            entries.append(_Node(block))
        else:
            node.child(block.name[-1]).block = block
    return root


def _entry(block: _Block) -> Table:
    table = tomlkit.parse(block.text)["tool"]["uv"]["index"][0]
    assert isinstance(table, Table)
    return table


def _matches(block: _Block, request: IndexRequest, base: Path | None) -> bool:
    name, url, default = request
    table = _entry(block)
    return ((name is not None and table.get("name") == name)
            or (default and table.get("default") is True)
            or same_index_url(table.get("url"), url, base))


def _updated(block: _Block | None, name: str | None, url: str, default: bool) -> _Block:
    """The matched entry with uv's changes (a key it lacks goes last), or a new entry."""
    if block is None:
        lines = ["\n[[tool.uv.index]]\n"]
        if name is not None:
            lines.append(f"name = {tomlkit.string(name).as_string()}\n")
        lines.append(f"url = {tomlkit.string(url).as_string()}\n")
        if default:
            lines.append("default = true\n")
        return _Block(INDEX, True, "".join(lines), None)
    doc = tomlkit.parse(block.text)
    update_entry(doc["tool"]["uv"]["index"][0], name, url, default)
    return _Block(INDEX, True, doc.as_string(), block.position)


def _add_index(entries: list[_Node], request: IndexRequest, base: Path | None) -> None:
    """uv's ``add_index`` on the array (in the order of the array, not of the file)."""
    name, url, default = request
    found = next((e.block for e in entries if e.block and _matches(e.block, request, base)),
                 None)
    table = _updated(found, name, url, default)
    entries[:] = [e for e in entries if e.block and not _matches(e.block, request, base)]
    positions = [e.block.position for e in entries if e.block and e.block.position is not None]
    if positions:
        table.position = min(positions)
        for entry in entries:
            if entry.block is not None and entry.block.position is not None:
                entry.block.position += 1
        entries.append(_Node(table))
    else:  # an array of new entries only: uv writes them in the order they were given
        entries.insert(0, _Node(table))


def _walk(node: _Node, out: list[tuple[int, _Block]], last: list[int]) -> None:
    """toml_edit's order of writing: key order, each table keyed by its position or the last
    position walked before it."""
    if node.block is not None:
        if node.block.position is not None:
            last[0] = node.block.position
        out.append((last[0], node.block))
    for child in node.children.values():
        for each in child if isinstance(child, list) else [child]:
            _walk(each, out, last)


def relayout(original: str, text: str, requests: list[IndexRequest],
             base: Path | None = None) -> str | None:
    """``text`` (the requirements and sources already written) with ``requests`` added to
    ``[[tool.uv.index]]`` and a ``[tool.uv.sources]`` the edit created placed as uv places
    them; None when the file holds what this does not model. ``base``: the file's directory
    (relative index paths are taken from it)."""
    data: Any = tomlkit.parse(text).unwrap()
    before: Any = tomlkit.parse(original).unwrap()
    head, blocks, tail = _blocks(text)
    declared = data.get("tool", {}).get("uv", {}).get("index")
    if declared is not None and len(declared) != sum(b.name == INDEX for b in blocks):
        return None  # an inline array, or entries tomlkit merged: not toml_edit's model
    new_sources = "sources" in data.get("tool", {}).get("uv", {}) and "sources" not in before.get(
        "tool", {}).get("uv", {})
    created = [b for b in blocks if b.name == SOURCES] if new_sources else []
    if new_sources and len(created) != 1:
        return None
    blocks = [b for b in blocks if b not in created]
    _keep_prefixes(blocks, _blocks(original)[1])
    try:
        root = _tree(blocks)
    except ValueError:
        return None
    uv = root.child("tool").child("uv")
    for block in created:  # written before the indexes: its key precedes a new array's
        block.text, block.position = "\n" + _split_prefix(block.text)[1], None
        uv.child("sources").block = block
    if requests:
        entries = uv.children.setdefault("index", [])
        if not isinstance(entries, list):
            return None
        for request in reversed(requests):
            _add_index(entries, request, base)
    placed: list[tuple[int, _Block]] = []
    _walk(root, placed, [0])
    placed.sort(key=lambda item: item[0])
    result = head + "".join(block.text for _, block in placed) + tail
    expected = _expected(data, [b for _, b in placed if b.name == INDEX])
    return result if tomlkit.parse(result).unwrap() == expected else None


def _expected(data: Any, indexes: list[_Block]) -> Any:
    """``data`` with the index array as the blocks give it, in file order."""
    if indexes:
        uv = data.setdefault("tool", {}).setdefault("uv", {})
        uv["index"] = [_entry(block).unwrap() for block in indexes]
    return data


def follow_layout(text: str, reference: str, rendered: str) -> str:
    """``text`` (tomlkit's writing of a document parsed from ``reference``, then edited) laid
    out as ``reference``: tomlkit writes back a file whose tables of one family are split
    (``[[tool.uv.index]]``, ``[tool.uv.sources]``, ``[[tool.uv.index]]``, as uv writes them)
    in an order and with blank lines of its own (``rendered``). Each table takes its text from
    ``reference`` unless the edit changed it; ``text`` as it is when the tables differ."""
    if text == rendered:
        return reference
    ours, theirs, base = _blocks(text), _blocks(reference), _blocks(rendered)
    keyed = [_keyed(parts[1]) for parts in (ours, theirs, base)]
    if not (keyed[0].keys() == keyed[1].keys() == keyed[2].keys()):
        return text
    pieces = [theirs[0] if ours[0] == base[0] else ours[0]]
    for key, block in _keyed(theirs[1]).items():
        edited = keyed[0][key].text != keyed[2][key].text
        pieces.append(keyed[0][key].text if edited else block.text)
    pieces.append(theirs[2] if ours[2] == base[2] else ours[2])
    return "".join(pieces)


def _keyed(blocks: list[_Block]) -> dict[tuple[tuple[str, ...], int], _Block]:
    """Each block by its name and how many of that name came before it."""
    seen: dict[tuple[str, ...], int] = {}
    keyed = {}
    for block in blocks:
        count = seen[block.name] = seen.get(block.name, -1) + 1
        keyed[block.name, count] = block
    return keyed
