"""The install pipeline shared by ``pip install``, ``pip sync`` and project ``sync``.

resolve (optional) → plan against the environment → prepare missing archives → link. Each phase
records its timing and counts on a :class:`PipelineOutcome`, which ``cli/render.py`` prints.

``sync`` imports this module for :class:`PipelineOutcome` even when it has nothing to do, so the
layers that do the work (dist, install, resolve, index) are imported inside the functions that
use them, never at module level.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from packaging.utils import NormalizedName
from packaging.version import InvalidVersion, Version

from ferry.model.refresh import Refresh
from ferry.model.settings import GlobalOptions

if TYPE_CHECKING:
    from ferry.cache.files import CachedFile
    from ferry.cache.store import Cache
    from ferry.commands.inputs import RequirementInputs
    from ferry.dist.build import SourceBuilder
    from ferry.dist.metadata import MetadataBuilder
    from ferry.dist.prepare import Downloader, PrepareStats, WheelBuilder
    from ferry.fs.link import Linker
    from ferry.index.client import IndexClient
    from ferry.install.execute import ExecutionResult
    from ferry.model.dist import FileRef, PinnedDist
    from ferry.python.environment import PythonEnvironment
    from ferry.python.interpreter import Interpreter
    from ferry.resolve.options import ResolverOptions, TargetEnvironment
    from ferry.resolve.result import Resolution

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
) -> None:
    """Plan, prepare and link ``pins`` into ``environment``.

    With ``refresh`` the unpacked archives of the refreshed packages are checked against their
    manifests first; a damaged one is discarded, so it is unpacked (or downloaded) again."""
    from ferry.dist.prepare import Preparer
    from ferry.install.execute import execute_plan
    from ferry.install.plan import make_plan

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
        strict_record=strict_record,
    )


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


@dataclass(frozen=True, slots=True)
class IndexSettings:
    """Where packages come from, as the user configured it for this command."""

    index_url: str | None = None
    extra_index_urls: tuple[str, ...] = ()
    find_links: tuple[str, ...] = ()
    no_index: bool = False
    strategy: str = "first-index"
    exclude_newer: datetime | None = None


class FerryBuildInstaller:
    """Fills isolated build environments with ferry's own resolver and installer.

    Build requirements resolve through the same indexes and cache as the command that needed
    the build, so a build never downloads what the cache already holds.
    """

    def __init__(self, options: GlobalOptions, index: IndexSettings) -> None:
        self.options = options
        self.index = index

    def install(self, requirements: Sequence[str], environment: PythonEnvironment) -> None:
        from ferry.commands.pip_install import PipInstallRequest, pip_install

        quiet = GlobalOptions(
            verbosity=min(self.options.verbosity, 0),
            cache_dir=self.options.cache_dir,
            no_cache=self.options.no_cache,
            offline=self.options.offline,
            prefer_offline=self.options.prefer_offline,
            refresh=self.options.refresh,
            keyring_provider=self.options.keyring_provider,
        )
        pip_install(
            PipInstallRequest(
                packages=tuple(requirements),
                python=str(environment.root),
                index_url=self.index.index_url,
                extra_index_url=self.index.extra_index_urls,
                find_links=self.index.find_links,
                no_index=self.index.no_index,
                index_strategy=self.index.strategy,
            ),
            quiet,
        )


class LazySourceBuilder:
    """A ``dist.build.SourceBuilder`` made on first use, behind the same methods.

    Every install hands the preparer and the metadata service a builder, but most installs build
    nothing: constructing it would import the whole build machinery (PEP 517 hooks, sdist
    unpacking, build environments) for no use. Thread-safe, like the builder it stands for.
    """

    def __init__(
        self,
        cache: Cache,
        options: GlobalOptions,
        index: IndexSettings,
        isolation: bool,
        no_isolation_packages: frozenset[str] = frozenset(),
    ) -> None:
        self._args = (cache, options, index, isolation, no_isolation_packages)
        self._builder: SourceBuilder | None = None
        self._lock = threading.Lock()

    @property
    def real(self) -> SourceBuilder:
        with self._lock:
            if self._builder is None:
                from ferry.dist.build import SourceBuilder

                cache, options, index, isolation, no_isolation = self._args
                installer = FerryBuildInstaller(options, index)
                limit = os.environ.get("FERRY_CONCURRENT_BUILDS", "").strip()
                self._builder = SourceBuilder(
                    cache,
                    installer,
                    isolation=isolation,
                    no_isolation_packages=no_isolation,
                    concurrency=int(limit) if limit.isdigit() and int(limit) > 0 else None,
                    refresh=options.refresh,
                )
            return self._builder

    def build_wheel(
        self,
        source: Path,
        interpreter: Interpreter,
        *,
        editable: bool = False,
        expected_name: str | None = None,
        expected_version: str | None = None,
        sha256: str | None = None,
    ) -> Path:
        return self.real.build_wheel(
            source,
            interpreter,
            editable=editable,
            expected_name=expected_name,
            expected_version=expected_version,
            sha256=sha256,
        )

    def unpacked(self, wheel: Path) -> Path:
        return self.real.unpacked(wheel)

    def metadata(
        self,
        source: Path,
        interpreter: Interpreter,
        *,
        editable: bool = False,
        expected_name: str | None = None,
        expected_version: str | None = None,
        sha256: str | None = None,
    ) -> bytes:
        return self.real.metadata(
            source,
            interpreter,
            editable=editable,
            expected_name=expected_name,
            expected_version=expected_version,
            sha256=sha256,
        )

    def __getattr__(self, name: str) -> Any:
        """Anything else ``SourceBuilder`` offers (counters, ``build_sdist``…)."""
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.real, name)


def make_builder(
    cache: Cache,
    options: GlobalOptions,
    index: IndexSettings,
    *,
    isolation: bool = True,
    no_isolation_packages: frozenset[str] = frozenset(),
) -> LazySourceBuilder:
    return LazySourceBuilder(cache, options, index, isolation, no_isolation_packages)


def with_keyring_setting(options: GlobalOptions, setting: str | None) -> GlobalOptions:
    """``options`` with the project's ``keyring-provider`` setting, unless ``--keyring-provider``
    or FERRY_/UV_KEYRING_PROVIDER chose already (they win, as in uv)."""
    if options.keyring_provider is not None or setting is None:
        return options
    from dataclasses import replace

    return replace(options, keyring_provider=setting)


def index_client(
    cache: Cache,
    options: GlobalOptions,
    *,
    index_url: str | None,
    extra_index_urls: Sequence[str],
    find_links: Sequence[str],
    no_index: bool,
    strategy: str,
    exclude_newer: datetime | None,
) -> IndexClient:
    from ferry.index.client import IndexClient, IndexConfig

    config = IndexConfig.from_options(
        index_url=index_url,
        extra_index_urls=extra_index_urls,
        find_links=find_links,
        no_index=no_index,
        strategy=strategy,
        offline=options.offline,
        prefer_offline=options.prefer_offline,
        exclude_newer=exclude_newer,
        refresh=options.refresh,
        keyring_provider=options.keyring_provider,
    )
    return IndexClient(config, cache)


class DeferredIndexClient:
    """The index client of a command that may need none, made at the first download.

    A sync whose files are all in the cache downloads nothing; making the client would still
    import the whole index layer and, without a configured index, ask pip for its default URL.
    Thread-safe (the preparer downloads from a pool); closes the client if one was made.
    """

    def __init__(self, make: Callable[[], IndexClient]) -> None:
        self._make = make
        self._client: IndexClient | None = None
        self._lock = threading.Lock()

    @property
    def real(self) -> IndexClient:
        with self._lock:
            if self._client is None:
                self._client = self._make()
            return self._client

    def download(self, file: FileRef) -> CachedFile:
        return self.real.download(file)

    def __enter__(self) -> DeferredIndexClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            client.close()


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
        from dataclasses import replace

        from ferry.commands.git_pins import pin_commits
        from ferry.dist.git_build import store_of

        dists = pin_commits(resolution.dists, store_of(client.cache),
                            offline=client.config.offline)
        resolution = replace(resolution, dists=dists)
    outcome.resolved = len(resolution.dists)
    outcome.resolve_seconds = time.perf_counter() - started
    outcome.warnings.extend(resolution.warnings)
    return resolution


def enforce_hashes(pins: Sequence[PinnedDist], inputs: RequirementInputs) -> list[PinnedDist]:
    """In hash-checking mode, make each pin's expected hash the user's (C2, C4).

    The preparer verifies downloads against ``file.hashes`` and looks the cache up by them, so a
    file cached by an unhashed install is still checked against the user's digest.
    """
    if not inputs.hash_checking:
        return list(pins)
    from dataclasses import replace

    from ferry.model.dist import Hashes
    from ferry.model.errors import HashMismatchError

    checked = []
    for pin in pins:
        allowed = inputs.hashes.get(pin.name)
        if pin.file is None:
            checked.append(pin)
            continue
        if not allowed:
            offered_line = (
                f"{pin.name}=={pin.version} --hash=sha256:{pin.file.sha256}"
                if pin.file.sha256
                else f"{pin.name}=={pin.version} (the index lists no hash; download it to hash it)"
            )
            raise HashMismatchError(
                f"In `--require-hashes` mode, `{pin}` has no hash",
                causes=[f"The index's file has this hash: {offered_line}"],
                hint="every requirement needs `--hash=sha256:…` (and so do dependencies; "
                "`ferry pip compile --generate-hashes` writes them all)",
            )
        if pin.direct_url is not None:
            # A direct reference must match every digest the user gave (uv's rule for URLs).
            given: dict[str, str] = {}
            for digest in sorted(allowed):
                algorithm, _, value = digest.partition(":")
                given.setdefault(algorithm, value)
            checked.append(replace(pin, file=replace(pin.file, hashes=Hashes.of(**given))))
            continue
        sha_allowed = sorted(d.partition(":")[2] for d in allowed if d.startswith("sha256:"))
        offered = pin.file.sha256
        if offered is not None and offered not in sha_allowed:
            raise HashMismatchError(
                f"Hash mismatch for `{pin}`",
                causes=[
                    f"Expected: {', '.join('sha256:' + h for h in sha_allowed)}",
                    f"Index offers: sha256:{offered}",
                ],
                hint="the requirements file's hash does not match the file the index serves",
            )
        if not sha_allowed:
            raise HashMismatchError(f"In `--require-hashes` mode, `{pin}` has no sha256 hash")
        file = replace(pin.file, hashes=Hashes.of(sha256=offered or sha_allowed[0]))
        checked.append(replace(pin, file=file))
    return checked


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
    "enforce_hashes",
    "index_client",
    "preferences_for",
    "resolve_requirements",
    "target_for",
]


class CachedPreferences(Mapping[NormalizedName, Version]):
    """Preferences for ``--prefer-offline`` (seed report uv#8860): the highest version of each
    package the cache already holds, consulted lazily as the resolver meets each name.

    ``base`` (installed or locked versions) wins where it has an entry.
    """

    def __init__(self, cache: Cache, base: Mapping[NormalizedName, Version]) -> None:
        self.cache = cache
        self.base = dict(base)
        self._memo: dict[str, Version | None] = {}

    def _cached(self, name: str) -> Version | None:
        if name not in self._memo:
            found: Version | None = None
            for raw in reversed(self.cache.cached_versions(name)):
                try:
                    found = Version(raw)
                except InvalidVersion:
                    continue
                break
            if found is not None:
                logger.debug(
                    "Preferring %s==%s: already in the cache (--prefer-offline)", name, found
                )
            self._memo[name] = found
        return self._memo[name]

    def __getitem__(self, name: NormalizedName) -> Version:
        if name in self.base:
            return self.base[name]
        found = self._cached(name)
        if found is None:
            raise KeyError(name)
        return found

    def __iter__(self) -> Iterator[NormalizedName]:
        return iter(self.base)

    def __len__(self) -> int:
        return len(self.base)


def preferences_for(
    cache: Cache, options: GlobalOptions, base: Mapping[NormalizedName, Version]
) -> Mapping[NormalizedName, Version]:
    if options.prefer_offline or options.offline:
        return CachedPreferences(cache, base)
    return base
