"""``ferry lock --script``: a PEP 723 script's ``<script>.lock``, byte for byte as uv writes it.

The order of questions is the project lock's (:mod:`ferry.commands.lock`): ``--frozen`` reads the
lock and stops; a lock that still satisfies the block (same requirements, ``requires-python``,
``[tool.uv]`` settings and indexes) is kept without resolving and without any network request;
only then does the universal resolver run, on the block read as a virtual project
(:mod:`ferry.project.script_lock`), with the existing lock's versions as preferences.
``--locked`` turns "the lock would change" into an error, before anything is written.

``ferry run``, ``ferry add --script`` and ``ferry remove --script`` call :func:`lock_script`
when a script has a lock; the caller that edits the script asks for ``write=False`` and writes
the lock only after the script, so a failed resolution leaves both files as they were.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ferry.commands.index_names import project_with_named_indexes
from ferry.commands.lock import (
    LockOutcome,
    LockRequest,
    _index_reason,
    _read_existing,
    describe_changes,
    options_in_force,
    stale_lock_error,
)
from ferry.model.errors import UsageError, UserError
from ferry.model.log import get_logger
from ferry.model.settings import GlobalOptions
from ferry.project.discovery import Project
from ferry.project.lock_model import Lock, LockOptions
from ferry.project.lockfile import dump_lock
from ferry.project.script_lock import (
    as_script_lock,
    script_lock_path,
    script_pyproject,
    script_satisfies,
)

if TYPE_CHECKING:
    from ferry.cache.store import Cache

log = get_logger(__name__)


def script_project(script: Path, metadata: dict[str, Any] | None = None) -> Project:
    """The block of ``script`` (read unless given) as a project rooted in its directory."""
    if metadata is None:
        from ferry.project.script_edit import read_metadata

        metadata = read_metadata(script)
    pyproject = script_pyproject(metadata, script)
    return Project(root=pyproject.root, pyproject=pyproject, script=True)


def read_script_lock(script: Path, *, strict: bool) -> tuple[Lock | None, str | None, list[str]]:
    """The script's lock, its text and warnings; a damaged lock is an error when ``strict``
    (``--locked``/``--frozen``), else ignored with a warning, as for ``uv.lock``."""
    path = script_lock_path(script)
    return _read_existing(path, strict=strict, name=path.name)


def lock_script(
    script: Path,
    request: LockRequest,
    options: GlobalOptions,
    cache: Cache | None = None,
    *,
    metadata: dict[str, Any] | None = None,
    write: bool = True,
    keep_diagnostics: bool = False,
) -> LockOutcome:
    """Make ``<script>.lock`` satisfy the script's block (see the module docstring).

    ``metadata`` is the block to lock when the caller has edited it and not yet written the
    script; with ``write=False`` the new lock is returned (``written`` says whether it
    differs from the file) and the caller writes it with :func:`write_script_lock`.

    The resolution's warnings (an extra a package lacks, a yanked version) are logged at once
    unless the caller prints them itself after its ``Resolved`` line, where uv prints them
    (``keep_diagnostics``: they stay on the outcome's ``diagnostics``), as for a project's
    lock (:func:`ferry.commands.lock.lock_project`)."""
    started = time.perf_counter()
    if request.locked and request.frozen:
        raise UsageError("`--locked` and `--frozen` cannot be used together")
    options = options.upgrading(request.upgrade, request.upgrade_packages)
    path = script_lock_path(script)
    existing, text, warnings = read_script_lock(script, strict=request.frozen or request.locked)
    if existing is None and (request.frozen or request.locked):
        raise missing_lock_error(script, request.mode_flag())
    if request.frozen:
        assert existing is not None
        return LockOutcome(existing, False, len(existing.packages),
                           time.perf_counter() - started, warnings=warnings)
    if metadata is None:
        from ferry.project.script_edit import read_metadata

        metadata = read_metadata(script)
    project = project_with_named_indexes(script_project(script, metadata), request.index_url,
                                         request.extra_index_urls)
    lock_options = options_in_force(project, request)
    reason = _staleness(project, path, existing, lock_options, request)
    if reason is None and options.refresh:
        reason = options.refresh.reason()
    if reason is None and existing is not None:
        log.debug("%s satisfies the script's block; nothing to resolve", path.name)
        return LockOutcome(existing, False, len(existing.packages),
                           time.perf_counter() - started, warnings=warnings)
    log.debug("locking %s because %s", script, reason)
    diagnostics: list[str] = []
    lock = _resolve(project, request, options, cache, existing, lock_options, diagnostics)
    new_text = dump_lock(lock)
    if request.locked and new_text != text:
        raise stale_lock_error(path.name, f"ferry lock --script {script}", reason,
                               request.mode_flag(), resolved=lock, started=started,
                               diagnostics=diagnostics)
    if not keep_diagnostics:
        for warning in diagnostics:
            log.warning("%s", warning)
        diagnostics = []
    if metadata and "requires-python" not in metadata:  # uv says nothing without a block
        warnings.append(
            "No `requires-python` value found in the script. "
            f"Defaulting to `{lock.requires_python}`."
        )
    changed = new_text != text
    if write:
        changed = write_script_lock(script, lock)
    changes = describe_changes(existing, lock) if existing is not None else []
    return LockOutcome(lock, changed, len(lock.packages), time.perf_counter() - started,
                       reason, changes, warnings, diagnostics)


def missing_lock_error(script: Path, flag: str) -> UserError:
    """``--locked``/``--frozen`` for a script that has no lock: an error, as in uv (there is
    nothing to hold the run to)."""
    return UserError(
        f"Unable to find lockfile at `{script_lock_path(script).name}`, but `{flag}` was provided",
        hint=f"run `ferry lock --script {script}` to create it",
    )


def write_script_lock(script: Path, lock: Lock) -> bool:
    """Write the lock beside ``script`` atomically (untouched when the bytes are the same)."""
    from ferry.project.lockfile import write_lock

    return write_lock(script_lock_path(script), lock)


def _staleness(
    project: Project,
    path: Path,
    existing: Lock | None,
    lock_options: LockOptions,
    request: LockRequest,
) -> str | None:
    if existing is None:
        return f"there is no `{path.name}` yet"
    if request.upgrade:
        return "`--upgrade` was given"
    if request.upgrade_packages:
        return "`--upgrade-package` was given"
    fresh = script_satisfies(project.pyproject, existing, lock_options)
    if not fresh:
        return fresh.reason
    return _index_reason(project, existing, request)


def _resolve(
    project: Project,
    request: LockRequest,
    options: GlobalOptions,
    cache: Cache | None,
    existing: Lock | None,
    lock_options: LockOptions,
    diagnostics: list[str],
) -> Lock:
    from ferry.commands.lock_resolve import resolve_lock

    if cache is None:
        from ferry.commands.common import open_cache

        with open_cache(options) as opened:
            resolved = resolve_lock(project, request, options, opened, existing, lock_options,
                                    diagnostics=diagnostics)
    else:
        resolved = resolve_lock(project, request, options, cache, existing, lock_options,
                                diagnostics=diagnostics)
    return as_script_lock(resolved, project.pyproject)


def obtain_script_lock(
    script: Path, request: LockRequest, options: GlobalOptions, cache: Cache
) -> tuple[Lock, LockOutcome | None]:
    """The lock ``export --script`` and ``tree --script`` read: the script's lock brought up to
    date (as it is with ``--frozen``, which then reports nothing), or — when the script has
    none — a resolution that is not written, as uv does."""
    write = script_lock_path(script).is_file()
    outcome = lock_script(script, request, options, cache, write=write, keep_diagnostics=True)
    return outcome.lock, None if request.frozen else outcome
