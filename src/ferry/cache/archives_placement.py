"""Where the filesystem puts the trees of unpacked wheels: spread out, not piled in one place.

A cold install creates thousands of files and hundreds of directories, all under the cache's
``.tmp`` (each wheel is unpacked there, then renamed into ``archives-v1``). ext4's Orlov
allocator keeps a directory's subdirectories, and their files, in the block group of the parent
while it has room, so every inode of the install lands in the group of ``.tmp``: often the group
a previous cache was just deleted from. Without a journal, ext4 skips inodes freed in the last
seconds (``recently_deleted``) by scanning past each one at every allocation, so thousands of
fresh frees in that group made each file creation cost ~0.3 ms of kernel time (the bench's cold
install removes the previous cache right before it runs: ~2 s of system time for 62 wheels,
twice what uv paid in the same conditions).

The unpacked trees are unrelated to each other, which is what ``FS_TOPDIR_FL`` (``chattr +T``)
tells ext4 about a directory: its children are tops of hierarchies, placed like top-level
directories, spread over block groups with free inodes. The flag is not inherited: the per-wheel
directories made in ``.tmp`` are spread by it, and ``unpack_wheel(spread=True)`` marks the
directories inside each tree that hold subdirectories, so a big wheel is spread too.
It is a hint: filesystems without it (or other systems) say no, and nothing changes
(``fs/spread.py``).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from ferry.fs.spread import set_topdir

__all__ = ["spread_children"]

_done: set[str] = set()
_guard = threading.Lock()


def spread_children(directory: Path) -> bool:
    """Ask the filesystem to place ``directory``'s subdirectories as unrelated trees (once per
    process and directory); whether the hint is in place. Never raises."""
    key = os.fspath(directory)
    with _guard:
        if key in _done:
            return True
    if not set_topdir(key):
        return False
    with _guard:
        _done.add(key)
    return True
