"""Building wheels (and sdists) from source: PEP 517/660 builds, isolated and cached.

:class:`SourceBuilder` is what every command that meets source code goes through: an sdist with no
compatible wheel, a local directory, ``-e .``, a project's own install, ``ferry build``.

Built wheels are kept in ``built-v1`` (layout in ``build_cache.py``), keyed by the source (an
sdist's sha256, a tree's file hash) and the interpreter's most specific tag, so one sdist is built
once per interpreter, whichever command or environment asked. A build runs under an exclusive
per-entry lock in a scratch folder of the cache and its wheel is renamed into place only once
checked; a failed build leaves no entry behind. Build environments: ``build_env.py``; running
hooks and explaining their failures: ``build_backend.py``; classifying the source and reading
its static metadata: ``build_source.py``; checking and placing what a backend wrote:
``build_output.py``.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from ferry.cache.store import Cache
from ferry.dist.build_backend import BackendHooks, ConfigSettings, HookMissing
from ferry.dist.build_cache import BuiltWheels, wheel_metadata
from ferry.dist.build_env import (
    BuildEnvironment,
    BuildEnvironments,
    BuildRequirementsInstaller,
    target_environment,
)
from ferry.dist.build_output import check_built_wheel, move_into, scratch_in
from ferry.dist.build_source import (
    expected_identity,
    project_dir_of,
    source_kind,
    source_label,
    static_metadata,
)
from ferry.dist.source_metadata import check_identity
from ferry.dist.source_tree import read_build_system
from ferry.fs.locks import lock_exclusive
from ferry.model.dist import parse_filename
from ferry.model.errors import BuildError, UserError
from ferry.model.log import get_logger
from ferry.model.names import canonicalize_name
from ferry.model.refresh import NO_REFRESH, Refresh
from ferry.python.interpreter import Interpreter

__all__ = ["BuildError", "BuildRequirementsInstaller", "SourceBuilder"]

logger = get_logger(__name__)


class SourceBuilder:
    """Builds sources for interpreters, reusing the cache's built wheels and build environments.

    ``installer`` fills isolated build environments; ``isolation=False`` builds every package with
    the target's python (``--no-build-isolation``), ``no_isolation_packages`` only those named.
    At most ``concurrency`` backend hooks run at once. Thread-safe.
    """

    def __init__(
        self,
        cache: Cache,
        installer: BuildRequirementsInstaller,
        *,
        isolation: bool = True,
        no_isolation_packages: frozenset[str] = frozenset(),
        concurrency: int | None = None,
        config_settings: ConfigSettings | None = None,
        refresh: Refresh = NO_REFRESH,
    ) -> None:
        self.cache = cache
        self.refresh = refresh
        self._refreshed: set[Path] = set()  # entries rebuilt by this command (--refresh)
        self.isolation = isolation
        self.no_isolation_packages = frozenset(canonicalize_name(n) for n in no_isolation_packages)
        self.config_settings = dict(config_settings) if config_settings else None
        self.environments = BuildEnvironments(cache, installer)
        self.built = BuiltWheels(cache)
        self._slots = threading.BoundedSemaphore(max(1, concurrency or os.cpu_count() or 4))
        self._counter_lock = threading.Lock()
        self._active = threading.local()
        self.backend_builds = 0
        """How many times a backend's build hook ran (wheel, editable or sdist)."""
        self.metadata_preparations = 0
        """How many times a backend's ``prepare_metadata_for_build_*`` hook ran."""

    # -- public API ---------------------------------------------------------------------------

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
        """A wheel of ``source`` (sdist archive or source tree) for ``interpreter``, in the cache.

        ``sha256`` is the archive's digest when the caller already knows it (downloads do).
        """
        source = Path(os.path.abspath(source))  # noqa: PTH100 (keep symlinks)
        is_archive = source_kind(source, editable)
        name, version = expected_identity(source, is_archive, expected_name, expected_version)
        label = source_label(source, name, version)
        entry = self._entry(source, is_archive, interpreter, editable, sha256)
        rebuild = self._must_rebuild(entry, name, label)
        found = None if rebuild else self.built.find(entry)
        if found is not None:
            logger.debug("Using the wheel of %s built earlier: %s", label, found)
            return found
        stack: list[Path] = self._active.__dict__.setdefault("stack", [])
        if entry in stack:
            raise BuildError(
                f"Failed to build `{label}`: its build requirements need `{label}` itself "
                "(a cyclic build dependency)"
            )
        stack.append(entry)
        try:
            with lock_exclusive(self.built.lock_path(entry), f"build of {label}"):
                found = None if rebuild else self.built.find(entry)
                if found is not None:
                    logger.debug("%s was built by another process meanwhile", label)
                    return found
                if rebuild and entry.exists():  # the new wheel takes the old one's place
                    with self.cache.temp_dir("stale-") as stale:
                        entry.rename(stale / "entry")
                logger.debug("Building %s for %s: no built wheel in the cache", label, entry.name)
                with self.cache.temp_dir("build-") as tmp:
                    project_dir = project_dir_of(source, is_archive, tmp)
                    kind = "editable" if editable else "wheel"
                    wheel = self._run_build(
                        project_dir, interpreter, kind, tmp / "out", label, name
                    )
                    check_built_wheel(wheel, label, name, version, interpreter)
                    stored = self.built.store(entry, wheel, tmp)
                    with self._counter_lock:
                        self._refreshed.add(entry)
                    return stored
        finally:
            stack.remove(entry)

    def built_now(self, wheel: Path) -> bool:
        """Whether this builder built ``wheel`` (as :meth:`build_wheel` returned it), rather
        than finding what an earlier command built: the summary counts that as from the cache."""
        with self._counter_lock:
            return wheel.parent in self._refreshed

    def unpacked(self, wheel: Path) -> Path:
        """A wheel :meth:`build_wheel` returned, unpacked in ``archives-v1`` for the installer."""
        return self.built.unpacked(wheel)

    def build_wheel_into(
        self,
        source: Path,
        interpreter: Interpreter,
        out_dir: Path,
        *,
        editable: bool = False,
        expected_name: str | None = None,
        expected_version: str | None = None,
    ) -> Path:
        """Build a wheel of ``source`` into ``out_dir``, always (``ferry build``); no cache."""
        source = Path(os.path.abspath(source))  # noqa: PTH100 (keep symlinks)
        is_archive = source_kind(source, editable)
        name, version = expected_identity(source, is_archive, expected_name, expected_version)
        label = source_label(source, name, version)
        with self.cache.temp_dir("build-") as tmp:
            project_dir = project_dir_of(source, is_archive, tmp)
            kind = "editable" if editable else "wheel"
            with scratch_in(out_dir) as scratch:
                wheel = self._run_build(project_dir, interpreter, kind, scratch, label, name)
                check_built_wheel(wheel, label, name, version, None)
                return move_into(wheel, out_dir)

    def build_sdist(self, project_dir: Path, interpreter: Interpreter, out_dir: Path) -> Path:
        """Build the sdist of the source tree ``project_dir`` into ``out_dir``."""
        project_dir = Path(os.path.abspath(project_dir))  # noqa: PTH100
        if not project_dir.is_dir():
            raise UserError(f"`{project_dir}` is not a directory")
        name, version = expected_identity(project_dir, False, None, None)
        label = source_label(project_dir, name, version)
        with scratch_in(out_dir) as scratch:
            sdist = self._run_build(project_dir, interpreter, "sdist", scratch, label, name)
            parsed = parse_filename(sdist.name)
            if parsed is None or (name is not None and parsed.name != canonicalize_name(name)):
                raise BuildError(
                    f"Failed to build `{label}`: the backend wrote `{sdist.name}`, which is not "
                    f"an sdist of `{name or project_dir.name}`"
                )
            return move_into(sdist, out_dir)

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
        """Core metadata (``METADATA`` bytes) of ``source``, building as little as possible.

        In order: static metadata (PEP 643 ``PKG-INFO``, PEP 621 ``[project]``) with no backend at
        all; metadata or a wheel the cache already holds; ``prepare_metadata_for_build_*``; and
        for a backend without that hook, a full (cached) wheel build.
        """
        source = Path(os.path.abspath(source))  # noqa: PTH100 (keep symlinks)
        is_archive = source_kind(source, editable)
        name, version = expected_identity(source, is_archive, expected_name, expected_version)
        label = source_label(source, name, version)
        with self.cache.temp_dir("metadata-") as tmp:
            project_dir = project_dir_of(source, is_archive, tmp)
            static = static_metadata(project_dir, is_archive)
            if static is not None:
                data, step = static
                check_identity(data, label, step, name, version)
                logger.debug("Read the metadata of %s from %s: no build needed", label, step)
                return data
            entry = self._entry(source, is_archive, interpreter, editable, sha256)
            rebuild = self._must_rebuild(entry, name, label)
            stored = None if rebuild else self.built.read_metadata(entry)
            if stored is not None:
                logger.debug("Using the metadata of %s prepared earlier", label)
                return stored
            wheel = None if rebuild else self.built.find(entry)
            if wheel is not None:
                data = wheel_metadata(wheel)
            else:
                try:
                    data = self._prepare_metadata(
                        project_dir, interpreter, editable, tmp, label, name
                    )
                except HookMissing:
                    logger.debug("%s has no prepare_metadata hook: building the wheel", label)
                    wheel = self.build_wheel(
                        source, interpreter, editable=editable, expected_name=name,
                        expected_version=version, sha256=sha256,
                    )
                    data = wheel_metadata(wheel)
            check_identity(data, label, "the build backend", name, version)
            self.built.write_metadata(entry, data)
            return data

    # -- steps --------------------------------------------------------------------------------

    def _must_rebuild(self, entry: Path, name: str | None, label: str) -> bool:
        """``--refresh`` of this package: ignore what earlier commands built, once per command."""
        if not self.refresh.covers(name):
            return False
        with self._counter_lock:
            if entry in self._refreshed:
                return False
        logger.debug("Building %s again: %s", label, self.refresh.reason())
        return True

    def _entry(
        self,
        source: Path,
        is_archive: bool,
        interpreter: Interpreter,
        editable: bool,
        sha256: str | None,
    ) -> Path:
        return self.built.entry(
            source,
            is_archive=is_archive,
            interpreter=interpreter,
            editable=editable,
            sha256=sha256,
            config_settings=self.config_settings,
        )

    def _hooks(
        self,
        project_dir: Path,
        interpreter: Interpreter,
        kind: str,
        label: str,
        name: str | None,
    ) -> BackendHooks:
        """Hooks ready to run ``kind``: in an environment that holds what the backend asked for."""
        build_system = read_build_system(project_dir, label)
        isolated = self.isolation and (
            name is None or canonicalize_name(name) not in self.no_isolation_packages
        )

        def hooks_in(environment: BuildEnvironment) -> BackendHooks:
            return BackendHooks(
                project_dir,
                build_system,
                environment.python,
                label=label,
                environ=environment.environ,
                isolated=environment.isolated,
                config_settings=self.config_settings,
                slot=lambda: self._slots,
            )

        requires_kind = kind if kind in ("editable", "sdist") else "wheel"
        if not isolated:
            logger.debug("Building %s without isolation, with %s", label, interpreter.executable)
            hooks = hooks_in(target_environment(interpreter))
            extra = hooks.get_requires(requires_kind)
            if extra:
                logger.debug("%s asks for %s (not installed: no isolation)", label, extra)
            return hooks
        environment = self.environments.isolated(interpreter, build_system.requires, label)
        hooks = hooks_in(environment)
        extra = hooks.get_requires(requires_kind)
        if extra and not environment.provides(extra):
            logger.debug("The backend of %s also asks for %s", label, ", ".join(extra))
            environment = self.environments.isolated(
                interpreter, [*build_system.requires, *extra], label
            )
            hooks = hooks_in(environment)
        return hooks

    def _run_build(
        self,
        project_dir: Path,
        interpreter: Interpreter,
        kind: str,
        out_dir: Path,
        label: str,
        name: str | None,
    ) -> Path:
        hooks = self._hooks(project_dir, interpreter, kind, label, name)
        out_dir.mkdir(parents=True, exist_ok=True)
        built = hooks.build(kind, out_dir)
        with self._counter_lock:
            self.backend_builds += 1
        logger.debug("Built %s: %s", label, built.name)
        return built

    def _prepare_metadata(
        self,
        project_dir: Path,
        interpreter: Interpreter,
        editable: bool,
        tmp: Path,
        label: str,
        name: str | None,
    ) -> bytes:
        kind = "editable" if editable else "wheel"
        hooks = self._hooks(project_dir, interpreter, kind, label, name)
        directory = tmp / "metadata"
        directory.mkdir()
        dist_info = hooks.prepare_metadata(directory, editable=editable)
        with self._counter_lock:
            self.metadata_preparations += 1
        return (dist_info / "METADATA").read_bytes()
