"""The lock a ``sync`` (or a ``run``) works from: resolved, read as it is (``--frozen``), or,
for a dry run, resolved and only described. Split from :mod:`ferry.commands.sync`.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ferry.cache.store import Cache
    from ferry.commands.lock import LockRequest
    from ferry.commands.sync import SyncRequest, SyncResult
    from ferry.model.settings import GlobalOptions
    from ferry.project.discovery import Project
    from ferry.project.lock_model import Lock


def obtain_lock(
    project: Project, request: SyncRequest, options: GlobalOptions, cache: Cache, result: SyncResult
) -> tuple[Lock, str]:
    """A lock that satisfies pyproject.toml (or, with ``--frozen``, whatever uv.lock says)."""
    started = time.perf_counter()
    lock_request = lock_request_of(request)
    if request.frozen:
        from ferry.commands.lock import missing_lock_error
        from ferry.project.lockfile import parse_lock

        try:
            text = project.lock_path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise missing_lock_error(project.lock_path.name, lock_request.mode_flag()) from None
        lock = parse_lock(text, project.lock_path)
    else:
        from ferry.commands.lock import lock_project

        outcome = lock_project(project, lock_request, options, cache, keep_diagnostics=True)
        lock = outcome.lock
        result.lock_diagnostics = outcome.diagnostics  # printed after `Resolved`, as uv does
        if request.dry_run:  # nothing is written: say what would be, as uv does
            text = _dry_run_lock_text(project, lock, outcome.reason is not None, result)
        else:
            text = project.lock_path.read_text(encoding="utf-8")
    if not request.frozen:  # as uv: `--frozen` reads the lock, nothing is resolved
        result.resolved = len(lock.packages)
        result.resolve_seconds = time.perf_counter() - started
    return lock, text


def lock_request_of(request: SyncRequest) -> LockRequest:
    """The lock a sync (or a run) asks for: its ``--locked``/``--frozen`` (named as given),
    upgrades, indexes and resolver strategies (``--resolution``, ``--prerelease``,
    ``--fork-strategy``: a lock made with others is re-resolved, as ``ferry lock`` does)."""
    from ferry.commands.lock import LockRequest

    return LockRequest(
        locked=request.locked,
        frozen=request.frozen,
        given_as=request.given_as,
        upgrade=request.upgrade,
        upgrade_packages=tuple(request.upgrade_package),
        resolution=request.resolution,
        prerelease=request.prerelease,
        fork_strategy=request.fork_strategy,
        index_url=request.index_url,
        extra_index_urls=tuple(request.extra_index_url),
        priority_indexes=request.priority_indexes,
        find_links=tuple(request.find_links),
        no_index=request.no_index,
        index_strategy=request.index_strategy,
        python=request.python,
        exclude_newer=request.exclude_newer,
        dry_run=request.dry_run,
    )


def _dry_run_lock_text(project: Project, lock: Lock, resolved: bool, result: SyncResult) -> str:
    """The lock a dry run plans with, and its line: ``Would create``/``Would update`` when the
    resolution differs from the file, ``Found up-to-date lockfile`` otherwise (also after a
    ``-U`` that changed nothing)."""
    from ferry.project.lock_write import dump_lock

    name = project.lock_path.name
    on_disk = project.lock_path.read_text(encoding="utf-8") if project.lock_path.exists() else None
    text = dump_lock(lock) if resolved else on_disk
    if on_disk is None:
        result.lock_notes.append(f"Would create lockfile at: {name}")
    elif text != on_disk:
        result.lock_notes.append(f"Would update lockfile at: {name}")
    else:
        result.lock_notes.append(f"Found up-to-date lockfile at: {name}")
    assert text is not None
    return text
