"""``ferry lock``: resolve a project for every platform and Python it supports, into ``uv.lock``.

The order of questions is what keeps the common case instant: ``--frozen`` reads the lock and
stops; a lock that still satisfies ``pyproject.toml`` (same inputs, same settings, same indexes)
is kept without resolving and without a single network request; only then does the universal
resolver run, with the existing lock's versions as preferences so that a re-lock changes nothing
it does not have to. ``--locked`` turns "the lock would change" into an error; ``--dry-run``
resolves as usual and reports what would change, writing nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from ferry.commands.index_names import project_with_named_indexes
from ferry.commands.lock_indexes import IndexChoice, choose_indexes
from ferry.model.choices import PRERELEASE_MODES, RESOLUTIONS
from ferry.model.errors import FerryError, UsageError, UserError
from ferry.model.exclude_newer import exclude_newer_flag
from ferry.model.immutable import immutable, mutable
from ferry.model.log import get_logger
from ferry.model.names import canonicalize_name
from ferry.model.pep440_specifiers import InvalidSpecifier, SpecifierSet
from ferry.model.pep508_requirements import Requirement
from ferry.model.requires_python import lock_requires_python
from ferry.model.settings import GlobalOptions
from ferry.model.url import strip_credentials
from ferry.model.value_fields import field, replace
from ferry.project.discovery import Project
from ferry.project.lock_fresh import lock_satisfies
from ferry.project.lock_fresh_options import expected_options
from ferry.project.lock_model import Lock, LockOptions
from ferry.project.lockfile import UnsupportedLockVersionError, dump_lock, parse_lock
from ferry.project.toml_read import display_path

if TYPE_CHECKING:
    from ferry.cache.store import Cache
    from ferry.project.pyproject import PyProject

logger = get_logger(__name__)

LOCK_NAME = "uv.lock"
_FORK_STRATEGIES = ("requires-python", "fewest")


@immutable
class LockRequest:
    """What ``ferry lock`` (or a command that locks first) was asked to do."""

    locked: bool = False
    frozen: bool = False
    upgrade: bool = False
    upgrade_packages: tuple[str, ...] = ()
    resolution: str | None = None
    prerelease: str | None = None
    fork_strategy: str | None = None
    exclude_newer: str | None = None
    index_url: str | None = None
    extra_index_urls: tuple[str, ...] = ()
    priority_indexes: tuple[str, ...] | None = None
    """Which of ``extra_index_urls`` came as ``--index`` (searched before the project's
    indexes, as uv does; the rest after them). ``None``: not known, all before."""
    find_links: tuple[str, ...] = ()
    no_index: bool = False
    index_strategy: str | None = None
    """``--index-strategy``; ``None``: the project's ``index-strategy`` (else first-index)."""
    python: str | None = None
    constraints: tuple[Requirement, ...] = ()
    """Constraints for this resolution only, recorded nowhere (``ferry add -c``, as uv)."""
    dry_run: bool = False
    """Resolve and report the changes (uv's ``Add``/``Update``/``Remove``), never write."""
    given_as: str | None = None
    """What asked for ``locked``/``frozen`` (``--check``, ``FERRY_FROZEN=1``), as the messages
    name it; ``None``: ``--locked``/``--frozen``."""

    def mode_flag(self) -> str:
        """The flag (or variable) that made this run ``--locked`` or ``--frozen``."""
        return self.given_as or ("--frozen" if self.frozen else "--locked")


@mutable
class LockOutcome:
    """The lock in force afterwards and what it took; ``reason`` says why it was re-resolved."""

    lock: Lock
    written: bool
    resolved: int | None
    seconds: float
    reason: str | None = None
    changes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    diagnostics: list[str] = field(default_factory=list)
    """The resolution's warnings for the user (uv's), printed after ``Resolved`` as uv does."""


def run_lock(
    directory: Path | None, request: LockRequest, options: GlobalOptions,
    discovered: Project | None = None,
) -> LockOutcome:
    """``ferry lock`` as the CLI runs it: find the project (``--project`` or walking up from the
    working directory; ``discovered`` when the caller found it already) and lock it; the cache
    is opened only if resolving is needed."""
    from ferry.project.discovery import discover_project

    if request.locked and request.frozen:
        raise UsageError("`--locked` and `--frozen` cannot be used together")
    project = discovered or discover_project(project=directory)
    return _lock(project, request, options, None)


def run_script_lock(script: Path, request: LockRequest, options: GlobalOptions) -> LockOutcome:
    """``ferry lock --script``; a dry run resolves without writing ``SCRIPT.lock`` and reports
    the changes against the lock on disk, as for a project."""
    from ferry.commands.script_lock import lock_script, read_script_lock

    if not request.dry_run or request.frozen:
        return lock_script(script, request, options, keep_diagnostics=True)
    existing, _, _ = read_script_lock(script, strict=request.locked)
    outcome = lock_script(script, request, options, write=False, keep_diagnostics=True)
    if outcome.reason is not None:  # re-resolved: the changes against what is on disk
        outcome.changes = describe_changes(existing, outcome.lock, dry_run=True)
    return outcome


def lock_project(
    project: Project, request: LockRequest, options: GlobalOptions, cache: Cache, *,
    keep_diagnostics: bool = False,
) -> LockOutcome:
    """Make ``uv.lock`` satisfy ``pyproject.toml`` (see the module docstring).

    The callers (``sync``, ``run``, ``add``, ``remove``, ``export``) print no lock outcome, so
    a damaged lock that is about to be replaced is reported here, as a logged warning: a lock
    is never rewritten without a word (RELIABILITY A3). So are the resolution's warnings,
    unless the caller prints them itself after its ``Resolved`` line (``keep_diagnostics``:
    they stay on the outcome), where uv prints them."""
    outcome = _lock(project, request, options, cache, log_warnings=True)
    if not keep_diagnostics:
        for warning in outcome.diagnostics:
            logger.warning("%s", warning)
        outcome.diagnostics = []
    return outcome


def _lock(
    project: Project,
    request: LockRequest,
    options: GlobalOptions,
    cache: Cache | None,
    *,
    log_warnings: bool = False,
) -> LockOutcome:
    options = options.upgrading(request.upgrade, request.upgrade_packages)
    started = time.perf_counter()
    project = project_with_named_indexes(project, request.index_url, request.extra_index_urls)
    path = project.lock_path
    existing, text, warnings = _read_existing(path, strict=request.frozen or request.locked)
    if log_warnings:
        for warning in warnings:
            logger.warning("%s", warning)
        warnings = []
    if existing is None and (request.frozen or request.locked):
        raise missing_lock_error(LOCK_NAME, request.mode_flag())
    if request.frozen:
        assert existing is not None
        return LockOutcome(existing, False, len(existing.packages),
                           time.perf_counter() - started, warnings=warnings)
    lock_options = options_in_force(project, request)
    reason = _staleness(project, existing, lock_options, request)
    if reason is None and existing is not None and _dynamic_dependencies(project):
        from ferry.commands.lock_resolve import dynamic_metadata_reason

        with _cache_for(options, cache) as usable:
            reason = dynamic_metadata_reason(project, request, options, usable, existing,
                                             lock_options)
    if reason is None and options.refresh:
        # as uv: a refresh re-resolves a fresh lock (its versions stay preferred)
        reason = options.refresh.reason()
    if reason is None and existing is not None:
        logger.debug("%s satisfies pyproject.toml; nothing to resolve", LOCK_NAME)
        return LockOutcome(existing, False, len(existing.packages),
                           time.perf_counter() - started, warnings=warnings)
    logger.debug("locking because %s", reason)
    from ferry.commands.lock_resolve import resolve_lock

    diagnostics: list[str] = []
    with _cache_for(options, cache) as usable:
        lock = resolve_lock(project, request, options, usable, existing, lock_options,
                            diagnostics=diagnostics)
    new_text = dump_lock(lock)
    if request.locked and new_text != text:
        raise stale_lock_error(LOCK_NAME, "ferry lock", reason, request.mode_flag(),
                               resolved=lock, started=started, diagnostics=diagnostics)
    if request.dry_run:
        return LockOutcome(lock, False, len(lock.packages), time.perf_counter() - started,
                           reason, describe_changes(existing, lock, dry_run=True), warnings,
                           diagnostics)
    from ferry.project.lockfile import write_lock

    written = write_lock(path, lock, text=new_text)
    changes = describe_changes(existing, lock) if existing is not None else []
    return LockOutcome(lock, written, len(lock.packages), time.perf_counter() - started,
                       reason, changes, warnings, diagnostics)


def has_dynamic_dependencies(pyproject: PyProject) -> bool:
    """Its dependencies (or extras) are known only to its build backend."""
    return pyproject.project is not None and pyproject.project.dynamic_dependencies


def _dynamic_dependencies(project: Project) -> bool:
    """A lone packaged project whose dependencies only a build tells (a workspace refuses such
    members, so only a lone project is asked)."""
    return (project.workspace is None and project.pyproject.is_package
            and has_dynamic_dependencies(project.pyproject))


@contextmanager
def _cache_for(options: GlobalOptions, cache: Cache | None) -> Iterator[Cache]:
    """``cache``, or the one ``options`` name, opened only now that it is needed."""
    if cache is not None:
        yield cache
        return
    from ferry.commands.common import open_cache

    with open_cache(options) as opened:
        yield opened


def missing_lock_error(name: str, flag: str) -> UserError:
    """``--locked``/``--frozen`` (or ``--check``, ``FERRY_FROZEN=1``…) without a lock: uv's
    words, its second sentence as the hint; refused before any resolution (uv does too)."""
    return UserError(
        f"Unable to find lockfile at `{name}`, but `{flag}` was provided.",
        hint="To create a lockfile, run `ferry lock` or `ferry sync` without the flag.",
    )


def frozen_warning(name: str, flag: str) -> str:
    """What ``uv lock --frozen`` says instead of ``Resolved …``: the lock was only parsed."""
    return (f"The lockfile at `{name}` was only checked for validity, not whether it is "
            f"up-to-date, because `{flag}` was provided; use `--check` instead")


class StaleLockError(UserError):
    """``--locked`` met a lock that would change, found by resolving: uv prints that
    resolution's ``Resolved N packages`` line and its warnings before the error, and so does
    the CLI from ``resolved``, ``seconds`` and ``diagnostics`` (``resolved`` is ``None`` when
    nothing was resolved). ``resolved_line`` is cleared by a command that prints no
    ``Resolved`` line (``run``: uv prints only the warnings there)."""

    def __init__(self, message: str, *, hint: str, resolved: int | None = None,
                 seconds: float = 0.0, diagnostics: Sequence[str] = ()) -> None:
        super().__init__(message, hint=hint)
        self.resolved = resolved
        self.seconds = seconds
        self.diagnostics = list(diagnostics)
        self.resolved_line = True


def stale_lock_error(
    name: str, command: str, reason: str | None, flag: str = "--locked", *,
    resolved: Lock | None = None, started: float = 0.0, diagnostics: Sequence[str] = (),
) -> StaleLockError:
    """``--locked`` met a lock that would change: uv's message, and its hint naming the ferry
    command that updates the lock, led by what made the lock stale (uv keeps that for ``-v``;
    it is the first thing one wants to know). ``resolved`` is the lock the resolution begun
    at ``started`` (``time.perf_counter()``) gave, with its ``diagnostics``."""
    fix = f"run `{command}`"
    return StaleLockError(
        f"The lockfile at `{name}` needs to be updated, but `{flag}` was provided.",
        hint=f"{reason[:1].upper()}{reason[1:]}; to update the lockfile, {fix}."
        if reason else f"To update the lockfile, {fix}.",
        resolved=None if resolved is None else len(resolved.packages),
        seconds=time.perf_counter() - started if resolved is not None else 0.0,
        diagnostics=diagnostics,
    )


def _read_existing(
    path: Path, *, strict: bool, name: str = LOCK_NAME
) -> tuple[Lock | None, str | None, list[str]]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, None, []
    try:
        return parse_lock(text, path), text, []
    except UnsupportedLockVersionError:
        raise  # a newer tool's lock is never rewritten (RELIABILITY A4)
    except FerryError as error:
        if strict:
            raise
        reason = error.message.removeprefix(f"Failed to parse `{display_path(path)}`: ")
        return None, text, [
            f"Ignoring the existing lockfile `{name}`, which cannot be read ({reason}); "
            "resolving from scratch to replace it"
        ]


def _staleness(
    project: Project, existing: Lock | None, lock_options: LockOptions, request: LockRequest
) -> str | None:
    if existing is None:
        return f"there is no `{LOCK_NAME}` yet"
    if request.upgrade:
        return "`--upgrade` was given"
    if request.upgrade_packages:
        return "`--upgrade-package` was given"
    fresh = lock_satisfies(project.pyproject, existing, options=lock_options,
                           workspace=project.workspace)
    if not fresh:
        return fresh.reason
    return _index_reason(project, existing, request)


def _index_reason(project: Project, existing: Lock, request: LockRequest) -> str | None:
    """A registry in the lock that the configuration no longer names (checked without asking
    pip for its default index unless the lock names an index nothing else explains)."""
    registries = {p.source.value for p in existing.packages if p.source.kind == "registry"}
    if not registries:
        return None
    known = _configured(project, request, with_default=False)
    if not known.unconfigured(registries):
        return None
    everything = _configured(project, request, with_default=True)
    stray = everything.unconfigured(registries)
    if stray:
        now = everything.spelled_otherwise(stray[0], project.pyproject.root)
        if now is not None:
            return (f"the lock names the local index `{stray[0]}`, configured now as "
                    f"`{now}` (the lock keeps a local index's path relative or absolute, as "
                    "it is given)")
        return f"the lock uses the index `{stray[0]}`, which is no longer configured"
    return None


def _configured(project: Project, request: LockRequest, *, with_default: bool) -> IndexChoice:
    def no_default() -> str:
        return ""

    return indexes_of(project, request, default=None if with_default else no_default)


def indexes_of(
    project: Project, request: LockRequest, *, default: Callable[[], str] | None = None
) -> IndexChoice:
    """The indexes a lock of ``project`` searches, from its settings and the request's flags
    (``default``: what stands in for pip's default index, when not the real one)."""
    return choose_indexes(
        project.pyproject,
        index_url=request.index_url,
        extra_index_urls=request.extra_index_urls,
        find_links=request.find_links,
        no_index=request.no_index,
        index_strategy=request.index_strategy,
        default=default,
        workspace=project.workspace,
        priority=request.priority_indexes,
    )


def options_in_force(project: Project, request: LockRequest) -> LockOptions:
    """``[options]`` as this run would record them: the pyproject's, overridden by flags."""
    declared = expected_options(project.pyproject)
    if request.resolution is not None and request.resolution not in RESOLUTIONS:
        raise UsageError(f"Unknown resolution strategy `{request.resolution}`",
                         hint=f"choose one of: {', '.join(RESOLUTIONS)}")
    if request.prerelease is not None and request.prerelease not in PRERELEASE_MODES:
        raise UsageError(f"Unknown prerelease strategy `{request.prerelease}`",
                         hint=f"choose one of: {', '.join(PRERELEASE_MODES)}")
    if request.fork_strategy is not None and request.fork_strategy not in _FORK_STRATEGIES:
        raise UsageError(f"Unknown fork strategy `{request.fork_strategy}`",
                         hint=f"choose one of: {', '.join(_FORK_STRATEGIES)}")
    resolution = request.resolution or declared.resolution_mode
    prerelease = request.prerelease or declared.prerelease_mode
    fork_strategy = request.fork_strategy or declared.fork_strategy
    exclude_newer = declared.exclude_newer
    span = declared.exclude_newer_span
    if request.exclude_newer:
        flag = exclude_newer_flag(request.exclude_newer)
        exclude_newer, span = flag.timestamp, flag.span
    return replace(
        declared,
        resolution_mode=None if resolution == "highest" else resolution,
        prerelease_mode=None if prerelease == "if-necessary-or-explicit" else prerelease,
        fork_strategy=None if fork_strategy == "requires-python" else fork_strategy,
        exclude_newer=exclude_newer,
        exclude_newer_span=span,
    )


def declared_requires_python(project: Project) -> str | None:
    """The project's ``requires-python`` as the lock records it (uv's spelling); a
    workspace's is the intersection of its members'; a PEP 723 script's is its text."""
    if project.workspace is not None:
        return project.workspace.requires_python()
    table = project.pyproject.project
    if table is None or not table.requires_python:
        return None
    if project.script:  # uv copies a script's text as it is, and does not warn
        return table.requires_python
    return lock_requires_python([(table.name, table.requires_python)])


def requires_python_of(project: Project) -> SpecifierSet | None:
    declared = declared_requires_python(project)
    if declared is None:
        return None
    try:
        return SpecifierSet(declared)
    except InvalidSpecifier:
        return None


def describe_changes(old: Lock | None, new: Lock, *, dry_run: bool = False) -> list[str]:
    """uv's summary lines: ``Updated x v1 -> v2``, ``Added x v1``, ``Removed x v1``. A git
    package's version carries its commit's first eight digits, so a branch that moved shows
    even when the version did not: ``Updated x v1.0 (30d8d613) -> v1.0 (e3f06541)``. A dry
    run says what would happen (``Update``, ``Add``, ``Remove``); without an old lock, every
    package (the project too) is an ``Add``."""
    updated, added, removed = ("Update", "Add", "Remove") if dry_run else (
        "Updated", "Added", "Removed")

    def versions(lock: Lock | None) -> dict[str, list[str]]:
        table: dict[str, list[str]] = {}
        for package in lock.packages if lock is not None else ():
            if package.version is not None:
                label = package.version
                if package.source.kind == "git":
                    label += f" ({package.source.value.rpartition('#')[2][:8]})"
                table.setdefault(package.name, []).append(label)
        return table

    before, after = versions(old), versions(new)
    lines: list[str] = []
    for name in sorted(set(before) | set(after)):
        was, now = sorted(set(before.get(name, []))), sorted(set(after.get(name, [])))
        if was == now:
            continue
        if len(was) == 1 and len(now) == 1:
            lines.append(f"{updated} {name} v{was[0]} -> v{now[0]}")
            continue
        lines += [f"{removed} {name} v{v}" for v in was if v not in now]
        lines += [f"{added} {name} v{v}" for v in now if v not in was]
    return lines


def registry_of(url: str) -> str:
    return strip_credentials(url)


def canonical_packages(names: tuple[str, ...]) -> frozenset[str]:
    return frozenset(canonicalize_name(n) for n in names)
