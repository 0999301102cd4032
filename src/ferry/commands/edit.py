"""``ferry add`` and ``ferry remove``: edit the dependencies, then lock and sync — all or nothing.

``add`` writes each requirement where it was asked to go (``[project] dependencies``,
``--optional EXTRA``, ``--group G``, ``--dev``), sources for paths and URLs (see
:mod:`ferry.project.edit_sources`), locks, and — as uv does — gives every requirement that came
without a version the bound of the version the lock chose (``>=2.31.0``; ``--bounds`` picks
another shape, ``--raw`` none), which a second, no-op lock records. Then it syncs, keeping what
is installed (the environment's recorded selection plus the edited extra or group). ``remove``
takes the requirement out (and its source, when nothing else needs it) and syncs exactly.
``--frozen`` only edits ``pyproject.toml``; ``--no-sync`` locks but does not sync.

One edit at a time, and nothing half-done (shared with ``ferry version``):

The edit is serialised with other ferry processes by an exclusive lock on
``<project>/.ferry/project.lock``. Why there: the lock must exist before the project has an
environment (so not in ``.venv``, which ``sync`` must find empty or a real environment), it must
not change inode when ``pyproject.toml`` is replaced (so not that file), and it should not show
up in ``git status`` — ``.ferry/`` carries its own ``.gitignore`` (``*``), the way ``.venv`` and
tool caches do.

Before anything is written, the bytes of ``pyproject.toml`` and ``uv.lock`` are kept; if locking
or syncing then fails (a package no index has, an unsatisfiable set, a failed build) or the user
interrupts, both files get their old bytes back and the error is raised as it was, so a failed
``ferry add`` leaves no trace in either file.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from ferry.commands.edit_write import set_bounds, write_specs
from ferry.commands.workspace_sync import edit_path, focus, with_member_sources
from ferry.fs.atomic import atomic_write_bytes, atomic_write_text
from ferry.fs.locks import lock_exclusive
from ferry.model.errors import UserError
from ferry.model.settings import GlobalOptions
from ferry.project.discovery import Project, discover_project
from ferry.project.edit import PyprojectEditor, parse_user_requirement
from ferry.project.edit_inputs import AddInputs, collect
from ferry.project.edit_requirement import Bounds, DependencyTarget
from ferry.project.lock_model import Lock

log = logging.getLogger(__name__)

STATE_DIR = ".ferry"
LOCK_FILE = "project.lock"


@contextmanager
def project_lock(root: Path) -> Iterator[Path]:
    """Hold the project's edit lock (see the module docstring); yields the lock file."""
    state = root / STATE_DIR
    ignore = state / ".gitignore"
    if not ignore.is_file():
        atomic_write_text(ignore, "*\n", durable=False)
    path = state / LOCK_FILE
    with lock_exclusive(path, what=f"project {root.name}"):
        yield path


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The bytes of the files an edit may change, to put back if it fails."""

    pyproject: Path
    pyproject_bytes: bytes
    lock: Path
    lock_bytes: bytes | None

    @classmethod
    def take(cls, project: Project) -> Snapshot:
        lock_bytes = project.lock_path.read_bytes() if project.lock_path.is_file() else None
        return cls(
            edit_path(project),
            edit_path(project).read_bytes(),
            project.lock_path,
            lock_bytes,
        )

    def restore(self) -> None:
        log.debug("restoring %s and %s", self.pyproject, self.lock)
        atomic_write_bytes(self.pyproject, self.pyproject_bytes)
        if self.lock_bytes is None:
            self.lock.unlink(missing_ok=True)
        elif not self.lock.is_file() or self.lock.read_bytes() != self.lock_bytes:
            atomic_write_bytes(self.lock, self.lock_bytes)


@dataclass(frozen=True, slots=True)
class ApplySettings:
    """How the edited project is locked and synced afterwards (the shared flags)."""

    frozen: bool = False
    locked: bool = False
    no_sync: bool = False
    python: str | None = None
    index_url: str | None = None
    extra_index_urls: tuple[str, ...] = ()
    find_links: tuple[str, ...] = ()
    no_index: bool = False
    exclude_newer: str | None = None
    upgrade_packages: tuple[str, ...] = ()
    constraints: tuple[Requirement, ...] = ()
    """``ferry add -c``: constrain the lock this edit makes, recorded nowhere (as uv)."""
    package: str | None = None
    """``--package``: the workspace member to edit (default: the current one)."""


@dataclass(slots=True)
class Applied:
    """What locking and syncing the edited project did (None: skipped)."""

    lock: Any = None
    sync: Any = None
    warnings: list[str] = field(default_factory=list)


def reload(project: Project) -> Project:
    """The project again, after an edit, still acting on the member that was edited."""
    return discover_project(project=edit_path(project).parent)


def lock_request(settings: ApplySettings) -> Any:
    """The ``LockRequest`` these settings ask for."""
    from ferry.commands.lock import LockRequest

    return LockRequest(
        locked=settings.locked,
        upgrade_packages=settings.upgrade_packages,
        python=settings.python,
        index_url=settings.index_url,
        extra_index_urls=settings.extra_index_urls,
        find_links=settings.find_links,
        no_index=settings.no_index,
        exclude_newer=settings.exclude_newer,
        constraints=settings.constraints,
    )


def lock(project: Project, settings: ApplySettings, options: GlobalOptions) -> Any:
    from ferry.commands.common import open_cache
    from ferry.commands.lock import lock_project

    with open_cache(options) as cache:
        return lock_project(project, lock_request(settings), options, cache)


def sync(
    project: Project,
    settings: ApplySettings,
    options: GlobalOptions,
    *,
    inexact: bool,
    extra: str | None = None,
    group: str | None = None,
) -> Any:
    """Sync with the selection the environment was last synced with (DESIGN §5), plus the
    extra or group just edited; ``inexact`` keeps what the selection does not name."""
    from ferry.commands.sync import SyncRequest, sync_project
    from ferry.commands.sync_state import read_state

    state = read_state(project.environment_path)
    request = SyncRequest(
        project=project.root,
        frozen=True,
        python=settings.python,
        inexact=inexact,
        index_url=settings.index_url,
        extra_index_url=settings.extra_index_urls,
        find_links=settings.find_links,
        no_index=settings.no_index,
        package=(project.current,) if project.workspace is not None and project.current
        else (),
    )
    if state is not None:
        chosen = state.selection
        log.debug("syncing with the recorded selection: %s", chosen)
        request = replace(
            request,
            extras=tuple(chosen.extras),
            all_extras=chosen.all_extras,
            groups=tuple(chosen.groups),
            only_groups=tuple(chosen.only_groups),
            no_default_groups=chosen.no_default_groups,
            no_groups=tuple(chosen.no_groups),
            no_install_project=chosen.no_install_project,
            no_editable=chosen.no_editable,
        )
    if extra is not None and extra not in request.extras and not request.all_extras:
        request = replace(request, extras=(*request.extras, extra))
    if group is not None and not request.only_groups and group not in request.groups:
        request = replace(request, groups=(*request.groups, group))
    result = sync_project(request, options)
    result.resolved = None  # the lock was just reported; the frozen read is no news
    return result


def write_pyproject(project: Project, text: str) -> None:
    atomic_write_text(edit_path(project), text)


def apply(
    project: Project,
    text: str,
    settings: ApplySettings,
    options: GlobalOptions,
    *,
    inexact: bool,
    extra: str | None = None,
    group: str | None = None,
    after_lock: Any = None,
) -> Applied:
    """Write ``text`` as the new ``pyproject.toml``, then lock and sync, restoring both files
    if anything fails. ``after_lock(project, lock)`` may return a further text (``add``'s
    bounds), written and locked again before syncing."""
    snapshot = Snapshot.take(project)
    applied = Applied()
    try:
        write_pyproject(project, text)
        if settings.frozen:
            return applied
        project = reload(project)
        applied.lock = lock(project, settings, options)
        if after_lock is not None:
            again = after_lock(project, applied.lock.lock)
            if again is not None:
                write_pyproject(project, again)
                project = reload(project)
                first = applied.lock
                applied.lock = lock(project, settings, options)
                applied.lock.seconds += first.seconds
        if not settings.no_sync:
            applied.sync = sync(
                project, settings, options, inexact=inexact, extra=extra, group=group
            )
    except BaseException:
        snapshot.restore()
        raise
    return applied


@dataclass(frozen=True, slots=True)
class AddRequest:
    packages: tuple[str, ...]
    project: Path | None = None
    dev: bool = False
    group: str | None = None
    optional: str | None = None
    editable: bool = False
    raw: bool = False
    bounds: Bounds | None = None
    indexes: tuple[str, ...] = ()
    """``--index [NAME=]URL``: added to ``[[tool.uv.index]]``; a named one pins the packages."""
    default_index: str | None = None
    requirements: tuple[Path, ...] = ()
    """``-r``: requirements files whose entries are added too."""
    constraints: tuple[Path, ...] = ()
    """``-c``: constraints files for the lock that follows (not written anywhere)."""
    marker: str | None = None
    """``-m``: joined with ``and`` to every added requirement's marker."""
    script: Path | None = None
    """``--script``: edit this PEP 723 script instead of a project."""
    settings: ApplySettings = field(default_factory=ApplySettings)
    git: str | None = None
    """``--git URL``: the packages come from this repository."""
    tag: str | None = None
    branch: str | None = None
    rev: str | None = None
    """``--tag``/``--branch``/``--rev``: the revision of the git sources added."""


@dataclass(slots=True)
class EditResult:
    changes: list[str] = field(default_factory=list)
    applied: Applied = field(default_factory=Applied)
    updated: Path | None = None
    """A script written without resolving (``remove``, ``--frozen``): uv says so."""


def _target(
    editor: PyprojectEditor, dev: bool, group: str | None, optional: str | None
) -> DependencyTarget:
    if sum(bool(x) for x in (dev, group, optional)) > 1:
        raise UserError("Use only one of `--dev`, `--group` and `--optional`")
    if optional:
        return DependencyTarget.optional(optional)
    if group:
        return DependencyTarget.group(group)
    return editor.dev_target() if dev else DependencyTarget.project()


def add_inputs(
    request: AddRequest, root: Path, options: GlobalOptions | None = None
) -> AddInputs:
    """The packages of the command line and the ``-r`` files, and the ``-c`` constraints (git
    references named and given their revision flags: :mod:`ferry.commands.git_add`)."""
    from ferry.commands.git_add import (
        git_reference,
        named_packages,
        with_reference,
        without_credentials,
    )

    reference = git_reference(request.tag, request.branch, request.rev)
    packages = named_packages(request.packages, request.git, options or GlobalOptions())
    found = collect(
        packages,
        request.requirements,
        request.constraints,
        cwd=Path.cwd(),
        root=root,
        editable=request.editable,
        raw=request.raw,
        marker=request.marker,
    )
    return replace(found, specs=without_credentials(with_reference(found.specs, reference)))


def add_packages(request: AddRequest, options: GlobalOptions) -> EditResult:
    if request.script is not None:
        from ferry.commands.edit_script import add_to_script

        return add_to_script(request, request.script, options)
    project = focus(discover_project(project=request.project), request.settings.package)
    result = EditResult()
    with project_lock(project.root):
        editor = PyprojectEditor.read(edit_path(project))
        target = _target(editor, request.dev, request.group, request.optional)
        inputs = add_inputs(request, edit_path(project).parent, options)
        specs = with_member_sources(project, inputs.specs)
        wants_bound = write_specs(
            editor,
            target,
            specs,
            indexes=request.indexes,
            default_index=request.default_index,
            raw=request.raw,
            changes=result.changes,
        )

        def bounds(edited: Project, lock_: Lock) -> str | None:
            changed = set_bounds(editor, target, wants_bound, lock_, request.bounds)
            return editor.dumps() if changed else None

        settings = replace(request.settings, constraints=inputs.constraints)
        result.applied = apply(
            project,
            editor.dumps(),
            settings,
            options,
            inexact=True,
            extra=target.name if target.kind == "optional" else None,
            group=target.name if target.kind == "group" else None,
            after_lock=bounds if wants_bound else None,
        )
    return result


@dataclass(frozen=True, slots=True)
class RemoveRequest:
    packages: tuple[str, ...]
    project: Path | None = None
    dev: bool = False
    group: str | None = None
    optional: str | None = None
    script: Path | None = None
    settings: ApplySettings = field(default_factory=ApplySettings)


def not_found(name: str, target: DependencyTarget, editor: PyprojectEditor) -> UserError:
    where = "`dependency-groups.dev`" if target.kind == "legacy-dev" else f"`{target}`"
    hint = None
    found = editor.find_dependency(name)
    if found:
        other = found[0]
        retry = f"(try: `ferry remove {name} {other.flag()}`)".replace(" `)", "`)")
        if other.kind == "optional":
            hint = f"`{name}` is an optional dependency {retry}"
        elif other.kind == "project":
            hint = f"`{name}` is a project dependency {retry}"
        else:
            hint = f"`{name}` is in the `{other.name or 'dev'}` group {retry}"
    return UserError(f"The dependency `{name}` could not be found in {where}", hint=hint)


def remove_packages(request: RemoveRequest, options: GlobalOptions) -> EditResult:
    if request.script is not None:
        from ferry.commands.edit_script import remove_from_script

        return remove_from_script(request, request.script, options)
    project = focus(discover_project(project=request.project), request.settings.package)
    result = EditResult()
    with project_lock(project.root):
        editor = PyprojectEditor.read(edit_path(project))
        target = _target(editor, request.dev, request.group, request.optional)
        targets = [target]
        if request.dev:
            targets = [DependencyTarget.group("dev"), DependencyTarget("legacy-dev")]
        for raw in request.packages:
            name = str(canonicalize_name(parse_user_requirement(raw).name))
            removed = [text for t in targets for text in editor.remove_dependency(name, t)]
            if not removed:
                raise not_found(name, target, editor)
            result.changes.extend(f"removed `{text}` from `{target}`" for text in removed)
            if not editor.find_dependency(name):
                editor.remove_source(name)
        result.applied = apply(project, editor.dumps(), request.settings, options, inexact=False)
    return result
