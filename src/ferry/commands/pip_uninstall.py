"""``ferry pip uninstall``: remove distributions by RECORD, all or nothing."""

from __future__ import annotations

import time
from dataclasses import field
from pathlib import Path

from packaging.utils import canonicalize_name

from ferry.commands.common import installed_dists, open_cache, target_environment
from ferry.commands.inputs import gather_inputs
from ferry.install.envlock import environment_lock
from ferry.install.execute import ExecutionResult
from ferry.model.errors import UsageError
from ferry.model.immutable import mutable
from ferry.model.interrupt import uninterruptible
from ferry.model.settings import GlobalOptions
from ferry.wheel.installed import InstalledDist
from ferry.wheel.uninstall import uninstall


@mutable
class UninstallResult:
    execution: ExecutionResult | None = None
    dry_run: bool = False
    to_install: list[object] = field(default_factory=list)
    to_remove: list[InstalledDist] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def pip_uninstall(
    *,
    options: GlobalOptions,
    packages: tuple[str, ...],
    requirements: tuple[Path, ...],
    dry_run: bool,
    python: str | None,
    system: bool,
) -> UninstallResult:
    if not packages and not requirements:
        raise UsageError("No packages given", hint="name packages or pass `-r requirements.txt`")
    inputs = gather_inputs(packages=packages, requirement_files=requirements)
    wanted = {canonicalize_name(r.name) for r in inputs.requirements}
    result = UninstallResult(dry_run=dry_run)
    with open_cache(options) as cache:
        environment = target_environment(cache, python, system)
        present = [d for d in installed_dists(environment) if d.name in wanted]
        missing = sorted(wanted - {d.name for d in present})
        for name in missing:
            result.notes.append(f"warning: Skipping {name} as it is not installed")
        if dry_run:
            result.to_remove = present
            return result
        execution = ExecutionResult()
        started = time.perf_counter()
        stashes = []
        # Serialised with installs into the same environment (RELIABILITY E7). A Ctrl-C is held
        # until every stash is committed or put back: all or nothing, and no stash left behind.
        with environment_lock(environment.scheme), uninterruptible():
            try:
                for dist in present:
                    stashes.append(uninstall(dist, environment.scheme, stash=True))
            except BaseException:
                for stash in reversed(stashes):
                    stash.rollback()
                raise
            for stash in stashes:
                stash.commit()
        execution.removed = present
        execution.uninstall_seconds = time.perf_counter() - started
        result.execution = execution
        if not present:
            result.notes.append("No packages to uninstall")
    return result
