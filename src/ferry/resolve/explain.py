"""Plain-words explanations of why no resolution exists.

resolvelib reports only the requirements of the last conflict. This module turns them, plus the
history the engine recorded (who required what, which candidates were rejected and why) and the
static knowledge of what the target can use, into PubGrub-style sentences that name the user's own
requirements and the chain leading to the conflict, e.g.::

    Because a==1.0 depends on b>=2 and only b<2 is available, a==1.0 cannot be used.
    And because you require a==1.0, the requirements are unsatisfiable.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ferry.model.errors import ResolutionError
from ferry.model.pep440_specifiers import SpecifierSet
from ferry.model.pep440_version import Version
from ferry.resolve.candidates import (
    OFFLINE_HINT,
    OFFLINE_UNAVAILABLE,
    PackageVersions,
    VersionEntry,
    is_offline_reason,
)
from ferry.resolve.engine import Engine, Recorder
from ferry.resolve.nodes import PYTHON_KEY, UNUSABLE_PREFIX, Candidate, Req, extra_key

HEADLINE = "No solution found when resolving dependencies"
_MAX_LISTED = 5
# The group of a package's candidates that ``--offline`` made unavailable (see ``_offline``).
_OFFLINE_GROUP = "<offline:"

Info = tuple[Req, Candidate | None]


def explain_impossible(exc: Any, engine: Engine, recorder: Recorder) -> ResolutionError:
    """The :class:`ResolutionError` for a ``ResolutionImpossible``."""
    explainer = _Explainer(engine, recorder)
    causes: list[Info] = [(i.requirement, i.parent) for i in exc.causes]
    lines = explainer.explain(causes)
    hint = " ".join(dict.fromkeys(explainer.hints)) or None
    return ResolutionError(HEADLINE, hint=hint, causes=lines)


def explain_too_deep(exc: Any, engine: Engine, recorder: Recorder) -> ResolutionError:
    """The :class:`ResolutionError` for a ``ResolutionTooDeep``: the search gave up."""
    tried = sorted({str(c) for c in recorder.rejected})[:_MAX_LISTED]
    lines = [f"The resolver gave up after {exc.round_count} rounds of backtracking."]
    if tried:
        lines.append("Candidates rejected along the way include: " + ", ".join(tried) + ".")
    return ResolutionError(
        HEADLINE,
        hint="add tighter requirements or constraints for the packages named above",
        causes=lines,
    )


def _join(items: Sequence[str]) -> str:
    items = list(dict.fromkeys(items))
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _statement(req: Req, parent: Candidate | None) -> str:
    if parent is None:
        return f"you require {req}"
    return f"{parent} depends on {req}"


def _statements(infos: Sequence[Info]) -> str:
    """"you require a>=2 and a<2 and c==1.0 depends on a==3": the user's own ones merged."""
    mine = [str(r) for r, p in infos if p is None]
    others = [_statement(r, p) for r, p in infos if p is not None]
    head = [f"you require {_join(mine)}"] if mine else []
    return _join(head + others)


def _plural(detail: str) -> str:
    """The verb of an exclusion detail, agreeing with several versions."""
    verb, _, rest = detail.partition(" ")
    return {"requires": "require", "was": "were", "has": "have"}.get(verb, verb) + " " + rest


def _versions_text(entries: Sequence[VersionEntry]) -> str:
    shown = [str(e.version) for e in entries[:_MAX_LISTED]]
    more = len(entries) - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def _only_available(label: str, spec: SpecifierSet, entries: Sequence[VersionEntry]) -> str:
    """"only b<2 is available" when the specifier is one bound; otherwise list what exists."""
    clauses = list(spec)
    if len(clauses) == 1:
        op, version = clauses[0].operator, clauses[0].version
        flipped = {">=": "<", ">": "<=", "<": ">=", "<=": ">"}.get(op)
        if flipped is not None:
            return f"only {label}{flipped}{version} is available"
        if op in ("==", "===") and not version.endswith(".*"):
            return (f"there is no version {label}=={version} "
                    f"(available: {_versions_text(entries)})")
    return f"no version of {label} matches {spec} (available: {_versions_text(entries)})"


class _Explainer:
    def __init__(self, engine: Engine, recorder: Recorder) -> None:
        self.engine = engine
        self.recorder = recorder
        self.hints: list[str] = []

    # --- the story ---------------------------------------------------------------------------

    def explain(self, causes: Sequence[Info]) -> list[str]:
        groups: dict[str, list[Info]] = {}
        for req, parent in causes:
            key = req.key
            if key.startswith(UNUSABLE_PREFIX) and is_offline_reason(req.reason):
                key = f"{_OFFLINE_GROUP}{req.name}>"  # every such version of a package at once
            group = groups.setdefault(key, [])
            if (req, parent) not in group:
                group.append((req, parent))
        lines: list[str] = []
        for key, infos in groups.items():
            for line in self._group(key, infos):
                if line not in lines:
                    lines.append(line)
        return lines

    def _group(self, key: str, infos: list[Info]) -> list[str]:
        if key.startswith(_OFFLINE_GROUP):
            return [self._offline(infos)]
        reason, culprits = self.reason(key, infos)
        parents = list(dict.fromkeys(p for _, p in culprits if p is not None))
        if not parents:
            return [f"Because {reason}, the requirements are unsatisfiable."]
        verdict = "cannot be used" if len(parents) == 1 else "are incompatible"
        lines = [f"Because {reason}, {_join([str(p) for p in parents])} {verdict}."]
        for parent in parents:
            lines.extend(self._alternatives(parent))
        lines.append(f"And because {self._paths(parents)}, the requirements are unsatisfiable.")
        return lines

    def reason(self, key: str, infos: list[Info]) -> tuple[str, list[Info]]:
        """One clause saying why ``infos`` (requirements on ``key``) cannot all be met, and the
        requirements that clause is about."""
        if key == PYTHON_KEY:
            target = self.engine.target.python_version
            parts = [f"{p} requires Python {r.specifier} but the target is {target}"
                     for r, p in infos]
            self.hints.append("Choose a newer Python (`--python`/`--python-version`) or an older "
                              "version of the package.")
            return _join(parts), infos
        if key.startswith(UNUSABLE_PREFIX):
            if any(is_offline_reason(r.reason) for r, _ in infos):
                self.hints.append(OFFLINE_HINT)
            return _join([r.reason or str(r) for r, _ in infos]), infos
        req0 = infos[0][0]
        label = req0.key if req0.extra is None else extra_key(req0.name, req0.extra)
        urls = list(dict.fromkeys(r.url for r, _ in infos if r.url))
        if len(urls) > 1:
            with_url = [(r, p) for r, p in infos if r.url]
            return (_statements(with_url)
                    + f", and `{label}` cannot come from two different URLs"), with_url
        if not urls:
            versions = self.engine.versions(req0.name)
            if not versions.entries:
                return self._not_found(label, infos), infos
            for req, parent in infos:
                fact = self._no_match(label, req, versions)
                if fact is not None:
                    return f"{_statement(req, parent)} and {fact}", [(req, parent)]
            pair = self._conflicting_pair(infos)
            if pair is not None:
                return _statements(pair) + self._prerelease_note(label, pair, versions), list(pair)
        return self._all_rejected(label, infos), infos

    def _offline(self, infos: list[Info]) -> str:
        """One package's versions that ``--offline`` left unavailable, as uv words it: "Because
        tool==2.0 is not available offline (…) and you require tool>=2, …"."""
        self.hints.append(OFFLINE_HINT)
        versions = list(dict.fromkeys(p for _, p in infos if p is not None))
        if len(versions) <= 1:
            clause = str(infos[0][0].reason)
        else:
            shown = _join([str(c) for c in versions[:_MAX_LISTED]])
            more = len(versions) - _MAX_LISTED
            if more > 0:
                shown = shown.replace(" and ", ", ") + f" and {more} more"
            first = str(infos[0][0].reason).partition(f" {OFFLINE_UNAVAILABLE} ")[2]
            clause = f"{shown} are not available offline (e.g. {first[1:-1]})"
        if not versions:
            return f"Because {clause}, the requirements are unsatisfiable."
        return f"Because {clause} and {self._paths(versions)}, the requirements are unsatisfiable."

    def _not_found(self, label: str, infos: list[Info]) -> str:
        where = list(self.engine.source.locations())
        searched = f" (searched: {', '.join(where)})" if where else ""
        self.hints.append("Check the package name, or the index options (`--index-url`, "
                          "`--extra-index-url`, `--find-links`).")
        return (f"{label} was not found in the package registry{searched} and "
                + _statements(infos))

    def _no_match(self, label: str, req: Req, versions: PackageVersions) -> str | None:
        """Why nothing usable satisfies ``req`` alone, or ``None`` if something does."""
        engine = self.engine
        if engine.matching(req.name, req.extra, [req]):
            return None
        in_range = [e for e in versions.entries if _accepts(req, e.version)]
        if not in_range:
            return _only_available(label, req.specifier, versions.entries)
        excluded = [e for e in in_range if e.exclusion is not None]
        usable = [e for e in in_range if e.exclusion is None]
        if not usable:
            return self._exclusions(label, excluded)
        constraints = engine.constraints.get(req.name, [])
        usable = [e for e in usable
                  if all(c.specifier.contains(e.version, prereleases=True) for c in constraints)]
        if not usable:
            texts = _join([f"`{c}`" for c in constraints])
            return f"your constraints ({texts}) exclude every version of {label} in that range"
        if all(e.version.is_prerelease for e in usable):
            self.hints.append(f"Pre-releases are not allowed here: require `{label}` with a "
                              "pre-release specifier (e.g. `>=1.0b1`) or pass "
                              "`--prerelease allow`.")
            return (f"only pre-releases of {label} match ({_versions_text(usable)}), and "
                    "pre-releases are not allowed")
        return None

    def _exclusions(self, label: str, excluded: Sequence[VersionEntry]) -> str:
        """"b==2.0 requires Python >=3.13 but the target is 3.12"; versions sharing a reason are
        grouped ("18 versions of b (6.0 to 6.1.3) require …")."""
        groups: dict[str, list[VersionEntry]] = {}
        for entry in excluded:
            assert entry.exclusion is not None
            groups.setdefault(entry.exclusion.detail, []).append(entry)
            self._hint_for(entry.exclusion.kind)
        parts = []
        ordered = sorted(groups.items(), key=lambda item: min(e.version for e in item[1]))
        for detail, entries in ordered[:_MAX_LISTED]:
            entries = sorted(entries, key=lambda e: e.version)
            if len(entries) == 1:
                parts.append(f"{label}=={entries[0].version} {detail}")
            elif len(entries) <= 3:
                versions = _join([f"{label}=={e.version}" for e in entries])
                parts.append(f"{versions} {_plural(detail)}")
            else:
                span = f"{entries[0].version} to {entries[-1].version}"
                parts.append(f"{len(entries)} versions of {label} ({span}) {_plural(detail)}")
        suffix = f" but the target is {self.engine.target.python_version}"
        if len(parts) > 1 and all(p.endswith(suffix) for p in parts):
            # "a==2 requires Python >=3.10 and a==3 requires Python >=3.11, but the target is 3.9"
            parts = [p[: -len(suffix)] for p in parts]
            parts[-1] += "," + suffix
        more = len(groups) - len(parts)
        return _join(parts) + (f" (and {more} other reasons exclude more versions)"
                               if more > 0 else "")

    def _hint_for(self, kind: str) -> None:
        if kind == "yanked":
            self.hints.append("A yanked version is used only when you pin it exactly "
                              "(`==`) in your own requirements or constraints.")
        elif kind == "platform" and self.engine.target.tags:
            self.hints.append(f"The target accepts wheels tagged `{self.engine.target.tags[0]}` "
                              f"(and {len(self.engine.target.tags) - 1} more); "
                              "`--python-version` and `--python-platform` choose another target.")
        elif kind == "requires-python":
            self.hints.append("Choose a newer Python (`--python`/`--python-version`) or an "
                              "older version of the package.")

    def _prerelease_note(
        self, label: str, pair: tuple[Info, Info], versions: PackageVersions
    ) -> str:
        """When only pre-releases satisfy both requirements, say that this is the obstacle."""
        both = [e for e in versions.usable()
                if all(_accepts(r, e.version) for r, _ in pair)]
        if not both or not all(e.version.is_prerelease for e in both):
            return ""
        self.hints.append(f"Pre-releases of `{label}` are allowed when your own requirements ask "
                          f"for one (e.g. `{label}>={both[0].version}`) or with "
                          "`--prerelease allow`.")
        return (f", and only pre-releases satisfy both ({_versions_text(both)}), which not every "
                "requirement allows")

    def _conflicting_pair(self, infos: list[Info]) -> tuple[Info, Info] | None:
        engine = self.engine
        for i, (r1, p1) in enumerate(infos):
            for r2, p2 in infos[i + 1:]:
                if not engine.matching(r1.name, r1.extra, [r1, r2]):
                    return (r1, p1), (r2, p2)
        return None

    def _all_rejected(self, label: str, infos: list[Info]) -> str:
        """The requirements agree on some versions, but each of those was ruled out."""
        reqs = [r for r, _ in infos]
        matches = self.engine.matching(reqs[0].name, reqs[0].extra, reqs)
        stated = _statements(infos)
        reasons = []
        for cand in matches[:_MAX_LISTED]:
            recorded = self.recorder.rejected.get(cand)
            if recorded:
                sub_key = recorded[0].requirement.key
                sub, _ = self.reason(sub_key, [(i.requirement, i.parent) for i in recorded])
                reasons.append(f"{cand} cannot be used because {sub}")
        if not reasons:
            return f"{stated}, and no version of {label} satisfies all of these"
        return f"{stated}, and {'; '.join(reasons)}"

    # --- how the culprit was reached --------------------------------------------------------

    def _alternatives(self, parent: Candidate) -> list[str]:
        """Other versions of ``parent``'s package that the user's chain would have accepted, and
        why each was ruled out too (so the story does not suggest just picking another)."""
        chain_reqs = [r for r, p in self.recorder.added.get(parent.key, []) if p is None]
        if not chain_reqs:
            return []
        lines = []
        others = [c for c in self.engine.matching(parent.name, parent.extra, chain_reqs)
                  if c != parent]
        for cand in others[:_MAX_LISTED]:
            recorded = self.recorder.rejected.get(cand)
            if not recorded:
                continue
            sub, _ = self.reason(recorded[0].requirement.key,
                                 [(i.requirement, i.parent) for i in recorded])
            lines.append(f"{cand} cannot be used either, because {sub}.")
        return lines

    def _paths(self, parents: Sequence[Candidate]) -> str:
        """"you require a and c" / "you require c and c==1.0 depends on a>=1", merged."""
        direct: list[str] = []
        chains: list[str] = []
        for parent in parents:
            steps = self._path(parent)
            if steps is None:
                chains.append(f"{parent} is required")
            elif len(steps) == 1:
                direct.append(str(steps[0][0]))
            else:
                chains.append(_join([_statement(r, p) for r, p in steps]))
        head = [f"you require {_join(direct)}"] if direct else []
        return _join(head + chains)

    def _path(self, candidate: Candidate) -> list[Info] | None:
        """How the user's requirements lead to ``candidate``, shortest chain first."""
        frontier: list[tuple[str, list[Info]]] = [(candidate.key, [])]
        seen = {candidate.key}
        while frontier:
            nxt: list[tuple[str, list[Info]]] = []
            for key, chain in frontier:
                for req, parent in self.recorder.added.get(key, []):
                    if parent is None:
                        return [(req, parent), *chain]
                    if parent.key not in seen:
                        seen.add(parent.key)
                        nxt.append((parent.key, [(req, parent), *chain]))
            frontier = nxt
        return None


def _accepts(req: Req, version: Version) -> bool:
    if req.pin is not None:
        return version == req.pin
    return req.specifier.contains(version, prereleases=True)
