"""``ferry pip uninstall``: remove distributions by RECORD, all or nothing."""

from __future__ import annotations

import time
from pathlib import Path

from ferry.commands.common import (
    installed_dists,
    named_environment_note,
    open_cache,
    target_environment,
)
from ferry.commands.input_files import require_files
from ferry.commands.inputs import gather_inputs
from ferry.commands.pipeline import remember_sources
from ferry.install.envlock import environment_lock
from ferry.install.execute import ExecutionResult
from ferry.model.argument_errors import ArgumentError
from ferry.model.immutable import mutable
from ferry.model.interrupt import interruptible, uninterruptible
from ferry.model.log import get_logger
from ferry.model.names import canonicalize_name
from ferry.model.scheme import Scheme
from ferry.model.settings import GlobalOptions
from ferry.model.value_fields import field
from ferry.wheel.installed import InstalledDist
from ferry.wheel.uninstall import UninstallResult as PendingRemoval
from ferry.wheel.uninstall import uninstall

logger = get_logger(__name__)


@mutable
class UninstallResult:
    execution: ExecutionResult | None = None
    dry_run: bool = False
    to_install: list[object] = field(default_factory=list)
    to_remove: list[InstalledDist] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    environment_note: str | None = None
    """uv's ``Using Python X environment at: P`` for a named environment (not for a seed)."""


def pip_uninstall(
    *,
    options: GlobalOptions,
    packages: tuple[str, ...],
    requirements: tuple[Path, ...],
    dry_run: bool,
    python: str | None,
    system: bool,
) -> UninstallResult:
    if not packages and not requirements:  # the CLI says it first, in clap's words
        raise ArgumentError("the following required arguments were not provided:\n"
                            "  <PACKAGE|--requirements <REQUIREMENTS>>")
    require_files(requirements)  # uv: `File not found: P`, exit 2, before anything else
    inputs = gather_inputs(packages=packages, requirement_files=requirements)
    wanted = {canonicalize_name(r.name) for r in inputs.requirements}
    result = UninstallResult(dry_run=dry_run)
    with open_cache(options) as cache:
        environment = target_environment(cache, python, system)
        if note := named_environment_note(environment):
            result.environment_note = note
        present = [d for d in installed_dists(environment) if d.name in wanted]
        missing = sorted(wanted - {d.name for d in present})
        for name in missing:
            result.notes.append(f"warning: Skipping {name} as it is not installed")
        remember_sources(present)  # `` - x==1.0 (from URL)`` after the dist-info is gone
        if dry_run:
            result.to_remove = present
            return result
        execution = ExecutionResult()
        started = time.perf_counter()
        # Serialised with installs into the same environment (RELIABILITY E7).
        with environment_lock(environment.scheme):
            remove_all(present, environment.scheme)
        execution.removed = present
        execution.uninstall_seconds = time.perf_counter() - started
        result.execution = execution
        if not present:
            result.notes.append("No packages to uninstall")
    return result


def remove_all(dists: list[InstalledDist], scheme: Scheme) -> None:
    """Remove ``dists``, all or nothing: each is moved into a stash first, and only when every
    one is, the stashes are committed. A Ctrl-C while stashing puts everything back (then
    exits 130); once committing has begun it is held until the end, so no stash is left behind.
    A stash that cannot be put back does not stop the others from being put back."""
    stashes: list[PendingRemoval] = []
    with uninterruptible():
        try:
            with interruptible():
                for dist in dists:
                    stashes.append(uninstall(dist, scheme, stash=True))
        except BaseException:
            for stash in reversed(stashes):
                try:
                    stash.rollback()
                except Exception as error:  # the others are still worth putting back
                    logger.error("%s", getattr(error, "message", None) or error)
            raise
        for stash in stashes:
            stash.commit()
