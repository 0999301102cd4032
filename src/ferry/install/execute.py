"""Carry out a plan on an environment, all or nothing.

Removals are stashed (not deleted) until every new distribution is linked; if anything fails,
the new distributions are uninstalled and the stash restored, so an upgrade that breaks halfway
leaves the old version importable (RELIABILITY F3, F5).

Execution holds the environment lock (``envlock.py``). The plan was made from a listing taken
before the lock, so another process may have changed the environment since: under the lock the
plan is brought up to date first (a distribution someone else installed meanwhile is kept, one
someone else removed is not removed twice), and the leftovers of a ferry that was killed
mid-install are deleted (F4, E1, E7).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ferry.fs.link import Linker
from ferry.install.envlock import environment_lock
from ferry.install.plan import Plan, _mismatch
from ferry.model.dist import PinnedDist
from ferry.model.errors import InvalidWheelError
from ferry.model.immutable import mutable
from ferry.model.interrupt import critical_section, interruptible, uninterruptible
from ferry.model.log import get_logger
from ferry.model.names import NormalizedName
from ferry.model.scheme import Scheme
from ferry.model.thread_pool import Future, ThreadPool
from ferry.model.value_fields import field
from ferry.wheel._digests import UnpackedTree
from ferry.wheel._transaction import remove_leftovers, shared_staging
from ferry.wheel.compile import compile_bytecode
from ferry.wheel.install import install_unpacked
from ferry.wheel.installed import InstalledDist, iter_installed
from ferry.wheel.uninstall import UninstallResult, uninstall

logger = get_logger(__name__)


@mutable
class ExecutionResult:
    installed: list[PinnedDist] = field(default_factory=list)
    removed: list[InstalledDist] = field(default_factory=list)
    install_seconds: float = 0.0
    uninstall_seconds: float = 0.0
    sources: list[str] = field(default_factory=list)
    """The unpacked archives the installs were linked from (a fresh environment's files are
    described by them: ``commands.sync_replay``)."""


def direct_url_for(pin: PinnedDist) -> dict[str, Any] | None:
    """The PEP 610 record for a pin that did not come from an index."""
    if pin.direct_url is None:
        return None
    if pin.direct_url.startswith("git+"):
        from ferry.model.git import GitUrl

        return GitUrl.parse(pin.direct_url).pep610(requested=pin.requested_revision)
    if pin.editable or (
        pin.direct_url.startswith("file:")
        and not pin.direct_url.endswith((".whl", ".tar.gz", ".zip"))
    ):
        return {"url": pin.direct_url, "dir_info": {"editable": True} if pin.editable else {}}
    record: dict[str, Any] = {"url": pin.direct_url, "archive_info": {}}
    if pin.file is not None and pin.file.sha256:
        record["archive_info"] = {"hashes": {"sha256": pin.file.sha256}}
    return record


def execute_plan(
    plan: Plan,
    archives: Mapping[NormalizedName, Path],
    *,
    scheme: Scheme,
    python_executable: Path,
    linker: Linker,
    compile: bool = False,
    concurrency: int = 8,
    strict_record: bool = False,
) -> ExecutionResult:
    """Apply ``plan``; ``archives`` maps each name in ``plan.install`` to its unpacked wheel.

    ``strict_record`` refuses a wheel whose RECORD hashes disagree with its files instead of
    warning (hash-checking and locked modes, RELIABILITY B7).
    """
    if plan.is_empty:
        return ExecutionResult()
    with environment_lock(scheme), shared_staging():
        current = refreshed_plan(plan, scheme)
        with critical_section():  # a Ctrl-C lands after the rollback, never in the middle
            result = execute_refreshed(
                current, archives, scheme, python_executable, linker, concurrency, strict_record
            )
    if compile and result.installed:
        compile_bytecode([scheme.purelib, scheme.platlib], python_executable)
    return result


def refreshed_plan(plan: Plan, scheme: Scheme) -> Plan:
    """Under the environment lock: a killed run's leftovers removed, ``plan`` brought up to
    date with what is installed now."""
    dirs = site_dirs(scheme)
    for site_dir in dirs:
        remove_leftovers(site_dir)
    return refresh_plan(plan, iter_installed(dirs))


def site_dirs(scheme: Scheme) -> list[Path]:
    dirs = [Path(scheme.purelib)]
    if Path(scheme.platlib) != dirs[0]:
        dirs.append(Path(scheme.platlib))
    return dirs


def refresh_plan(plan: Plan, now: Sequence[InstalledDist]) -> Plan:
    """``plan`` adjusted to the environment as it is ``now`` (under the lock).

    A removal whose ``.dist-info`` is gone is dropped. A target that another process installed
    meanwhile, identically, is not installed again (unless what holds its name now is what this
    plan meant to replace: a reinstall); anything else now holding a target's name is replaced.
    """
    from ferry.model.value_fields import replace

    by_name: dict[str, list[InstalledDist]] = {}
    for dist in now:
        by_name.setdefault(dist.name, []).append(dist)
    current = set(_keys(now))
    planned = set(_keys(plan.remove))
    remove: list[Any] = []
    seen: set[str] = set()

    def drop(dist: Any) -> None:
        key = _key(dist)
        if key in current and key not in seen:
            seen.add(key)
            remove.append(dist)

    for old in plan.remove:
        drop(old)
    install: list[PinnedDist] = []
    for pin in plan.install:
        have = by_name.get(pin.name, [])
        if len(have) == 1 and _key(have[0]) not in planned and _mismatch(pin, have[0]) is None:
            logger.debug("%s was installed by another process meanwhile; keeping it", pin)
            continue
        for other in have:
            drop(other)
        install.append(pin)
    # The same *contents*, not just as many: a removal another process made and a version it
    # installed instead leave the counts as they were (RELIABILITY E7).
    if install == list(plan.install) and _keys(remove) == _keys(plan.remove):
        return plan
    logger.debug("The environment changed since it was read; the plan is brought up to date")
    return replace(plan, install=tuple(install), remove=tuple(remove))


def _key(dist: Any) -> str:
    return os.path.normcase(str(dist.dist_info))


def _keys(dists: Sequence[Any]) -> list[str]:
    return [_key(d) for d in dists]


def execute_refreshed(
    plan: Plan,
    archives: Mapping[NormalizedName, Path],
    scheme: Scheme,
    python_executable: Path,
    linker: Linker,
    concurrency: int,
    strict_record: bool,
) -> ExecutionResult:
    """Carry out ``plan`` (already refreshed, under the environment lock): stash removals, link
    every install, roll all of it back on any failure.

    Ctrl-C is held throughout (``uninterruptible``), except while waiting for the links: each
    step and its record happen together, the rollback runs to its end, and an interrupt held
    until the commit is raised after it (the environment then holds the new versions, whole).
    """
    result = ExecutionResult()
    stashes: list[UninstallResult] = []
    done: list[InstalledDist] = []
    with uninterruptible():
        started = time.perf_counter()
        try:
            for dist in plan.remove:
                assert isinstance(dist, InstalledDist)
                logger.debug("Uninstalling %s==%s", dist.name, dist.version)
                stashes.append(uninstall(dist, scheme, stash=True))
                result.removed.append(dist)
            result.uninstall_seconds = time.perf_counter() - started
            started = time.perf_counter()
            _install_all(
                plan.install, archives, scheme, python_executable, linker, concurrency, done,
                strict_record,
            )
        except BaseException:
            _undo(done, stashes, scheme)
            raise
        for stash in stashes:
            stash.commit()
        result.installed = list(plan.install)
        result.sources = [str(archives[pin.name]) for pin in plan.install if pin.name in archives]
        result.install_seconds = time.perf_counter() - started
    return result


def _undo(done: list[InstalledDist], stashes: list[UninstallResult], scheme: Scheme) -> None:
    """Uninstall what was linked (best effort: the original error matters more), then put every
    stashed old version back, each one tried even when another cannot be."""
    for new in reversed(done):
        try:
            uninstall(new, scheme, stash=False)
        except Exception:
            logger.warning("Failed to roll back %s", new.name, exc_info=True)
    failure: Exception | None = None
    for stash in reversed(stashes):
        try:
            stash.rollback()
        except Exception as error:
            failure = failure or error
    if failure is not None:
        raise failure


# Linking is mostly Python work under the GIL plus short syscalls: threads beyond the CPUs
# only add switching. Measured on the 62-package `web` workload, 2 CPUs, warm cache (install
# step alone): 1 thread 0.22 s, 2 threads 0.19 s, 4 threads 0.22 s, 8 threads 0.27 s.
_MAX_INSTALL_THREADS = 4


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on macOS or Windows
        return os.cpu_count() or 1


def workers(concurrency: int, jobs: int) -> int:
    """Threads for ``jobs`` installs: at most one per CPU, ``_MAX_INSTALL_THREADS`` and the
    caller's ``concurrency``; at least one."""
    return max(1, min(concurrency, jobs, _cpus(), _MAX_INSTALL_THREADS))


def install_pin(
    pin: PinnedDist,
    archive: Path,
    scheme: Scheme,
    python_executable: Path,
    linker: Linker,
    strict_record: bool = False,
    tree: UnpackedTree | None = None,
    listing: Mapping[str, Any] | None = None,
) -> InstalledDist:
    """Link the unpacked ``archive`` of ``pin`` into ``scheme``; refuse an archive that holds
    another distribution than ``pin`` (leaving nothing of it installed). ``tree``: what
    unpacking ``archive`` in this process learned (``PreparedDist.tree``); ``listing``: its
    manifest's files as the cache's lookup checked them (``PreparedDist.listing``)."""
    installed = install_unpacked(
        archive,
        scheme,
        python_executable=python_executable,
        linker=linker,
        installer="ferry",
        direct_url=direct_url_for(pin),
        requested=pin.requested,
        strict_record=strict_record,
        tree=tree,
        listing=listing,
    )
    if installed.name != pin.name or installed.version != pin.version:
        # the archive is not what was asked for (a damaged cache pointer, a mislabelled
        # wheel): never leave a distribution in place under another one's name
        uninstall(installed, scheme, stash=False)
        raise InvalidWheelError(
            f"The unpacked archive for `{pin}` at `{archive}` holds "
            f"`{installed.name}=={installed.version}`",
            hint="the cache is damaged: run `ferry cache verify --repair`",
        )
    return installed


def _settled_when_done_or_failed(futures: Sequence[Future[InstalledDist]]) -> threading.Event:
    """An event set when every future is done or one has failed.

    Not ``concurrent.futures.wait``: it takes each future's lock in turn, so a Ctrl-C landing
    between two of those acquisitions left one held by the main thread, and the worker
    finishing that future then blocked on it for ever, while the rollback waited for that
    worker. An event's wait holds nothing a worker needs.
    """
    settled = threading.Event()
    remaining = [len(futures)]
    count = threading.Lock()

    def settle(future: Future[InstalledDist]) -> None:
        with count:
            remaining[0] -= 1
            last = remaining[0] == 0
        if last or (not future.cancelled() and future.exception() is not None):
            settled.set()

    for future in futures:
        future.add_done_callback(settle)
    return settled


def _install_all(
    pins: Sequence[PinnedDist],
    archives: Mapping[NormalizedName, Path],
    scheme: Scheme,
    python_executable: Path,
    linker: Linker,
    concurrency: int,
    done: list[InstalledDist],
    strict_record: bool = False,
) -> None:
    if not pins:
        return

    def one(pin: PinnedDist) -> InstalledDist:
        return install_pin(
            pin, archives[pin.name], scheme, python_executable, linker, strict_record
        )

    pool = ThreadPool(workers(concurrency, len(pins)), thread_name_prefix="ferry-install")
    futures = [pool.submit(one, pin) for pin in pins]
    settled = _settled_when_done_or_failed(futures)
    try:
        with interruptible():  # a Ctrl-C stops the wait; the caller rolls back
            settled.wait()
    finally:
        # Every link started ends before anything is decided (a link still running would
        # otherwise land after the rollback): the ones not started are dropped.
        pool.shutdown(wait=True, cancel_futures=True)
        error: BaseException | None = None
        for future in futures:
            if future.cancelled():
                continue
            failure = future.exception()
            if failure is None:
                done.append(future.result())
            else:
                error = error or failure
    if error is not None:
        raise error
