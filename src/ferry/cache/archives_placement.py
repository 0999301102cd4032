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
directories, spread over block groups with free inodes. The flag is not inherited, so only the
per-wheel directories made in ``.tmp`` are spread; each tree stays together inside its group.
It is a hint: filesystems without it (or other systems) say no, and nothing changes.
"""

from __future__ import annotations

import logging
import os
import struct
import sys
import threading
from pathlib import Path

__all__ = ["spread_children"]

logger = logging.getLogger(__name__)

# <linux/fs.h>: FS_IOC_GETFLAGS = _IOR('f', 1, long), FS_IOC_SETFLAGS = _IOW('f', 2, long)
_GETFLAGS = 0x80086601
_SETFLAGS = 0x40086602
_TOPDIR = 0x00020000  # FS_TOPDIR_FL
_LONG = struct.Struct("l")

_done: set[str] = set()
_guard = threading.Lock()


def spread_children(directory: Path) -> bool:
    """Ask the filesystem to place ``directory``'s subdirectories as unrelated trees (once per
    process and directory); whether the hint is in place. Never raises."""
    key = os.fspath(directory)
    with _guard:
        if key in _done:
            return True
    if not sys.platform.startswith("linux") or _LONG.size != 8:
        return False
    import fcntl

    try:
        fd = os.open(key, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return False
    try:
        flags = _LONG.unpack(fcntl.ioctl(fd, _GETFLAGS, _LONG.pack(0)))[0]
        if not flags & _TOPDIR:
            fcntl.ioctl(fd, _SETFLAGS, _LONG.pack(flags | _TOPDIR))
    except OSError as error:  # not ext2/3/4, or not permitted: the hint is optional
        logger.debug("cannot mark `%s` as a top of unrelated trees: %s", key, error)
        return False
    finally:
        os.close(fd)
    with _guard:
        _done.add(key)
    return True
