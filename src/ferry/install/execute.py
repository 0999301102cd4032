"""Carry out a plan on an environment, all or nothing.

Removals are stashed (not deleted) until every new distribution is linked; if anything fails,
the new distributions are uninstalled and the stash restored, so an upgrade that breaks halfway
leaves the old version importable (RELIABILITY F3, F5).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packaging.utils import NormalizedName

from ferry.fs.link import Linker
from ferry.install.plan import Plan
from ferry.model.dist import PinnedDist
from ferry.model.scheme import Scheme
from ferry.wheel.compile import compile_bytecode
from ferry.wheel.install import install_unpacked
from ferry.wheel.installed import InstalledDist
from ferry.wheel.uninstall import uninstall

logger = logging.getLogger(__name__)


@dataclass
class ExecutionResult:
    installed: list[PinnedDist] = field(default_factory=list)
    removed: list[InstalledDist] = field(default_factory=list)
    install_seconds: float = 0.0
    uninstall_seconds: float = 0.0


def direct_url_for(pin: PinnedDist) -> dict[str, Any] | None:
    """The PEP 610 record for a pin that did not come from an index."""
    if pin.direct_url is None:
        return None
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
) -> ExecutionResult:
    """Apply ``plan``; ``archives`` maps each name in ``plan.install`` to its unpacked wheel."""
    result = ExecutionResult()
    started = time.perf_counter()
    stashes = []
    try:
        for dist in plan.remove:
            assert isinstance(dist, InstalledDist)
            logger.debug("Uninstalling %s==%s", dist.name, dist.version)
            stashes.append(uninstall(dist, scheme, stash=True))
            result.removed.append(dist)
        result.uninstall_seconds = time.perf_counter() - started
        started = time.perf_counter()
        done: list[InstalledDist] = []
        try:
            _install_all(
                plan.install, archives, scheme, python_executable, linker, concurrency, done
            )
        except BaseException:
            for new in done:
                try:
                    uninstall(new, scheme, stash=False)
                except Exception:  # best effort: the original error matters more
                    logger.warning("Failed to roll back %s", new.name, exc_info=True)
            raise
    except BaseException:
        for stash in reversed(stashes):
            stash.rollback()
        raise
    for stash in stashes:
        stash.commit()
    result.installed = list(plan.install)
    result.install_seconds = time.perf_counter() - started
    if compile and done:
        compile_bytecode([scheme.purelib, scheme.platlib], python_executable)
    return result


def _install_all(
    pins: Sequence[PinnedDist],
    archives: Mapping[NormalizedName, Path],
    scheme: Scheme,
    python_executable: Path,
    linker: Linker,
    concurrency: int,
    done: list[InstalledDist],
) -> None:
    if not pins:
        return

    def one(pin: PinnedDist) -> InstalledDist:
        return install_unpacked(
            archives[pin.name],
            scheme,
            python_executable=python_executable,
            linker=linker,
            installer="ferry",
            direct_url=direct_url_for(pin),
            requested=pin.requested,
        )

    with ThreadPoolExecutor(max_workers=min(concurrency, len(pins))) as pool:
        futures = [pool.submit(one, pin) for pin in pins]
        error: BaseException | None = None
        for future in futures:
            try:
                done.append(future.result())
            except BaseException as exc:
                error = error or exc
        if error is not None:
            raise error
