"""``ferry pip sync``: make an environment hold exactly what a requirements file lists.

As ``uv pip sync``: the file is the whole set, so nothing is resolved beyond it (no
dependencies are added: a dependency missing from the file stays missing), versions that are not
pinned are chosen from the index, two requirements on one package must agree, and everything
installed but not listed is removed — except the seed packages that ``uv pip sync`` leaves
alone too (:func:`kept_seed_packages`). ``--strict`` then checks that what is installed is
consistent and warns about every missing or mismatched dependency.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

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
from ferry.commands.inputs import gather_inputs
from ferry.commands.lazy_builder import make_builder
from ferry.commands.pip_compile import known_options
from ferry.commands.pip_install import InstallResult, pip_target, would_download
from ferry.commands.pipeline import apply_pins, resolve_requirements
from ferry.model.errors import FerryError, UsageError
from ferry.model.exclude_newer import flag_cutoff
from ferry.model.immutable import immutable, mutable
from ferry.model.log import get_logger
from ferry.model.names import canonicalize_name
from ferry.model.settings import GlobalOptions
from ferry.model.value_fields import field
from ferry.python.environment import PythonEnvironment
from ferry.python.pyvenv_cfg import read_pyvenv_cfg
from ferry.resolve.options import ALL, ResolverOptions

if TYPE_CHECKING:
    pass

logger = get_logger(__name__)


@immutable
class PipSyncRequest:
    src_files: tuple[Path, ...] = ()
    constraints: tuple[Path, ...] = ()
    index_url: str | None = None
    extra_index_url: tuple[str, ...] = ()
    find_links: tuple[str, ...] = ()
    no_index: bool = False
    index_strategy: str | None = None
    exclude_newer: str | None = None
    reinstall: bool = False
    reinstall_package: tuple[str, ...] = ()
    pre: bool = False
    prerelease: str = "if-necessary-or-explicit"
    require_hashes: bool = False
    python_version: str | None = None
    no_binary: tuple[str, ...] = ()
    only_binary: tuple[str, ...] = ()
    link_mode: str | None = None
    compile_bytecode: bool = False
    dry_run: bool = False
    strict: bool = False
    allow_empty_requirements: bool = False
    python: str | None = None
    system: bool = False

    @classmethod
    def from_cli(cls, **kwargs: Any) -> PipSyncRequest:
        from ferry.commands.pip_config import with_pip_config

        return with_pip_config(cls(**known_options(cls, kwargs)))


@mutable
class SyncResult(InstallResult):
    checked: int | None = None
    """Set when the environment already matched: how many packages were compared."""
    check_seconds: float = 0.0
    problems: list[str] = field(default_factory=list)
    """``--strict`` findings (uv prints them as warnings; the sync itself succeeded)."""
    empty: bool = False
    """No requirements and no ``--allow-empty-requirements``: nothing was done."""


def _sources(request: PipSyncRequest) -> tuple[list[str], list[Path]]:
    """Requirement strings from ``pyproject.toml`` sources, and the requirements files."""
    packages: list[str] = []
    files: list[Path] = []
    for path in request.src_files:
        if path.name == "pyproject.toml":
            from ferry.commands.compile_inputs import read_compile_inputs

            packages.extend(str(s.requirement) for s in read_compile_inputs([path]).requirements)
        else:
            files.append(path)
    return packages, files


def _names(values: tuple[str, ...]) -> frozenset[str]:
    out = {v.strip() for value in values for v in value.split(",") if v.strip()}
    return frozenset(ALL if v == ALL else canonicalize_name(v) for v in out)


def pip_sync(request: PipSyncRequest, options: GlobalOptions) -> SyncResult:
    if not request.src_files:
        raise UsageError("No requirements files given",
                         hint="`ferry pip sync requirements.txt`")
    require_files(request.src_files, request.constraints)
    packages, files = _sources(request)
    with open_cache(options) as cache:
        inputs = gather_inputs(
            packages=packages,
            requirement_files=files,
            constraint_files=request.constraints,
            require_hashes=request.require_hashes,
            name_of=git_name_of(cache, offline=options.offline),  # a bare git URL is fetched
        )
        result = SyncResult(cache_dir=str(cache.root))
        if not inputs.requirements:
            for path in request.src_files:
                result.warnings.append(
                    f"Requirements file `{path}` does not contain any dependencies"
                )
            if not request.allow_empty_requirements:
                result.empty = True
                return result
        environment = target_environment(cache, request.python, request.system)
        if note := named_environment_note(environment):
            result.environment_note = note
        installed = installed_dists(environment)
        file_options = inputs.options
        settings = IndexSettings(
            index_url=request.index_url or file_options.index_url,
            extra_index_urls=(*request.extra_index_url, *file_options.extra_index_urls),
            find_links=(*request.find_links, *file_options.find_links),
            no_index=request.no_index or file_options.no_index,
            strategy=request.index_strategy or "first-index",
            exclude_newer=flag_cutoff(request.exclude_newer),
        )
        client = index_client(
            cache, options, index_url=settings.index_url,
            extra_index_urls=settings.extra_index_urls, find_links=settings.find_links,
            no_index=settings.no_index, strategy=settings.strategy,
            exclude_newer=settings.exclude_newer,
        )
        builder = make_builder(cache, options, settings)
        with client:
            resolver_options = ResolverOptions(
                prerelease="allow" if request.pre or file_options.pre else request.prerelease,  # type: ignore[arg-type]
                preferences={d.name: d.version for d in installed},
                no_deps=True,
                exclude_newer=settings.exclude_newer,
                index_order=client.config.first_match_order,
            )
            target = pip_target(
                environment,
                request.python_version,
                no_binary=_names(request.no_binary) | file_options.no_binary,
                only_binary=_names(request.only_binary) | file_options.only_binary,
            )
            resolution = resolve_requirements(
                inputs, result, client=client, target=target, options=resolver_options,
                builder=builder, interpreter=environment.interpreter,
            )
            pins = enforce_hashes(resolution.dists, inputs)
            seeds = kept_seed_packages(environment)
            wanted = {pin.name for pin in pins}
            for dist in installed:
                if dist.name in seeds and dist.name not in wanted:
                    logger.debug("Preserving seed package: %s==%s", dist.name, dist.version)
            reinstall: bool | set[str] = (
                True if request.reinstall
                else {canonicalize_name(n) for n in request.reinstall_package}
            )
            started = time.perf_counter()
            apply_pins(
                pins, installed, result, cache=cache, client=client, environment=environment,
                link_mode=request.link_mode, compile=request.compile_bytecode,
                reinstall=reinstall, exact=True, dry_run=request.dry_run, builder=builder,
                refresh=options.refresh, seeds=seeds,
            )
            if request.dry_run:
                result.would_download = would_download(cache, result.to_install)
            execution = result.execution
            if execution is not None and not execution.installed and not execution.removed:
                result.checked = len(pins)
                result.check_seconds = time.perf_counter() - started
        if request.strict and not request.dry_run:
            from ferry.commands.pip_inspect import pip_check

            result.problems = list(
                pip_check(options=options, python=str(environment.root), system=False).problems
            )
    return result


def kept_seed_packages(environment: PythonEnvironment) -> frozenset[str]:
    """The installed packages an exact sync keeps though the file does not name them: uv
    0.13.8's rule, decided by the environment's ``pyvenv.cfg`` as uv decides it.

    An environment uv made without ``--seed`` (a ``uv`` key, no ``seed = true``) keeps nothing,
    pip included. Any other (a ``--seed`` one, ``python -m venv``'s, ferry's, which carries no
    ``uv`` key, a system interpreter) keeps pip and uv, plus setuptools and wheel before Python
    3.12 (from 3.12 ``venv`` and ``ensurepip`` no longer install them)."""
    try:
        cfg = read_pyvenv_cfg(environment.root) if environment.is_venv else {}
    except FerryError:
        cfg = {}
    if "uv" in cfg and cfg.get("seed", "").lower() != "true":
        return frozenset()
    if environment.interpreter.major_minor < (3, 12):
        return frozenset({"pip", "uv", "setuptools", "wheel"})
    return frozenset({"pip", "uv"})


__all__ = ["PipSyncRequest", "SyncResult", "kept_seed_packages", "pip_sync"]
