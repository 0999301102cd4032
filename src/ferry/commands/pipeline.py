"""The install pipeline shared by ``pip install``, ``pip sync`` and project ``sync``.

resolve (optional) → plan against the environment → prepare missing archives → link. Each phase
records its timing and counts on a :class:`PipelineOutcome`, which ``cli/render.py`` prints.

``sync`` imports this module for :class:`PipelineOutcome` even when it has nothing to do, so the
layers that do the work (dist, install, resolve, index) are imported inside the functions that
use them, never at module level. What the phases are handed lives beside it: the index client
(:mod:`~ferry.commands.index_settings`), the lazily made source builder
(:mod:`~ferry.commands.lazy_builder`), ``--prefer-offline`` preferences
(:mod:`~ferry.commands.cached_preferences`) and hash-checking of the pins
(:mod:`~ferry.commands.hash_checking`).
"""

from __future__ import annotations

import os
import time
from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING, Any

from ferry.model.immutable import mutable
from ferry.model.log import get_logger
from ferry.model.names import NormalizedName
from ferry.model.pep440_version import Version
from ferry.model.refresh import Refresh
from ferry.model.value_fields import field

if TYPE_CHECKING:
    from ferry.cache.store import Cache
    from ferry.commands.inputs import RequirementInputs
    from ferry.dist.metadata import MetadataBuilder
    from ferry.dist.prepare import Downloader, PrepareStats, WheelBuilder
    from ferry.fs.link import Linker
    from ferry.index.client import IndexClient
    from ferry.install.execute import ExecutionResult
    from ferry.model.dist import PinnedDist
    from ferry.python.environment import PythonEnvironment
    from ferry.python.interpreter import Interpreter
    from ferry.resolve.options import ResolverOptions, TargetEnvironment
    from ferry.resolve.result import Resolution

logger = get_logger(__name__)


@mutable
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
    diagnostics: list[str] = field(default_factory=list)
    """The resolution's warnings for the user (:mod:`ferry.resolve.diagnostics`): ``pip
    install``/``pip sync`` print them last, after the changes, where uv prints them."""
    lock_diagnostics: list[str] = field(default_factory=list)
    """The warnings of the lock a project command resolved: printed right after ``Resolved``."""
    yanked: dict[NormalizedName, str] = field(default_factory=dict)
    """The warning for each resolved pin that is yanked, said only if that pin is installed:
    as uv's, whose resolver keeps an installed version (no file, so no yank to report)."""


def make_linker(link_mode: str | None, warnings: list[str]) -> Linker:
    from ferry.fs.link import Linker, LinkMode

    mode = LinkMode(link_mode) if link_mode else None
    return Linker(mode, on_fallback=warnings.append)


def apply_pins(
    pins: Sequence[PinnedDist],
    installed: Sequence[Any],
    outcome: PipelineOutcome,
    *,
    cache: Cache,
    client: Downloader,
    environment: PythonEnvironment,
    link_mode: str | None,
    compile: bool,
    reinstall: bool | Collection[str],
    exact: bool,
    dry_run: bool,
    keep_extraneous: Collection[str] = (),
    builder: WheelBuilder | None = None,
    strict_record: bool = False,
    refresh: Refresh | None = None,
    seeds: Collection[str] | None = None,
) -> None:
    """Plan, prepare and link ``pins`` into ``environment``; an exact plan keeps ``seeds``
    (default: :data:`ferry.install.plan.SEED_PACKAGES`).

    With ``refresh`` the unpacked archives of the refreshed packages are checked against their
    manifests first; a damaged one is discarded, so it is unpacked (or downloaded) again."""
    from ferry.dist.prepare import Preparer
    from ferry.install.local_freshness import stale_local_builds
    from ferry.install.plan import SEED_PACKAGES, make_plan
    from ferry.install.stream import prepare_and_execute

    if reinstall is not True:
        stale = stale_local_builds(pins, installed)
        if stale:
            reinstall = {*reinstall, *stale} if reinstall else stale
    plan = make_plan(
        pins, installed, reinstall=reinstall, exact=exact, keep_extraneous=keep_extraneous,
        seeds=SEED_PACKAGES if seeds is None else seeds,
    )
    for name, why in sorted(plan.reasons.items()):
        logger.debug("%s: %s", name, why)
    remember_sources(plan.remove)
    yanked = outcome.yanked
    outcome.diagnostics += [yanked[pin.name] for pin in plan.install if pin.name in yanked]
    if dry_run:
        outcome.dry_run = True
        outcome.to_install = list(plan.install)
        outcome.to_remove = list(plan.remove)
        return
    started = time.perf_counter()
    if refresh:
        revalidate_archives(cache, plan.install, refresh)
    downloads = os.environ.get("FERRY_CONCURRENT_DOWNLOADS", "").strip()
    preparer = Preparer(
        cache,
        client,
        builder=builder,
        interpreter=environment.interpreter,
        concurrency=int(downloads) if downloads.isdigit() and int(downloads) > 0 else 16,
    )
    checked = time.perf_counter() - started  # --refresh's archive checks count as preparing
    # each distribution is linked as soon as it is ready (install/stream.py)
    outcome.execution, outcome.prepare_stats, prepare_seconds = prepare_and_execute(
        plan,
        preparer,
        scheme=environment.scheme,
        python_executable=environment.python,
        linker=make_linker(link_mode, outcome.warnings),
        compile=compile,
        strict_record=strict_record,
    )
    outcome.prepare_seconds = checked + prepare_seconds


def remember_sources(removals: Sequence[Any]) -> None:
    """Read each removal's ``direct_url.json`` now, while its ``.dist-info`` still exists: the
    summary names a removed direct-URL install by its source (`` - x==1.0 (from git+…@<commit>)``),
    as uv does, and the installed-dist object caches what it read."""
    for dist in removals:
        _ = dist.direct_url


def revalidate_archives(cache: Cache, pins: Sequence[PinnedDist], refresh: Refresh) -> None:
    """``--refresh``: hash the cached archives of the refreshed wheels against their manifests."""
    from ferry.cache.refresh import revalidate_archive
    from ferry.model.url import strip_credentials

    for pin in pins:
        if pin.file is None or not refresh.covers(str(pin.name)):
            continue
        # an index without hashes: the archive the URL's record points to
        sha = pin.file.sha256 or cache.sha_for_url(strip_credentials(pin.file.url))
        if sha is not None:
            revalidate_archive(cache, sha, refresh.reason())


def target_for(
    environment: PythonEnvironment, python_version: str | None, **formats: frozenset[str]
) -> TargetEnvironment:
    from ferry.resolve.options import TargetEnvironment

    interpreter = environment.interpreter
    version = Version(python_version) if python_version else interpreter.version
    return TargetEnvironment(
        markers=dict(interpreter.markers),
        tags=tuple(interpreter.tags),
        python_version=version,
        **formats,
    )


def resolve_requirements(
    inputs: RequirementInputs,
    outcome: PipelineOutcome,
    *,
    client: IndexClient,
    target: TargetEnvironment,
    options: ResolverOptions,
    builder: MetadataBuilder | None = None,
    interpreter: Interpreter | None = None,
) -> Resolution:
    """Resolve ``inputs`` for ``target`` through the index, recording time and count."""
    from ferry.dist.metadata import MetadataService
    from ferry.resolve.algorithm import resolve
    from ferry.resolve.diagnostics import yanked_warning
    from ferry.resolve.provider_index import IndexSource
    from ferry.resolve.source import CoreMetadata, DirectDist

    service = MetadataService(client, builder, interpreter)

    def direct(name: NormalizedName, url: str) -> DirectDist:
        file, data = service.direct(url, editable=name in inputs.editables)
        return DirectDist(url=url, metadata=CoreMetadata.from_bytes(data, origin=url), file=file)

    started = time.perf_counter()
    locations = (*client.config.index_urls, *client.config.find_links)
    with IndexSource(
        client, metadata=service.metadata, direct=direct, locations=locations
    ) as source:
        resolution = resolve(
            inputs.requirements,
            inputs.constraints,
            source,
            target,
            options,
            editables=inputs.editables,
        )
    if any(d.direct_url and d.direct_url.startswith("git+") for d in resolution.dists):
        from ferry.commands.git_pins import pin_commits
        from ferry.dist.git_build import store_of
        from ferry.model.value_fields import replace

        dists = pin_commits(resolution.dists, store_of(client.cache),
                            offline=client.config.offline)
        resolution = replace(resolution, dists=dists)
    outcome.resolved = len(resolution.dists)
    outcome.resolve_seconds = time.perf_counter() - started
    outcome.diagnostics.extend(resolution.warnings)
    outcome.yanked.update(
        (d.name, yanked_warning(d.name, d.version, d.file.yanked))
        for d in resolution.dists if d.file is not None and d.file.yanked is not None)
    return resolution


def __getattr__(name: str) -> Any:
    """``ExecutionResult`` and ``PrepareStats``, re-exported for the renderer, loaded on use."""
    if name == "ExecutionResult":
        from ferry.install.execute import ExecutionResult

        return ExecutionResult
    if name == "PrepareStats":
        from ferry.dist.prepare import PrepareStats

        return PrepareStats
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")



__all__ = [
    "ExecutionResult",
    "PipelineOutcome",
    "PrepareStats",
    "apply_pins",
    "resolve_requirements",
    "target_for",
]
