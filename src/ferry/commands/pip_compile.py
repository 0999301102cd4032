"""``ferry pip compile``: requirements in, a pinned requirements.txt out, as ``uv pip compile``.

Reads the sources (:mod:`compile_inputs`), works out the target without running it
(:mod:`compile_target`), resolves (:mod:`compile_resolve`) and writes uv's format
(:mod:`compile_output`). With ``-o``, the pins already in the output file are preferences, so a
re-compile changes only what must change (``--upgrade``/``--upgrade-package`` lift that).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ferry.commands.compile_entries import file_hashes, make_entries
from ferry.commands.compile_inputs import CompileInputs, Selection, read_compile_inputs
from ferry.commands.compile_output import (
    Entry,
    OutputOptions,
    index_lines,
    render,
)
from ferry.commands.compile_pins import existing_pins, pins_for_target
from ferry.commands.compile_resolve import Resolved, resolve_everywhere, resolve_for_target
from ferry.commands.compile_target import compile_target, parse_platform, parse_python_version
from ferry.commands.input_files import require_files
from ferry.model.errors import InterpreterNotFoundError, UsageError
from ferry.model.exclude_newer import flag_cutoff
from ferry.model.immutable import immutable, mutable
from ferry.model.log import get_logger
from ferry.model.names import NormalizedName, canonicalize_name
from ferry.model.pep508_requirements import Requirement
from ferry.model.settings import GlobalOptions
from ferry.model.value_fields import field
from ferry.resolve.options import ALL, ResolverOptions, TargetEnvironment

if TYPE_CHECKING:
    from ferry.cache.store import Cache
    from ferry.python.interpreter import Interpreter

logger = get_logger(__name__)


@immutable
class PipCompileRequest:
    src_files: tuple[Path, ...] = ()
    output_file: Path | None = None
    constraints: tuple[Path, ...] = ()
    overrides: tuple[Path, ...] = ()
    extra: tuple[str, ...] = ()
    all_extras: bool = False
    group: tuple[str, ...] = ()
    index_url: str | None = None
    extra_index_url: tuple[str, ...] = ()
    find_links: tuple[str, ...] = ()
    no_index: bool = False
    index_strategy: str | None = None
    exclude_newer: str | None = None
    upgrade: bool = False
    upgrade_package: tuple[str, ...] = ()
    pre: bool = False
    prerelease: str = "if-necessary-or-explicit"
    resolution: str = "highest"
    no_deps: bool = False
    python: str | None = None
    python_version: str | None = None
    python_platform: str | None = None
    universal: bool = False
    generate_hashes: bool = False
    no_annotate: bool = False
    no_header: bool = False
    annotation_style: str = "split"
    no_strip_extras: bool = False
    emit_index_url: bool = False
    emit_find_links: bool = False
    no_binary: tuple[str, ...] = ()
    only_binary: tuple[str, ...] = ()
    no_build: bool = False
    no_emit_package: tuple[str, ...] = ()
    emit_index_annotation: bool = False
    custom_compile_command: str | None = None
    """Named by the header instead of ``command`` (pip-tools' and uv's option)."""
    no_progress: bool = False
    """Accepted from uv's command lines; ferry draws no progress bars."""
    command: str = "ferry pip compile"

    @classmethod
    def from_cli(cls, **kwargs: Any) -> PipCompileRequest:
        """The command line's request, completed from the project's settings file as uv's
        (:mod:`ferry.commands.pip_config`)."""
        from ferry.commands.pip_config import with_pip_config

        return with_pip_config(cls(**known_options(cls, kwargs)))


@mutable
class CompileResult:
    text: str = ""
    output_file: Path | None = None
    resolved: int = 0
    resolve_seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)
    """Printed before ``Resolved`` (the interpreter that stands in for ``--python-version``)."""
    diagnostics: list[str] = field(default_factory=list)
    """The resolution's warnings for the user, printed after ``Resolved`` as uv prints them."""


def known_options(cls: type, kwargs: dict[str, Any]) -> dict[str, Any]:
    """The options ``cls`` knows; an option shared with other commands (the index options are
    one list) that this one cannot honour is refused when set, never silently dropped."""
    from ferry.model.value_fields import fields

    names = {f.name for f in fields(cls)}
    for key, value in kwargs.items():
        if key not in names and value not in (None, False, (), ""):
            raise UsageError(f"`--{key.replace('_', '-')}` is not supported by this command")
    return {k: v for k, v in kwargs.items() if k in names}


def find_compile_interpreter(
    cache: Cache, request: PipCompileRequest, warnings: list[str]
) -> Interpreter:
    """The interpreter whose host markers (and, for sdists, builds) the compile uses.

    One of the requested version is preferred; any other will do, with uv's warning, because
    the target's Python is taken from ``--python-version`` and not from the interpreter.
    """
    from ferry.python.discovery import find_interpreter
    from ferry.python.request import PythonRequest

    directory = Path.cwd()
    if request.python:
        return find_interpreter(PythonRequest.parse(request.python), cache, directory=directory)
    if request.python_version:
        try:
            return find_interpreter(
                PythonRequest.parse(request.python_version), cache, directory=directory
            )
        except InterpreterNotFoundError:
            chosen = find_interpreter(None, cache, directory=directory)
            warnings.append(
                f"The requested Python version {request.python_version} is not available; "
                f"{chosen.version} will be used to build dependencies instead."
            )
            return chosen
    return find_interpreter(None, cache, directory=directory)


def _names(values: Sequence[str]) -> frozenset[str]:
    out: set[str] = set()
    for value in values:
        for item in value.split(","):
            item = item.strip()
            if item:
                out.add(ALL if item == ALL else canonicalize_name(item))
    return frozenset(out)


def pip_compile(request: PipCompileRequest, options: GlobalOptions) -> CompileResult:
    if not request.src_files and not request.group:
        raise UsageError(
            "No requirements given",
            hint="name a file: `ferry pip compile requirements.in` or `… pyproject.toml`",
        )
    require_files(request.src_files, request.constraints, request.overrides)
    selection = Selection(request.extra, request.all_extras, request.group)
    options = options.upgrading(request.upgrade, request.upgrade_package)
    result = CompileResult(output_file=request.output_file)
    from ferry.cache.store import Cache
    from ferry.commands.git_pins import git_name_of

    cache = Cache.from_options(options.cache_dir, options.no_cache)
    with cache.shared():
        inputs = read_compile_inputs(
            request.src_files,
            constraints=request.constraints,
            overrides=request.overrides,
            selection=selection,
            name_of=git_name_of(cache, offline=options.offline),  # a bare git URL is fetched
        )
        interpreter = find_compile_interpreter(cache, request, result.warnings)
        packages = _resolve(request, options, cache, interpreter, inputs, result)
    packages, excluded = _without_unemitted(packages, request.no_emit_package)
    result.text = render(packages, _output_options(request, inputs, excluded))
    if request.output_file is not None:
        from ferry.fs.atomic import atomic_write_text

        atomic_write_text(request.output_file, result.text)
    return result


def _without_unemitted(
    entries: list[Entry], no_emit: Sequence[str]
) -> tuple[list[Entry], tuple[str, ...]]:
    """The entries ``--no-emit-package`` leaves in, and uv's footer: each name given (commas
    split it, repeats stay) that the resolution held, in the order given."""
    if not no_emit:
        return entries, ()
    given = [canonicalize_name(item) for value in no_emit
             for item in value.split(",") if item.strip()]
    held = {entry.name for entry in entries}
    skipped = set(given)
    kept = [entry for entry in entries if entry.name not in skipped]
    return kept, tuple(name for name in given if name in held)


def _output_options(
    request: PipCompileRequest, inputs: CompileInputs, excluded: tuple[str, ...] = ()
) -> OutputOptions:
    file_options = inputs.options
    index_url = request.index_url or file_options.index_url
    extra_index_urls = (*request.extra_index_url, *file_options.extra_index_urls)
    find_links = (*request.find_links, *file_options.find_links)
    if request.no_index or file_options.no_index:
        index_url, extra_index_urls = None, ()  # no index was read: none is written (as uv)
    elif request.emit_index_url:
        from ferry.index.default import default_index_url, env_extra_index_urls

        # The indexes the resolution read, the default included, as uv writes them: a later
        # `pip install -r` with another default configured must read the same ones.
        index_url = index_url or default_index_url()
        extra_index_urls = extra_index_urls or env_extra_index_urls()
    if request.emit_find_links and not find_links:
        from ferry.index.default import env_find_links

        find_links = env_find_links()
    return OutputOptions(
        command=request.custom_compile_command or request.command,
        header=not request.no_header,
        annotate=not request.no_annotate,
        annotation_style="line" if request.annotation_style == "line" else "split",
        index_lines=index_lines(
            index_url,
            extra_index_urls,
            find_links,
            emit_index_url=request.emit_index_url,
            emit_find_links=request.emit_find_links,
        ),
        index_annotation=request.emit_index_annotation,
        excluded=excluded,
    )


def _target(request: PipCompileRequest, interpreter: Interpreter,
            inputs: CompileInputs) -> TargetEnvironment:
    platform = parse_platform(request.python_platform) if request.python_platform else None
    return compile_target(
        markers=dict(interpreter.markers),
        tags=interpreter.tags,
        implementation=interpreter.implementation,
        interpreter_version=interpreter.version,
        python_version=(parse_python_version(request.python_version)
                        if request.python_version else None),
        platform=platform,
        no_binary=_names(request.no_binary) | inputs.options.no_binary,
        only_binary=_names(request.only_binary) | inputs.options.only_binary,
        no_build=frozenset({ALL}) if request.no_build else frozenset(),
    )


def _resolve(
    request: PipCompileRequest,
    options: GlobalOptions,
    cache: Cache,
    interpreter: Interpreter,
    inputs: CompileInputs,
    result: CompileResult,
) -> list[Entry]:
    from ferry.commands.index_settings import IndexSettings, index_client
    from ferry.commands.lazy_builder import make_builder
    from ferry.dist.metadata import MetadataService
    from ferry.resolve.provider_index import IndexSource
    from ferry.resolve.source import CoreMetadata, DirectDist

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
        cache, options, index_url=settings.index_url, extra_index_urls=settings.extra_index_urls,
        find_links=settings.find_links, no_index=settings.no_index, strategy=settings.strategy,
        exclude_newer=settings.exclude_newer,
    )
    builder = make_builder(cache, options, settings)
    upgrade = request.upgrade
    pins = [] if upgrade else existing_pins(request.output_file)
    target = _target(request, interpreter, inputs)
    resolver_options = ResolverOptions(
        prerelease="allow" if request.pre or file_options.pre else request.prerelease,  # type: ignore[arg-type]
        resolution=request.resolution,  # type: ignore[arg-type]
        upgrade=upgrade,
        upgrade_packages=frozenset(canonicalize_name(n) for n in request.upgrade_package),
        preferences={} if request.universal else pins_for_target(pins, target),
        no_deps=request.no_deps,
        exclude_newer=settings.exclude_newer,
        index_order=client.config.first_match_order,
    )
    with client:
        service = MetadataService(client, builder, interpreter)
        editables = set(inputs.editables)

        def direct(name: NormalizedName, url: str) -> DirectDist:
            file, data = service.direct(url, editable=name in editables)
            return DirectDist(url=url, metadata=CoreMetadata.from_bytes(data, origin=url),
                              file=file)

        requirements = [s.requirement for s in inputs.requirements]
        build_labels: dict[NormalizedName, str] = {}
        for build in inputs.builds:
            requirement = _build_requirement(build.directory, build.extras, build.all_extras,
                                             direct)
            build_labels[canonicalize_name(requirement.name)] = build.label_for(requirement.name)
            requirements.append(requirement)
        locations = (*client.config.index_urls, *client.config.find_links)
        started = time.perf_counter()
        with IndexSource(client, metadata=service.metadata, direct=direct,
                         locations=locations) as source:
            if request.universal:
                floor = (parse_python_version(request.python_version) if request.python_version
                         else interpreter.version)
                packages, diagnostics = resolve_everywhere(
                    requirements, [s.requirement for s in inputs.constraints],
                    [s.requirement for s in inputs.overrides], source, floor,
                    resolver_options, pins,
                )
            else:
                packages, diagnostics = resolve_for_target(
                    requirements, [s.requirement for s in inputs.constraints],
                    [s.requirement for s in inputs.overrides], source, target,
                    resolver_options, sorted(editables),
                )
            result.diagnostics.extend(diagnostics)
            result.resolve_seconds = time.perf_counter() - started
            packages = [p for p in packages if p.name not in build_labels]
            packages = pinned_git(packages, cache, options.offline)
            result.resolved = len(packages)
            hashes = file_hashes(packages, source, client) if request.generate_hashes else {}
    return make_entries(packages, inputs, target, request.universal, request.no_strip_extras,
                        build_labels, hashes)


def pinned_git(packages: list[Resolved], cache: Cache, offline: bool) -> list[Resolved]:
    """Git references written as the commit they resolved to (as uv), never editable."""
    from ferry.commands.git_pins import precise_url
    from ferry.model.value_fields import replace

    return [replace(p, url=precise_url(cache, p.url, offline=offline), editable=False)
            if p.url and p.url.startswith("git+") else p for p in packages]


def _build_requirement(directory: Path, extras: Sequence[str], all_extras: bool,
                       direct: Any) -> Requirement:
    """The project of a ``setup.py``/``setup.cfg``/dynamic ``pyproject.toml`` as a direct
    requirement (its metadata comes from a build), with the selected extras."""
    from ferry.resolve.source import DirectDist

    url = directory.resolve().as_uri()
    found: DirectDist = direct(canonicalize_name(directory.resolve().name), url)
    metadata = found.metadata
    chosen = sorted(metadata.provides_extra) if all_extras else list(extras)
    for extra in chosen:
        if canonicalize_name(extra) not in metadata.provides_extra:
            raise UsageError(f"Requested extra not found: {extra}")
    text = f"{metadata.name}[{','.join(chosen)}]" if chosen else str(metadata.name)
    return Requirement(f"{text} @ {url}")


__all__ = [
    "CompileResult",
    "PipCompileRequest",
    "known_options",
    "pip_compile",
]
