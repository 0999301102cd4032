"""What the resolver is asked to do (:class:`ResolverOptions`) and for whom
(:class:`TargetEnvironment`).

Both are plain values so a command can build them from flags and a test can build them by hand;
nothing here does I/O. The target is separate from the options because the same options resolve
for different targets (``--python-version``, ``--python-platform``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Literal

from ferry.model.immutable import immutable
from ferry.model.names import NormalizedName
from ferry.model.pep440_version import Version
from ferry.model.value_fields import field

if TYPE_CHECKING:
    from datetime import datetime

PrereleaseMode = Literal[
    "disallow", "allow", "if-necessary", "explicit", "if-necessary-or-explicit"
]
ResolutionMode = Literal["highest", "lowest", "lowest-direct"]

#: The member of a ``no_binary``/``only_binary``/``no_build`` set that means "every package".
ALL = ":all:"


@immutable
class ResolverOptions:
    """Policy knobs, named after uv's flags.

    ``preferences`` are installed or locked versions: each is tried first while it is still allowed,
    unless ``upgrade`` is set or the package is in ``upgrade_packages`` (which unpins only those).
    ``exclude_newer`` hides files uploaded after that instant (files without an upload time too,
    as uv does, since their age cannot be judged). ``allow_yanked_pins`` follows PEP 592: a yanked
    version is usable only when a root requirement or constraint pins it with ``==``/``===``.
    ``index_order`` (index strategy ``unsafe-first-match``) lists the indexes as files name them:
    versions are tried index by index, each index's best first (uv's candidate order).
    """

    prerelease: PrereleaseMode = "if-necessary-or-explicit"
    resolution: ResolutionMode = "highest"
    upgrade: bool = False
    upgrade_packages: frozenset[NormalizedName] = frozenset()
    preferences: Mapping[NormalizedName, Version] = field(default_factory=dict)
    no_deps: bool = False
    exclude_newer: datetime | None = None
    allow_yanked_pins: bool = True
    max_rounds: int = 20_000
    index_order: tuple[str, ...] = ()

    def preferred_version(self, name: NormalizedName) -> Version | None:
        """The version to try first for ``name``, or ``None`` when it is being upgraded."""
        if self.upgrade or name in self.upgrade_packages:
            return None
        return self.preferences.get(name)


@immutable
class TargetEnvironment:
    """The environment the resolution is for.

    ``markers`` is a full PEP 508 marker environment (from interpreter introspection);
    ``python_version`` is the TARGET's Python (``--python-version`` overrides the interpreter's),
    and it wins over the ``python_version``/``python_full_version`` markers. ``tags`` are the
    supported wheel tags as strings, most preferred first. The three sets hold package names or
    ``":all:"``.
    """

    markers: Mapping[str, str]
    tags: Sequence[str]
    python_version: Version
    no_binary: frozenset[str] = frozenset()
    only_binary: frozenset[str] = frozenset()
    no_build: frozenset[str] = frozenset()

    def marker_environment(self, extra: str = "") -> dict[str, str]:
        """The marker environment with the target's Python and the given ``extra`` filled in.

        A bare ``3.12`` target counts as ``3.12.0`` for ``python_full_version``, the same reading
        ``requires-python`` checks use, so markers and requires-python agree.
        """
        env = dict(self.markers)
        release = self.python_version.release
        major, minor = release[0], release[1] if len(release) > 1 else 0
        env["python_version"] = f"{major}.{minor}"
        if len(release) >= 3:
            env["python_full_version"] = str(self.python_version)
        else:
            env["python_full_version"] = f"{major}.{minor}.0"
        env["extra"] = extra
        return env

    def allows_wheels(self, name: NormalizedName) -> bool:
        """False under ``--no-binary`` for ``name`` (a named ``--only-binary`` beats ``:all:``)."""
        if name in self.no_binary:
            return False
        return not (ALL in self.no_binary and name not in self.only_binary)

    def allows_sdists(self, name: NormalizedName) -> bool:
        """False under ``--only-binary``/``--no-build`` for ``name``.

        A named ``--no-binary`` beats a blanket ``:all:``."""
        if name in self.only_binary or name in self.no_build:
            return False
        blanket = ALL in self.only_binary or ALL in self.no_build
        return not (blanket and name not in self.no_binary)
