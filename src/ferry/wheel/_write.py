"""Writing a new file with one ``os.open``: shared by unpacking a wheel and installing one.

Its own module so the installer (every warm install) need not import the unpacker's ``zipfile``.
"""

from __future__ import annotations

import os

__all__ = ["CREATE", "FCHMOD", "write_all"]

# os.open, not open(): a buffered file object costs four more system calls per member (an
# ioctl to set close-on-exec, fstat, an isatty ioctl, lseek), each handing the GIL to another
# thread; thousands of members per wheel made those most of the unpacking's system calls.
CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
FCHMOD = hasattr(os, "fchmod")  # not on Windows before Python 3.13


def write_all(fd: int, data: bytes) -> None:
    """Write all of ``data`` (``os.write`` may write less than asked)."""
    written = os.write(fd, data)
    if written < len(data):
        view = memoryview(data)
        while written < len(data):
            written += os.write(fd, view[written:])
