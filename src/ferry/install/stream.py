"""Prepare and link at once: each distribution is installed as soon as it is unpacked.

On a cold cache most of an install is downloading and unpacking; linking the first wheels while
the others are still on their way takes the link step off the end of the run. This changes when
things happen, never what is guaranteed:

- The environment lock is taken before preparing, and the plan is brought up to date under it
  (as ``execute_plan`` does), so a distribution another process installed meanwhile is not even
  downloaded.
- Every link happens inside one :func:`~ferry.model.interrupt.critical_section`; any failure (a
  download, an unpack, a link) or an interrupt rolls back everything this run installed before
  it is raised, leaving the environment as it was (RELIABILITY F1, F3). A download that stalls
  after an interrupt is abandoned, as before: the rollback does not wait for it.
- Only plans that remove nothing stream. Replacing or removing distributions keeps the old order
  (prepare everything, then stash the removals, then link), so an old version leaves the
  environment only once its successor is ready, and an uninstall never deletes a file a new
  distribution has just put in the same place.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

from ferry.dist.prepare import PreparedDist, PrepareStats
from ferry.fs.link import Linker
from ferry.install.envlock import environment_lock
from ferry.install.execute import (
    ExecutionResult,
    execute_plan,
    execute_refreshed,
    install_pin,
    refreshed_plan,
    workers,
)
from ferry.install.plan import Plan
from ferry.model.dist import PinnedDist
from ferry.model.interrupt import critical_section, uninterruptible
from ferry.model.log import get_logger
from ferry.model.scheme import Scheme
from ferry.model.thread_pool import Future, ThreadPool
from ferry.wheel._transaction import shared_staging
from ferry.wheel.compile import compile_bytecode
from ferry.wheel.installed import InstalledDist
from ferry.wheel.uninstall import uninstall

__all__ = ["PrepareInstall", "prepare_and_execute"]

logger = get_logger(__name__)


class PrepareInstall(Protocol):
    """What is asked of the preparer (``ferry.dist.prepare.Preparer``)."""

    def prepare(
        self,
        pins: Sequence[PinnedDist],
        on_done: Callable[[PreparedDist], None] | None = None,
    ) -> tuple[list[PreparedDist], PrepareStats]: ...


def prepare_and_execute(
    plan: Plan,
    preparer: PrepareInstall,
    *,
    scheme: Scheme,
    python_executable: Path,
    linker: Linker,
    compile: bool = False,
    concurrency: int = 8,
    strict_record: bool = False,
) -> tuple[ExecutionResult, PrepareStats, float]:
    """Prepare ``plan.install`` with ``preparer`` and carry out ``plan``, all or nothing.

    Returns the execution, the preparation's counts and how long preparing took (until the
    last distribution was ready). Installs overlap the preparation when ``plan`` (once brought
    up to date under the lock) removes nothing.
    """
    if plan.is_empty:
        return ExecutionResult(), PrepareStats(), 0.0
    started = time.perf_counter()
    if plan.remove:
        prepared, stats = preparer.prepare(list(plan.install))
        prepare_seconds = time.perf_counter() - started
        archives = {p.pin.name: p.archive for p in prepared}
        result = execute_plan(
            plan,
            archives,
            scheme=scheme,
            python_executable=python_executable,
            linker=linker,
            compile=compile,
            concurrency=concurrency,
            strict_record=strict_record,
        )
        return result, stats, prepare_seconds
    with environment_lock(scheme), shared_staging():  # one staging directory for the run
        current = refreshed_plan(plan, scheme)
        with critical_section():  # a Ctrl-C lands after the rollback, never in the middle
            if current.remove:  # another process installed other versions meanwhile
                prepared, stats = preparer.prepare(list(current.install))
                prepare_seconds = time.perf_counter() - started
                archives = {p.pin.name: p.archive for p in prepared}
                result = execute_refreshed(
                    current, archives, scheme, python_executable, linker, concurrency,
                    strict_record,
                )
            else:
                job = _Streaming(scheme, python_executable, linker, strict_record)
                result, stats, prepare_seconds = job.run(current, preparer, concurrency)
    if compile and result.installed:
        compile_bytecode([scheme.purelib, scheme.platlib], python_executable)
    return result, stats, prepare_seconds


class _Streaming:
    """One streamed install: links on a small pool as the preparer hands archives over."""

    def __init__(
        self, scheme: Scheme, python_executable: Path, linker: Linker, strict_record: bool
    ) -> None:
        self.scheme = scheme
        self.python_executable = python_executable
        self.linker = linker
        self.strict_record = strict_record
        self.done: list[InstalledDist] = []  # what to uninstall if the run fails
        self.sources: list[str] = []  # the archives linked from
        self.futures: list[Future[None]] = []
        self._lock = threading.Lock()
        self.failure: BaseException | None = None  # of a link: stops the preparation
        self.last: float | None = None  # when the last link ended
        self.handed = 0.0  # when the last distribution was handed over for linking

    def _install(self, prepared: PreparedDist) -> None:
        installed = install_pin(
            prepared.pin,
            prepared.archive,
            self.scheme,
            self.python_executable,
            self.linker,
            self.strict_record,
            prepared.tree,
            prepared.listing,
        )
        with self._lock:
            self.done.append(installed)
            self.sources.append(str(prepared.archive))
            self.last = time.perf_counter()

    def _link(self, prepared: PreparedDist) -> None:
        try:
            self._install(prepared)
        except BaseException as exc:
            with self._lock:
                self.failure = self.failure or exc
            raise

    def run(
        self, plan: Plan, preparer: PrepareInstall, concurrency: int
    ) -> tuple[ExecutionResult, PrepareStats, float]:
        started = time.perf_counter()
        pool = ThreadPool(
            max_workers=workers(concurrency, len(plan.install)), thread_name_prefix="ferry-link"
        )

        def on_done(prepared: PreparedDist) -> None:
            with self._lock:
                error = self.failure  # a failed link stops the preparation at the next arrival
            if error is not None:
                raise error
            self.futures.append(pool.submit(self._link, prepared))
            self.handed = time.perf_counter()

        try:
            try:
                _, stats = preparer.prepare(list(plan.install), on_done=on_done)
                prepare_seconds = time.perf_counter() - started
            finally:
                error = self._drain(pool)
            if error is not None:
                raise error
        except BaseException:
            self._rollback()
            raise
        result = ExecutionResult(installed=list(plan.install), sources=self.sources)
        if self.last is not None:
            # what linking added after the last distribution was handed over, so "Prepared … in
            # X" and "Installed … in Y" add up to the run, as when one came after the other
            result.install_seconds = max(0.0, self.last - self.handed)
        return result, stats, prepare_seconds

    def _drain(self, pool: ThreadPool) -> BaseException | None:
        """Wait for every link started, even through another Ctrl-C (the rollback must see
        all of them, and ``done`` is filled by the links themselves); the first failure."""
        error: BaseException | None = None
        while True:
            try:
                pool.shutdown(wait=True)
                break
            except BaseException as exc:  # interrupted while waiting: wait again
                error = error or exc
        for future in self.futures:
            failure = future.exception()
            if failure is not None:
                error = error or failure
        return error

    def _rollback(self) -> None:
        with uninterruptible():  # another Ctrl-C must not leave half of the run installed
            for new in reversed(self.done):
                try:
                    uninstall(new, self.scheme, stash=False)
                except Exception:  # best effort: the original error matters more
                    logger.warning("Failed to roll back %s", new.name, exc_info=True)
