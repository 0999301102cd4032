"""The resolving half of ``ferry lock``: from a project to a fresh :class:`Lock`.

Kept apart from :mod:`ferry.commands.lock` so the no-op path (the lock is fresh) imports none of
this: no resolver, no HTTP client. Here the project's declared inputs become a
:class:`~ferry.resolve.universal.UniversalRequest`, packages come through the project's indexes
(memoised and prefetched by :class:`~ferry.resolve.provider_index.IndexSource`), source
distributions are built for their metadata only when an sdist is all a version offers, and the
graph becomes the lock model.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from ferry.cache.store import Cache
from ferry.commands.lock import (
    LockRequest,
    declared_requires_python,
    has_dynamic_dependencies,
    indexes_of,
    requires_python_of,
)
from ferry.commands.lock_bounds import unbounded_transitive, warn_unbounded_direct
from ferry.commands.lock_build import LockBuilder, LockInputs
from ferry.commands.lock_roots import (
    check_supported,
    conflict_keys,
    preferences,
    root_lists,
)
from ferry.commands.lock_routing import RoutedIndex, RoutedSource
from ferry.commands.lock_sources import DirectSources, file_sha256, metadata_of
from ferry.commands.lock_workspace import (
    WorkspaceLockBuilder,
    check_workspace,
    workspace_conflict_keys,
    workspace_root_lists,
)
from ferry.index.client import IndexClient
from ferry.index.errors import NeedsBuild
from ferry.model.dist import FileRef
from ferry.model.errors import InterpreterNotFoundError
from ferry.model.exclude_newer import parse_exclude_newer
from ferry.model.log import get_logger
from ferry.model.names import NormalizedName
from ferry.model.pep440_specifiers import SpecifierSet
from ferry.model.settings import GlobalOptions
from ferry.model.version_sets import specifier_versions
from ferry.project.discovery import Project
from ferry.project.lock_fresh import built_metadata_reason
from ferry.project.lock_model import Lock, LockOptions
from ferry.python.interpreter import Interpreter
from ferry.resolve.options import ResolverOptions
from ferry.resolve.source import CoreMetadata, DirectDist
from ferry.resolve.universal import UniversalRequest, resolve_universal

if TYPE_CHECKING:
    from datetime import datetime

    from ferry.dist.metadata import MetadataService  # builds only: imported when one is needed

logger = get_logger(__name__)


def _preferable(existing: Lock | None, lock_options: LockOptions) -> Lock | None:
    """The lock whose versions and forks the new resolution prefers: not one made with another
    resolution mode or fork strategy (``--resolution lowest`` would otherwise keep the highest
    versions it locked), as uv 0.13.8 ignores it; one made with another pre-release mode still
    is (uv resolves "despite" it)."""
    if existing is None:
        return None
    for label, was, now, default in (
        ("resolution mode", existing.options.resolution_mode, lock_options.resolution_mode,
         "highest"),
        ("fork strategy", existing.options.fork_strategy, lock_options.fork_strategy,
         "requires-python"),
    ):
        if (was or default) != (now or default):
            logger.debug("Ignoring existing lockfile due to change in %s: `%s` vs. `%s`", label,
                         was or default, now or default)
            return None
    return existing


def resolve_lock(
    project: Project,
    request: LockRequest,
    options: GlobalOptions,
    cache: Cache,
    existing: Lock | None,
    lock_options: LockOptions,
    *,
    diagnostics: list[str] | None = None,
) -> Lock:
    """The lock ``pyproject.toml`` asks for. The resolution's warnings for the user (uv's,
    :mod:`ferry.resolve.diagnostics`) are added to ``diagnostics`` for the caller to print
    after ``Resolved``, as uv does; without that list they are logged at once."""
    pyproject = project.pyproject
    check_supported(pyproject)
    if project.workspace is not None:
        check_workspace(project.workspace)
    builds = Builds(project, request, options, cache)
    builds.sources.use_git(cache, options.offline, existing, request.upgrade,
                           request.upgrade_packages)
    requires_python = requires_python_of(project)
    if requires_python is None:
        found = builds.interpreter().version
        requires_python = SpecifierSet(f">={found.major}.{found.minor}")
        logger.debug("no requires-python declared; using %s from the interpreter", requires_python)
    declared_text = declared_requires_python(project)
    preferred = _preferable(existing, lock_options)
    python = specifier_versions(requires_python)
    exclude_newer = cutoff_of(lock_options)
    choice = indexes_of(project, request)
    routed = RoutedIndex(choice, cache, options, exclude_newer)
    builds.routed = routed
    sources = builds.sources
    built = builds.project_metadata() if has_dynamic_dependencies(pyproject) else None
    universal = UniversalRequest(
        project=pyproject.name or "",
        roots=(root_lists(pyproject, sources, choice, built) if project.workspace is None
               else workspace_root_lists(project.workspace, sources, choice)),
        python=python,
        constraints=(*pyproject.tool.constraint_dependencies, *request.constraints),
        overrides=pyproject.tool.override_dependencies,
        conflicts=(conflict_keys(pyproject) if project.workspace is None
                   else workspace_conflict_keys(project.workspace)),
        environments=pyproject.tool.environments,
        initial_forks=(preferred.resolution_markers if preferred and not request.upgrade
                       else ()),
        strategy="fewest" if lock_options.fork_strategy == "fewest" else "requires-python",
        preferences=preferences(preferred, request),
        options=ResolverOptions(
            prerelease=lock_options.prerelease_mode or "if-necessary-or-explicit",  # type: ignore[arg-type]
            resolution=lock_options.resolution_mode or "highest",  # type: ignore[arg-type]
            exclude_newer=exclude_newer,
            index_order=routed.default.config.first_match_order,
        ),
    )
    source = RoutedSource(routed, builds.metadata, builds.direct)
    lowest = lock_options.resolution_mode
    try:
        if lowest in ("lowest", "lowest-direct"):  # uv says so as it starts, before `Resolved`
            warn_unbounded_direct(universal.roots)
        graph = resolve_universal(universal, source)
        reported = list(graph.warnings)
        if lowest == "lowest":
            reported += unbounded_transitive(graph, universal.roots, universal.constraints,
                                             lambda file: source.metadata(file).requires_dist,
                                             script=project.script)
        if diagnostics is None:
            for warning in reported:
                logger.warning("%s", warning)
        else:
            diagnostics.extend(reported)
        inputs = LockInputs(pyproject, declared_text or str(requires_python), python,
                            lock_options, built, local=choice.local)
        if project.workspace is not None:
            return WorkspaceLockBuilder(project.workspace, graph, inputs, source.files_on,
                                        sources).build()
        return LockBuilder(graph, inputs, source.files_on, sources).build()
    finally:
        source.close()
        routed.close()


def dynamic_metadata_reason(
    project: Project, request: LockRequest, options: GlobalOptions, cache: Cache, lock: Lock,
    lock_options: LockOptions,
) -> str | None:
    """Why a lock that looks fresh is not, for a project whose dependencies only its build
    backend knows (``setup.py``'s ``install_requires``, ``dynamic = ["dependencies"]``): uv
    builds the metadata and compares it with ``[package.metadata]``; so does this. The build is
    cached by the tree's contents, so an unchanged project costs a hash of its files, and an
    edited ``setup.py`` is locked instead of rebuilt into the environment behind the lock's back.
    """
    builds = Builds(project, request, options, cache)
    choice = indexes_of(project, request)
    builds.routed = RoutedIndex(choice, cache, options, cutoff_of(lock_options))
    try:
        built = builds.project_metadata()
    finally:
        builds.routed.close()
    return built_metadata_reason(project.pyproject, metadata_of(built), lock)


def cutoff_of(lock_options: LockOptions) -> datetime | None:
    """The upload time after which files are ignored: the recorded moment, or — for a span
    (``exclude-newer = "1 week"``) — that long before now, as uv computes it for each lock."""
    if lock_options.exclude_newer_span:
        return parse_exclude_newer(lock_options.exclude_newer_span).cutoff()
    if not lock_options.exclude_newer:
        return None
    return parse_exclude_newer(lock_options.exclude_newer).cutoff()


class Builds:
    """Metadata for the resolver: from the index, or — for sdist-only versions — from a build,
    whose interpreter and builder are set up only when the first build is needed."""

    def __init__(
        self, project: Project, request: LockRequest, options: GlobalOptions, cache: Cache
    ) -> None:
        self.project = project
        self.request = request
        self.options = options
        self.cache = cache
        self.routed: RoutedIndex | None = None
        self.sources = DirectSources(project.pyproject)
        self._lock = threading.Lock()
        self._interpreter: Interpreter | None = None
        self._builder: object | None = None

    def interpreter(self) -> Interpreter:
        with self._lock:
            if self._interpreter is None:
                from ferry.python.discovery import find_interpreter
                from ferry.python.request import PythonRequest

                wanted = PythonRequest.parse(self.request.python) if self.request.python else None
                try:
                    self._interpreter = find_interpreter(
                        wanted, self.cache, directory=self.project.root,
                        requires_python=requires_python_of(self.project),
                    )
                except InterpreterNotFoundError as error:
                    # Only builds of dependencies' metadata need it: any Python will do.
                    logger.debug("%s; building metadata with another interpreter", error.message)
                    self._interpreter = find_interpreter(
                        wanted, self.cache, directory=self.project.root)
            return self._interpreter

    def metadata(self, file: FileRef) -> bytes:
        assert self.routed is not None
        client = self.routed.client_of(file)
        try:
            return client.fetch_metadata(file)
        except NeedsBuild:
            logger.debug("%s has no wheel to read metadata from; building it", file.filename)
            return self._service(client).metadata(file)

    def direct(self, name: NormalizedName, url: str) -> DirectDist:
        """Metadata of a direct reference (a build for source trees and sdists)."""
        assert self.routed is not None
        client = self.routed.default
        file, data = self._service(client).direct(url, editable=self.sources.editable(url))
        metadata = CoreMetadata.from_bytes(data, origin=url)
        sha256: str | None = None
        if file is not None:
            if url.startswith("file:"):
                sha256 = file_sha256(Path(unquote(urlsplit(url.partition("#")[0]).path)))
            else:
                sha256 = client.download(file).sha256
        self.sources.record(url, metadata, sha256)
        return DirectDist(url=url, metadata=metadata, file=file)

    def project_metadata(self) -> CoreMetadata:
        """The project's own core metadata, from a build (its dependencies are dynamic)."""
        assert self.routed is not None
        root = self.project.root
        logger.debug("building %s to learn its dynamic dependencies", root)
        _, data = self._service(self.routed.default).direct(root.as_uri(), editable=True)
        return CoreMetadata.from_bytes(data, origin=str(root))

    def _service(self, client: IndexClient) -> MetadataService:
        from ferry.commands.lazy_builder import make_builder
        from ferry.commands.lock_indexes import build_index_settings
        from ferry.dist.metadata import MetadataService

        interpreter = self.interpreter()
        with self._lock:
            if self._builder is None:
                settings = build_index_settings(
                    self.project.pyproject,
                    index_url=self.request.index_url,
                    extra_index_urls=self.request.extra_index_urls,
                    find_links=self.request.find_links,
                    no_index=self.request.no_index,
                    index_strategy=self.request.index_strategy,
                    priority=self.request.priority_indexes,
                )
                self._builder = make_builder(self.cache, self.options, settings)
            builder = self._builder
        return MetadataService(client, builder, interpreter)  # type: ignore[arg-type]
