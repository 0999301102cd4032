"""Is ``uv.lock`` still a valid resolution of a whole workspace?

One lock serves every member, so it is fresh only when the root's settings (options,
constraints, environments, conflicts) are unchanged, ``requires-python`` is still the
intersection of the members', ``[manifest] members`` names exactly the members (uv writes the
list only when there is more than one), and each member's package matches its pyproject: source
(``editable``/``virtual`` at its path), version, ``default-groups`` and ``[package.metadata]``
with the root's sources applied. Like the single-project check, it needs no network.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from ferry.model.value_fields import replace
from ferry.project.lock_fresh import (
    Freshness,
    member_reason,
    project_reason,
    requires_python_reason,
    settings_checks,
    verdict,
)
from ferry.project.lock_model import Lock, LockOptions
from ferry.project.workspace import Workspace


def workspace_satisfies(
    workspace: Workspace, lock: Lock, options: LockOptions | None
) -> Freshness:
    """:func:`~ferry.project.lock_fresh.lock_satisfies` for a workspace (see the module docs)."""
    # the conflicts of every member count, each item naming its package (see Workspace.conflicts)
    root = replace(workspace.pyproject, tool=replace(workspace.pyproject.tool,
                                                     conflicts=workspace.conflicts()))
    directories = workspace.directories()
    names = workspace.names

    def manifest_members() -> str | None:
        want = set(names) if len(names) > 1 else set()
        have = set(lock.manifest.members)
        if want == have:
            return None
        return (f"the workspace members changed (new: {sorted(want - have) or 'none'}, "
                f"gone: {sorted(have - want) or 'none'})")

    def member(index: int) -> str | None:
        one = workspace.members[index]
        source = (workspace.source_kind(one), workspace.relative(one.root))
        return member_reason(workspace.effective(one), lock, directories, source, workspace.root)

    def root_groups() -> str | None:
        return project_reason(root, lock, directories) if root.project is None else None

    checks: list[Callable[[], str | None]] = [
        lambda: requires_python_reason(workspace.requires_python(), lock),
        *settings_checks(root, lock, options, directories),
        manifest_members,
        root_groups,
        *(partial(member, i) for i in range(len(workspace.members))),
    ]
    return verdict(checks, root, lock, set(names))
