"""The source builder an install hands around, made only when something is really built.

Every install gives the preparer and the metadata service a builder, but most build nothing;
the real :class:`~ferry.dist.build.SourceBuilder` imports the PEP 517 machinery, so it is made
on first use. Its build environments are filled by ferry itself (:class:`FerryBuildInstaller`),
through the same indexes and cache as the command that needed the build.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ferry.commands.index_settings import IndexSettings
from ferry.model.settings import GlobalOptions

if TYPE_CHECKING:
    from ferry.cache.store import Cache
    from ferry.dist.build import SourceBuilder
    from ferry.python.environment import PythonEnvironment
    from ferry.python.interpreter import Interpreter


class FerryBuildInstaller:
    """Fills isolated build environments with ferry's own resolver and installer.

    Build requirements resolve through the same indexes and cache as the command that needed
    the build, so a build never downloads what the cache already holds.
    """

    def __init__(self, options: GlobalOptions, index: IndexSettings) -> None:
        self.options = options
        self.index = index
        self._lock = threading.Lock()
        self._files = 0
        self._bytes = 0

    def command_downloads(self) -> tuple[int, int]:
        """Files and bytes downloaded to fill build environments so far (build requirements,
        and whatever building those needed in turn): the command's ``Prepared`` line counts
        them, or a cold cache would look warm for every build (seed uv#13727)."""
        with self._lock:
            return self._files, self._bytes

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
        result = pip_install(
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
        stats = result.prepare_stats  # settled: everything that install downloaded
        if stats is not None:
            with self._lock:
                self._files += stats.downloaded + stats.other_files
                self._bytes += stats.downloaded_bytes


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
        self._installer: FerryBuildInstaller | None = None
        self._lock = threading.Lock()

    @property
    def real(self) -> SourceBuilder:
        with self._lock:
            if self._builder is None:
                from ferry.dist.build import SourceBuilder

                cache, options, index, isolation, no_isolation = self._args
                installer = self._installer = FerryBuildInstaller(options, index)
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

    # The hooks installs call, spelled out so type checkers see the builder's interface; their
    # keyword options (editable, expected name/version, sha256) pass through unchanged.
    def build_wheel(self, source: Path, interpreter: Interpreter, **options: Any) -> Path:
        return self.real.build_wheel(source, interpreter, **options)

    def unpacked(self, wheel: Path) -> Path:
        return self.real.unpacked(wheel)

    def metadata(self, source: Path, interpreter: Interpreter, **options: Any) -> bytes:
        return self.real.metadata(source, interpreter, **options)

    def built_now(self, wheel: Path) -> bool:
        """Whether this command built ``wheel`` (not an earlier one): see ``SourceBuilder``."""
        with self._lock:
            builder = self._builder
        return builder is not None and builder.built_now(wheel)

    def command_downloads(self) -> tuple[int, int]:
        """Files and bytes the build environments of this command downloaded; (0, 0) when
        nothing was built (the real builder is not made to answer)."""
        with self._lock:
            installer = self._installer
        return (0, 0) if installer is None else installer.command_downloads()

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
