"""Writing what ``ferry add`` was given into a dependency array — shared by projects and
PEP 723 scripts, which differ only in where the array lives and what happens afterwards.

uv's rules: a path, URL or named index goes to ``[tool.uv.sources]``; a requirement added
without a version gets the bound of the version the lock chose (``--bounds``; none with
``--raw``); ``--index NAME=URL`` with one named index pins the added packages to it.
"""

from __future__ import annotations

from ferry.model.pep440_version import Version
from ferry.project.edit import PyprojectEditor
from ferry.project.edit_index import IndexRequest, searched_index_url, written_index_url
from ferry.project.edit_requirement import Bounds, DependencyTarget, bound_for
from ferry.project.edit_sources import AddSpec
from ferry.project.lock_model import Lock


def _split(value: str) -> tuple[str | None, str]:
    name, sep, url = value.partition("=")
    if sep and "://" not in name and "/" not in name:
        return name, url
    return None, value


def pinned_index(indexes: tuple[str, ...], default_index: str | None) -> str | None:
    """The index the added packages are pinned to: uv pins them only when the command names
    exactly one index, and names it (``--index NAME=URL`` or ``--default-index NAME=URL``)."""
    given = (*indexes, default_index) if default_index else indexes
    if len(given) != 1:
        return None
    return _split(given[0])[0]


def searched_indexes(
    indexes: tuple[str, ...], default_index: str | None
) -> tuple[tuple[str, ...], str | None]:
    """The ``--index`` and ``--default-index`` URLs as the lock of this ``add`` searches them
    (uv searches the command line's indexes, as given, before the file's), names dropped."""
    urls = tuple(searched_index_url(_split(value)[1]) for value in indexes)
    default = searched_index_url(_split(default_index)[1]) if default_index else None
    return urls, default


def write_indexes(
    editor: PyprojectEditor, indexes: tuple[str, ...], default_index: str | None
) -> None:
    """Add the ``--index`` and ``--default-index`` entries — after the requirements and their
    sources, so a new ``[[tool.uv.index]]`` follows ``[tool.uv.sources]`` as uv writes it; they
    go first in the array (highest priority), updating the entries they match."""
    requests: list[IndexRequest] = [(name, url, False) for name, url in map(_split, indexes)]
    if default_index:
        requests.append((*_split(default_index), True))
    base = editor.path.absolute().parent
    editor.add_indexes([(name, written_index_url(url, base), default)
                        for name, url, default in requests])


def write_specs(
    editor: PyprojectEditor,
    target: DependencyTarget,
    specs: tuple[AddSpec, ...],
    *,
    indexes: tuple[str, ...] = (),
    default_index: str | None = None,
    raw: bool = False,
    changes: list[str],
) -> list[AddSpec]:
    """Write each requirement (and its source) into ``target``, then the indexes; returns the
    requirements that get the locked version as their bound."""
    pinned = pinned_index(indexes, default_index)
    wants_bound: list[AddSpec] = []
    for spec in specs:
        source = dict(spec.source) if spec.source else None
        if source is None and pinned is not None:
            source = {"index": pinned}
        edit = editor.add_dependency(spec.requirement, target, has_source=source is not None)
        if source is not None:
            editor.set_source(spec.name, source)
        if edit.action != "unchanged":
            changes.append(f"{edit.action} `{edit.requirement}` in `{target}`")
        if (
            edit.action == "added"
            and (source is None or "index" in source)
            and spec.from_index
            and not spec.requirement.specifier
            and not raw
        ):
            wants_bound.append(spec)
    write_indexes(editor, indexes, default_index)
    return wants_bound


def set_bounds(
    editor: PyprojectEditor,
    target: DependencyTarget,
    wants_bound: list[AddSpec],
    lock_: Lock,
    bounds: Bounds | None,
) -> bool:
    """Give each requirement in ``wants_bound`` the bound of the version ``lock_`` chose."""
    changed = False
    for spec in wants_bound:
        versions = [
            Version(p.version)
            for p in lock_.find(spec.name)
            if p.version is not None and p.source.kind == "registry"
        ]
        if versions:
            specifier = bound_for(min(versions), bounds or "lower")
            changed |= editor.set_specifier(target, spec.requirement, specifier) is not None
    return changed
