"""Refusing a selection that enables both sides of a declared conflict, with uv's words.

A lock made with ``conflicts`` holds, for instance, ``torch 1.0`` for ``member-a[cpu]`` and
``torch 2.0`` for ``member-b[gpu]``; enabling both would need two versions in one environment.
uv refuses in two places and ferry does the same, so a user gets the same answer from either:

- before anything is read, for the extras and groups *asked for* on the packages synced
  (:func:`check_requested`: ``Extras `cpu` and `gpu` are incompatible with the declared
  conflicts: {`member-a[cpu]`, `member-b[gpu]`}``);
- after the extras *reached* through the lock's edges are known (``member-c`` depending on
  ``member-a[cpu]``), for two of them in one set (:func:`check_activated`).
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Iterable

from ferry.model.errors import UsageError
from ferry.project.lock_model import ConflictItem, Lock


def _describe(item: ConflictItem) -> str:
    if item.extra is not None:
        return f"`{item.package}[{item.extra}]`"
    return f"`{item.package}:{item.group}`"


def check_requested(
    lock: Lock,
    packages: Collection[str],
    extras: Collection[str],
    all_extras: bool,
    groups: Collection[str],
    default_groups: Collection[str] = (),
    *,
    no_extras: Collection[str] = (),
) -> None:
    """uv's check of a request: in each conflict set, the items of the synced ``packages``
    whose extra is asked for (or ``all_extras``) and not left out by ``no_extras``
    (``--all-extras --no-extra gpu`` with ``cpu``/``gpu`` conflicting is fine), or whose group
    is enabled, must be fewer than two. ``default_groups`` are enabled only as defaults (uv says
    so in the message). A usage error (exit 2), as uv's: the flags ask for what the project
    says cannot go together."""
    for conflict in lock.conflicts:
        enabled = [
            item for item in conflict
            if item.package in packages and (
                (item.extra is not None and item.extra not in no_extras
                 and (all_extras or item.extra in extras))
                or (item.group is not None and item.group in groups))
        ]
        if len(enabled) >= 2:
            raise UsageError(_message(conflict, enabled, default_groups))


def _message(
    conflict: Iterable[ConflictItem], enabled: list[ConflictItem], defaults: Collection[str]
) -> str:
    members = ", ".join(_describe(item) for item in conflict)

    def group(name: str) -> str:
        return f"`{name}` (enabled by default)" if name in defaults else f"`{name}`"

    if all(item.extra is not None for item in enabled):
        names = " and ".join(f"`{item.extra}`" for item in enabled)
        return f"Extras {names} are incompatible with the declared conflicts: {{{members}}}"
    if all(item.group is not None for item in enabled):
        names = " and ".join(group(item.group or "") for item in enabled)
        return f"Groups {names} are incompatible with the conflicts: {{{members}}}"
    parts = [f"extra `{item.extra}`" if item.extra is not None
             else f"group {group(item.group or '')}" for item in enabled]
    parts[0] = parts[0][0].upper() + parts[0][1:]
    return f"{' and '.join(parts)} are incompatible with the declared conflicts: {{{members}}}"


def check_activated(lock: Lock, activated: Iterable[tuple[str, str]]) -> None:
    """uv's check after following the lock's edges: no two activated ``(package, extra)`` of
    one conflict set. A usage error (exit 2), as uv's."""
    chosen = sorted(set(activated))
    for conflict in lock.conflicts:
        extras = {(item.package, item.extra) for item in conflict if item.extra is not None}
        for first, second in itertools.combinations(chosen, 2):
            if first in extras and second in extras:
                raise UsageError(
                    f"Found conflicting extras `{first[0]}[{first[1]}]` and "
                    f"`{second[0]}[{second[1]}]` enabled simultaneously",
                    hint="the lock's edges enable both; select fewer extras",
                )
