"""The resolvelib provider: ferry's packaging rules expressed as resolvelib's four questions.

It knows PEP 440/508 (through ``packaging``), extras, markers, the target, prereleases, yanked
pins, preferences and constraints, and learns everything else from a :class:`PackageSource`.
It also remembers what happened (requirements added, candidates rejected) so ``explain.py`` can
tell the story of a failure afterwards.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from resolvelib import AbstractProvider, BaseReporter

from ferry.model.dist import FileRef
from ferry.model.errors import OfflineError
from ferry.model.log import get_logger
from ferry.model.names import NormalizedName, canonicalize_name
from ferry.model.pep440_specifiers import SpecifierSet
from ferry.model.pep440_version import Version
from ferry.model.pep508_markers import Marker
from ferry.model.pep508_requirements import Requirement
from ferry.model.url import redact
from ferry.resolve.candidates import (
    PackageVersions,
    VersionBuilder,
    index_rank,
    offline_reason,
    python_compatible,
)
from ferry.resolve.diagnostics import missing_extra_warning, unique
from ferry.resolve.nodes import (
    PYTHON_KEY,
    UNUSABLE_PREFIX,
    Candidate,
    Req,
    exact_pin,
    extra_key,
    reqs_from,
    same_url,
)
from ferry.resolve.options import ResolverOptions, TargetEnvironment
from ferry.resolve.source import (
    CoreMetadata,
    DirectDist,
    MetadataError,
    PackageSource,
)

logger = get_logger(__name__)


def marker_true(marker: Marker | None, env: dict[str, str]) -> bool:
    """Evaluate a marker; one that cannot be evaluated (unknown variable) counts as false."""
    if marker is None:
        return True
    try:
        return marker.evaluate(env)
    except Exception as exc:  # packaging raises several unrelated types here
        logger.debug("marker %s cannot be evaluated (%s); treating it as false", marker, exc)
        return False


class Engine(AbstractProvider[Req, Candidate, str]):
    """Answers resolvelib's questions for one resolution. Not thread-safe; the source may be."""

    def __init__(
        self,
        source: PackageSource,
        target: TargetEnvironment,
        options: ResolverOptions,
        roots: Sequence[Requirement],
        constraints: Sequence[Requirement],
    ) -> None:
        self.source = source
        self.target = target
        self.options = options
        self.builder = VersionBuilder(target, exclude_newer=options.exclude_newer,
                                      index_order=options.index_order)
        # unsafe-first-match: candidates are ordered by index, then version (None otherwise)
        self.index_rank = index_rank(options.index_order) if options.index_order else None
        self.env = target.marker_environment("")
        self.python = Candidate(PYTHON_KEY, canonicalize_name("python"), target.python_version)
        self.root_names = {canonicalize_name(r.name) for r in roots}
        self.constraints: dict[NormalizedName, list[Requirement]] = {}
        constraints = [c for c in constraints if marker_true(c.marker, self.env)]
        for c in constraints:
            self.constraints.setdefault(canonicalize_name(c.name), []).append(c)
        self.explicit_prereleases = {canonicalize_name(r.name) for r in (*roots, *constraints)
                                     if r.specifier.prereleases}
        self.yank_pins: dict[NormalizedName, set[Version]] = {}
        if options.allow_yanked_pins:
            for r in (*roots, *constraints):
                pin = exact_pin(r.specifier)
                if pin is not None:
                    self.yank_pins.setdefault(canonicalize_name(r.name), set()).add(pin)
        self._versions: dict[NormalizedName, PackageVersions] = {}
        self._metadata: dict[Candidate, CoreMetadata | str] = {}
        self._direct: dict[tuple[NormalizedName, str], DirectDist] = {}
        self._deps: dict[Candidate, list[Req]] = {}
        self._announced: set[NormalizedName] = set()
        # Prefetch follow-ups (``_Picker.follow``) announce from the source's worker threads.
        self._announce_lock = threading.Lock()
        self._logged: set[NormalizedName] = set()
        self._admits_final: dict[tuple[NormalizedName, SpecifierSet], bool] = {}
        self._only_prereleases: dict[NormalizedName, bool] = {}
        self._accepted: dict[tuple[NormalizedName, int, Version], tuple[SpecifierSet, bool]] = {}
        self._satisfied: dict[tuple[int, int], tuple[Req, Candidate, bool]] = {}

    # --- what the target can use ------------------------------------------------------------

    def versions(self, name: NormalizedName) -> PackageVersions:
        if name not in self._logged:
            built = self._versions.get(name)
            if built is None:
                files = self.source.files(name)
                built = self.builder.build(name, files, self.yank_pins.get(name, ()))
                built = self._versions.setdefault(name, built)
            self._logged.add(name)
            logger.debug("%s: %d versions offered, %d usable for the target", name,
                         len(built.entries), len(built.usable()))
            for entry in [e for e in built.entries if e.exclusion is not None][:5]:
                assert entry.exclusion is not None
                logger.debug("%s==%s skipped: it %s", name, entry.version, entry.exclusion.detail)
        return self._versions[name]

    def direct(self, name: NormalizedName, url: str) -> DirectDist:
        if (name, url) not in self._direct:
            dist = self.source.direct(name, url)
            if dist.metadata.name != name:
                raise MetadataError(
                    f"The direct reference `{name} @ {redact(url)}` is a distribution of "
                    f"`{dist.metadata.name}`, not `{name}`",
                    hint=f"write `{dist.metadata.name} @ {redact(url)}` instead",
                )
            self._direct[(name, url)] = dist
        return self._direct[(name, url)]

    def metadata(self, candidate: Candidate) -> CoreMetadata | str:
        """The candidate's metadata, or a sentence saying why it cannot be used."""
        base = Candidate(candidate.name, candidate.name, candidate.version, None,
                         candidate.file, candidate.url)
        if base not in self._metadata:
            self._metadata[base] = self._load_metadata(base)
        return self._metadata[base]

    def _load_metadata(self, candidate: Candidate) -> CoreMetadata | str:
        if candidate.url is not None:
            return self.direct(candidate.name, candidate.url).metadata
        assert candidate.file is not None
        try:
            meta = self.source.metadata(candidate.file)
        except MetadataError as exc:
            return f"{candidate} has unusable metadata: {exc.message}"
        except OfflineError as exc:
            # --offline: a version the cache cannot answer for is unavailable and the resolver
            # moves on to the next one, as uv does (seed uv#8860), instead of stopping there.
            logger.debug("%s skipped: %s", candidate, exc.message)
            return offline_reason(candidate, exc.message)
        if meta.name != candidate.name or meta.version != candidate.version:
            return (f"{candidate} has inconsistent metadata: {candidate.file.filename} says it is "
                    f"{meta.name}=={meta.version}")
        return meta

    # --- resolvelib's questions ------------------------------------------------------------

    def identify(self, requirement_or_candidate: Req | Candidate) -> str:
        return requirement_or_candidate.key

    def get_preference(
        self,
        identifier: str,
        resolutions: Mapping[str, Candidate],
        candidates: Mapping[str, Iterator[Candidate]],
        information: Mapping[str, Iterator[Any]],
        backtrack_causes: Sequence[Any],
    ) -> tuple[bool, bool, bool, bool, str]:
        infos = list(information[identifier])
        special = identifier == PYTHON_KEY or identifier.startswith(UNUSABLE_PREFIX)
        direct = any(i.requirement.url or i.requirement.pin for i in infos)
        exact = any(exact_pin(i.requirement.specifier) for i in infos)
        causes = {c.requirement.name for c in backtrack_causes}
        causes |= {c.parent.name for c in backtrack_causes if c.parent is not None}
        name = infos[0].requirement.name if infos else identifier
        return (not special, not (direct or exact), name not in causes,
                not any(i.parent is None for i in infos), identifier)

    def find_matches(
        self,
        identifier: str,
        requirements: Mapping[str, Iterator[Req]],
        incompatibilities: Mapping[str, Iterator[Candidate]],
    ) -> list[Candidate]:
        reqs = list(requirements[identifier])
        if identifier == PYTHON_KEY or identifier.startswith(UNUSABLE_PREFIX):
            return self.find(identifier, reqs, ())
        if reqs[0].extra is not None:
            reqs += list(requirements.get(reqs[0].name, ()))
        return self.find(identifier, reqs, tuple(incompatibilities.get(identifier, ())))

    def find(
        self, identifier: str, reqs: Sequence[Req], bad: Sequence[Candidate]
    ) -> list[Candidate]:
        """:meth:`find_matches` on what it reads from resolvelib's views: every requirement
        on ``identifier`` (and, for an extra, on its package), and the candidates known not to
        work."""
        if identifier == PYTHON_KEY:
            return [self.python] if all(self.is_satisfied_by(r, self.python) for r in reqs) else []
        if identifier.startswith(UNUSABLE_PREFIX):
            return []
        found = self.matching(reqs[0].name, reqs[0].extra, reqs)
        if not bad:
            return found
        excluded = set(bad)
        return [c for c in found if c not in excluded]

    def matching(
        self, name: NormalizedName, extra: str | None, reqs: Sequence[Req]
    ) -> list[Candidate]:
        """Candidates for ``name`` (or its ``extra``) that satisfy ``reqs`` and the constraints,
        most preferred first, prerelease policy applied. Ignores resolvelib's incompatibilities."""
        key = name if extra is None else extra_key(name, extra)
        constraints = self.constraints.get(name, [])
        urls = {r.url for r in reqs if r.url} | {c.url for c in constraints if c.url}
        if urls:
            first = next(iter(urls))
            if any(not same_url(first, u) for u in urls):
                return []
            dist = self.direct(name, first)
            cand = Candidate(key, name, dist.metadata.version, extra, dist.file, first)
            ok = all(self.is_satisfied_by(r, cand) for r in reqs) and all(
                c.specifier.contains(cand.version, prereleases=True) for c in constraints)
            return [cand] if ok else []
        entries = [
            e for e in self.versions(name).usable()
            if all(self._accepts(name, r.specifier, r.pin, e.version) for r in reqs)
            and all(self._accepts(name, c.specifier, None, e.version) for c in constraints)
        ]
        lowest = self.options.resolution == "lowest" or (
            self.options.resolution == "lowest-direct" and name in self.root_names)
        entries.sort(key=lambda e: e.version, reverse=not lowest)
        if self.index_rank is not None:
            entries.sort(key=self.index_rank)
        preferred = self.options.preferred_version(name)
        if preferred is not None:
            entries.sort(key=lambda e: e.version != preferred)
        return [Candidate(key, name, e.version, extra, e.file) for e in entries]

    def _accepts(
        self, name: NormalizedName, spec: SpecifierSet, pin: Version | None, version: Version
    ) -> bool:
        """Whether one requirement (specifier or exact pin) admits ``version`` of ``name``.

        A pre-release is admitted when the package is open to pre-releases (``prerelease_open``)
        or when this very requirement asks for one: its specifier names a pre-release
        ("explicit"), or no usable final release satisfies it ("if-necessary"). Judging each
        requirement on its own keeps the answer a pure function of (requirement, version), which
        is what resolvelib needs to backtrack soundly.
        """
        if pin is not None:
            return version == pin
        # Keyed by the specifier object's identity (hashing a SpecifierSet costs more than the
        # check); the entry keeps the object alive, so its id cannot be reused meanwhile.
        key = (name, id(spec), version)
        known = self._accepted.get(key)
        if known is None:
            known = self._accepted[key] = (spec, self._accepts_uncached(name, spec, version))
        return known[1]

    def _accepts_uncached(self, name: NormalizedName, spec: SpecifierSet, version: Version) -> bool:
        if not spec.contains(version, prereleases=True):
            return False
        if not version.is_prerelease or self.prerelease_open(name):
            return True
        mode = self.options.prerelease
        if mode == "disallow":
            return False
        if mode != "if-necessary" and spec.prereleases:
            return True
        if mode == "explicit":
            return False
        key = (name, spec)
        if key not in self._admits_final:
            self._admits_final[key] = any(
                not e.version.is_prerelease and spec.contains(e.version, prereleases=True)
                for e in self.versions(name).usable()
            )
        return not self._admits_final[key]

    def prerelease_open(self, name: NormalizedName) -> bool:
        """Package-wide pre-release policy, fixed for the whole resolution.

        "allow" opens every package; "explicit" opens those whose requirement or constraint from
        the user names a pre-release; "if-necessary" those that publish only pre-releases.
        """
        mode = self.options.prerelease
        if mode in ("allow", "disallow"):
            return mode == "allow"
        if mode != "if-necessary" and name in self.explicit_prereleases:
            return True
        if mode == "explicit":
            return False
        if name not in self._only_prereleases:
            usable = self.versions(name).usable()
            self._only_prereleases[name] = bool(usable) and all(
                e.version.is_prerelease for e in usable)
        return self._only_prereleases[name]

    def is_satisfied_by(self, requirement: Req, candidate: Candidate) -> bool:
        # resolvelib asks this for every requirement of every pinned name on every round: the
        # answer is a pure function of the pair, memoised by identity (the entry keeps both
        # objects alive, so their ids cannot be reused meanwhile).
        key = (id(requirement), id(candidate))
        known = self._satisfied.get(key)
        if known is None:
            known = self._satisfied[key] = (requirement, candidate,
                                            self._satisfied_uncached(requirement, candidate))
        return known[2]

    def _satisfied_uncached(self, requirement: Req, candidate: Candidate) -> bool:
        if requirement.key == PYTHON_KEY:
            return python_compatible(requirement.specifier, candidate.version)
        if requirement.url is not None and (
            candidate.url is None or not same_url(requirement.url, candidate.url)
        ):
            return False
        if requirement.pin is not None:
            return candidate.version == requirement.pin
        if candidate.url is not None:
            return requirement.specifier.contains(candidate.version, prereleases=True)
        return self._accepts(candidate.name, requirement.specifier, None, candidate.version)

    def get_dependencies(self, candidate: Candidate) -> list[Req]:
        if candidate.key == PYTHON_KEY:
            return []
        if candidate not in self._deps:
            deps = self._dependencies(candidate)
            self._deps[candidate] = deps
            self._prefetch(deps)
        return self._deps[candidate]

    def _dependencies(self, candidate: Candidate) -> list[Req]:
        deps: list[Req] = []
        if candidate.extra is not None:
            link = Req(candidate.name, candidate.name, pin=candidate.version, url=candidate.url)
            deps.append(link)
        meta = self.metadata(candidate)
        if isinstance(meta, str):
            return [*deps, Req(f"{UNUSABLE_PREFIX}{candidate}>", candidate.name, reason=meta)]
        if candidate.extra is None and meta.requires_python is not None and not python_compatible(
            meta.requires_python, self.target.python_version
        ):
            deps.append(Req(PYTHON_KEY, candidate.name, specifier=meta.requires_python))
        if self.options.no_deps:
            return deps
        if candidate.extra is None:
            wanted = [r for r in meta.requires_dist if marker_true(r.marker, self.env)]
        else:  # an extra it lacks adds nothing: uv's warning comes from extra_warnings()
            env = self.target.marker_environment(candidate.extra)
            wanted = [r for r in meta.requires_dist if r.marker is not None
                      and marker_true(r.marker, env) and not marker_true(r.marker, self.env)]
        for r in wanted:
            deps.extend(reqs_from(r))
        return deps

    def extra_warnings(self, chosen: Iterable[Candidate]) -> list[str]:
        """uv's warning for each ``pkg[extra]`` among the ``chosen`` candidates (the final
        ones: a version left while backtracking says nothing) whose version lacks the extra;
        none with ``no_deps``, which reads no extras. Not logged: the CLI prints these after
        ``Resolved``, as uv does (:mod:`ferry.resolve.diagnostics`)."""
        if self.options.no_deps:
            return []
        found: list[str] = []
        for candidate in chosen:
            if candidate.extra is None or candidate.key == PYTHON_KEY:
                continue
            meta = self.metadata(candidate)
            if not isinstance(meta, str) and candidate.extra not in meta.provides_extra:
                found.append(missing_extra_warning(candidate.name, candidate.version,
                                                   candidate.extra))
        return unique(found)

    # --- prefetching -------------------------------------------------------------------------

    def announce(self, reqs: Iterable[Req]) -> None:
        """Tell the source which projects will be needed, so it can fetch them in parallel."""
        self._prefetch(list(reqs))

    def _prefetch(self, deps: Sequence[Req]) -> None:
        todo: list[Req] = []
        with self._announce_lock:
            for req in deps:
                name = req.name
                if (req.key == PYTHON_KEY or req.reason is not None or req.url is not None
                        or name in self._announced or name in self._versions):
                    continue
                self._announced.add(name)
                todo.append(req)
        for req in todo:
            self.source.prefetch(req.name, self._picker(req.name, req.specifier))

    def _picker(self, name: NormalizedName, specifier: SpecifierSet) -> _Picker:
        """A function, safe on a worker thread, guessing which file of ``name`` will be needed.

        It builds the project's version table off the resolver's thread and leaves it for
        :meth:`versions` (the result is the same whichever thread builds it).
        """
        lowest = self.options.resolution == "lowest" or (
            self.options.resolution == "lowest-direct" and name in self.root_names)
        return _Picker(self, name, specifier, frozenset(self.yank_pins.get(name, ())), lowest,
                       self.options.preferred_version(name))


class _Picker:
    """The file guess for one prefetched project, and what to prefetch once its metadata is in.

    Prefetching only what the resolver has announced looks one level ahead; a deep tree then
    has its lower levels fetched one by one on the resolver's thread. :meth:`follow` (called by
    the source on a worker thread when the guessed file's metadata arrives) announces the
    file's *unconditional* dependencies: those without a marker are needed in every
    environment whenever the package is, so following them asks nothing that the resolution
    would not ask anyway. Marker-conditional and extra dependencies are left to the resolver.
    """

    def __init__(self, engine: Engine, name: NormalizedName, specifier: SpecifierSet,
                 yanks: frozenset[Version], lowest: bool, preferred: Version | None) -> None:
        self.engine, self.name, self.specifier = engine, name, specifier
        self.yanks, self.lowest, self.preferred = yanks, lowest, preferred

    def __call__(self, files: Sequence[FileRef]) -> FileRef | None:
        table, name = self.engine._versions, self.name
        built = table.get(name)
        if built is None:
            built = table.setdefault(name, self.engine.builder.build(name, files, self.yanks))
        usable = [e for e in built.usable() if self.specifier.contains(e.version, prereleases=True)]
        finals = [e for e in usable if not e.version.is_prerelease] or usable
        if not finals:
            return None
        for e in finals:
            if e.version == self.preferred:
                return e.file
        rank = self.engine.index_rank
        if rank is not None:  # unsafe-first-match: the first index that fits
            first = min(map(rank, finals))
            finals = [e for e in finals if rank(e) == first]
        chosen = min(finals, key=lambda e: e.version) if self.lowest else finals[0]
        return chosen.file

    def follow(self, meta: CoreMetadata) -> None:
        engine = self.engine
        if engine.options.no_deps or (meta.requires_python is not None and not python_compatible(
                meta.requires_python, engine.target.python_version)):
            return
        engine._prefetch([req for r in meta.requires_dist if r.marker is None
                          for req in reqs_from(r)])


class Recorder(BaseReporter[Req, Candidate, str]):
    """Keeps the history explain.py needs: every requirement added and every rejection."""

    def __init__(self) -> None:
        self.added: dict[str, list[tuple[Req, Candidate | None]]] = {}
        self.rejected: dict[Candidate, list[Any]] = {}
        self._seen: set[tuple[Req, Candidate | None]] = set()

    def adding_requirement(self, requirement: Req, parent: Candidate | None) -> None:
        if (requirement, parent) not in self._seen:
            self._seen.add((requirement, parent))
            self.added.setdefault(requirement.key, []).append((requirement, parent))

    def rejecting_candidate(self, criterion: Any, candidate: Candidate) -> None:
        self.rejected[candidate] = list(criterion.information)
        conflict = ", ".join(f"{i.requirement} (from {i.parent or 'you'})"
                             for i in criterion.information)
        logger.debug("rejected %s: it conflicts with %s", candidate, conflict)

    def pinning(self, candidate: Candidate) -> None:
        logger.debug("selected %s", candidate)
