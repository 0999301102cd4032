"""Is ``uv.lock`` still a valid resolution of ``pyproject.toml``? (DESIGN §4)

When it is, ``ferry lock`` is a no-op (no resolution, no network) and ``--locked`` passes. The
check compares the declared inputs the lock recorded — ``requires-python``, ``[package.metadata]``
of the project and of local path dependencies, ``[manifest]`` constraints and overrides, conflicts,
environments, resolver options — with what the pyproject declares now. Markers are compared by
meaning, not spelling, so a lock written by uv and checked by ferry (or the reverse) is not judged
stale because one side wrote ``python_version`` and the other ``python_full_version``.

The answer carries a reason when stale, phrased for ``--locked`` errors and ``-v``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ferry.model.immutable import immutable
from ferry.model.log import get_logger
from ferry.model.requires_python import same_pythons
from ferry.model.value_fields import replace
from ferry.project.lock_fresh_options import expected_options, options_reason
from ferry.project.lock_inputs import (
    expected_default_groups,
    expected_manifest_requirements,
    expected_metadata,
)
from ferry.project.lock_model import (
    ConflictItem,
    Lock,
    LockedPackage,
    LockOptions,
    LockRequirement,
    PackageMetadata,
)
from ferry.project.markers import markers_equivalent
from ferry.project.pyproject import PYPROJECT, PyProject, read_pyproject

if TYPE_CHECKING:
    from ferry.project.workspace import Workspace

log = get_logger(__name__)

@immutable
class Freshness:
    """The verdict; truthy when the lock can be used as it is."""

    fresh: bool
    reason: str | None = None

    def __bool__(self) -> bool:
        return self.fresh


_FRESH = Freshness(True)


def _stale(reason: str) -> Freshness:
    log.debug("lock is stale: %s", reason)
    return Freshness(False, reason)


def describe(req: LockRequirement) -> str:
    """A requirement as a user would write it, for messages."""
    text = req.name + (f"[{','.join(req.extras)}]" if req.extras else "")
    text += req.specifier or ""
    for key in ("url", "git", "path", "directory", "editable", "virtual"):
        value = getattr(req, key)
        if value:
            text += f" @ {value}" if key in ("url", "git") else f" ({key} {value})"
    if req.index:
        text += f" (index {req.index})"
    if req.marker:
        text += f" ; {req.marker}"
    return text


def requirements_diff(
    expected: Sequence[LockRequirement], actual: Sequence[LockRequirement]
) -> tuple[list[LockRequirement], list[LockRequirement]]:
    """(declared but not in the lock, in the lock but no longer declared), markers by meaning."""
    remaining = list(actual)
    keys = [_comparable(have) for have in remaining]
    missing = []
    for want in expected:
        key = _comparable(want)
        for index, have in enumerate(remaining):
            if key == keys[index] and markers_equivalent(want.marker, have.marker):
                del remaining[index]
                del keys[index]
                break
        else:
            missing.append(want)
    return missing, remaining


def _comparable(req: LockRequirement) -> LockRequirement:
    """What must agree besides the marker: extras as a set (uv writes them as declared, ferry
    wrote them sorted; uv accepts either, and so does ferry)."""
    return replace(req, marker=None, extras=tuple(sorted(set(req.extras))))


def _diff_reason(
    what: str, expected: Sequence[LockRequirement], actual: Sequence[LockRequirement]
) -> str | None:
    missing, extra = requirements_diff(expected, actual)
    if not missing and not extra:
        return None
    parts = [f"`{describe(r)}` is new" for r in missing[:3]]
    parts += [f"`{describe(r)}` was removed" for r in extra[:3]]
    more = len(missing) + len(extra) - len(parts)
    if more > 0:
        parts.append(f"and {more} more")
    return f"{what} changed: " + ", ".join(parts)


diff_reason = _diff_reason
"""Public name of the requirements comparison (script locks compare their manifest with it)."""


def _markers_reason(what: str, expected: Sequence[str], actual: Sequence[str]) -> str | None:
    left = list(actual)
    for marker in expected:
        match = next((m for m in left if markers_equivalent(marker, m)), None)
        if match is None:
            return f"{what} changed (`{marker}` is not in the lock)"
        left.remove(match)
    if left:
        return f"{what} changed (`{left[0]}` is no longer declared)"
    return None


def built_metadata_reason(pyproject: PyProject, built: PackageMetadata, lock: Lock) -> str | None:
    """A project whose dependencies are dynamic against its lock entry: ``built`` is what its
    build backend says now (the caller builds; this layer does not)."""
    assert pyproject.project is not None
    name = pyproject.project.name
    package = next((p for p in lock.find(name) if p.source.is_local), None)
    if package is None:
        return f"the lock does not contain the project `{name}`"
    expected = replace(built, requires_dev=package.metadata.requires_dev)
    if "optional-dependencies" not in pyproject.project.dynamic:
        expected = replace(expected, provides_extras=package.metadata.provides_extras)
    return _metadata_reason(name, expected, package.metadata, check_dev=False)


def _metadata_reason(
    package: str, expected: PackageMetadata, actual: PackageMetadata, *, check_dev: bool = True
) -> str | None:
    reason = _diff_reason(
        f"the requirements of `{package}`", expected.requires_dist, actual.requires_dist
    )
    if reason:
        return reason
    if set(expected.provides_extras) != set(actual.provides_extras):
        return (
            f"the extras of `{package}` changed (declared: {list(expected.provides_extras)},"
            f" locked: {list(actual.provides_extras)})"
        )
    if not check_dev:
        return None
    want, have = expected.requires_dev_map(), actual.requires_dev_map()
    if set(want) != set(have):
        added = sorted(set(want) - set(have))
        removed = sorted(set(have) - set(want))
        change = ", ".join(
            [f"`{g}` is new" for g in added] + [f"`{g}` was removed" for g in removed]
        )
        return f"the dependency groups of `{package}` changed: {change}"
    for group in sorted(want):
        reason = _diff_reason(
            f"dependency group `{group}` of `{package}`", want[group], have[group]
        )
        if reason:
            return reason
    return None


def _conflicts_reason(pyproject: PyProject, lock: Lock) -> str | None:
    own = pyproject.name or ""
    declared = {
        frozenset(ConflictItem(c.package or own, c.extra, c.group) for c in conflict_set)
        for conflict_set in pyproject.tool.conflicts
    }
    locked = {frozenset(conflict_set) for conflict_set in lock.conflicts}
    if declared != locked:
        return "the declared `conflicts` changed"
    return None


def requires_python_reason(declared: str | None, lock: Lock) -> str | None:
    if declared is None:
        return None
    if not same_pythons(declared, lock.requires_python):
        return (
            f"`requires-python` changed (locked: `{lock.requires_python}`, declared: `{declared}`)"
        )
    return None


def project_reason(pyproject: PyProject, lock: Lock, members: dict[str, Path]) -> str | None:
    if pyproject.project is None:
        want = dict(expected_metadata(pyproject, members).requires_dev)
        have = dict(lock.manifest.dependency_groups)
        if set(want) != set(have):
            return "the dependency groups changed"
        for group in sorted(want):
            if reason := _diff_reason(f"dependency group `{group}`", want[group], have[group]):
                return reason
        return None
    kind = "editable" if pyproject.is_package else "virtual"
    return member_reason(pyproject, lock, members, (kind, "."), pyproject.root)


def member_reason(
    pyproject: PyProject,
    lock: Lock,
    members: dict[str, Path],
    source: tuple[str, str],
    base: Path,
) -> str | None:
    """A project (the root, or a workspace member locked as ``source``) against its package."""
    project = pyproject.project
    assert project is not None
    candidates = [p for p in lock.find(project.name) if p.source.is_local]
    if not candidates:
        return f"the lock does not contain the project `{project.name}`"
    package = candidates[0]
    kind, path = source
    if package.source.kind != kind or package.source.value != path:
        what = {"editable": "a package", "virtual": "virtual"}.get(kind, kind)
        where = "" if path == "." else f" at `{path}`"
        return (
            f"`{project.name}` is now {what}{where}"
            f" (locked as `{package.source.kind} = {package.source.value!r}`)"
        )
    if project.version is not None and package.version != project.version:
        return f"the version of `{project.name}` changed ({package.version} -> {project.version})"
    if lock.revision >= 5 and package.default_groups != expected_default_groups(pyproject):
        return "`default-groups` changed"
    expected = expected_metadata(pyproject, members, base)
    if project.dynamic_dependencies:
        # Only a build could tell what they are; compare what is static (the groups).
        log.debug("`%s` declares dynamic dependencies; checking its groups only", project.name)
        expected = replace(expected, requires_dist=package.metadata.requires_dist)
        if "optional-dependencies" in project.dynamic:
            expected = replace(expected, provides_extras=package.metadata.provides_extras)
    return _metadata_reason(project.name, expected, package.metadata)


def _local_dependency_reason(pyproject: PyProject, package: LockedPackage) -> str | None:
    """A path dependency whose own pyproject changed since the lock was written."""
    directory = (pyproject.root / package.source.value).resolve()
    path = directory / PYPROJECT
    if not path.is_file():
        return None
    other = read_pyproject(path)
    if other.project is None or "dependencies" in other.project.dynamic:
        log.debug("cannot check %s statically (dynamic dependencies); assuming fresh", path)
        return None
    if other.project.version is not None and package.version != other.project.version:
        return (
            f"the version of `{package.name}` changed"
            f" ({package.version} -> {other.project.version})"
        )
    expected = expected_metadata(other)
    return _metadata_reason(
        package.name, expected, package.metadata, check_dev=bool(package.metadata.requires_dev)
    )


def lock_satisfies(
    pyproject: PyProject,
    lock: Lock,
    *,
    options: LockOptions | None = None,
    members: dict[str, Path] | None = None,
    workspace: Workspace | None = None,
) -> Freshness:
    """Whether ``lock`` still resolves ``pyproject`` as declared.

    ``options`` are the resolver options in force (from the command line and settings); by
    default those the pyproject declares. ``members`` maps workspace member names to their
    directories, for ``workspace = true`` sources. With ``workspace`` (whose root ``pyproject``
    is), every member is checked against its package, as one lock serves them all.
    """
    if workspace is not None:
        from ferry.project.lock_fresh_workspace import workspace_satisfies

        return workspace_satisfies(workspace, lock, options)
    members = members or {}
    declared = pyproject.project.requires_python if pyproject.project else None
    return verdict(
        [lambda: requires_python_reason(declared, lock),
         *settings_checks(pyproject, lock, options, members),
         lambda: project_reason(pyproject, lock, members)],
        pyproject, lock, {pyproject.name} if pyproject.name else set(),
    )


def settings_checks(
    pyproject: PyProject, lock: Lock, options: LockOptions | None, members: dict[str, Path]
) -> list[Callable[[], str | None]]:
    """The checks of what the (root) pyproject alone declares for the whole lock."""
    return [
        lambda: _markers_reason(
            "`environments`", pyproject.tool.environments, lock.supported_markers
        ),
        lambda: _markers_reason(
            "`required-environments`", pyproject.tool.required_environments, lock.required_markers
        ),
        lambda: _conflicts_reason(pyproject, lock),
        lambda: options_reason(options or expected_options(pyproject), lock.options),
        lambda: _manifest_reason(pyproject, lock, members),
    ]


def verdict(
    checks: Sequence[Callable[[], str | None]],
    pyproject: PyProject,
    lock: Lock,
    projects: set[str],
) -> Freshness:
    """The first reason ``checks`` give, else that of a path dependency (other than the
    ``projects`` themselves) whose own pyproject changed."""
    for check in checks:
        if reason := check():
            return _stale(reason)
    for package in lock.local_packages():
        if package.name in projects or package.source.kind == "path":
            continue
        if reason := _local_dependency_reason(pyproject, package):
            return _stale(reason)
    return _FRESH


def _manifest_reason(pyproject: PyProject, lock: Lock, members: dict[str, Path]) -> str | None:
    expected = expected_manifest_requirements(pyproject, members)
    for key, actual in (
        ("constraints", lock.manifest.constraints),
        ("overrides", lock.manifest.overrides),
        ("build-constraints", lock.manifest.build_constraints),
    ):
        if reason := _diff_reason(f"the `{key}`", expected[key], actual):
            return reason
    return None
