"""Why an archive (or an unpacked tree) is refused, without the ZIP reader.

Its own module because the warm install re-checks an unpacked tree with the same checks and the
same wording as a wheel file's, and must not import ``zipfile`` (~4 ms at start-up) for it.
"""

from __future__ import annotations

__all__ = ["DEFAULT_MAX_UNPACKED_SIZE", "ZipProblem"]

# 4 GiB: larger than any real wheel unpacks to, small enough to stop a bomb before the disk fills.
DEFAULT_MAX_UNPACKED_SIZE = 4 * 1024**3


class ZipProblem(Exception):
    """One reason an archive is refused, with the member it concerns (if any)."""

    def __init__(self, reason: str, member: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.member = member
