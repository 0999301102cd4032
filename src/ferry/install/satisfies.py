"""Does an environment already satisfy a set of requirements? (the no-op fast path)

``pip install foo`` into an environment that has ``foo`` and everything ``foo`` needs should not
touch the network or run the resolver: uv answers such calls with "Checked N packages", and so
does ferry. The walk follows each installed distribution's ``Requires-Dist`` with the environment's
markers; any missing, mismatched or URL-sourced requirement sends the caller to the resolver.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from ferry.model.names import NormalizedName, canonicalize_name
from ferry.model.pep440_version import Version
from ferry.model.pep508_requirements import InvalidRequirement, Requirement
from ferry.model.requirement_text import requirement_from_text


class InstalledMeta(Protocol):
    @property
    def name(self) -> NormalizedName: ...

    @property
    def version(self) -> Version: ...

    @property
    def requires(self) -> list[str]: ...

    @property
    def direct_url(self) -> dict[str, object] | None: ...


def satisfied_set(
    requirements: Sequence[Requirement],
    installed: Sequence[InstalledMeta],
    markers: Mapping[str, str],
) -> list[InstalledMeta] | None:
    """The installed distributions the requirements reach, or ``None`` if any is unmet."""
    by_name = {d.name: d for d in installed}
    seen: dict[tuple[str, frozenset[str]], InstalledMeta] = {}
    stack: list[tuple[Requirement, frozenset[str]]] = [(r, frozenset({""})) for r in requirements]
    while stack:
        req, parent_extras = stack.pop()
        if req.marker is not None and not any(
            req.marker.evaluate({**markers, "extra": extra}) for extra in parent_extras
        ):
            continue
        if req.url:
            return None
        dist = by_name.get(canonicalize_name(req.name))
        if dist is None or not req.specifier.contains(dist.version, prereleases=True):
            return None
        key = (dist.name, frozenset(req.extras))
        if key in seen:
            continue
        seen[key] = dist
        extras = frozenset({"", *(canonicalize_name(e) for e in req.extras)})
        for text in dist.requires:
            try:
                child = requirement_from_text(text)
            except InvalidRequirement:
                return None
            stack.append((child, extras))
    unique = {d.name: d for d in seen.values()}
    return list(unique.values())
