"""``ferry sync``: make the project environment match the lockfile, exactly as asked.

Flow: discover the project → obtain a fresh lock (or read it with ``--frozen``) → validate or
create the environment (repairing patch-level changes in place) → select the lock's packages for
this interpreter and selection → plan against what is installed → prepare → link → remember the
selection inside the environment.

A no-op sync (the recorded state matches) ends before planning, so everything after that point
(the index client, the preparer, the installer) is imported where it is used.

Which locked packages the environment gets (extras, groups, members, ``--no-install-*``) is
decided in :mod:`ferry.commands.sync_targets`.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING

from ferry.commands.common import installed_dists, open_cache
from ferry.commands.pipeline import PipelineOutcome
from ferry.commands.project_env import ensure_project_environment
from ferry.commands.state_dir import state_lock
from ferry.commands.sync_lock import obtain_lock
from ferry.commands.sync_state import (
    SyncedSelection,
    SyncState,
    lock_hash,
    read_state,
    site_fingerprint,
    write_state,
)
from ferry.commands.sync_targets import target_pins
from ferry.commands.workspace_sync import check_selection, member_versions, resolve_packages
from ferry.model.errors import FilesystemError, UserError
from ferry.model.immutable import immutable, mutable
from ferry.model.log import get_logger
from ferry.model.names import NormalizedName, canonicalize_name
from ferry.model.pep440_specifiers import SpecifierSet
from ferry.model.settings import GlobalOptions
from ferry.model.value_fields import field, replace
from ferry.project.discovery import Project, discover_project

if TYPE_CHECKING:
    from ferry.cache.store import Cache
    from ferry.commands.index_settings import DeferredIndexClient
    from ferry.commands.lazy_builder import LazySourceBuilder
    from ferry.model.dist import PinnedDist
    from ferry.project.lock_model import Lock
    from ferry.project.pyproject import PyProject
    from ferry.python.environment import PythonEnvironment

logger = get_logger(__name__)
# in the workspace root's .ferry/ (see ferry.commands.state_dir): serialises deciding on, and
# creating, the project environment
ENVIRONMENT_LOCK = "environment.lock"


@immutable
class SyncRequest:
    project: Path | None = None
    directory: Path | None = None
    frozen: bool = False
    locked: bool = False
    given_as: str | None = None
    """What asked for ``frozen``/``locked`` (``--frozen``, ``FERRY_LOCKED=1``), as the lock's
    messages name it (see :mod:`ferry.commands.lock_mode`)."""
    extras: tuple[str, ...] = ()
    all_extras: bool = False
    groups: tuple[str, ...] = ()
    only_groups: tuple[str, ...] = ()
    all_groups: bool = False
    no_groups: tuple[str, ...] = ()
    no_dev: bool = False
    no_default_groups: bool = False
    no_extras: tuple[str, ...] = ()
    only_dev: bool = False
    inexact: bool = False
    no_install_project: bool = False
    no_install_workspace: bool = False
    no_install_package: tuple[str, ...] = ()
    no_editable: bool = False
    reinstall: bool = False
    reinstall_package: tuple[str, ...] = ()
    link_mode: str | None = None
    compile_bytecode: bool = False
    python: str | None = None
    active: bool = False
    recreate: bool = False
    upgrade: bool = False
    upgrade_package: tuple[str, ...] = ()
    index_url: str | None = None
    extra_index_url: tuple[str, ...] = ()
    priority_indexes: tuple[str, ...] | None = None
    """Which of ``extra_index_url`` came as ``--index`` (see ``LockRequest``)."""
    find_links: tuple[str, ...] = ()
    no_index: bool = False
    index_strategy: str | None = None
    dry_run: bool = False
    record_selection: bool = True
    """Whether this sync's selection becomes what a plain ``ferry run`` reuses: not for a
    ``run`` given its own ``--extra``/``--no-extra``/``--group``/``--only-dev``/``--no-dev``
    (a one-off, as in uv)."""
    exclude_newer: str | None = None
    package: tuple[str, ...] = ()
    """``--package``: the workspace members to sync (several allowed, as ``uv sync``)."""
    all_packages: bool = False
    script: Path | None = None
    """``--script``: sync this PEP 723 script's environment (:mod:`ferry.commands.sync_script`)
    instead of the project's."""
    resolution: str | None = None
    """``--resolution``, ``--prerelease``, ``--fork-strategy``: how a lock this sync makes
    resolves (a lock made otherwise is re-resolved, as ``ferry lock`` with them does)."""
    prerelease: str | None = None
    fork_strategy: str | None = None

    def __post_init__(self) -> None:
        check_selection(self.package, self.all_packages)

    def selection(self) -> SyncedSelection:
        return SyncedSelection(
            extras=tuple(sorted({canonicalize_name(e) for e in self.extras})),
            all_extras=self.all_extras,
            groups=tuple(sorted({canonicalize_name(g) for g in self.groups})),
            no_default_groups=self.no_default_groups,
            no_groups=tuple(sorted({canonicalize_name(g) for g in self.no_groups}
                                   | ({"dev"} if self.no_dev else set()))),
            only_groups=tuple(sorted({canonicalize_name(g) for g in self.only_groups})),
            only_dev=self.only_dev,
            no_extras=tuple(sorted({canonicalize_name(e) for e in self.no_extras})),
            no_install_project=self.no_install_project,
            no_install_workspace=self.no_install_workspace,
            no_editable=self.no_editable,
            inexact=self.inexact,
        )


@mutable
class SyncResult(PipelineOutcome):
    notes: list[str] = field(default_factory=list)
    audited: int | None = None
    audit_seconds: float = 0.0
    environment: str = ""
    selection: SyncedSelection = field(default_factory=SyncedSelection)
    target_packages: int = 0
    lock_notes: list[str] = field(default_factory=list)
    """What a dry run would do to the lockfile (uv prints it after the `Resolved` line)."""
    dry_run_requested: bool = False
    """``--dry-run``: a no-op is reported as uv reports it (``Would make no changes``)."""
    would_download: int = 0
    """A dry run's count of packages a real sync would fetch or build (``Would download``)."""


@contextmanager
def _creation_lock(workspace_root: Path, environment: Path) -> Iterator[None]:
    """The environment-creation lock, when the project directory can hold it: a read-only
    checkout (a container's source tree owned by another user) syncs as before, unserialised,
    rather than failing on a lock it only needs against parallel syncs."""
    with ExitStack() as stack:
        try:
            stack.enter_context(
                state_lock(workspace_root, ENVIRONMENT_LOCK, f"environment {environment.name}"))
        except FilesystemError as error:
            logger.debug("Creating the environment without the project's lock: %s",
                         error.message)
        yield


def _requires_python(project: Project) -> SpecifierSet | None:
    from ferry.commands.lock import requires_python_of

    return requires_python_of(project)


# VIRTUAL_ENV values already warned about: ``run`` asks for the root twice (uv warns once).
_IGNORED_ACTIVE: set[str] = set()


def _local_builds_changed(pins: list[PinnedDist], environment: PythonEnvironment) -> bool:
    """A local project's ``pyproject.toml`` (or ``setup.py``/``setup.cfg``) changed since it was
    installed: an entry point or a build setting the lock does not see, so plan again."""
    from ferry.install.local_freshness import stale_in

    return bool(stale_in(pins, environment.site_dirs))


def environment_root(project: Project, active: bool) -> Path:
    """The environment a project command targets: the project's, or with ``--active`` the
    active one. An active environment that is not the project's is ignored with uv's warning,
    or a Dockerfile's ``VIRTUAL_ENV=/opt/venv`` silently gets an empty twin under ``.venv``."""
    active_env = os.environ.get("VIRTUAL_ENV")
    if active:
        if not active_env:
            raise UserError("`--active` was given, but no virtual environment is active")
        return Path(active_env).absolute()
    root = project.environment_path
    if active_env and active_env not in _IGNORED_ACTIVE and (
        os.path.realpath(active_env) != os.path.realpath(root)
    ):
        _IGNORED_ACTIVE.add(active_env)
        shown = os.path.relpath(root) if root.absolute().is_relative_to(Path.cwd()) else root
        logger.warning(
            "`VIRTUAL_ENV=%s` does not match the project environment path `%s` and will be "
            "ignored; use `--active` to target the active environment instead",
            active_env,
            shown,
        )
    return root


def _is_exact(
    environment: PythonEnvironment, pins: list[PinnedDist], keep: set[NormalizedName]
) -> bool:
    from ferry.install.plan import SEED_PACKAGES

    wanted = {p.name for p in pins} | keep | SEED_PACKAGES
    return all(d.name in wanted for d in installed_dists(environment))


def sync_project(request: SyncRequest, options: GlobalOptions) -> SyncResult:
    if request.script is not None:
        from ferry.commands.sync_script import sync_script

        return sync_script(request, options)
    project = discover_project(request.directory, project=request.project)
    if request.package and not request.frozen:
        # uv refuses a `--package` that names no member before it locks (nothing is written);
        # under `--frozen` the lock decides (a member only it knows is selected from it)
        resolve_packages(project, request.package, request.all_packages)
    result = SyncResult(dry_run_requested=request.dry_run)
    with open_cache(options) as cache:
        result.cache_dir = str(cache.root)
        lock, text = obtain_lock(project, request, options, cache, result)
        sync_environment(project, lock, text, request, request.selection(), options, cache, result)
    return result


def install_sources(
    request: SyncRequest,
    options: GlobalOptions,
    cache: Cache,
    keyring_provider: str | None,
    pyproject: PyProject | None = None,
) -> tuple[DeferredIndexClient, LazySourceBuilder]:
    """The index client and source builder for installing locked pins: files come by the
    lock's URLs and hashes, so the client is built only if something must be fetched (a sync
    from a warm cache downloads nothing); the indexes are the request's, credentials may come
    from the project's (or script's) ``keyring-provider``. Isolated builds take their
    requirements from ``pyproject``'s indexes too, when it is given (as uv's do)."""
    from ferry.commands.index_settings import (
        DeferredIndexClient,
        IndexSettings,
        index_client,
        with_keyring_setting,
    )
    from ferry.commands.lazy_builder import make_builder

    settings = IndexSettings(
        index_url=request.index_url,
        extra_index_urls=tuple(request.extra_index_url),
        find_links=tuple(request.find_links),
        no_index=request.no_index,
        strategy=request.index_strategy or "first-index",
    )
    client = DeferredIndexClient(
        lambda: index_client(
            cache,
            with_keyring_setting(options, keyring_provider),
            index_url=settings.index_url,
            extra_index_urls=settings.extra_index_urls,
            find_links=settings.find_links,
            no_index=settings.no_index,
            strategy=settings.strategy,
            exclude_newer=None,
        )
    )
    builds = settings
    if pyproject is not None:
        from ferry.commands.lock_indexes import build_index_settings

        builds = build_index_settings(
            pyproject,
            index_url=request.index_url,
            extra_index_urls=request.extra_index_url,
            find_links=request.find_links,
            no_index=request.no_index,
            index_strategy=request.index_strategy,
            priority=request.priority_indexes,
        )
    return client, make_builder(cache, options, builds)


def sync_environment(
    project: Project,
    lock: Lock,
    lock_text: str,
    request: SyncRequest,
    selection: SyncedSelection,
    options: GlobalOptions,
    cache: Cache,
    result: SyncResult,
) -> PythonEnvironment:
    root = environment_root(project, request.active)
    project_names = set(member_versions(project))
    if not selection.packages:
        selection = replace(selection, packages=resolve_packages(
            project, request.package, request.all_packages, lock.manifest.members,
            frozen=request.frozen))
    # One process at a time decides whether the environment is usable and creates or recreates
    # it: ten parallel syncs into a missing .venv would otherwise create it over each other, or
    # recreate one another half-made (deleting the environment lock a creator holds).
    with nullcontext() if request.dry_run else _creation_lock(project.lock_path.parent, root):
        outcome = ensure_project_environment(
            root,
            cache,
            project_dir=project.root,
            python=request.python,
            requires_python=_requires_python(project),
            inexact=selection.inexact,
            recreate=request.recreate,
            keep_names=frozenset({p.name for p in lock.packages} | project_names),
            dry_run=request.dry_run,
        )
    result.notes.extend(outcome.notes)
    environment = outcome.environment
    result.environment = str(environment.root)
    result.selection = selection
    pins, keep = target_pins(
        project,
        lock,
        environment,
        selection,
        all_groups=request.all_groups,
        no_install_package=request.no_install_package,
        no_groups=request.no_groups,
    )
    result.target_packages = len(pins)
    state = read_state(environment.root)
    digest = lock_hash(lock_text)
    fingerprint = site_fingerprint(environment.site_dirs)
    unchanged = (
        state is not None
        and not outcome.hypothetical
        and not request.reinstall
        and not request.reinstall_package
        and replace(state.selection, inexact=selection.inexact) == selection
        and (selection.inexact or not state.selection.inexact)
        and state.lock_hash == digest
        and state.fingerprint == fingerprint
        and state.interpreter == str(environment.interpreter.executable)
        # a re-pointed or repaired interpreter may select other wheels or markers: plan again
        and outcome.repaired is None
        and not _local_builds_changed(pins, environment)
    )
    if unchanged:
        assert state is not None
        logger.debug("The environment matches what was last synced; nothing to do")
        result.audited = state.packages
        return environment
    from ferry.commands.pipeline import apply_pins

    started = time.perf_counter()
    installed = [] if outcome.hypothetical else installed_dists(environment)
    client, builder = install_sources(
        request, options, cache, project.pyproject.tool.keyring_provider, project.pyproject
    )
    from ferry.commands.tree_versions import with_tree_versions

    pins = with_tree_versions(pins, builder, environment.interpreter, known=project_names)
    with client:
        apply_pins(
            pins,
            installed,
            result,
            cache=cache,
            client=client,
            environment=environment,
            link_mode=request.link_mode or project.pyproject.tool.link_mode,
            compile=request.compile_bytecode or project.pyproject.tool.compile_bytecode,
            reinstall=True
            if request.reinstall
            else {canonicalize_name(n) for n in request.reinstall_package},
            exact=not selection.inexact,
            dry_run=request.dry_run,
            keep_extraneous=keep,
            builder=builder,
            refresh=options.refresh,
        )
    if request.dry_run:
        from ferry.commands.sync_dry_run import sync_downloads

        result.would_download = sync_downloads(result.to_install)
    if (
        result.execution is not None
        and not result.execution.installed
        and not (result.execution.removed)
    ):
        result.audited = len(pins)
        result.audit_seconds = time.perf_counter() - started
    if not request.dry_run and request.record_selection:
        # (Unrecorded, the old record's site fingerprint no longer matches: the next command
        # plans again instead of trusting it.)
        recorded = selection
        if selection.inexact and _is_exact(environment, pins, keep):
            # Nothing extraneous was kept: a later exact sync has nothing to remove either.
            recorded = replace(selection, inexact=False)
        write_state(
            environment.root,
            SyncState(
                recorded,
                digest,
                str(environment.interpreter.executable),
                site_fingerprint(environment.site_dirs),
                len(pins),
            ),
        )
    return environment
