"""``--refresh`` / ``--refresh-package``: which packages' cached data must be checked again.

One value shared by every layer that reads the cache (index pages and metadata, downloaded
files, unpacked archives, built wheels), so each asks the same question, ``covers(name)``, and
``-v`` gives the same reason. Refreshing never deletes anything up front: cached data of a
refreshed package is revalidated (index pages), fetched again (metadata), or checked against its
hash or manifest and replaced only when damaged (files, archives), as uv treats its cache as stale.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from ferry.model.immutable import immutable
from ferry.model.names import InvalidName, canonicalize_name

REFRESH_ENV = "FERRY_REFRESH"


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

        normalized: set[str] = set()
        for name in (name.strip() for name in packages):
            try:
                normalized.add(canonicalize_name(name, validate=True))
            except InvalidName:
                raise UsageError(
                    f"invalid package name `{name}` for `--refresh-package`",
                    hint="a name as PEP 508 spells it, e.g. `requests` or `typing-extensions`",
                ) from None
        return cls(everything=everything or env_bool(REFRESH_ENV), packages=frozenset(normalized))

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
