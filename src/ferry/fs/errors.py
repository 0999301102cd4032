"""Turning an ``OSError`` into a :class:`FilesystemError` that names the path.

Every I/O failure a user sees should say which file, what ferry was doing with it and, for the
common causes (a full disk, a permission, a read-only mount), what to do next. Keeping that in one
function means the wording is the same whichever layer hit the failure.
"""

from __future__ import annotations

import errno
from pathlib import Path

from ferry.model.errors import FilesystemError

_HINTS: dict[int, str] = {
    errno.ENOSPC: "free some space on that device, then run the command again",
    errno.EDQUOT: "your disk quota is exhausted; free some space, then run the command again",
    errno.EACCES: "check the permissions of that path (is it owned by another user?)",
    errno.EPERM: "check the permissions of that path (is it owned by another user?)",
    errno.EROFS: "that filesystem is mounted read-only",
}


def os_error(action: str, path: Path | str, error: OSError) -> FilesystemError:
    """``Failed to <action> `<path>`: <reason>``, with a hint for the usual causes.

    ``reason`` is the operating system's own text ("No space left on device"), so the user can
    search for it.
    """
    reason = error.strerror or str(error) or type(error).__name__
    hint = _HINTS.get(error.errno) if error.errno is not None else None
    return FilesystemError(f"Failed to {action} `{path}`: {reason}", hint=hint)
