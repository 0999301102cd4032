"""What a sync installs: the lock's packages for this interpreter and the user's selection.

``ferry sync`` (and ``run``, which syncs first) turn extras, groups (``--group``, ``--only-group``,
``--no-group``, ``--all-groups``, defaults), ``--package`` and the ``--no-install-*`` flags into
one list of pins, checking that every named extra and group is declared. Workspace members
become editable pins at their tree's version. Kept apart from the command so the selection rules
can be read (and changed) in one place, without the environment and install steps around them.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

from ferry.commands.sync_state import SyncedSelection
from ferry.commands.workspace_sync import (
    ROOT_GROUPS,
    excluded_members,
    member_versions,
    root_group_fallback,
    root_names,
    root_pyprojects,
    with_root_groups,
)
from ferry.model.errors import UsageError
from ferry.model.names import NormalizedName, canonicalize_name
from ferry.model.pep440_version import Version
from ferry.model.value_fields import replace
from ferry.project.discovery import Project
from ferry.project.lock_select import Selection, select

if TYPE_CHECKING:
    from ferry.model.dist import PinnedDist
    from ferry.project.lock_model import Lock
    from ferry.python.environment import PythonEnvironment


def _groups(
    project: Project, selection: SyncedSelection, all_groups: bool, no_groups: Collection[str]
) -> frozenset[str]:
    """The groups to install; ``no_groups`` are the ``--no-group`` names the user typed (not
    ``--no-dev``'s ``dev``, nor a recorded selection's), which uv checks like ``--group``'s."""
    pyprojects = root_pyprojects(project, selection.packages)
    declared: set[str] = {g for p in pyprojects for g in p.groups}
    declared |= root_group_fallback(project, selection.packages)
    if only := selection.only_group_names():
        wanted: set[str] = set(only)
    elif all_groups:
        wanted = set(declared)  # a copy: --no-group below must not undeclare
    else:
        defaults: set[str] = (
            set() if selection.no_default_groups
            else {g for p in pyprojects for g in p.default_groups}
        )
        wanted = defaults | set(selection.groups)
    wanted -= set(selection.no_groups)  # uv: --no-group wins over defaults, --group, --all-groups
    named = set(selection.groups) | set(selection.only_groups)
    named |= {canonicalize_name(g) for g in no_groups}
    missing = sorted(g for g in named if g not in declared)
    if missing:
        raise undefined_group(missing[0], [p.name for p in pyprojects if p.name is not None],
                              declared)
    return frozenset(wanted & declared)


def undefined_extra(extra: str, names: list[str], declared: Collection[str]) -> UsageError:
    """uv's refusal of an ``--extra``/``--no-extra`` no selected package declares: it names
    the one package, or says "any project's" for several (``--all-packages``). A usage error
    (exit 2), as uv's."""
    where = (f"the `optional-dependencies` table for `{names[0]}`" if len(names) == 1
             else "any project's `optional-dependencies` table")
    return UsageError(f"Extra `{extra}` is not defined in {where}",
                      hint=f"declared extras: {', '.join(sorted(declared)) or 'none'}")


def undefined_group(group: str, names: list[str], declared: Collection[str]) -> UsageError:
    """uv's refusal of a ``--group``/``--only-group``/``--no-group`` no selected package
    declares: "the project's" table for one package, "any project's" for several
    (``--all-packages``). A usage error (exit 2), as uv's."""
    whose = "any project's" if len(names) > 1 else "the project's"
    return UsageError(f"Group `{group}` is not defined in {whose} `dependency-groups` table",
                      hint=f"declared groups: {', '.join(sorted(declared)) or 'none'}")


def _default_only(
    project: Project, selection: SyncedSelection, all_groups: bool
) -> frozenset[str]:
    """The groups enabled only because they are defaults (a conflict error says so, as uv)."""
    if selection.only_group_names() or all_groups or selection.no_default_groups:
        return frozenset()
    pyprojects = root_pyprojects(project, selection.packages)
    return frozenset({g for p in pyprojects for g in p.default_groups}
                     - set(selection.groups) - set(selection.no_groups))


def target_pins(
    project: Project,
    lock: Lock,
    environment: PythonEnvironment,
    selection: SyncedSelection,
    *,
    all_groups: bool = False,
    no_install_package: tuple[str, ...] = (),
    no_groups: Collection[str] = (),
) -> tuple[list[PinnedDist], set[NormalizedName]]:
    """The pins this environment needs, and the names a sync must keep even if installed.
    ``no_groups``: the ``--no-group`` names typed for this command, checked as uv does."""
    roots = root_names(project, selection.packages)
    if ROOT_GROUPS in roots:
        lock = with_root_groups(lock)
    groups = _groups(project, selection, all_groups, no_groups)
    if fallback := groups & root_group_fallback(project, selection.packages):
        # the workspace root's groups this one member is synced with (uv's rule)
        lock = with_root_groups(lock, fallback, project.pyproject.name)
        roots = [*roots, ROOT_GROUPS]
    pyprojects = root_pyprojects(project, selection.packages)
    extras_declared = {e for p in pyprojects if p.project for e in p.project.extras}
    for extra in (*selection.extras, *selection.no_extras):  # uv checks --no-extra's names too
        if extra not in extras_declared:
            raise undefined_extra(extra, [p.name for p in pyprojects if p.name is not None],
                                  extras_declared)
    chosen = select(
        lock,
        roots,
        Selection(
            extras=frozenset(selection.extras),
            groups=groups,
            all_extras=selection.all_extras,
            include_project_deps=not selection.only_group_names(),
            default_groups=_default_only(project, selection, all_groups),
            no_extras=frozenset(selection.no_extras),
        ),
        environment.interpreter.markers,
        environment.interpreter.tags,
        str(project.root),
    )
    skip = {canonicalize_name(n) for n in no_install_package}
    left_out = excluded_members(project, lock, selection.packages,
                                no_install_project=selection.no_install_project,
                                no_install_workspace=selection.no_install_workspace)
    versions = member_versions(project)
    keep: set[NormalizedName] = set(skip)
    pins: list[PinnedDist] = []
    for item in chosen:
        pin = item.pin
        if pin is None:
            continue
        local = item.package.source.is_local
        is_project = local and item.package.name in roots
        if (is_project and selection.only_group_names()) or (local and pin.name in left_out):
            keep.add(pin.name)
            continue
        if pin.name in skip:
            continue
        if is_project or (local and item.package.name in versions):
            # A workspace member (or the project): editable unless asked otherwise, at the
            # tree's own version rather than the lock's, so a bumped version reinstalls it
            # even under --frozen, as its metadata changed.
            pin = replace(pin, editable=not selection.no_editable and pin.editable is not False,
                          requested=is_project or pin.requested)
            if item.package.name in versions:
                pin = replace(pin, version=Version(versions[item.package.name]))
        pins.append(pin)
    return pins, keep
