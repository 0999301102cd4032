"""``ferry pip install``: requirements → resolution → plan → prepare → link.

Wires the layers; every decision of substance lives below (resolve/, install/, dist/).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ferry.commands.cached_preferences import preferences_for
from ferry.commands.common import (
    installed_dists,
    named_environment_note,
    open_cache,
    target_environment,
)
from ferry.commands.git_pins import git_name_of
from ferry.commands.hash_checking import enforce_hashes
from ferry.commands.index_settings import IndexSettings, index_client
from ferry.commands.input_files import require_files
from ferry.commands.inputs import RequirementInputs, gather_inputs
from ferry.commands.lazy_builder import make_builder
from ferry.commands.pipeline import PipelineOutcome, apply_pins, resolve_requirements
from ferry.model.errors import UsageError
from ferry.model.exclude_newer import flag_cutoff
from ferry.model.immutable import immutable, mutable
from ferry.model.log import get_logger
from ferry.model.names import canonicalize_name
from ferry.model.settings import GlobalOptions
from ferry.model.value_fields import field, replace
from ferry.python.environment import PythonEnvironment
from ferry.resolve.options import ResolverOptions, TargetEnvironment
from ferry.wheel.installed import InstalledDist

if TYPE_CHECKING:
    from datetime import datetime

    from ferry.cache.store import Cache
    from ferry.model.dist import PinnedDist

logger = get_logger(__name__)


@immutable
class PipInstallRequest:
    packages: tuple[str, ...] = ()
    requirements: tuple[Path, ...] = ()
    constraints: tuple[Path, ...] = ()
    editables: tuple[str, ...] = ()
    index_url: str | None = None
    extra_index_url: tuple[str, ...] = ()
    find_links: tuple[str, ...] = ()
    no_index: bool = False
    index_strategy: str | None = None
    """``None``: the settings file's, else ``first-index``."""
    exclude_newer: str | None = None
    upgrade: bool = False
    upgrade_package: tuple[str, ...] = ()
    reinstall: bool = False
    reinstall_package: tuple[str, ...] = ()
    no_deps: bool = False
    pre: bool = False
    prerelease: str = "if-necessary-or-explicit"
    resolution: str = "highest"
    require_hashes: bool = False
    no_binary: tuple[str, ...] = ()
    only_binary: tuple[str, ...] = ()
    no_build: bool = False
    no_build_isolation: bool = False
    no_build_isolation_package: tuple[str, ...] = ()
    python_version: str | None = None
    link_mode: str | None = None
    compile_bytecode: bool = False
    dry_run: bool = False
    python: str | None = None
    system: bool = False

    @classmethod
    def from_cli(cls, **kwargs: Any) -> PipInstallRequest:
        """The command line's request, completed from the project's settings file as uv's
        (:mod:`ferry.commands.pip_config`)."""
        from ferry.commands.pip_config import with_pip_config

        return with_pip_config(cls(**kwargs))

    def exclude_newer_date(self) -> datetime | None:
        return flag_cutoff(self.exclude_newer)


@mutable
class InstallResult(PipelineOutcome):
    audited: int | None = None
    audit_seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    environment_note: str | None = None
    """uv's ``Using Python X environment at: P`` for a named environment (not for a seed)."""
    would_download: int = 0
    """A dry run's count of what a real run would fetch or build (:func:`would_download`)."""


def pip_install(request: PipInstallRequest, options: GlobalOptions) -> InstallResult:
    if not (request.packages or request.requirements or request.editables):
        raise UsageError(
            "No requirements given",
            hint="name packages (`ferry pip install requests`) or pass `-r requirements.txt`",
        )
    require_files(request.requirements, request.constraints)  # before the environment, as uv
    options = options.upgrading(request.upgrade, request.upgrade_package)
    with open_cache(options) as cache:
        environment = target_environment(cache, request.python, request.system)
        inputs = gather_inputs(
            packages=request.packages,
            requirement_files=request.requirements,
            constraint_files=request.constraints,
            editables=request.editables,
            require_hashes=request.require_hashes,
            name_of=git_name_of(cache, offline=options.offline),
        )
        installed = installed_dists(environment)
        result = InstallResult(cache_dir=str(cache.root))
        if note := named_environment_note(environment):
            result.environment_note = note
        audited = _audit(request, inputs, environment, installed)
        if audited is not None:
            result.audited, result.audit_seconds = audited
            return result
        _install(request, options, cache, environment, inputs, installed, result)
        return result


def _install(
    request: PipInstallRequest,
    options: GlobalOptions,
    cache: Cache,
    environment: PythonEnvironment,
    inputs: RequirementInputs,
    installed: Sequence[InstalledDist],
    result: InstallResult,
) -> None:
    file_options = inputs.options
    settings = IndexSettings(
        index_url=request.index_url or file_options.index_url,
        extra_index_urls=(*request.extra_index_url, *file_options.extra_index_urls),
        find_links=(*request.find_links, *file_options.find_links),
        no_index=request.no_index or file_options.no_index,
        strategy=request.index_strategy or "first-index",
        exclude_newer=request.exclude_newer_date(),
    )
    client = index_client(
        cache,
        options,
        index_url=settings.index_url,
        extra_index_urls=settings.extra_index_urls,
        find_links=settings.find_links,
        no_index=settings.no_index,
        strategy=settings.strategy,
        exclude_newer=settings.exclude_newer,
    )
    builder = make_builder(
        cache,
        options,
        settings,
        isolation=not request.no_build_isolation,
        no_isolation_packages=frozenset(request.no_build_isolation_package),
    )
    with client:
        upgrade = _upgrade_set(request)
        # What is reinstalled is not a preference either: like pip and uv, `--reinstall X`
        # resolves X afresh (the newest version that fits) instead of repeating what is there.
        again = {canonicalize_name(n) for n in request.reinstall_package}
        preferences = {} if upgrade is True or request.reinstall else {
            d.name: d.version for d in installed if d.name not in again}
        resolver_options = ResolverOptions(
            prerelease="allow" if request.pre or file_options.pre else request.prerelease,  # type: ignore[arg-type]
            resolution=request.resolution,  # type: ignore[arg-type]
            upgrade=upgrade is True,
            upgrade_packages=frozenset(canonicalize_name(n) for n in request.upgrade_package),
            preferences=preferences_for(cache, options, preferences),
            no_deps=request.no_deps,
            exclude_newer=request.exclude_newer_date(),
            index_order=client.config.first_match_order,
        )
        target = pip_target(
            environment,
            request.python_version,
            no_binary=_format_names(file_options.no_binary, request.no_binary),
            only_binary=_format_names(
                file_options.only_binary,
                (*request.only_binary, *((":all:",) if request.no_build else ())),
            ),
        )
        resolution = resolve_requirements(
            inputs,
            result,
            client=client,
            target=target,
            options=resolver_options,
            builder=builder,
            interpreter=environment.interpreter,
        )
        pins = enforce_hashes(resolution.dists, inputs)
        reinstall: bool | set[str] = (
            True if request.reinstall else {canonicalize_name(n) for n in request.reinstall_package}
        )
        started = time.perf_counter()
        apply_pins(
            pins,
            installed,
            result,
            cache=cache,
            client=client,
            environment=environment,
            link_mode=request.link_mode,
            compile=request.compile_bytecode,
            reinstall=reinstall,
            exact=False,
            dry_run=request.dry_run,
            builder=builder,
            strict_record=inputs.hash_checking,
            refresh=options.refresh,
        )
        _settle(result, client, builder, time.perf_counter() - started)
        if request.dry_run:
            result.would_download = would_download(cache, result.to_install)


def would_download(cache: Cache, pins: Sequence[PinnedDist]) -> int:
    """How many of ``pins`` a real run would fetch or build instead of taking them from the
    cache: uv's ``Would download N packages`` of a dry run."""
    return sum(1 for pin in pins if not _in_cache(cache, pin))


def _in_cache(cache: Cache, pin: PinnedDist) -> bool:
    file = pin.file
    if file is None:  # a source tree or a git checkout: built
        return False
    # a local file with no hash is read again every time (it may have been rebuilt)
    sha = file.sha256 or (None if file.url.startswith("file:") else cache.sha_for_url(file.url))
    if sha is None:
        return False
    if file.is_wheel and cache.find_archive(sha) is not None:
        return True
    return cache.find_file(sha) is not None


def _settle(result: InstallResult, client: object, builder: object, seconds: float) -> None:
    """After the install: the downloads counted for the whole command (also when nothing was
    left to prepare; a build environment's install reports them to the build's command), and,
    as uv and the plain ``pip install X`` do, ``Checked N packages`` when the resolution
    changes nothing (``-U X`` with X already the newest: s8 F10)."""
    from ferry.dist.prepare import settle_downloads

    if result.prepare_stats is not None:
        settle_downloads(result.prepare_stats, client, builder)
    execution = result.execution
    if execution is not None and not (execution.installed or execution.removed):
        result.audited, result.audit_seconds = result.resolved or 0, seconds


def pip_target(
    environment: PythonEnvironment,
    python_version: str | None,
    *,
    no_binary: frozenset[str],
    only_binary: frozenset[str],
) -> TargetEnvironment:
    """What ``pip install``/``pip sync`` resolve for: the environment's interpreter, or with
    ``--python-version X`` X's wheel tags too, as uv's ``--python-version`` (and ``pip
    compile``'s) does: a 3.12 environment resolving for 3.8 picks the ``cp38`` wheel."""
    from ferry.commands.compile_target import compile_target, parse_python_version

    interpreter = environment.interpreter
    version = parse_python_version(python_version) if python_version else None
    return compile_target(
        markers=dict(interpreter.markers),
        tags=interpreter.tags,
        implementation=interpreter.implementation,
        interpreter_version=interpreter.version,
        python_version=version,
        platform=None,
        no_binary=no_binary,
        only_binary=only_binary,
    )


def _format_names(from_files: frozenset[str], from_cli: tuple[str, ...]) -> frozenset[str]:
    """`--no-binary`/`--only-binary` values: names or `:all:`, comma-separable."""
    names: set[str] = set(from_files)
    for value in from_cli:
        for item in value.split(","):
            item = item.strip()
            if item:
                names.add(item if item == ":all:" else canonicalize_name(item))
    return frozenset(names)


def _upgrade_set(request: PipInstallRequest) -> bool | set[str]:
    if request.upgrade:
        return True
    return {canonicalize_name(n) for n in request.upgrade_package}


def _audit(
    request: PipInstallRequest,
    inputs: RequirementInputs,
    environment: PythonEnvironment,
    installed: Sequence[Any],
) -> tuple[int, float] | None:
    """Answer from the environment alone when it already satisfies every requirement."""
    from ferry.install.satisfies import satisfied_set

    if (
        request.upgrade
        or request.upgrade_package
        or request.reinstall
        or request.reinstall_package
        or request.dry_run
        or request.require_hashes
        or inputs.editables
        or inputs.direct
        or inputs.constraints
    ):
        return None
    started = time.perf_counter()
    found = satisfied_set(inputs.requirements, installed, environment.interpreter.markers)
    if found is None:
        return None
    logger.debug("Every requirement is already satisfied by the environment")
    # uv counts the requirements asked for, not what they need ("Checked 2 packages" for
    # `requests idna`).
    return len(inputs.requirements), time.perf_counter() - started


def install_into(environment: PythonEnvironment, requirements: Sequence[str], options: Any) -> None:
    """Install ``requirements`` into ``environment`` quietly (``ferry build``'s isolated envs).

    ``options`` is ``ferry.commands.build.BuildInstallOptions``: global options plus the index
    settings (:class:`~ferry.commands.index_settings.IndexSettings`) the build was given.
    """
    from ferry.commands.lazy_builder import FerryBuildInstaller

    FerryBuildInstaller(options.global_options, options.index).install(requirements, environment)


def seed_packages(environment: PythonEnvironment) -> tuple[str, ...]:
    """What ``--seed`` installs, as uv (and ``python -m venv`` before 3.12) does: pip, and for
    interpreters before 3.12, which still let projects build with setuptools without declaring
    it, setuptools and wheel too."""
    if environment.interpreter.version.release[:2] < (3, 12):
        return ("pip", "setuptools", "wheel")
    return ("pip",)


def seed_environment(
    environment: PythonEnvironment,
    options: GlobalOptions,
    settings: PipInstallRequest | None = None,
) -> InstallResult:
    """Install the seed packages into a fresh environment (``ferry venv --seed``), with the
    index and link options of ``settings`` (what ``ferry venv`` was given)."""
    request = replace(
        settings or PipInstallRequest(),
        packages=seed_packages(environment),
        python=str(environment.root),
    )
    return pip_install(request, options)


__all__ = [
    "InstallResult",
    "PipInstallRequest",
    "install_into",
    "pip_install",
    "pip_target",
    "seed_environment",
    "seed_packages",
    "would_download",
]
