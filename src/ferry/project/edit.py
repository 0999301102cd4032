"""Editing ``pyproject.toml`` for ``ferry add``, ``ferry remove`` and ``ferry version``.

Why tomlkit and not a TOML writer: the file belongs to the user. Comments, key order, quoting and
blank lines must survive an edit, so the document is edited in place and only the touched array
or value changes (see :mod:`ferry.project.edit_array` for how an array keeps its comments).

Requirements are written the way uv writes them (``name[extras]specifier ; marker``, normalised
name and extras, specifiers in the order given, uv's canonical marker spelling), so a project
edited by ferry and by uv produces the same diffs.

Sources (a path, a URL, a named index) go to ``[tool.uv.sources]`` unless the project already
keeps ``sources`` in ``[tool.ferry]``: ferry reads ``[tool.ferry]`` first, key by key, and uv only
reads ``[tool.uv]``, so writing there keeps the project working for uv users too — and writing
to ``[tool.ferry]`` when that table already owns the key keeps ferry seeing the whole set.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import tomlkit
from tomlkit.exceptions import ParseError as TomlkitParseError
from tomlkit.items import Array, InlineTable, Table
from tomlkit.toml_document import TOMLDocument

from ferry.model.errors import ParseError, UserError
from ferry.model.immutable import immutable
from ferry.model.names import canonicalize_name
from ferry.model.pep508_requirements import Requirement
from ferry.project.edit_array import (
    ArrayEntry,
    ArrayLayout,
    insert_position,
    rebuild,
    string_text,
    take_apart,
)
from ferry.project.edit_index import IndexRequest, add_indexes
from ferry.project.edit_layout import follow_layout, relayout
from ferry.project.edit_requirement import (
    DependencyTarget,
    compose,
    entry_marker,
    format_requirement,
    merged,
    parse_user_requirement,
    requirement_name,
    without_url,
)
from ferry.project.markers import canonical_marker
from ferry.project.toml_tables import drop_table, insert_after_family
from ferry.project.tool_settings import DeclaredRequirement

__all__ = [
    "ArrayEdit",
    "DependencyTarget",
    "PyprojectEditor",
    "format_requirement",
    "parse_user_requirement",
]


@immutable
class ArrayEdit:
    """What :meth:`PyprojectEditor.add_dependency` did."""

    action: Literal["added", "updated", "unchanged"]
    requirement: str
    """The requirement text now in the file."""
    previous: str | None = None


class PyprojectEditor:
    """A ``pyproject.toml`` opened for editing; :meth:`dumps` gives the new text."""

    def __init__(self, text: str, path: Path) -> None:
        self.path = path
        self.original = text
        try:
            self._load(text)
        except TomlkitParseError as error:
            raise ParseError(
                f"Failed to parse `{path}`: {error}",
                path=str(path),
                line=getattr(error, "line", None),
                column=getattr(error, "col", None),
            ) from error

    @classmethod
    def read(cls, path: Path) -> PyprojectEditor:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise UserError(f"Cannot read `{path}`: {error.strerror or error}") from error
        return cls(text, path)

    def _load(self, text: str) -> None:
        """Edit ``text`` from now on. tomlkit cannot write back a file whose tables of one
        family are split (``[[tool.uv.index]]`` entries around ``[tool.uv.sources]``, as uv
        writes them): its text is kept for :meth:`dumps` to follow."""
        self.doc: TOMLDocument = tomlkit.parse(text)
        rendered = self.doc.as_string()
        self._layout = None if rendered == text else (text, rendered)

    def dumps(self) -> str:
        text = self.doc.as_string()
        return text if self._layout is None else follow_layout(text, *self._layout)

    @property
    def changed(self) -> bool:
        return self.dumps() != self.original

    # -- tables ----------------------------------------------------------------------------

    def _project(self, create: bool) -> Table | None:
        project = self.doc.get("project")
        if project is None:
            if not create:
                return None
            raise UserError(
                f"`{self.path}` has no `[project]` table to add dependencies to",
                hint="add one (with `name` and `version`), or add to a group with `--group`",
            )
        if not isinstance(project, Table):
            raise UserError(f"`project` in `{self.path}` is not a table")
        return project

    def _table(self, parent: Any, key: str, create: bool, where: str) -> Any:
        value = parent.get(key)
        if value is None:
            if not create:
                return None
            value = tomlkit.table()
            parent[key] = value
        if not isinstance(value, Table | InlineTable):
            raise UserError(f"`{where}` in `{self.path}` is not a table")
        return value

    def _tool(self, name: str, create: bool) -> Any:
        tool = self.doc.get("tool")
        if tool is None:
            if not create:
                return None
            tool = tomlkit.table(is_super_table=True)
            self.doc["tool"] = tool
        table = tool.get(name)
        if table is None:
            if not create:
                return None
            table = tomlkit.table(is_super_table=True)
            tool[name] = table
        return table

    def _container(self, target: DependencyTarget, create: bool) -> tuple[Any, str] | None:
        """The table holding ``target``'s array and the array's key."""
        if target.kind == "script":
            return self.doc, "dependencies"
        if target.kind == "project":
            project = self._project(create)
            return (project, "dependencies") if project is not None else None
        if target.kind == "optional":
            project = self._project(create)
            if project is None:
                return None
            where = "project.optional-dependencies"
            extras = self._table(project, "optional-dependencies", create, where)
            if extras is None:
                return None
            return extras, self._existing_key(extras, str(target.name))
        if target.kind == "legacy-dev":
            uv = self._tool("uv", create)
            return (uv, "dev-dependencies") if uv is not None else None
        groups = self._table(self.doc, "dependency-groups", create, "dependency-groups")
        if groups is None:
            return None
        return groups, self._existing_key(groups, str(target.name))

    @staticmethod
    def _existing_key(table: Any, name: str) -> str:
        """The key as the file spells it (``Test`` for a group written so), else ``name``."""
        for key in table:
            if canonicalize_name(key) == canonicalize_name(name):
                return str(key)
        return name

    def _array(self, target: DependencyTarget, create: bool) -> tuple[Any, str, Array] | None:
        found = self._container(target, create)
        if found is None:
            return None
        table, key = found
        array = table.get(key)
        if array is None:
            if not create:
                return None
            array = tomlkit.array()
            table[key] = array
        if not isinstance(array, Array):
            raise UserError(f"`{target}` in `{self.path}` is not an array of requirements")
        return table, key, array

    def dev_target(self) -> DependencyTarget:
        """Where ``--dev`` goes: ``dependency-groups.dev``, or uv's legacy
        ``tool.uv.dev-dependencies`` when the project still uses that and has no ``dev`` group."""
        groups = self.doc.get("dependency-groups")
        has_group = isinstance(groups, Table | InlineTable) and any(
            canonicalize_name(k) == "dev" for k in groups
        )
        uv = self._tool("uv", create=False)
        if not has_group and uv is not None and "dev-dependencies" in uv:
            return DependencyTarget("legacy-dev")
        return DependencyTarget.group("dev")

    def _place_extras(self, before: str | None, key: str, array: Array) -> None:
        """A ``[project.optional-dependencies]`` this edit created goes where uv puts it: after
        ``[project]``'s body and sub-tables, before whatever preceded the next header."""
        if before is not None:
            block = f"\n[project.optional-dependencies]\n{key} = {array.as_string()}\n"
            self._load(insert_after_family(before, (("project",),), block))

    # -- dependencies ----------------------------------------------------------------------

    def add_dependency(
        self, requirement: Requirement, target: DependencyTarget, *, has_source: bool = False
    ) -> ArrayEdit:
        """Add ``requirement`` to ``target``, or update the entry of the same name and marker.

        An update keeps what the new requirement leaves unsaid (uv's rule): extras are merged,
        the old specifier stays unless a new one is given, the marker stays unless a new one is.
        """
        project = self.doc.get("project")
        before = None  # the text before a new [project.optional-dependencies], if one is made
        if target.kind == "optional" and isinstance(project, Table):
            before = None if "optional-dependencies" in project else self.dumps()
        found = self._array(target, create=True)
        assert found is not None
        table, key, array = found
        layout = take_apart(array)
        name = canonicalize_name(requirement.name)
        marker = canonical_marker(str(requirement.marker)) if requirement.marker else None
        matches = [
            (i, entry)
            for i, entry in enumerate(layout.entries)
            if requirement_name(entry.value) == name and entry_marker(entry) == marker
        ]
        if len(matches) > 1:
            raise UserError(
                f"`{target}` lists `{name}` more than once; cannot tell which entry to update",
                hint=f"edit `{self.path}` by hand",
            )
        if matches:
            _, entry = matches[0]
            old = parse_user_requirement(str(entry.value))
            text = format_requirement(merged(old, requirement, has_source))
            if text == entry.value:  # uv still rewrites the array in its layout
                table[key] = rebuild(array, layout)
                return ArrayEdit("unchanged", text, previous=text)
            entry.text, entry.value = string_text(text), text
            table[key] = rebuild(array, layout)
            return ArrayEdit("updated", text, previous=str(old))
        text = format_requirement(without_url(requirement) if has_source else requirement)
        position = insert_position(layout, text)
        layout.entries.insert(position, ArrayEntry(string_text(text), text))
        table[key] = rebuild(array, layout)
        self._place_extras(before, key, table[key])
        return ArrayEdit("added", text)

    def set_specifier(
        self, target: DependencyTarget, requirement: Requirement, specifier: str
    ) -> str | None:
        """Give the entry ``add`` just wrote for ``requirement`` (same name, same marker: a
        same-name entry under another marker is another entry) this version specifier — the
        bound written after locking; returns the new text, or None when nothing matched."""
        found = self._array(target, create=False)
        if found is None:
            return None
        table, key, array = found
        layout = take_apart(array)
        wanted = canonicalize_name(requirement.name)
        marker = canonical_marker(str(requirement.marker)) if requirement.marker else None
        matches = [
            e
            for e in layout.entries
            if requirement_name(e.value) == wanted and entry_marker(e) == marker
        ]
        if len(matches) != 1:
            return None
        entry = matches[0]
        old = parse_user_requirement(str(entry.value))
        new = DeclaredRequirement(compose(old, specifier))
        text = format_requirement(new)
        entry.text, entry.value = string_text(text), text
        table[key] = rebuild(array, layout)
        return text

    def remove_dependency(self, name: str, target: DependencyTarget) -> list[str]:
        """Remove every entry named ``name`` from ``target``; returns the removed texts."""
        found = self._array(target, create=False)
        if found is None:
            return []
        table, key, array = found
        layout = take_apart(array)
        wanted = canonicalize_name(name)
        kept: list[ArrayEntry] = []
        removed: list[str] = []
        orphaned: list[str] = []
        for entry in layout.entries:
            if requirement_name(entry.value) == wanted:
                removed.append(str(entry.value))
                orphaned.extend(entry.comments_before)
                if entry.trailing_comment:  # uv keeps it, on a line of its own
                    orphaned.append(entry.trailing_comment.strip())
            else:
                if orphaned:  # comments above a removed line stay, above the next one
                    entry.comments_before[:0] = orphaned
                    orphaned = []
                kept.append(entry)
        if not removed:
            return []
        table[key] = rebuild(
            array, ArrayLayout(kept, orphaned + layout.closing_comments, layout.indent)
        )
        return removed

    def find_dependency(self, name: str) -> list[DependencyTarget]:
        """Every target that lists ``name`` (for "did you mean --optional x?" hints)."""
        wanted = canonicalize_name(name)
        targets = [DependencyTarget.project()]
        project = self.doc.get("project")
        if isinstance(project, Table) and isinstance(
            project.get("optional-dependencies"), Table | InlineTable
        ):
            targets += [DependencyTarget.optional(e) for e in project["optional-dependencies"]]
        groups = self.doc.get("dependency-groups")
        if isinstance(groups, Table | InlineTable):
            targets += [DependencyTarget.group(g) for g in groups]
        targets.append(DependencyTarget("legacy-dev"))
        targets.append(DependencyTarget.script())  # a PEP 723 block's list
        hits = []
        for target in targets:
            found = self._array(target, create=False)
            if found is not None and any(requirement_name(v) == wanted for v in found[2]):
                hits.append(target)
        return hits

    # -- sources and indexes ---------------------------------------------------------------

    def _sources_tool(self) -> str:
        ferry = self._tool("ferry", create=False)
        return "ferry" if ferry is not None and "sources" in ferry else "uv"

    def set_source(self, name: str, source: Mapping[str, str | bool]) -> str:
        """Write ``name = { … }`` into ``[tool.<ferry|uv>.sources]``; returns the table name."""
        tool_name = self._sources_tool()
        tool = self._tool(tool_name, create=True)
        sources = self._table(tool, "sources", True, f"tool.{tool_name}.sources")
        key = self._existing_key(sources, str(canonicalize_name(name)))
        body = ", ".join(f"{k} = {_toml_scalar(v)}" for k, v in source.items())
        sources[key] = tomlkit.parse(f"x = {{ {body} }}\n")["x"]
        return f"tool.{tool_name}.sources"

    def remove_source(self, name: str) -> bool:
        """Drop ``name`` from the sources (uv does so when the last requirement goes)."""
        removed = False
        for tool_name in ("ferry", "uv"):
            tool = self._tool(tool_name, create=False)
            sources = tool.get("sources") if tool is not None else None
            if isinstance(sources, Table | InlineTable):
                for key in list(sources):
                    if canonicalize_name(key) == canonicalize_name(name):
                        del sources[key]
                        removed = True
                if removed and not sources and tool is not None:
                    self._drop_table(tool, ("tool", tool_name, "sources"))
        return removed

    def _drop_table(self, parent: Any, name: tuple[str, ...]) -> None:
        """Delete the emptied table ``name`` as uv does: with the blank lines and comments
        above its header, keeping the comments that followed its last key."""
        text = drop_table(self.dumps(), name)
        if text is None:  # not a [header] table (inline or dotted): tomlkit deletes the key
            del parent[name[-1]]
            return
        self._load(text)

    def add_indexes(self, requests: list[IndexRequest]) -> None:
        """Write ``--index``/``--default-index`` to ``[[tool.uv.index]]``, first and updating
        the entries they match, and put a ``[tool.uv.sources]`` this edit created, as uv does
        (:mod:`ferry.project.edit_layout`; tomlkit's layout for a file that does not model)."""
        text = self.dumps()
        if requests or text != self.original:
            laid_out = relayout(self.original, text, requests, self.path.absolute().parent)
            if laid_out is not None:
                if laid_out != text:
                    self._load(laid_out)
                return
        if requests:
            add_indexes(self._tool("uv", create=True), requests, self.path.absolute().parent)

    # -- version ---------------------------------------------------------------------------

    def get_version(self) -> str | None:
        project = self._project(create=False)
        value = project.get("version") if project is not None else None
        return str(value) if value is not None else None

    def set_version(self, version: str) -> None:
        project = self._project(create=True)
        assert project is not None
        if "version" not in project:
            raise UserError(
                f"`{self.path}` has no `project.version` to set",
                hint="`version` may be dynamic (set by the build backend); edit it there",
            )
        project["version"] = version


def _toml_scalar(value: str | bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return string_text(value)
