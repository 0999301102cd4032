"""``--refresh`` / ``--refresh-package``: which packages' cached data must be checked again.

One value shared by every layer that reads the cache (index pages and metadata, downloaded
files, unpacked archives, built wheels), so each asks the same question, ``covers(name)``, and
``-v`` gives the same reason. Refreshing never deletes anything up front: cached data of a
refreshed package is revalidated (index pages), fetched again (metadata), or checked against its
hash or manifest and replaced only when damaged (files, archives), as uv treats its cache as stale.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable

from ferry.model.immutable import immutable

REFRESH_ENV = "FERRY_REFRESH"
_SEPARATORS = re.compile(r"[-_.]+")
_VALID_NAME = re.compile(r"[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?")


def canonicalize_name(name: str) -> str:
    """PEP 503 normalization, spelled out: every command imports this module at start-up, and
    ``packaging`` (what ``model.names`` uses) is too heavy for the no-command paths."""
    return _SEPARATORS.sub("-", name).lower()


@immutable
class Refresh:
    """``everything`` for ``--refresh``; else the (normalized) names of ``--refresh-package``."""

    everything: bool = False
    packages: frozenset[str] = frozenset()
    # Set by ``--upgrade`` / ``--upgrade-package``: those index pages are asked for again even
    # while the server's max-age says they are fresh (uv: an upgrade implies a refresh), so a
    # release from the last minutes is seen. Nothing else cached is checked again for them.
    upgrade_all: bool = False
    upgrade: frozenset[str] = frozenset()

    @classmethod
    def from_options(cls, everything: bool = False, packages: Iterable[str] = ()) -> Refresh:
        """The command line's choice, with ``FERRY_REFRESH=1`` meaning ``--refresh``."""
        from ferry.model.errors import UsageError
        from ferry.model.settings import env_bool

        names = [name.strip() for name in packages]
        for name in names:
            if not _VALID_NAME.fullmatch(name):
                raise UsageError(
                    f"invalid package name `{name}` for `--refresh-package`",
                    hint="a name as PEP 508 spells it, e.g. `requests` or `typing-extensions`",
                )
        return cls(
            everything=everything or env_bool(REFRESH_ENV),
            packages=frozenset(canonicalize_name(name) for name in names),
        )

    def __bool__(self) -> bool:
        return self.everything or bool(self.packages)

    def covers(self, name: str | None) -> bool:
        """Whether cached data of project ``name`` must be checked again (``None``: a file whose
        project is unknown, refreshed only by ``--refresh``)."""
        if self.everything:
            return True
        return name is not None and canonicalize_name(name) in self.packages

    def with_upgrades(self, everything: bool, packages: Iterable[str]) -> Refresh:
        """This value, with the index pages of the upgraded packages revalidated too."""
        names = frozenset(canonicalize_name(name) for name in packages)
        if not everything and not names:
            return self
        return Refresh(self.everything, self.packages, self.upgrade_all or everything,
                       self.upgrade | names)

    def revalidates_page(self, name: str) -> bool:
        """Whether the index page of project ``name`` must be asked for, however fresh."""
        return (self.covers(name) or self.upgrade_all
                or canonicalize_name(name) in self.upgrade)

    def reason(self) -> str:
        """The words ``-v`` uses for a refetch this value caused."""
        return "refresh requested" + (" (--refresh)" if self.everything else " (--refresh-package)")


def env_requests_refresh() -> bool:
    """Cheap check for the no-op fast path, which must never replay a refreshing command: any
    value that is not plainly false counts, so an invalid one reaches the full path's error."""
    return os.environ.get(REFRESH_ENV, "").strip().lower() not in {"", "0", "false", "no", "off",
                                                                     "n", "f"}


NO_REFRESH = Refresh()
