"""``ferry export``: the lock as ``requirements.txt`` or ``pylock.toml`` (PEP 751).

Locks first when the lock is missing or stale (``--frozen`` uses it as it is, ``--locked`` fails
instead), then flattens it for the chosen extras and groups (see
:mod:`ferry.project.export_graph`): the export is universal, like the lock, with a marker on each
package that only some platforms need.

The selection rules are uv's: the project's dependencies, ``--extra``/``--all-extras``, the
default groups (``dev`` unless ``default-groups`` says otherwise) plus ``--group``, minus
``--no-dev``/``--no-default-groups``; ``--only-group`` exports groups without the project.
Extras or groups declared as conflicting cannot be exported together.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from ferry.cache.store import Cache
from ferry.commands.common import open_cache
from ferry.commands.workspace_sync import (
    ROOT_GROUPS,
    check_selection,
    current_project,
    resolve_packages,
    root_names,
    root_pyprojects,
    with_root_groups,
)
from ferry.fs.atomic import atomic_write_text
from ferry.model.errors import UsageError
from ferry.model.immutable import immutable, mutable
from ferry.model.log import get_logger
from ferry.model.names import NormalizedName, canonicalize_name
from ferry.model.settings import GlobalOptions
from ferry.model.value_fields import field
from ferry.project.discovery import Project, discover_project
from ferry.project.export_graph import ExportSelection, export_nodes
from ferry.project.export_pylock import pylock_data, render_pylock
from ferry.project.export_requirements import render_requirements
from ferry.project.lock_model import Lock
from ferry.project.lockfile import read_lock
from ferry.project.pyproject import PyProject

if TYPE_CHECKING:
    from ferry.commands.lock import LockRequest

log = get_logger(__name__)

ExportFormat = Literal["requirements.txt", "pylock.toml"]


@immutable
class LockSettings:
    """How to lock when the lock is missing or stale (the index options of ``lock``)."""

    frozen: bool = False
    locked: bool = False
    given_as: str | None = None
    """What asked for ``frozen``/``locked`` (``--frozen``, ``FERRY_LOCKED=1``), as the lock's
    messages name it."""
    python: str | None = None
    index_url: str | None = None
    extra_index_urls: tuple[str, ...] = ()
    find_links: tuple[str, ...] = ()
    no_index: bool = False
    index_strategy: str | None = None
    exclude_newer: str | None = None
    upgrade: bool = False
    """``-U``: re-resolve every package, writing ``uv.lock`` as ``lock -U`` would (uv's
    ``export -U``/``tree -U`` do); ignored under ``--frozen``, as uv ignores it."""
    upgrade_packages: tuple[str, ...] = ()


@immutable
class GroupSelection:
    """The extras and groups flags shared by ``export`` and ``tree``."""

    extras: tuple[str, ...] = ()
    all_extras: bool = False
    groups: tuple[str, ...] = ()
    only_groups: tuple[str, ...] = ()
    all_groups: bool = False
    no_dev: bool = False
    no_default_groups: bool = False
    no_groups: tuple[str, ...] = ()
    no_extras: tuple[str, ...] = ()
    """``--no-extra``: left out whatever else selects them."""
    only_dev: bool = False
    """``--only-dev``: the ``dev`` group alone (which, unlike ``--only-group dev``, need not
    exist: uv exports nothing then)."""

    def only_group_names(self) -> frozenset[str]:
        """The groups of ``--only-group``/``--only-dev``: empty unless the project's own
        dependencies are left out."""
        named = {str(canonicalize_name(g)) for g in self.only_groups}
        return frozenset(named | {"dev"} if self.only_dev else named)


@immutable
class ExportRequest:
    project: Path | None = None
    format: ExportFormat | None = None
    output: Path | None = None
    hashes: bool = True
    header: bool = True
    annotate: bool = True
    editable: bool = True
    no_editable_packages: tuple[str, ...] = ()
    no_emit_project: bool = False
    no_emit_workspace: bool = False
    no_emit_local: bool = False
    no_emit_packages: tuple[str, ...] = ()
    prune: tuple[str, ...] = ()
    emit_index_url: bool = False
    emit_find_links: bool = False
    package: tuple[str, ...] = ()
    """``--package``: the workspace members to export (several allowed, as ``uv export``)."""
    all_packages: bool = False
    selection: GroupSelection = field(default_factory=GroupSelection)
    lock: LockSettings = field(default_factory=LockSettings)
    header_command: str = "ferry export"
    script: Path | None = None
    """``--script``: export this PEP 723 script's lock instead of a project's."""

    def __post_init__(self) -> None:
        check_selection(self.package, self.all_packages)


@mutable
class LockReport:
    """What obtaining the lock did, for the ``Resolved N packages`` line."""

    packages: int
    seconds: float
    outcome: Any = None


@mutable
class ExportResult:
    text: str
    output: Path | None
    format: ExportFormat
    lock: LockReport | None = None
    warnings: list[str] = field(default_factory=list)


def obtain_project_lock(
    project: Project, settings: LockSettings, options: GlobalOptions, cache: Cache
) -> tuple[Lock, LockReport | None]:
    """The project's lock: read as it is with ``--frozen``, else brought up to date first."""
    request = lock_request_of(settings)
    if settings.frozen:
        if not project.lock_path.is_file():
            from ferry.commands.lock import missing_lock_error

            raise missing_lock_error(project.lock_path.name, request.mode_flag())
        return read_lock(project.lock_path), None
    from ferry.commands.lock import lock_project

    started = time.perf_counter()
    # the resolution's warnings stay on the outcome: the CLI prints them after `Resolved`
    outcome = lock_project(project, request, options, cache, keep_diagnostics=True)
    seconds = getattr(outcome, "seconds", None) or time.perf_counter() - started
    return outcome.lock, LockReport(len(outcome.lock.packages), seconds, outcome)


def lock_request_of(settings: LockSettings) -> LockRequest:
    from ferry.commands.lock import LockRequest

    return LockRequest(
        locked=settings.locked,
        frozen=settings.frozen,
        given_as=settings.given_as,
        python=settings.python,
        index_url=settings.index_url,
        extra_index_urls=settings.extra_index_urls,
        find_links=settings.find_links,
        no_index=settings.no_index,
        index_strategy=settings.index_strategy,
        exclude_newer=settings.exclude_newer,
        upgrade=settings.upgrade,
        upgrade_packages=settings.upgrade_packages,
    )


def project_or_script(directory: Path | None, script: Path | None) -> Project:
    """The project, or a script's block read as one (:mod:`ferry.project.script_lock`)."""
    if script is None:
        return discover_project(project=directory)
    from ferry.commands.script_lock import script_project

    return script_project(script)


def obtain_lock_of(
    project: Project,
    script: Path | None,
    settings: LockSettings,
    options: GlobalOptions,
    cache: Cache,
) -> tuple[Lock, LockReport | None]:
    """:func:`obtain_project_lock`, or with ``script`` the script's lock (whose requirements
    are roots of their own, ``[manifest] requirements``)."""
    if script is None:
        return obtain_project_lock(project, settings, options, cache)
    from ferry.commands.script_lock import obtain_script_lock

    started = time.perf_counter()
    lock, outcome = obtain_script_lock(script, lock_request_of(settings), options, cache)
    if outcome is None:
        return lock, None
    seconds = outcome.seconds or time.perf_counter() - started
    return lock, LockReport(len(lock.packages), seconds, outcome)


def resolve_groups(
    project: Project,
    selection: GroupSelection,
    *,
    validate: bool = True,
    pyprojects: list[PyProject] | None = None,
) -> frozenset[str]:
    """The dependency groups in effect (uv's rules, see the module docstring); ``validate``
    refuses groups the project does not declare, ``--no-group``'s too, as uv (``tree`` draws
    nothing for them instead). ``pyprojects`` are the workspace members selected (default:
    the project alone)."""
    sources = pyprojects if pyprojects is not None else [project.pyproject]
    declared = {str(g) for p in sources for g in p.groups}
    named = [str(canonicalize_name(g))
             for g in (*selection.groups, *selection.only_groups, *selection.no_groups)]
    for group in named if validate else ():
        if group not in declared:
            from ferry.commands.sync_targets import undefined_group

            raise undefined_group(group, [p.name for p in sources if p.name is not None],
                                  declared)
    # uv: --no-group (and --no-dev, its `dev` spelling) wins over defaults, --group, --all-groups.
    left_out = {str(canonicalize_name(g)) for g in selection.no_groups}
    if selection.no_dev:
        left_out.add("dev")
    if only := selection.only_group_names():
        return only - left_out
    if selection.all_groups:
        return frozenset(declared - left_out)
    wanted: set[str] = (
        set()
        if selection.no_default_groups
        else {str(g) for p in sources for g in p.default_groups}
    )
    wanted |= {str(canonicalize_name(g)) for g in selection.groups}
    return frozenset((wanted - left_out) & declared)


def resolve_extras(
    project: Project, selection: GroupSelection, pyprojects: list[PyProject] | None = None
) -> frozenset[str]:
    sources = pyprojects if pyprojects is not None else [project.pyproject]
    declared = {str(e) for p in sources if p.project is not None for e in p.project.extras}
    chosen = {str(canonicalize_name(e)) for e in selection.extras}
    left_out = {str(canonicalize_name(e)) for e in selection.no_extras}
    for extra in sorted((chosen | left_out) - declared):
        from ferry.commands.sync_targets import undefined_extra

        raise undefined_extra(extra, [p.name for p in sources if p.name is not None], declared)
    # uv: --no-extra wins over --all-extras and --extra
    return frozenset((declared if selection.all_extras else chosen) - left_out)


def check_conflicts(
    lock: Lock,
    name: str | None,
    extras: frozenset[str],
    groups: frozenset[str],
    default_groups: frozenset[str] = frozenset(),
) -> None:
    """Refuse a selection that enables two members of one declared conflict set: sync's check
    (uv's words, exit code 2), on ``name``'s items (every package's when it is ``None``).
    ``default_groups`` are the groups on only as defaults, which the message says."""
    from ferry.project.lock_select_conflicts import check_requested

    packages = ({name} if name is not None
                else {item.package for conflict in lock.conflicts for item in conflict})
    check_requested(lock, packages, extras, False, groups, default_groups)


def _default_only(selection: GroupSelection, pyprojects: list[PyProject]) -> frozenset[str]:
    """The groups on only because they are defaults (uv's conflict message says so)."""
    if selection.only_group_names() or selection.all_groups or selection.no_default_groups:
        return frozenset()
    asked = {str(canonicalize_name(g)) for g in selection.groups}
    return frozenset(str(g) for p in pyprojects for g in p.default_groups) - asked


def roots_of(project: Project, lock: Lock) -> list[NormalizedName]:
    """The project's name (when it has a ``[project]``) and the workspace members."""
    name = project.pyproject.name
    members = [canonicalize_name(m) for m in lock.manifest.members]
    return ([name] if name is not None else []) + [m for m in members if m != name]


def infer_format(request: ExportRequest) -> ExportFormat:
    if request.format is not None:
        return request.format
    if request.output is not None:
        name = request.output.name
        if name == "pylock.toml" or (name.startswith("pylock.") and name.endswith(".toml")):
            return "pylock.toml"
    return "requirements.txt"


def export_project(request: ExportRequest, options: GlobalOptions) -> ExportResult:
    project = project_or_script(request.project, request.script)
    fmt = infer_format(request)
    if fmt == "pylock.toml" and request.output is not None:
        from packaging.pylock import is_valid_pylock_path

        if not is_valid_pylock_path(request.output):
            raise UsageError(
                f"`{request.output.name}` is not a valid pylock.toml file name",
                hint="PEP 751 names are `pylock.toml` or `pylock.<name>.toml`",
            )
    # before the lock, as uv: a `--package` naming no member is refused with nothing written
    # (and ahead of a missing lock under `--frozen`)
    packages = resolve_packages(project, request.package, request.all_packages)
    with open_cache(options) as cache:
        lock, report = obtain_lock_of(project, request.script, request.lock, options, cache)
    pyprojects = root_pyprojects(project, packages)
    groups = resolve_groups(project, request.selection, pyprojects=pyprojects)
    extras = resolve_extras(project, request.selection, pyprojects)
    check_conflicts(lock, project.pyproject.name, extras, groups,
                    _default_only(request.selection, pyprojects))
    if project.workspace is None:
        roots = roots_of(project, lock)
        emitted = project.pyproject.name
    else:
        roots = root_names(project, packages)
        if ROOT_GROUPS in roots:
            lock = with_root_groups(lock)
        emitted = current_project(project, packages)
    selection = ExportSelection(
        extras=extras,
        all_extras=request.selection.all_extras,
        no_extras=frozenset(str(canonicalize_name(e)) for e in request.selection.no_extras),
        groups=groups,
        include_project_deps=not request.selection.only_group_names(),
        no_emit_project=request.no_emit_project,
        no_emit_workspace=request.no_emit_workspace,
        no_emit_local=request.no_emit_local,
        no_emit_packages=frozenset(canonicalize_name(p) for p in request.no_emit_packages),
        prune=frozenset(canonicalize_name(p) for p in request.prune),
    )
    nodes = export_nodes(lock, roots, selection, project=emitted)
    header = request.header_command if request.header else None
    warnings: list[str] = []
    no_editable = {canonicalize_name(p) for p in request.no_editable_packages}
    if fmt == "pylock.toml":
        data = pylock_data(
            lock, nodes, project.root, editable=request.editable, no_editable=no_editable
        )
        text = render_pylock(data, header_command=header)
    else:
        from ferry.commands.export_indexes import index_lines

        preamble, warnings = index_lines(
            project.pyproject,
            request.lock,
            emit_index_url=request.emit_index_url,
            emit_find_links=request.emit_find_links,
        )
        text = render_requirements(
            nodes,
            preamble=preamble,
            no_editable=no_editable,
            hashes=request.hashes,
            annotate=request.annotate,
            editable=request.editable,
            header_command=header,
        )
    if request.output is not None:
        log.debug("writing the export to %s", request.output)
        atomic_write_text(request.output, text)
    return ExportResult(
        text=text, output=request.output, format=fmt, lock=report, warnings=warnings
    )
