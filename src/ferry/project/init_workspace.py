"""Which workspace a project created by ``ferry init`` joins, decided as ``uv init`` decides.

Why: a uv user runs ``init packages/b`` inside a workspace and expects ``b`` to be locked and
synced with the others; a project created beside the workspace without being a member is
silently left out of ``lock`` and ``sync`` at the root. The rules (uv 0.13's):

- The nearest project above the new directory decides (searched from its parent, as every
  ferry command searches). A workspace root is the workspace; a plain project is the root of
  the workspace it belongs to, or else becomes a workspace root itself (``[tool.uv.workspace]``
  is created in it); a root without ``[project]`` nor a workspace (a bare ``[tool.uv]``) means
  no workspace.
- The new directory, relative to the root, is then ``excluded`` when an ``exclude`` glob matches
  it, already a ``member`` when a ``members`` glob does, and otherwise added (``add``).
  Globs match path segment by segment (``*`` stays inside one directory, ``**`` spans several).
- ``--no-workspace`` skips all of this (the caller does not ask).
- Without ``--python``, the new project's ``requires-python`` is the workspace's: the
  intersection of its members' (:func:`inherited_requires_python`; ``init`` spells it). uv
  takes it even when an ``exclude`` glob leaves the new directory out, and from a plain
  project above that is no workspace yet.

Deliberately more lenient than uv: a directory above holding a tool-only ``pyproject.toml``
(``[tool.black]``) is skipped as every ferry command skips it, where uv refuses to initialize;
and the members of the workspace are not all read here (a broken member is reported by the
next ``lock``, not by ``init``).
"""

from __future__ import annotations

import os
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Literal

from ferry.model.errors import UserError
from ferry.model.immutable import immutable
from ferry.model.log import get_logger
from ferry.project.discovery import find_project_root
from ferry.project.pyproject import PYPROJECT, PyProject, read_pyproject
from ferry.project.workspace import declares_workspace, find_workspace, load_workspace

log = get_logger(__name__)

Membership = Literal["add", "member", "excluded"]


@immutable
class Joining:
    """The workspace a new project at ``relative`` (below ``root``) joins, and how."""

    root: Path
    pyproject: PyProject
    relative: str
    state: Membership

    @property
    def tool(self) -> str:
        """``uv`` or ``ferry``: the table whose ``members`` the new path goes to."""
        origin = self.pyproject.tool.origin_of("workspace")
        return "ferry" if origin == "tool.ferry" else "uv"


def joining_workspace(path: Path) -> Joining | None:
    """The workspace a new project at ``path`` joins, or None when there is none."""
    target = Path(os.path.normpath(path.absolute()))
    try:
        return _joining(target)
    except UserError as error:
        raise UserError(
            "Failed to discover parent workspace; use `ferry init --no-workspace` to ignore",
            causes=[error.message, *error.causes],
            hint=error.hint,
        ) from error


def _joining(target: Path) -> Joining | None:
    found = find_project_root(target.parent)
    if found is None:
        log.debug("no project above %s: no workspace to join", target)
        return None
    pyproject = read_pyproject(found / PYPROJECT)
    if not declares_workspace(pyproject):
        if pyproject.project is None:
            log.debug("%s has neither [project] nor a workspace: no workspace", found)
            return None
        outer = find_workspace(found, pyproject)
        if outer is not None:
            found, pyproject = outer.root, outer.pyproject
    relative = target.relative_to(found).as_posix()
    tool = pyproject.tool
    if any(glob_matches(p, relative) for p in tool.workspace_exclude):
        state: Membership = "excluded"
    elif any(glob_matches(p, relative) for p in tool.workspace_members):
        state = "member"
    else:
        state = "add"
    log.debug("new project %s in the workspace at %s: %s", relative, found, state)
    return Joining(found, pyproject, relative, state)


def inherited_requires_python(joining: Joining) -> list[tuple[str, str]]:
    """``(name, requires-python)`` of every member of the workspace ``joining`` names that
    declares one (just the project above, when it is no workspace yet). A member that cannot be
    read leaves only the root's (``init`` stays as lenient as it is about joining)."""
    pyproject = joining.pyproject
    if declares_workspace(pyproject):
        try:
            workspace = load_workspace(pyproject)
        except UserError as error:
            log.debug("reading the members of %s: %s; taking the root's requires-python",
                      joining.root, error.message)
        else:
            return [(m.name, m.pyproject.project.requires_python) for m in workspace.members
                    if m.pyproject.project is not None and m.pyproject.project.requires_python]
    table = pyproject.project
    if table is None or not table.requires_python:
        return []
    return [(table.name, table.requires_python)]


def glob_matches(pattern: str, relative: str) -> bool:
    """Whether the workspace glob ``pattern`` names the directory ``relative`` (posix)."""
    wanted = [part for part in pattern.split("/") if part not in ("", ".")]
    return _match(wanted, relative.split("/"))


def _match(pattern: list[str], parts: list[str]) -> bool:
    if not pattern:
        return not parts
    if pattern[0] == "**":
        return any(_match(pattern[1:], parts[i:]) for i in range(len(parts) + 1))
    return bool(parts) and fnmatchcase(parts[0], pattern[0]) and _match(pattern[1:], parts[1:])
