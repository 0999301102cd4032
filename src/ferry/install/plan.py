"""The sync plan: what to add, replace and remove so an environment holds the target set.

Pure data in, data out: the planner never touches the disk, so it is cheap to test and to run on
every no-op ``sync``.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Protocol

from ferry.model.dist import PinnedDist
from ferry.model.git import comparable_url
from ferry.model.immutable import immutable
from ferry.model.names import NormalizedName
from ferry.model.pep440_version import Version
from ferry.model.value_fields import field

# Packages that seed an environment: an exact sync keeps them when the target does not name them,
# as uv does, so `pip` stays usable in a `--seed` environment.
SEED_PACKAGES: frozenset[str] = frozenset({"pip", "setuptools", "wheel"})


class Installed(Protocol):
    """What the planner needs to know of an installed distribution."""

    @property
    def name(self) -> NormalizedName: ...

    @property
    def version(self) -> Version: ...

    @property
    def direct_url(self) -> dict[str, object] | None: ...


@immutable
class Plan:
    install: tuple[PinnedDist, ...] = ()
    """Targets that are missing or must replace an installed version."""
    remove: tuple[Installed, ...] = ()
    """Installed distributions to uninstall (replaced ones and, when exact, extraneous ones)."""
    keep: tuple[Installed, ...] = ()
    reasons: dict[str, str] = field(default_factory=dict)
    """name → why it is (re)installed or removed, for ``-v``."""

    @property
    def is_empty(self) -> bool:
        return not self.install and not self.remove


def _direct_url_of(dist: Installed) -> str | None:
    info = dist.direct_url
    if not info:
        return None
    if "vcs_info" in info:
        from ferry.model.git import url_from_pep610

        return url_from_pep610(info)
    url = info.get("url")
    return url if isinstance(url, str) else None


def _is_editable(dist: Installed) -> bool:
    info = dist.direct_url or {}
    dir_info = info.get("dir_info")
    return isinstance(dir_info, dict) and bool(dir_info.get("editable"))


def _mismatch(target: PinnedDist, have: Installed) -> str | None:
    """Why ``have`` cannot stand in for ``target``; ``None`` when it can."""
    if have.version != target.version:
        return f"installed {have.version}, want {target.version}"
    if target.direct_url is not None:
        if _direct_url_of(have) != comparable_url(target.direct_url):
            return "installed from a different source"
        if _is_editable(have) != target.editable:
            return "editable flag differs"
    elif _direct_url_of(have) is not None:
        return "installed from a direct URL, want the index's distribution"
    return None


def make_plan(
    targets: Sequence[PinnedDist],
    installed: Sequence[Installed],
    *,
    reinstall: bool | Collection[str] = False,
    exact: bool = False,
    keep_extraneous: Collection[str] = (),
    seeds: Collection[str] = SEED_PACKAGES,
) -> Plan:
    """Diff ``targets`` against ``installed``.

    ``reinstall`` may be ``True`` (everything) or a set of names. With ``exact`` every installed
    distribution the target does not name is removed, except ``seeds`` (the packages an exact
    sync leaves alone: ``pip sync`` decides them per environment, as uv does) and
    ``keep_extraneous``.
    """
    by_name: dict[str, list[Installed]] = {}
    for dist in installed:
        by_name.setdefault(dist.name, []).append(dist)
    install: list[PinnedDist] = []
    remove: list[Installed] = []
    keep: list[Installed] = []
    reasons: dict[str, str] = {}
    for target in sorted(targets, key=lambda t: t.name):
        have = by_name.pop(target.name, [])
        forced = reinstall is True or (not isinstance(reinstall, bool) and target.name in reinstall)
        if len(have) == 1 and not forced:
            why = _mismatch(target, have[0])
            if why is None:
                keep.append(have[0])
                continue
            reasons[target.name] = why
        elif forced and have:
            reasons[target.name] = "reinstall requested"
        elif len(have) > 1:
            reasons[target.name] = "several versions installed"
        else:
            reasons[target.name] = "not installed"
        remove.extend(have)
        install.append(target)
    if exact:
        for name, dists in sorted(by_name.items()):
            if name in seeds or name in keep_extraneous:
                keep.extend(dists)
                continue
            reasons[name] = "not in the target set (exact sync)"
            remove.extend(dists)
    else:
        for dists in by_name.values():
            keep.extend(dists)
    return Plan(tuple(install), tuple(remove), tuple(keep), reasons)
