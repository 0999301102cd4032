"""The install pipeline shared by ``pip install``, ``pip sync`` and project ``sync``.

resolve (optional) → plan against the environment → prepare missing archives → link. Each phase
records its timing and counts on a :class:`PipelineOutcome`, which ``cli/render.py`` prints.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ferry.dist.prepare import Preparer, PrepareStats
from ferry.fs.link import Linker, LinkMode
from ferry.install.execute import ExecutionResult, execute_plan
from ferry.install.plan import make_plan
from ferry.model.dist import PinnedDist
from ferry.python.environment import PythonEnvironment

if TYPE_CHECKING:
    from ferry.cache.store import Cache
    from ferry.index.client import IndexClient

logger = logging.getLogger(__name__)


@dataclass
class PipelineOutcome:
    cache_dir: str = ""
    resolved: int | None = None
    resolve_seconds: float = 0.0
    prepare_stats: PrepareStats | None = None
    prepare_seconds: float = 0.0
    execution: ExecutionResult | None = None
    dry_run: bool = False
    to_install: list[PinnedDist] = field(default_factory=list)
    to_remove: list[Any] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def make_linker(link_mode: str | None, warnings: list[str]) -> Linker:
    mode = LinkMode(link_mode) if link_mode else None
    return Linker(mode, on_fallback=warnings.append)


def apply_pins(
    pins: Sequence[PinnedDist],
    installed: Sequence[Any],
    outcome: PipelineOutcome,
    *,
    cache: Cache,
    client: IndexClient,
    environment: PythonEnvironment,
    link_mode: str | None,
    compile: bool,
    reinstall: bool | Collection[str],
    exact: bool,
    dry_run: bool,
    keep_extraneous: Collection[str] = (),
) -> None:
    """Plan, prepare and link ``pins`` into ``environment``."""
    plan = make_plan(
        pins, installed, reinstall=reinstall, exact=exact, keep_extraneous=keep_extraneous
    )
    for name, why in sorted(plan.reasons.items()):
        logger.debug("%s: %s", name, why)
    if dry_run:
        outcome.dry_run = True
        outcome.to_install = list(plan.install)
        outcome.to_remove = list(plan.remove)
        return
    started = time.perf_counter()
    preparer = Preparer(cache, client)
    prepared, stats = preparer.prepare(list(plan.install))
    outcome.prepare_stats = stats
    outcome.prepare_seconds = time.perf_counter() - started
    archives = {p.pin.name: p.archive for p in prepared}
    linker = make_linker(link_mode, outcome.warnings)
    outcome.execution = execute_plan(
        plan,
        archives,
        scheme=environment.scheme,
        python_executable=environment.python,
        linker=linker,
        compile=compile,
    )
