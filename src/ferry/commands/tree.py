"""``ferry tree``: the project's locked dependency tree (see :mod:`ferry.project.tree`).

The lock is brought up to date first, as ``uv tree`` does (``--frozen`` draws it as it is,
``--locked`` fails when it is stale). Without ``--universal`` the tree is the one this machine
would install: markers are evaluated for the interpreter ferry would use for the project
(``--python``, the project's ``.venv``, ``.python-version``, PATH). ``--outdated`` asks each
package's own index (the one the lock records) for its newest release — the only part of the
command that may use the network.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ferry.cache.store import Cache
from ferry.commands.common import open_cache
from ferry.commands.export import (
    GroupSelection,
    LockReport,
    LockSettings,
    obtain_lock_of,
    project_or_script,
    resolve_groups,
)
from ferry.model.dist import FileRef, parse_filename
from ferry.model.errors import FerryError
from ferry.model.immutable import immutable, mutable
from ferry.model.log import get_logger
from ferry.model.names import canonicalize_name
from ferry.model.pep440_specifiers import InvalidSpecifier, SpecifierSet
from ferry.model.pep440_version import InvalidVersion, Version
from ferry.model.settings import GlobalOptions
from ferry.model.thread_pool import ThreadPool
from ferry.model.value_fields import field
from ferry.project.discovery import Project
from ferry.project.lock_model import Lock, PackageId
from ferry.project.pyproject import PyProject
from ferry.project.tree import TreeOptions, render_tree
from ferry.python.discovery import find_interpreter
from ferry.python.request import PythonRequest

if TYPE_CHECKING:
    from ferry.index.client import IndexClient

log = get_logger(__name__)


@immutable
class TreeRequest:
    project: Path | None = None
    depth: int = 255
    invert: bool = False
    no_dedupe: bool = False
    packages: tuple[str, ...] = ()
    prune: tuple[str, ...] = ()
    universal: bool = False
    outdated: bool = False
    python: str | None = None
    selection: GroupSelection = field(default_factory=GroupSelection)
    lock: LockSettings = field(default_factory=LockSettings)
    script: Path | None = None
    """``--script``: draw this PEP 723 script's lock instead of a project's."""


@mutable
class TreeResult:
    text: str
    lock: LockReport | None = None
    warnings: list[str] = field(default_factory=list)


def tree_project(request: TreeRequest, options: GlobalOptions) -> TreeResult:
    project = project_or_script(request.project, request.script)
    result = TreeResult(text="")
    with open_cache(options) as cache:
        lock, result.lock = obtain_lock_of(project, request.script, request.lock, options, cache)
        markers = None if request.universal else _markers(project, request.python, cache)
        latest = (
            _latest_versions(lock, project.root, cache, options, result) if request.outdated else {}
        )
    tree_options = TreeOptions(
        depth=request.depth,
        invert=request.invert,
        no_dedupe=request.no_dedupe,
        groups=resolve_groups(project, request.selection, validate=False,
                              pyprojects=_declaring(project)),
        include_project_deps=not request.selection.only_group_names(),
        packages=frozenset(canonicalize_name(p) for p in request.packages),
        prune=frozenset(canonicalize_name(p) for p in request.prune),
        markers=markers,
        latest=latest,
    )
    result.text = render_tree(lock, project.pyproject.name, tree_options)
    return result


def _declaring(project: Project) -> list[PyProject]:
    """Whose groups ``--group``/``--all-groups``/defaults may name: every member draws its own
    groups in uv's tree (the root's as well)."""
    if project.workspace is None:
        return [project.pyproject]
    return [project.pyproject, *(m.pyproject for m in project.workspace.members)]


def _markers(project: Project, python: str | None, cache: Cache) -> dict[str, str]:
    requires = project.pyproject.project.requires_python if project.pyproject.project else None
    try:
        specifier = SpecifierSet(requires) if requires else None
    except InvalidSpecifier:
        specifier = None
    if project.script:
        interpreter = find_interpreter(
            PythonRequest.parse(python) if python else None,
            cache,
            directory=project.root,
            requires_python=specifier,
        )
    else:  # the project environment's when it fits, as uv picks it (VIRTUAL_ENV is not)
        from ferry.commands.project_env import reading_interpreter

        interpreter = reading_interpreter(project.environment_path, cache,
                                          project_dir=project.root, python=python,
                                          requires_python=specifier)
    log.debug("drawing the tree for %s at %s", interpreter.describe(), interpreter.executable)
    return dict(interpreter.markers)


def _index_url(value: str, root: Path) -> str:
    if "://" in value:
        return value
    path = Path(value)
    return (path if path.is_absolute() else root / path).resolve().as_uri()


def _newest(
    files: Sequence[FileRef], current: Version, floor: Version | None = None
) -> Version | None:
    """The newest release worth reporting: not yanked, not a pre-release (unless the locked
    one is), and with a file whose ``requires-python`` admits the project's lowest Python
    (``floor``), as uv reports the newest *compatible* release."""
    best: Version | None = None
    for file in files:
        parsed = parse_filename(file.filename)
        if parsed is None or file.yanked is not None:
            continue
        if floor is not None and not _fits(file.requires_python, floor):
            continue
        version = parsed.version
        if version.is_prerelease and not current.is_prerelease:
            continue
        if best is None or version > best:
            best = version
    return best


def _latest_versions(
    lock: Lock, root: Path, cache: Cache, options: GlobalOptions, result: TreeResult
) -> dict[PackageId, str]:
    """Newer releases of the locked registry packages, from each package's own index."""
    from ferry.commands.index_settings import index_client

    by_index: dict[str, list[PackageId]] = {}
    for package in lock.packages:
        if package.source.kind == "registry" and package.version is not None:
            by_index.setdefault(package.source.value, []).append(package.id)
    latest: dict[PackageId, str] = {}
    from ferry.resolve.universal_versions import requires_python_floor

    floor = requires_python_floor(lock.requires_python)
    for index, ids in sorted(by_index.items()):
        client = index_client(
            cache,
            options,
            index_url=_index_url(index, root),
            extra_index_urls=(),
            find_links=(),
            no_index=False,
            strategy="first-index",
            exclude_newer=None,
        )
        with client, ThreadPool(8, thread_name_prefix="ferry-outdated") as pool:
            answers = pool.map(_ask, [client] * len(ids), ids, [result] * len(ids),
                               [floor] * len(ids))
            for package_id, newest in zip(ids, answers, strict=True):
                if newest is not None:
                    latest[package_id] = newest
    return latest


def _fits(requires_python: str | None, floor: Version) -> bool:
    from ferry.resolve.candidates import python_compatible

    if not requires_python:
        return True
    try:
        return python_compatible(SpecifierSet(requires_python), floor)
    except InvalidSpecifier:
        return True


def _ask(
    client: IndexClient, package_id: PackageId, result: TreeResult, floor: Version | None
) -> str | None:
    try:
        files = client.project_files(package_id.name)
        current = Version(package_id.version or "0")
    except (FerryError, InvalidVersion) as error:
        message = getattr(error, "message", str(error))
        result.warnings.append(
            f"Could not find the latest version of `{package_id.name}`: {message}"
        )
        return None
    newest = _newest(files, current, floor)
    return str(newest) if newest is not None and newest > current else None
