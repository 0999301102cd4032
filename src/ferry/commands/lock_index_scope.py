"""Which ``index = …`` sources a lock applies: those naming a requirement the project declares.

uv lowers ``[tool.uv.sources]`` onto the requirements the workspace itself declares — each
member's dependencies, extras and groups (with the member's own sources over the root's), a
virtual root's groups, and the root's ``constraint-dependencies`` and
``override-dependencies`` — and pins a package to an index only through such a lowered
requirement. A source naming a package that is only a *transitive* dependency is therefore
ignored: that package is looked up on the ordinary index list (uv 0.13.8; s9 review W9). A
member's source applies to that member's requirements only, never to another member's.

A project whose dependencies are dynamic keeps every one of its index sources: which names it
requires only a build can tell, and uv lowers the built ones.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ferry.model.immutable import immutable
from ferry.model.log import get_logger
from ferry.model.names import NormalizedName, canonicalize_name
from ferry.project.pyproject import PyProject
from ferry.project.tool_settings import SourceSpec
from ferry.project.workspace import all_requirements

if TYPE_CHECKING:
    from ferry.project.workspace import Workspace

log = get_logger(__name__)


@immutable
class IndexSource:
    """The ``index`` sources of one package, and the pyproject that sees them (whose
    ``[[tool.uv.index]]`` names the index)."""

    name: str
    specs: tuple[SourceSpec, ...]
    declaring: PyProject


def _direct_names(pyproject: PyProject) -> set[NormalizedName] | None:
    """The names ``pyproject`` requires itself; ``None`` when only a build could tell."""
    project = pyproject.project
    if project is not None and project.dynamic_dependencies:
        return None
    return {canonicalize_name(r.name) for r in all_requirements(pyproject) if not r.url}


def _settings_names(pyproject: PyProject) -> set[NormalizedName]:
    tool = pyproject.tool
    return {canonicalize_name(r.name)
            for r in (*tool.constraint_dependencies, *tool.override_dependencies)}


def _applied(pyproject: PyProject, names: set[NormalizedName] | None) -> list[IndexSource]:
    found: list[IndexSource] = []
    for name, specs in pyproject.tool.sources:
        index_specs = tuple(s for s in specs if s.kind == "index")
        if not index_specs:
            continue
        if names is not None and canonicalize_name(name) not in names:
            log.debug("the index source of `%s` in %s is not applied: no requirement of the "
                      "project names it (a transitive dependency is looked up on the ordinary "
                      "indexes, as uv does)", name, pyproject.path)
            continue
        found.append(IndexSource(name, specs, pyproject))
    return found


def index_sources(pyproject: PyProject, workspace: Workspace | None = None) -> list[IndexSource]:
    """The ``index`` sources a lock of ``pyproject`` (the workspace root when ``workspace``
    is given) applies, one entry per package that has any, in declaration order. Each entry
    keeps all the package's source specs (an index mixed with a url is the caller's to judge)."""
    settings = _settings_names(pyproject)
    direct = _direct_names(pyproject)
    if workspace is None:
        return _applied(pyproject, None if direct is None else direct | settings)
    # the root's own requirements (a virtual root's groups) and settings, with its sources
    found = _applied(pyproject, None if direct is None else direct | settings)
    for member in workspace.members:
        if member.root.resolve() == workspace.root.resolve():
            continue
        found += _applied(workspace.effective(member), _direct_names(member.pyproject))
    merged: dict[NormalizedName, IndexSource] = {}
    for entry in found:
        key = canonicalize_name(entry.name)
        if key not in merged:
            merged[key] = entry
        elif entry.specs != merged[key].specs:
            specs = merged[key].specs + tuple(s for s in entry.specs
                                              if s not in merged[key].specs)
            merged[key] = IndexSource(merged[key].name, specs, merged[key].declaring)
    return list(merged.values())
