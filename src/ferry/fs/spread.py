"""``FS_TOPDIR_FL`` (``chattr +T``): ask ext2/3/4 to place a directory's children apart.

ext4's Orlov allocator keeps a new directory, and the files in it, in the block group of its
parent while that group has room. Without a journal, ext4 also skips every inode freed in the
last minute (``recently_deleted``), one buffer lookup per skipped inode at every allocation, so
a group from which thousands of files were just deleted (a cache or a virtual environment removed
and made again) makes each new file or directory there cost up to ~0.7 ms of kernel time. A
directory carrying ``FS_TOPDIR_FL`` has its subdirectories placed like top-level ones: spread over
the groups with the most room, where creating is cheap again. The flag is not inherited and only
steers placement; filesystems without it refuse it, and nothing else changes.

Used for the cache's ``.tmp`` (``cache/archives_placement.py``) and for the per-wheel staging
directory an install makes its new directories in (``wheel/_transaction.py``).
"""

from __future__ import annotations

import os
import struct
import sys

from ferry.model.log import get_logger

__all__ = ["set_topdir"]

logger = get_logger(__name__)

# <linux/fs.h>: FS_IOC_GETFLAGS = _IOR('f', 1, long), FS_IOC_SETFLAGS = _IOW('f', 2, long)
_GETFLAGS = 0x80086601
_SETFLAGS = 0x40086602
_TOPDIR = 0x00020000  # FS_TOPDIR_FL
_LONG = struct.Struct("l")


def set_topdir(directory: str | os.PathLike[str]) -> bool:
    """Mark ``directory`` so that its subdirectories are placed as unrelated trees; whether the
    mark is in place. Never raises (a missing directory or a refusing filesystem is ``False``)."""
    if not sys.platform.startswith("linux") or _LONG.size != 8:
        return False
    import fcntl

    try:
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return False
    try:
        flags = _LONG.unpack(fcntl.ioctl(fd, _GETFLAGS, _LONG.pack(0)))[0]
        if not flags & _TOPDIR:
            fcntl.ioctl(fd, _SETFLAGS, _LONG.pack(flags | _TOPDIR))
    except OSError as error:  # not ext2/3/4, or not permitted: the hint is optional
        logger.debug("cannot mark `%s` as a top of unrelated trees: %s", directory, error)
        return False
    finally:
        os.close(fd)
    return True
