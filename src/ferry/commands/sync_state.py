"""What was last synced into an environment, remembered inside it.

Seed report uv#14610: ``sync --extra one`` followed by ``run`` silently switched the environment
to the lock's default selection. ferry writes the selection it synced (extras, groups, flags),
the lock's hash and a fingerprint of site-packages into ``<env>/ferry-sync.json``; ``run`` reuses
that selection unless told otherwise, and a matching fingerprint makes a no-op ``sync``/``run``
skip planning entirely.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from ferry.fs.atomic import atomic_write_text
from ferry.model.builtin_sha256 import sha256
from ferry.model.immutable import immutable
from ferry.model.value_fields import asdict, replace

STATE_FILE = "ferry-sync.json"
STATE_VERSION = 2
# Version 1 records (before ``--no-extra``/``--only-dev``) read as selections without them: an
# upgrade keeps what ``run`` reuses. Version 2 is written so that an older ferry, which would
# read ``--all-extras --no-extra gpu`` as all extras, ignores the record instead.
_READABLE_VERSIONS = (1, 2)


@immutable
class SyncedSelection:
    extras: tuple[str, ...] = ()
    all_extras: bool = False
    groups: tuple[str, ...] = ()
    no_default_groups: bool = False
    only_groups: tuple[str, ...] = ()
    only_dev: bool = False
    """``--only-dev``: the ``dev`` group only, without the project's dependencies. Apart from
    ``only_groups`` because uv does not require a ``dev`` group to exist for it."""
    no_extras: tuple[str, ...] = ()
    """``--no-extra``: left out whatever else selects them (``--all-extras``, ``--extra``)."""
    no_groups: tuple[str, ...] = ()
    """``--no-group`` (and ``--no-dev``, recorded as ``dev``)."""
    no_install_project: bool = False
    no_install_workspace: bool = False
    no_editable: bool = False
    inexact: bool = False
    packages: tuple[str, ...] = ()
    """The workspace members synced (``()`` outside a workspace)."""

    def describe(self) -> str:
        parts = []
        if self.all_extras:
            parts.append("all extras")
        elif self.extras:
            parts.append("extras " + ", ".join(self.extras))
        if self.no_extras:
            parts.append("without extras " + ", ".join(self.no_extras))
        if self.only_groups or self.only_dev:
            parts.append("only groups " + ", ".join(self.only_group_names()))
        elif self.groups:
            parts.append("groups " + ", ".join(self.groups))
        if self.no_default_groups:
            parts.append("no default groups")
        if self.no_groups:
            parts.append("without groups " + ", ".join(self.no_groups))
        if self.packages:
            parts.append("packages " + ", ".join(self.packages))
        if self.no_install_workspace:
            parts.append("no workspace member installed")
        elif self.no_install_project:
            parts.append("the project not installed")
        if self.no_editable:
            parts.append("not editable")
        return "; ".join(parts) or "the default selection"

    def only_group_names(self) -> tuple[str, ...]:
        """``--only-group`` with ``--only-dev``'s ``dev``: ``()`` unless the project's own
        dependencies are left out."""
        return tuple(sorted({*self.only_groups, *(("dev",) if self.only_dev else ())}))

    def with_layering_of(self, other: SyncedSelection) -> SyncedSelection:
        """This selection's extras, groups and members with ``other``'s layering flags.

        ``run`` keeps *what* the environment was last synced with (extras, groups: seed
        uv#14610), not *whether and how* the project itself was installed:
        ``--no-install-project``, ``--no-install-workspace`` and ``--no-editable`` shape one
        sync (a Docker dependencies layer, a CI cache step), and remembering them left every
        later ``ferry run`` without the project, silently (s8 F7). uv's ``run`` installs the
        project; so does ferry's, unless this ``run`` is given the flag itself.
        """
        return replace(
            self,
            no_install_project=other.no_install_project,
            no_install_workspace=other.no_install_workspace,
            no_editable=other.no_editable,
        )


@immutable
class SyncState:
    selection: SyncedSelection
    lock_hash: str
    interpreter: str
    fingerprint: str
    packages: int


def site_fingerprint(site_dirs: Sequence[Path]) -> str:
    """A cheap digest of what is installed: the names of the entries in site-packages.

    Any install or removal (by ferry, pip or uv) changes a ``.dist-info`` name, so a match means
    nothing changed since the last sync, without reading any metadata.
    """
    digest = sha256()
    for directory in site_dirs:
        try:
            names = sorted(entry.name for entry in directory.iterdir())
        except OSError:
            names = []
        digest.update(str(directory).encode())
        for name in names:
            digest.update(b"\0" + name.encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def lock_hash(text: str) -> str:
    return sha256(text.encode("utf-8")).hexdigest()


def read_state(env_root: Path) -> SyncState | None:
    try:
        data = json.loads((env_root / STATE_FILE).read_text(encoding="utf-8"))
        if data.get("version") not in _READABLE_VERSIONS:
            return None
        raw = data["selection"]
        selection = SyncedSelection(
            extras=tuple(raw["extras"]),
            all_extras=bool(raw["all_extras"]),
            groups=tuple(raw["groups"]),
            no_default_groups=bool(raw["no_default_groups"]),
            only_groups=tuple(raw["only_groups"]),
            only_dev=bool(raw.get("only_dev", False)),
            no_extras=tuple(raw.get("no_extras", ())),
            no_groups=tuple(raw.get("no_groups", ())),
            no_install_project=bool(raw["no_install_project"]),
            no_install_workspace=bool(raw.get("no_install_workspace", False)),
            no_editable=bool(raw["no_editable"]),
            inexact=bool(raw["inexact"]),
            packages=tuple(raw.get("packages", ())),
        )
        return SyncState(
            selection,
            str(data["lock_hash"]),
            str(data["interpreter"]),
            str(data["fingerprint"]),
            int(data["packages"]),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_state(env_root: Path, state: SyncState) -> None:
    payload = {"version": STATE_VERSION, **asdict(state)}
    atomic_write_text(env_root / STATE_FILE, json.dumps(payload, indent=2, sort_keys=True) + "\n")
