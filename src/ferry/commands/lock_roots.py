"""The project's side of a universal resolution: its dependency lists and what the resolver
should know from the existing lock.

Each of the project's lists (dependencies, each extra, each group) becomes a
:class:`~ferry.resolve.universal.RootList`, with direct references made ``name @ url``, index
pins of an extra or group attached, and references to the project's own extras flattened as uv
does (a group's reference to ``proj[x]`` stays an edge to the project). What this version cannot
lock yet is refused here, before anything is fetched.
"""

from __future__ import annotations

from ferry.commands.lock import LockRequest, has_dynamic_dependencies
from ferry.commands.lock_indexes import IndexChoice
from ferry.commands.lock_sources import DirectSources
from ferry.model.errors import UserError
from ferry.model.names import canonicalize_name
from ferry.model.pep440_version import InvalidVersion, Version
from ferry.model.pep508_requirements import Requirement
from ferry.project.lock_model import Lock
from ferry.project.pyproject import PyProject
from ferry.resolve.marker_expr import FALSE, MarkerExpr, parse_marker, render
from ferry.resolve.source import CoreMetadata
from ferry.resolve.universal import Preference, RootList
from ferry.resolve.universal_engine import ConflictKey


def check_supported(pyproject: PyProject) -> None:
    """Refuse, clearly, what this version of ``ferry lock`` cannot lock yet."""
    if has_dynamic_dependencies(pyproject) and not pyproject.is_package:
        raise UserError(
            "The project declares its dependencies as dynamic but has no `[build-system]` to "
            "compute them with",
            hint="list the dependencies in `[project]`, or declare a build system",
        )
    if _declares_dependency_metadata(pyproject):
        # Ignoring it would lock without the dependencies it declares (uv writes them into the
        # lock's `[[manifest.dependency-metadata]]`): a wrong lock with no hint (s9 review W4).
        raise UserError(
            f"`[tool.uv] dependency-metadata` in `{pyproject.path}` is not supported by "
            "`ferry lock` yet",
            hint="lock with uv and use the lock with `--frozen`, or remove the setting",
        )


def _declares_dependency_metadata(pyproject: PyProject) -> bool:
    """Whether ``[tool.uv]``/``[tool.ferry]`` sets ``dependency-metadata`` (read from the file:
    the parsed settings do not keep it)."""
    try:
        text = pyproject.path.read_bytes()
    except OSError:
        return False
    if b"dependency-metadata" not in text:
        return False
    import tomllib

    tool = tomllib.loads(text.decode("utf-8")).get("tool", {})
    return any(isinstance(tool.get(t), dict) and "dependency-metadata" in tool[t]
               for t in ("uv", "ferry"))


def declared_lists(
    pyproject: PyProject, built: CoreMetadata | None
) -> tuple[tuple[Requirement, ...], list[tuple[str, tuple[Requirement, ...]]]]:
    """The project's dependencies and extras: from ``[project]``, or — when they are dynamic —
    from the metadata a build of the project produced (each extra's requirements with the
    ``extra == …`` term taken out of their markers)."""
    project = pyproject.project
    assert project is not None
    if built is None:
        return project.dependencies, list(project.optional_dependencies)
    base = tuple(r for r in built.requires_dist
                 if r.marker is None or "extra" not in str(r.marker))
    extras: list[tuple[str, tuple[Requirement, ...]]] = []
    for extra in built.extras_in_order or tuple(sorted(built.provides_extra)):
        found = []
        for requirement in built.requires_dist:
            if requirement.marker is None or "extra" not in str(requirement.marker):
                continue
            marker = parse_marker(requirement.marker, extra=extra)
            if marker.is_false():
                continue
            head = str(requirement).split(";", 1)[0].strip()
            text = render(marker)
            found.append(Requirement(head if text is None else f"{head} ; {text}"))
        extras.append((extra, tuple(found)))
    return base, extras


def root_lists(
    pyproject: PyProject,
    sources: DirectSources,
    choice: IndexChoice,
    built: CoreMetadata | None = None,
) -> tuple[RootList, ...]:
    """The project's dependency lists, with direct references made ``name @ url``, the index
    pins of each extra and group, and the project's references to its own extras replaced by
    those extras' requirements (``all = ["proj[a,b]"]``)."""
    def rewritten(reqs: tuple[Requirement, ...], extra: str | None = None,
                  group: str | None = None) -> tuple[Requirement, ...]:
        return tuple(each for r in expand_own_extras(pyproject, reqs)
                     for each in sources.rewrite_all(r, extra, group))

    lists: list[RootList] = []
    project = pyproject.project
    if project is not None:
        dependencies, optional = declared_lists(pyproject, built)
        lists.append(RootList("base", None, rewritten(dependencies),
                              marked_indexes=choice.marked))
        for extra, reqs in optional:
            lists.append(RootList("extra", extra, rewritten(reqs, extra=extra),
                                  choice.pins_for("extra", extra), choice.marked))
    for group, reqs in sorted(pyproject.groups.items()):
        own = own_references(pyproject, group)
        others = tuple(r for r in reqs if r not in own)
        lists.append(RootList("group", group, rewritten(others, group=group),
                              choice.pins_for("group", group), choice.marked))
    return tuple(lists)


def expand_own_extras(
    pyproject: PyProject, requirements: tuple[Requirement, ...], seen: frozenset[str] = frozenset()
) -> list[Requirement]:
    """``requirements`` with each reference to the project itself replaced by the requirements
    of the extras it names (their markers joined), recursively."""
    own = pyproject.name
    declared = dict(pyproject.project.optional_dependencies) if pyproject.project else {}
    result: list[Requirement] = []
    for requirement in requirements:
        if own is None or canonicalize_name(requirement.name) != own or requirement.url:
            result.append(requirement)
            continue
        for extra in sorted(canonicalize_name(e) for e in requirement.extras):
            if extra in seen or extra not in declared:
                continue
            for inner in expand_own_extras(pyproject, declared[extra], seen | {extra}):
                result.append(_joined(inner, requirement))
    return result


def _joined(inner: Requirement, outer: Requirement) -> Requirement:
    """``inner`` under ``outer``'s marker as well as its own."""
    if outer.marker is None:
        return inner
    joined = Requirement(str(inner))
    if inner.marker is None:
        joined.marker = outer.marker
    else:
        joined = Requirement(f"{str(inner).split(';')[0]} ; ({inner.marker}) and ({outer.marker})")
    return joined


def own_references(pyproject: PyProject, group: str) -> list[Requirement]:
    """A group's references to the project itself (kept as edges to the project, as uv)."""
    own = pyproject.name
    return [r for r in pyproject.groups.get(canonicalize_name(group), ())
            if own is not None and canonicalize_name(r.name) == own and not r.url]


def conflict_keys(pyproject: PyProject) -> tuple[tuple[ConflictKey, ...], ...]:
    own = pyproject.name
    sets: list[tuple[ConflictKey, ...]] = []
    for declared in pyproject.tool.conflicts:
        items: list[ConflictKey] = []
        for item in declared:
            if item.package not in (None, own):
                raise UserError(
                    f"The conflict on `{item.package}` names another package, which `ferry lock` "
                    "does not support yet (workspaces)",
                    hint=f"conflicts between extras or groups of `{own}` itself are supported",
                )
            if item.extra is not None:
                items.append(("extra", item.extra))
            elif item.group is not None:
                items.append(("group", item.group))
            else:
                raise UserError("Conflicts on a whole package are not supported yet")
        # uv's order (the lock's: extras before groups, by name) decides the order of the forks
        sets.append(tuple(sorted(items, key=lambda i: (i[0] != "extra", i[1]))))
    return tuple(sets)


def preferences(existing: Lock | None, request: LockRequest) -> tuple[Preference, ...]:
    """The existing lock's registry versions (not the upgraded ones), each with the markers of
    the forks it was locked for."""
    if existing is None or request.upgrade:
        return ()
    upgraded = {canonicalize_name(n) for n in request.upgrade_packages}
    found: list[Preference] = []
    for package in existing.packages:
        if package.name in upgraded or package.version is None:
            continue
        if package.source.kind != "registry":
            continue
        try:
            version = Version(package.version)
        except InvalidVersion:
            continue
        marker: MarkerExpr | None = None
        if package.resolution_markers:
            marker = FALSE
            for text in package.resolution_markers:
                marker = marker | parse_marker(text, extra=None)  # conflict flags kept as flags
        found.append(Preference(package.name, version, marker))
    return tuple(found)
