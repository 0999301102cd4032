"""What a resolution produces: the pinned set, who required whom, and which extras were chosen.

The graph is kept as edges carrying the requirement text, because both consumers need the words:
``pip compile``-style ``# via`` annotations and ``ferry tree``.
"""

from __future__ import annotations

from collections.abc import Mapping

from ferry.model.dist import PinnedDist
from ferry.model.immutable import immutable
from ferry.model.names import NormalizedName
from ferry.model.value_fields import field


@immutable
class Dependency:
    """``parent`` (``None`` for the user's own requirements) requires ``child`` by ``requirement``.

    ``parent_extra`` is set when the edge exists only because that extra of the parent was chosen.
    """

    parent: NormalizedName | None
    child: NormalizedName
    requirement: str
    parent_extra: str | None = None


@immutable
class Resolution:
    """The resolved set, sorted by name, with its graph and the extras selected per package."""

    dists: tuple[PinnedDist, ...]
    dependencies: tuple[Dependency, ...] = ()
    extras: Mapping[NormalizedName, frozenset[str]] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()

    def get(self, name: NormalizedName) -> PinnedDist | None:
        for dist in self.dists:
            if dist.name == name:
                return dist
        return None

    def required_by(self, name: NormalizedName) -> list[Dependency]:
        """Edges into ``name``: what pulled it in (for ``# via`` annotations)."""
        return [d for d in self.dependencies if d.child == name]

    def dependencies_of(self, name: NormalizedName | None) -> list[Dependency]:
        """Edges out of ``name`` (``None``: the root requirements), for ``tree``."""
        return [d for d in self.dependencies if d.parent == name]

    def pins(self) -> dict[NormalizedName, str]:
        return {d.name: str(d.version) for d in self.dists}
