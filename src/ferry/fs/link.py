"""Putting a cached file into an environment: clone, hardlink, copy or symlink, with fallbacks.

A reflink (``clone``) shares blocks but not the inode, so an edit in the environment cannot reach
the cache, and costs no space: the best choice where the filesystem has it (btrfs, XFS, APFS). A
hardlink is almost as cheap but only works within one filesystem; a Docker cache mount or a cache
on tmpfs makes it fail with ``EXDEV``. Then ferry copies, and says so once, because a silent copy
turns a 50 ms install into seconds and the user should know why (RELIABILITY G1). Whether clone
and hardlink work is learnt from the first attempt and remembered, so the failure is paid once.

A :class:`Linker` is shared by the threads of one install.
"""

from __future__ import annotations

import contextlib
import enum
import errno
import functools
import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from ferry.fs.atomic import temp_sibling
from ferry.fs.errors import os_error
from ferry.model.errors import UserError
from ferry.model.log import get_logger

logger = get_logger(__name__)

FICLONE = 0x40049409  # Linux <linux/fs.h>: _IOW(0x94, 9, int)

# The filesystem (or the pair of filesystems) cannot do this kind of link at all: stop trying.
_UNSUPPORTED = frozenset(
    {errno.EXDEV, errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EINVAL, errno.ENOTTY}
    | {errno.ENOSYS}
)


class LinkMode(enum.StrEnum):
    CLONE = "clone"
    HARDLINK = "hardlink"
    COPY = "copy"
    SYMLINK = "symlink"

    @classmethod
    def parse(cls, value: str, *, source: str = "--link-mode") -> LinkMode:
        try:
            return cls(value.strip().lower())
        except ValueError:
            choices = ", ".join(f"`{mode.value}`" for mode in cls)
            raise UserError(f"Invalid {source} value `{value}`", hint=f"use one of {choices}")


def link_mode_from_env() -> LinkMode | None:
    """``FERRY_LINK_MODE`` if set, else ``None`` (meaning: the automatic chain)."""
    raw = os.environ.get("FERRY_LINK_MODE", "").strip()
    return LinkMode.parse(raw, source="`FERRY_LINK_MODE`") if raw else None


# What each requested mode tries, in order. The automatic default may use hardlinks; an explicit
# `clone` never does, since its point is that the environment's files are not the cache's.
_CHAINS: dict[LinkMode | None, tuple[LinkMode, ...]] = {
    None: (LinkMode.CLONE, LinkMode.HARDLINK, LinkMode.COPY),
    LinkMode.CLONE: (LinkMode.CLONE, LinkMode.COPY),
    LinkMode.HARDLINK: (LinkMode.HARDLINK, LinkMode.COPY),
    LinkMode.COPY: (LinkMode.COPY,),
    LinkMode.SYMLINK: (LinkMode.SYMLINK, LinkMode.COPY),
}

_VERB = {LinkMode.CLONE: "clone", LinkMode.HARDLINK: "hardlink", LinkMode.SYMLINK: "symlink"}


def fallback_message(failed: LinkMode) -> str:
    """The one warning shown when ferry has to copy instead of the mode the user relies on."""
    text = (
        f"Failed to {_VERB[failed]} files; falling back to full copy. "
        "This may lead to degraded performance."
    )
    if failed is not LinkMode.SYMLINK:
        text += (
            " If the cache and target directories are on different filesystems, "
            f"{_VERB[failed]}ing may not be supported."
        )
    return text + " If this is intentional, set `FERRY_LINK_MODE=copy` to suppress this warning."


class _Unsupported(Exception):
    """This link kind cannot work here; try the next one in the chain."""

    def __init__(self, error: OSError | None = None) -> None:
        super().__init__(str(error) if error else "unsupported on this platform")


class Linker:
    """Links files from the cache into an environment, falling back along the mode's chain.

    ``mode`` ``None`` means ``FERRY_LINK_MODE`` or, if unset, clone → hardlink → copy.
    ``on_fallback`` receives the warning text once, the first time a requested kind of link has
    to be replaced by a copy. Thread-safe.
    """

    def __init__(
        self, mode: LinkMode | None = None, on_fallback: Callable[[str], None] | None = None
    ) -> None:
        self.requested = mode if mode is not None else link_mode_from_env()
        self._chain = _CHAINS[self.requested]
        self._on_fallback = on_fallback
        self._broken: set[LinkMode] = set()
        self._warned = False
        self._lock = threading.Lock()
        # Whether the chain has settled on hardlinks: the hot path then calls os.link directly.
        self._hardlinking = self._chain[0] is LinkMode.HARDLINK

    @property
    def mode(self) -> LinkMode:
        """The kind of link in use now: the first of the chain that has not failed."""
        return next(kind for kind in self._chain if kind not in self._broken)

    def link(self, src: str | Path, dst: str | Path) -> None:
        """Make ``dst`` a link to (or copy of) ``src``, replacing an existing ``dst`` atomically.

        The installer calls this once per file of every wheel, thousands of times per install,
        with plain strings into directories it has made. So once hardlinks are what works, this
        is one ``os.link``: no ``mkdir`` of the (existing) parent, no ``pathlib`` objects.
        Anything unusual (no parent yet, ``dst`` exists, too many links, another filesystem)
        takes the general path below.
        """
        if self._hardlinking:
            try:
                os.link(src, dst)
                return
            except OSError as error:
                if error.errno in _NO_HARDLINKS:  # not here at all: never try again
                    self._give_up(LinkMode.HARDLINK, _Unsupported(error))
                # anything else (exists, no parent, too many links, an I/O error): below
        src, dst = Path(src), Path(dst)
        try:
            dst.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise os_error("create directory", dst.parent, error) from error
        for kind in self._chain:
            if kind in self._broken:
                continue
            if kind is LinkMode.COPY:
                copy_file(src, dst)
                return
            try:
                _place(dst, functools.partial(_MAKERS[kind], src))
                return
            except _Unsupported as why:
                self._give_up(kind, why)
            except OSError as error:
                if kind is LinkMode.HARDLINK and error.errno == errno.EMLINK:
                    # Too many links to this one cached file: copy it alone, keep hardlinking.
                    logger.debug("`%s` has too many hardlinks; copying it", src)
                    copy_file(src, dst)
                    return
                raise os_error(f"{_VERB[kind]} `{src}` to", dst, error) from error
        raise AssertionError("every link chain ends with copy")  # pragma: no cover

    def _give_up(self, kind: LinkMode, why: _Unsupported) -> None:
        with self._lock:
            if kind in self._broken:
                return
            self._broken.add(kind)
            following = self.mode
            self._hardlinking = following is LinkMode.HARDLINK
            warn = following is LinkMode.COPY and not self._warned
            if warn:
                self._warned = True
        logger.debug("cannot %s here (%s); using %s from now on", _VERB[kind], why, following)
        if warn and self._on_fallback is not None:
            self._on_fallback(fallback_message(kind))


def copy_file(src: Path, dst: Path) -> None:
    """Copy ``src`` to ``dst`` with its permission bits, via a temporary sibling and a rename.

    A concurrent reader of ``dst`` (or a crash) never sees a half-written file (RELIABILITY E7).
    """
    import shutil  # here: ~2 ms of start-up; clones and hardlinks (the usual case) need none

    tmp = temp_sibling(dst)
    try:
        shutil.copyfile(src, tmp)
        shutil.copymode(src, tmp)
        tmp.replace(dst)
    except OSError as error:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise os_error(f"copy `{src}` to", dst, error) from error


def _place(dst: Path, make: Callable[[Path], None]) -> None:
    """Run ``make(dst)``; if ``dst`` exists, make a sibling and rename it over ``dst``."""
    try:
        make(dst)
        return
    except FileExistsError:
        pass
    tmp = temp_sibling(dst)
    try:
        make(tmp)
        tmp.replace(dst)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


_NO_HARDLINKS = frozenset({errno.EXDEV, errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP})


def _hardlink(src: Path, dst: Path) -> None:
    try:
        os.link(src, dst)
    except FileExistsError:
        raise
    except OSError as error:
        if error.errno in _NO_HARDLINKS:
            raise _Unsupported(error) from error
        raise


def _symlink(src: Path, dst: Path) -> None:
    try:
        dst.symlink_to(src.absolute())
    except FileExistsError:
        raise
    except OSError as error:
        if error.errno in _UNSUPPORTED:
            raise _Unsupported(error) from error
        raise


def _clone(src: Path, dst: Path) -> None:
    if sys.platform == "linux":
        _clone_linux(src, dst)
    elif sys.platform == "darwin":
        _clone_darwin(src, dst)
    else:
        raise _Unsupported()


def _clone_linux(src: Path, dst: Path) -> None:
    import fcntl

    with open(src, "rb") as source:
        mode = os.fstat(source.fileno()).st_mode & 0o7777
        fd = os.open(dst, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        try:
            fcntl.ioctl(fd, FICLONE, source.fileno())
        except OSError as error:
            os.close(fd)
            with contextlib.suppress(OSError):
                dst.unlink()
            if error.errno in _UNSUPPORTED:
                raise _Unsupported(error) from error
            raise
        os.close(fd)


@functools.cache
def _libc_clonefile() -> Callable[[bytes, bytes, int], int]:
    import ctypes

    function: Callable[[bytes, bytes, int], int] = ctypes.CDLL(None, use_errno=True).clonefile
    return function


def _clone_darwin(src: Path, dst: Path) -> None:
    import ctypes

    try:
        clonefile = _libc_clonefile()
    except (OSError, AttributeError) as error:  # macOS < 10.12
        raise _Unsupported() from error
    if clonefile(os.fsencode(src), os.fsencode(dst), 0) != 0:
        code = ctypes.get_errno()
        failure = OSError(code, os.strerror(code), str(dst))  # EEXIST becomes FileExistsError
        if code in _UNSUPPORTED:
            raise _Unsupported(failure)
        raise failure


_MAKERS: dict[LinkMode, Callable[[Path, Path], None]] = {
    LinkMode.CLONE: _clone,
    LinkMode.HARDLINK: _hardlink,
    LinkMode.SYMLINK: _symlink,
}
