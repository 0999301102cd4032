"""Which locked packages one environment needs: the lock's selection for an interpreter.

A universal lock lists every package any platform or Python might need; ``sync`` installs the
subset reachable from the project's roots (its dependencies, the chosen extras and groups) whose
markers hold for *this* interpreter, and for each picks the best wheel for its tags. No network,
no resolver: this is what makes a frozen sync fast and reproducible.

Markers of a conflict-aware lock mention ``extra == 'extra-<n>-<pkg>-<extra>'`` and
``group == 'group-<n>-<pkg>-<group>'`` (uv's encoding); they are evaluated with set semantics
against the selected extras and groups, which ``packaging`` cannot do on its own.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

from ferry.model.dist import FileRef, Hashes, PinnedDist
from ferry.model.errors import UserError
from ferry.model.immutable import immutable
from ferry.model.names import NormalizedName, canonicalize_name
from ferry.model.pep440_version import Version
from ferry.model.pep508_markers import Marker, Op, Value, Variable
from ferry.project.lock_local import locked_file
from ferry.project.lock_model import Lock, LockDependency, LockedPackage, LockWheel, PackageId
from ferry.project.lock_select_conflicts import check_activated, check_requested


@immutable
class Selection:
    """What the user asked to sync: extras and dependency groups of the root packages."""

    extras: frozenset[str] = frozenset()
    groups: frozenset[str] = frozenset()
    all_extras: bool = False
    include_project_deps: bool = True
    """False for ``--only-group``: the project's own dependencies are left out."""
    default_groups: frozenset[str] = frozenset()
    """Those of ``groups`` enabled only as defaults (named so in a conflict error)."""
    no_extras: frozenset[str] = frozenset()
    """``--no-extra``: never chosen, whatever ``extras``/``all_extras`` say (uv's rule)."""


@immutable
class SelectedPackage:
    package: LockedPackage
    pin: PinnedDist | None
    """``None`` for virtual packages (nothing to install)."""


def conflict_extra(package: str, extra: str) -> str:
    return f"extra-{len(package)}-{package}-{extra}"


def conflict_group(package: str, group: str) -> str:
    return f"group-{len(package)}-{package}-{group}"


@lru_cache(maxsize=4096)
def _atom_marker(lhs: str, op: str, rhs: str, swapped: bool) -> Marker:
    text = f'"{rhs}" {op} {lhs}' if swapped else f'{lhs} {op} "{rhs}"'
    return Marker(text)


Sets = Mapping[str, set[str]]


def _eval_atom(atom: tuple[Any, Any, Any], env: Mapping[str, str], sets: Sets) -> bool:
    lhs, op, rhs = atom
    if isinstance(lhs, Variable) and isinstance(rhs, Value):
        variable, value, swapped = lhs.value, rhs.value, False
    elif isinstance(rhs, Variable) and isinstance(lhs, Value):
        variable, value, swapped = rhs.value, lhs.value, True
    else:  # pragma: no cover - packaging never produces this
        return False
    assert isinstance(op, Op)
    if variable in sets:
        members = sets[variable]
        if op.value == "==":
            return value in members
        if op.value == "!=":
            return value not in members
        return any(
            _atom_marker(variable, op.value, value, swapped).evaluate({**env, variable: m})
            for m in members
        )
    return _atom_marker(variable, op.value, value, swapped).evaluate(dict(env))


def _eval(items: Sequence[Any], env: Mapping[str, str], sets: Sets) -> bool:
    """Evaluate a parsed marker list: atoms, nested lists, "and"/"or" ("and" binds tighter)."""
    groups: list[bool] = []
    current = True
    for item in items:
        if item == "and":
            continue
        if item == "or":
            groups.append(current)
            current = True
            continue
        value = _eval(item, env, sets) if isinstance(item, list) else _eval_atom(item, env, sets)
        current = current and value
    groups.append(current)
    return any(groups)


@lru_cache(maxsize=4096)
def _parsed(marker: str) -> list[Any]:
    return list(Marker(marker)._markers)


def marker_holds(
    marker: str | None, env: Mapping[str, str], extras: Collection[str], groups: Collection[str]
) -> bool:
    if not marker:
        return True
    sets = {"extra": set(extras) or {""}, "group": set(groups) or {""}}
    return _eval(_parsed(marker), env, sets)


def _wheel_file(wheel: LockWheel, package: LockedPackage, root_dir: str) -> FileRef:
    url = wheel.url or _registry_file(package, wheel.path or "", root_dir)
    return FileRef(
        filename=wheel.name,
        url=url,
        hashes=Hashes.of(**dict([_split_hash(wheel.hash)])) if wheel.hash else Hashes(),
        size=wheel.size,
        upload_time=wheel.upload_time,
        index_url=package.source.value if package.source.kind == "registry" else None,
        from_lock=True,
    )


def _registry_file(package: LockedPackage, path: str, root_dir: str) -> str:
    """The ``file://`` URL of a ``path = …`` file: a registry's (an index on disk) is relative
    to the registry's directory, as uv writes it (:mod:`ferry.project.lock_local`)."""
    if package.source.kind != "registry" or not path:
        return path
    from pathlib import Path

    return locked_file(package.source.value, path, Path(root_dir)).absolute().as_uri()


def _split_hash(value: str | None) -> tuple[str, str]:
    algorithm, _, digest = (value or "").partition(":")
    return algorithm, digest


def best_wheel(package: LockedPackage, tags: Sequence[str]) -> LockWheel | None:
    """The wheel whose most-preferred tag ranks first in ``tags``."""
    rank = {tag: i for i, tag in enumerate(tags)}
    best: tuple[int, LockWheel] | None = None
    for wheel in package.wheels:
        from ferry.model.dist import parse_filename

        parsed = parse_filename(wheel.name)
        if parsed is None or parsed.tags is None:
            continue
        score = min((rank[str(t)] for t in parsed.tags if str(t) in rank), default=None)
        if score is not None and (best is None or score < best[0]):
            best = (score, wheel)
    return best[1] if best else None


def _locked_version(package: LockedPackage, filename: str | None) -> Version:
    """The version to install ``package`` as. The lock omits it only where uv does (a source
    tree with a dynamic version: its metadata says, once built) or where the artifact names it
    (a url/path file, as uv accepts); a registry package without one is refused by the reader
    (:mod:`ferry.project.lockfile`), so ``0`` never stands in for a real version."""
    if package.version:
        return Version(package.version)
    if filename is not None:
        from ferry.model.dist import parse_filename

        parsed = parse_filename(filename)
        if parsed is not None:
            return parsed.version
    return Version("0")


def _pin(package: LockedPackage, tags: Sequence[str], root_dir: str) -> PinnedDist | None:
    source = package.source
    version = _locked_version(package, None)
    if source.kind == "virtual":
        return None
    if source.kind in ("editable", "directory"):
        url = _file_url(root_dir, source.value)
        return PinnedDist(package.name, version, None, url, editable=source.kind == "editable")
    if source.kind == "git":
        # Installed from the locked commit: no branch or tag is looked up again.
        from ferry.model.git import GitUrl

        locked = GitUrl.from_lock(source.value)
        return PinnedDist(package.name, version, None, locked.requirement_url(),
                          requested_revision=locked.reference)
    wheel = best_wheel(package, tags)
    if wheel is not None:
        version = _locked_version(package, wheel.name)
        file = _wheel_file(wheel, package, root_dir)
        if source.kind == "path":
            file = FileRef(
                file.filename, _file_url(root_dir, source.value), file.hashes, size=file.size,
                from_lock=True,
            )
            return PinnedDist(package.name, version, file, file.url)
        return PinnedDist(package.name, version, file, _direct_url(package))
    if package.sdist is not None:
        sdist = package.sdist
        url = sdist.url or (_registry_file(package, sdist.path, root_dir)
                            if source.kind == "registry" and sdist.path
                            else _file_url(root_dir, sdist.path or source.value))
        filename = url.rsplit("/", 1)[-1]
        version = _locked_version(package, filename)
        file = FileRef(
            filename,
            url,
            Hashes.of(**dict([_split_hash(sdist.hash)])) if sdist.hash else Hashes(),
            size=sdist.size,
            upload_time=sdist.upload_time,
            index_url=source.value if source.kind == "registry" else None,
            from_lock=True,
        )
        return PinnedDist(package.name, version, file, _direct_url(package, root_dir))
    raise UserError(
        f"`{package.name}=={package.version}` has no wheel for this interpreter and no source "
        "distribution in the lock",
        hint=f"the lock offers: {', '.join(w.name for w in package.wheels) or 'nothing'}",
    )


def _direct_url(package: LockedPackage, root_dir: str = "") -> str | None:
    """A ``url`` source is a PEP 508 direct reference: installed with its ``direct_url.json``
    (PEP 610), as uv installs it, so ``pip freeze`` shows ``name @ URL`` and neither tool takes
    the other's install for a registry one and reinstalls it. So is a ``path`` source naming
    an archive (an sdist here: a wheel's URL is its file's), as the ``file://`` URL of it."""
    source = package.source
    if source.kind == "path":
        return _file_url(root_dir, source.value)
    # An archive's subdirectory has no place in this URL (PEP 610 records it apart): such a
    # source keeps installing as before, without the record.
    return source.value if source.kind == "url" and not source.subdirectory else None


def _file_url(root_dir: str, path: str) -> str:
    from pathlib import Path

    candidate = Path(path)
    if not candidate.is_absolute():
        candidate = Path(root_dir) / candidate
    return candidate.resolve().as_uri()


def select(
    lock: Lock,
    roots: Iterable[NormalizedName],
    selection: Selection,
    markers: Mapping[str, str],
    tags: Sequence[str],
    root_dir: str,
) -> list[SelectedPackage]:
    """Walk the lock from ``roots`` and return every package this environment needs.

    The walk is uv's: the extras and groups chosen for each root are active (as conflict
    flags ``extra-<n>-<package>-<extra>`` too), the groups' edges are read with that, then —
    when the lock declares conflicts — a first pass over the rest activates the extras the
    edges name (``member-c`` -> ``member-a[cpu]``), and the second pass selects."""
    root_names = {canonicalize_name(r) for r in roots}
    root_packages = [p for p in lock.packages if p.name in root_names and p.source.is_local]
    if lock.conflicts:
        check_requested(lock, {p.name for p in root_packages}, selection.extras,
                        selection.all_extras, selection.groups, selection.default_groups,
                        no_extras=selection.no_extras)
    extras, groups, activated = _initially_active(root_packages, selection)
    env = dict(markers)
    found: dict[PackageId, LockedPackage] = {}
    queue: list[tuple[LockedPackage, str | None]] = []
    seen: set[tuple[PackageId, str | None]] = set()

    def reach(dep: LockDependency) -> None:
        target = _lookup(lock, dep.package)
        found.setdefault(target.id, target)
        for extra in (None, *dep.extras):
            if (target.id, extra) not in seen:
                seen.add((target.id, extra))
                queue.append((target, extra))

    for package in root_packages:
        found[package.id] = package
        if selection.include_project_deps:
            queue.append((package, None))
            queue += [(package, extra) for extra in sorted(_chosen_extras(package, selection))]
        for group in sorted(selection.groups):
            for dep in package.group(group):
                if marker_holds(dep.marker, env, extras, groups):
                    reach(dep)
    if lock.conflicts:
        _activate(lock, list(queue), set(seen), env, extras, groups, activated)
    while queue:
        package, extra = queue.pop(0)
        for dep in package.optional(extra) if extra is not None else package.dependencies:
            if marker_holds(dep.marker, env, extras, groups):
                reach(dep)
    return [
        SelectedPackage(package, _pin(package, tags, root_dir))
        for package in sorted(found.values(), key=lambda p: p.id.sort_key())
    ]


def _initially_active(
    root_packages: Sequence[LockedPackage], selection: Selection
) -> tuple[set[str], set[str], list[tuple[str, str]]]:
    """The extras and groups active before any edge is read (plain names and conflict
    flags), and the ``(package, extra)`` pairs they activate."""
    extras: set[str] = set()
    groups: set[str] = set(selection.groups)
    activated: list[tuple[str, str]] = []
    for package in root_packages:
        chosen = _chosen_extras(package, selection)
        extras |= chosen
        if selection.include_project_deps:
            activated += [(package.name, e) for e in sorted(chosen)]
        flags = {conflict_group(package.name, g) for g, _ in package.dev_dependencies
                 if g in selection.groups}
        # uv writes a group's flag on the `extra` variable too: `extra == 'group-3-app-dev'`
        groups |= flags
        extras |= flags
    extras |= {conflict_extra(package, extra) for package, extra in activated}
    return extras, groups, activated


def _activate(
    lock: Lock,
    queue: list[tuple[LockedPackage, str | None]],
    seen: set[tuple[PackageId, str | None]],
    env: Mapping[str, str],
    extras: set[str],
    groups: set[str],
    activated: list[tuple[str, str]],
) -> None:
    """uv's first pass: an edge ``{ name = "m", extra = ["x"] }`` whose marker holds once
    ``m[x]`` counts as active activates it; two activated extras of one conflict set are an
    error (:func:`~ferry.project.lock_select_conflicts.check_activated`)."""
    while queue:
        package, extra = queue.pop(0)
        for dep in package.optional(extra) if extra is not None else package.dependencies:
            more = {conflict_extra(dep.name, e) for e in dep.extras} - extras
            if not marker_holds(dep.marker, env, extras | more, groups):
                continue
            extras |= more
            activated += [(dep.name, e) for e in dep.extras]
            target = _lookup(lock, dep.package)
            for each in (None, *dep.extras):
                if (target.id, each) not in seen:
                    seen.add((target.id, each))
                    queue.append((target, each))
    check_activated(lock, activated)


def _chosen_extras(package: LockedPackage, selection: Selection) -> set[str]:
    if selection.all_extras:
        return {extra for extra, _ in package.optional_dependencies} - selection.no_extras
    return set(selection.extras - selection.no_extras)


def _lookup(lock: Lock, package_id: PackageId) -> LockedPackage:
    exact = lock.get(package_id)
    if exact is not None:
        return exact
    candidates = lock.find(package_id.name)
    if len(candidates) == 1:
        return candidates[0]
    raise UserError(
        f"The lockfile names `{package_id}` as a dependency, but does not hold that package",
        hint="the lockfile may be damaged; run `ferry lock` to regenerate it",
    )
