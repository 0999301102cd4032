"""Applying an edit of ``pyproject.toml``: lock and sync afterwards, all or nothing.

``ferry add``, ``ferry remove`` and ``ferry version`` all write a new ``pyproject.toml`` and
then lock (and usually sync); they share this module so they agree on the rules below.

One edit at a time: the edit is serialised with other ferry processes by an exclusive lock on
``<project>/.ferry/project.lock`` (why there: :mod:`ferry.commands.state_dir`).

Nothing half-done: before anything is written, the bytes of ``pyproject.toml`` and ``uv.lock``
are kept; if locking or syncing then fails (a package no index has, an unsatisfiable set, a
failed build) or the user interrupts, both files get their old bytes back and the error is raised
as it was, so a failed ``ferry add`` leaves no trace in either file.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ferry.commands.state_dir import state_lock
from ferry.commands.workspace_sync import edit_path
from ferry.fs.atomic import atomic_write_bytes, atomic_write_text
from ferry.model.immutable import immutable, mutable
from ferry.model.log import get_logger
from ferry.model.pep508_requirements import Requirement
from ferry.model.settings import GlobalOptions
from ferry.model.value_fields import field, replace
from ferry.project.discovery import Project, discover_project

log = get_logger(__name__)

LOCK_FILE = "project.lock"


@contextmanager
def project_lock(root: Path) -> Iterator[Path]:
    """Hold the project's edit lock (see the module docstring); yields the lock file."""
    with state_lock(root, LOCK_FILE, f"project {root.name}") as path:
        yield path


@immutable
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


@immutable
class ApplySettings:
    """How the edited project is locked and synced afterwards (the shared flags)."""

    frozen: bool = False
    locked: bool = False
    given_as: str | None = None
    """What asked for ``frozen``/``locked`` (``--locked``, ``FERRY_LOCKED=1``), as the lock's
    messages name it."""
    no_sync: bool = False
    python: str | None = None
    index_url: str | None = None
    extra_index_urls: tuple[str, ...] = ()
    find_links: tuple[str, ...] = ()
    no_index: bool = False
    index_strategy: str | None = None
    exclude_newer: str | None = None
    upgrade: bool = False
    upgrade_packages: tuple[str, ...] = ()
    resolution: str | None = None
    prerelease: str | None = None
    no_install_project: bool = False
    """``ferry add --no-install-project``: the sync afterwards leaves the project out."""
    active: bool = False
    """``--active``: sync the activated environment (``VIRTUAL_ENV``) instead of ``.venv``."""
    constraints: tuple[Requirement, ...] = ()
    """``ferry add -c``: constrain the lock this edit makes, recorded nowhere (as uv)."""
    package: str | None = None
    """``--package``: the workspace member to edit (default: the current one)."""


@mutable
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
        given_as=settings.given_as,
        upgrade=settings.upgrade,
        upgrade_packages=settings.upgrade_packages,
        resolution=settings.resolution,
        prerelease=settings.prerelease,
        python=settings.python,
        index_url=settings.index_url,
        extra_index_urls=settings.extra_index_urls,
        find_links=settings.find_links,
        no_index=settings.no_index,
        index_strategy=settings.index_strategy,
        exclude_newer=settings.exclude_newer,
        constraints=settings.constraints,
    )


def lock(project: Project, settings: ApplySettings, options: GlobalOptions) -> Any:
    from ferry.commands.common import open_cache
    from ferry.commands.lock import lock_project

    with open_cache(options) as cache:
        return lock_project(project, lock_request(settings), options, cache,
                            keep_diagnostics=True)  # cli/edit.py prints them after `Resolved`


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
        no_install_project=settings.no_install_project,
        active=settings.active,
        index_url=settings.index_url,
        extra_index_url=settings.extra_index_urls,
        find_links=settings.find_links,
        no_index=settings.no_index,
        index_strategy=settings.index_strategy,
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
            no_extras=tuple(chosen.no_extras),
            only_dev=chosen.only_dev,
        )  # not --no-install-project/--no-editable: one-off layering flags, as for `run`
    if extra is not None and extra not in request.extras and not request.all_extras:
        request = replace(request, extras=(*request.extras, extra))
    if (group is not None and not request.only_groups and not request.only_dev
            and group not in request.groups):
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
                applied.lock.diagnostics[:0] = first.diagnostics  # uv prints both resolutions'
        if not settings.no_sync:
            applied.sync = sync(
                project, settings, options, inexact=inexact, extra=extra, group=group
            )
    except BaseException:
        snapshot.restore()
        raise
    return applied
