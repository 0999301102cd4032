"""Which workspace members a ``sync`` (or ``run``) installs, and what they declare.

uv's rules: ``--all-packages`` installs every member; ``--package NAME`` that member (``sync``
and ``export`` take several, ``run`` one); otherwise the member the command was started in (at
the root, the root project); at a root without ``[project]`` every member, plus the root's own
dependency groups. Members are installed editable (the lock says ``editable``); their
dependencies on each other come from the lock.

The root's groups of a virtual root live in ``[manifest.dependency-groups]`` rather than on a
package; :func:`with_root_groups` turns them into a virtual package the lock walker can start
from, so selection stays one walk over one lock.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ferry.model.errors import UsageError
from ferry.model.log import get_logger
from ferry.model.names import NormalizedName, canonicalize_name
from ferry.model.value_fields import replace
from ferry.project.discovery import Project
from ferry.project.lock_model import Lock, LockDependency, LockedPackage, LockSource, PackageId
from ferry.project.pyproject import PyProject

if TYPE_CHECKING:  # edit_sources loads tomlkit (~10 ms): sync never needs it at run time
    from ferry.project.edit_sources import AddSpec

log = get_logger(__name__)

#: The name of the virtual package standing for a virtual root's groups (never installed).
ROOT_GROUPS = canonicalize_name("ferry-workspace-root-groups")


def check_selection(
    packages: tuple[str, ...], all_packages: bool, *, several: bool = True
) -> None:
    """``--package`` with ``--all-packages`` is a usage error before any work (as in uv), not a
    silent preference for one of them; so is a second ``--package`` where only one can apply
    (``run``: one member's directory and scripts), rather than silently the last."""
    if packages and all_packages:
        raise UsageError("`--package` and `--all-packages` cannot be used together")
    if len(packages) > 1 and not several:
        raise UsageError(
            "the argument `--package` cannot be used multiple times here",
            hint=f"choose one of {', '.join(f'`{p}`' for p in packages)}",
        )


def resolve_packages(
    project: Project, packages: tuple[str, ...], all_packages: bool,
    locked: tuple[str, ...] = (), *, frozen: bool = False,
) -> tuple[NormalizedName, ...]:
    """The members to install, by the rules above; ``()`` outside a workspace. ``packages`` are
    the ``--package`` values, in the order given (repeats dropped). ``locked`` are the members
    the lock names: under ``--frozen`` a member whose directory is absent (a Docker layer built
    from ``pyproject.toml`` and ``uv.lock`` alone) is still selected from the lock, as uv
    does. ``frozen``: the names were looked up in a lock taken as it is, so a name found in
    neither is uv's "Could not find root package" (its ``sync --frozen`` words, exit 2)."""
    workspace = project.workspace
    if workspace is None:
        for package in packages:
            if canonicalize_name(package) != project.pyproject.name:
                if frozen:
                    raise not_in_lock(package, [project.pyproject.name or ""])
                raise not_a_member(package, packages, project.root, "`--package` names a "
                                   "workspace member; declare members in `[tool.uv.workspace]` "
                                   "of the workspace root")
        return ()
    in_lock = {canonicalize_name(n) for n in locked}
    if all_packages:
        return tuple(sorted(set(workspace.names) | in_lock))
    if packages:
        found: dict[NormalizedName, None] = {}
        for package in packages:
            if workspace.member(package) is None and canonicalize_name(package) in in_lock:
                log.debug("`%s` is a member in the lock whose directory is absent", package)
                found[canonicalize_name(package)] = None
            elif (member := workspace.member(package)) is not None:
                found[member.name] = None
            elif frozen:
                raise not_in_lock(package, sorted(in_lock))
            else:
                raise not_a_member(package, packages, workspace.root,
                                   f"workspace members: {', '.join(workspace.names) or 'none'}")
        return tuple(found)
    if project.current is not None:
        return (project.current,)
    return workspace.names


def not_a_member(package: str, packages: tuple[str, ...], root: Path, hint: str) -> UsageError:
    """A ``--package`` that names no member (absent, excluded, or outside the workspace): uv's
    words and its exit code, 2 — one ``--package`` names the workspace root, several name the
    one not found."""
    if len(packages) > 1:
        return UsageError(f"Package `{package}` not found in workspace", hint=hint)
    return UsageError(f"The workspace does not have a member {package}: {root}", hint=hint)


def not_in_lock(package: str, members: list[str]) -> UsageError:
    """``sync --frozen --package NAME`` where the lock has no such root: uv's words and exit
    code (uv reads only the lock then, not the workspace)."""
    return UsageError(f"Could not find root package `{package}`",
                      hint=f"`--frozen` selects from the lock as it is; its members: "
                           f"{', '.join(m for m in members if m) or 'none'}")


def current_project(project: Project, packages: tuple[str, ...]) -> NormalizedName | None:
    """What ``--no-install-project``/``--no-emit-project`` call "the current project" (uv's rule):
    the one member selected (``--package`` or the member directory); the workspace root's own
    project when the selection is every member (``--all-packages``; nothing at a virtual
    root); none when several members were chosen with ``--package`` (uv then leaves none
    out). Every member named one by one counts as ``--all-packages`` here."""
    if len(packages) == 1:
        return canonicalize_name(packages[0])
    workspace = project.workspace
    if workspace is not None and packages and not set(workspace.names) <= {
            canonicalize_name(p) for p in packages}:
        return None
    return project.pyproject.name


def installs_root_groups(project: Project, packages: tuple[str, ...]) -> bool:
    """A virtual root's own groups (its defaults included) come with the whole workspace and
    with any selection of several members, as uv's; not with one member (see
    :func:`root_group_fallback`)."""
    workspace = project.workspace
    chosen = {canonicalize_name(p) for p in packages}
    return (workspace is not None and project.pyproject.project is None
            and (len(chosen) > 1 or chosen == set(workspace.names)))


def root_group_fallback(project: Project, packages: tuple[str, ...]) -> frozenset[str]:
    """The workspace root's groups one selected member (not the root) may be synced with
    without declaring them: uv's ``sync --package X --group G`` (or ``--only-group G``,
    ``--all-groups``) takes the root's ``G`` when ``X`` has no group ``G``. Never enabled by
    default: the root's default groups stay out of a one-member sync."""
    workspace = project.workspace
    if workspace is None or len(set(packages)) != 1 or installs_root_groups(project, packages):
        return frozenset()
    member = workspace.member(packages[0])
    if member is None or member.name == project.pyproject.name:
        return frozenset()
    return frozenset(set(project.pyproject.groups) - set(member.pyproject.groups))


def root_pyprojects(project: Project, packages: tuple[str, ...]) -> list[PyProject]:
    """The pyprojects whose extras and groups a selection may name."""
    workspace = project.workspace
    if workspace is None or not packages:
        return [project.pyproject]
    # a member selected from the lock alone has no pyproject here: nothing to declare
    found = [m.pyproject for name in packages if (m := workspace.member(name)) is not None]
    if installs_root_groups(project, packages):
        found.append(project.pyproject)
    return found


def root_names(project: Project, packages: tuple[str, ...]) -> list[NormalizedName]:
    """The lock packages a selection starts from."""
    if project.workspace is None or not packages:
        name = project.pyproject.name
        return [name] if name else []
    names = [canonicalize_name(p) for p in packages]
    if installs_root_groups(project, packages):
        names.append(ROOT_GROUPS)
    return names


def with_root_groups(
    lock: Lock, only: frozenset[str] | None = None, root: NormalizedName | None = None
) -> Lock:
    """``lock`` plus a virtual package whose groups are ``[manifest.dependency-groups]`` —
    or, given the ``root`` package, that package's groups — those in ``only`` when given."""
    groups: list[tuple[str, tuple[LockDependency, ...]]] = []
    if root is not None:
        package = next((p for p in lock.packages if p.name == root and p.source.is_local), None)
        groups = [(g, deps) for g, deps in (package.dev_dependencies if package else ())
                  if only is None or g in only]
    for group, requirements in lock.manifest.dependency_groups:
        if only is not None and group not in only:
            continue
        deps: list[LockDependency] = []
        for requirement in requirements:
            candidates = lock.find(requirement.name)
            for candidate in candidates:
                marker = requirement.marker
                if len(candidates) > 1 and candidate.resolution_markers:
                    either = " or ".join(f"({m})" for m in candidate.resolution_markers)
                    marker = f"({marker}) and ({either})" if marker else either
                deps.append(LockDependency(candidate.id, requirement.extras, marker))
        groups.append((group, tuple(deps)))
    if not groups:
        return lock
    package = LockedPackage(
        id=PackageId(ROOT_GROUPS, None, LockSource("virtual", ".")),
        dev_dependencies=tuple(groups),
    )
    return replace(lock, packages=(*lock.packages, package))


def excluded_members(
    project: Project,
    lock: Lock,
    packages: tuple[str, ...],
    *,
    no_install_project: bool,
    no_install_workspace: bool,
) -> frozenset[NormalizedName]:
    """The local packages a sync leaves out, as uv: ``--no-install-workspace`` every member
    (the root project too, and members only the lock knows); ``--no-install-project`` "the
    current project" (:func:`current_project`), so the other members a project depends on are
    still installed."""
    if no_install_workspace:
        names = {*lock.manifest.members, *member_versions(project)}
        if project.pyproject.name is not None:
            names.add(project.pyproject.name)
        return frozenset(canonicalize_name(n) for n in names)
    if not no_install_project:
        return frozenset()
    current = current_project(project, packages)
    return frozenset({current}) if current is not None else frozenset()


def member_versions(project: Project) -> dict[NormalizedName, str]:
    """Each member's version as its tree declares it now (a bump reinstalls it)."""
    found: dict[NormalizedName, str] = {}
    pyprojects = ([m.pyproject for m in project.workspace.members]
                  if project.workspace is not None else [project.pyproject])
    for pyproject in pyprojects:
        table = pyproject.project
        if table is not None and table.version:
            found[table.name] = table.version
    return found


# -- add / remove in a workspace -----------------------------------------------------------------


def focus(project: Project, package: str | None) -> Project:
    """``project`` acting on member ``package`` (``--package``), or as discovered."""
    if package is None:
        return project
    resolve_packages(project, (package,), False)  # the same checks and errors as sync
    if project.workspace is None:
        return project
    return replace(project, current=project.workspace.require_member(package).name)


def edit_path(project: Project) -> Path:
    """The pyproject ``add``/``remove`` edit: the current member's (else the root's)."""
    member = project.current_member()
    return member.pyproject.path if member is not None else project.pyproject.path


def with_member_sources(project: Project, specs: tuple[AddSpec, ...]) -> tuple[AddSpec, ...]:
    """Packages that are workspace members get ``{ workspace = true }``, as ``uv add`` does."""
    workspace = project.workspace
    if workspace is None:
        return specs
    return tuple(
        replace(spec, source=(("workspace", True),))
        if spec.source is None and spec.requirement.url is None
        and workspace.member(spec.name) is not None
        else spec
        for spec in specs
    )
