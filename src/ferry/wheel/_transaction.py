"""Undo logs for changing an environment: all of an install or uninstall happens, or none of it.

Every file that would be overwritten or removed is first *moved* into a stash directory beside
the site directory (a rename on the same filesystem: cheap and atomic), every file and directory
created is remembered, and ``rollback`` replays the log backwards (RELIABILITY F3, F5, G6). A
SIGKILL leaves ``.ferry-stash-*``/``.ferry-tmp-*`` directories behind; they never end in
``.dist-info``, so no tool mistakes them for an installed distribution, and
``remove_leftovers`` deletes them (call it under the environment lock).
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import secrets
import shutil
import stat
from pathlib import Path

from ferry.fs.errors import os_error

logger = logging.getLogger(__name__)

STASH_PREFIX = ".ferry-stash-"
TEMP_PREFIX = ".ferry-tmp-"


def _move(src: Path, dst: Path) -> None:
    """Rename, or copy and delete when ``src`` and ``dst`` are on different filesystems."""
    try:
        src.replace(dst)
    except OSError as error:
        if error.errno != errno.EXDEV:
            raise
        shutil.move(os.fspath(src), os.fspath(dst))


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


class Stash:
    """Files moved out of the way, each restorable to where it was."""

    def __init__(self, near: Path) -> None:
        self._near = near
        self._dir: Path | None = None
        self.moved: list[tuple[Path, Path]] = []  # (original, stashed)

    def _directory(self) -> Path:
        if self._dir is None:
            self._near.mkdir(parents=True, exist_ok=True)
            self._dir = self._near / f"{STASH_PREFIX}{secrets.token_hex(6)}"
            self._dir.mkdir()
        return self._dir

    def put(self, path: Path) -> None:
        """Move ``path`` (file, symlink or directory) into the stash. Raises ``OSError``."""
        stashed = self._directory() / str(len(self.moved))
        _move(path, stashed)
        self.moved.append((path, stashed))

    def restore(self) -> list[Path]:
        """Move everything back, newest first; returns the paths that could not be restored."""
        failed: list[Path] = []
        for original, stashed in reversed(self.moved):
            try:
                original.parent.mkdir(parents=True, exist_ok=True)
                if original.exists() or original.is_symlink():
                    _remove(original)
                _move(stashed, original)
            except OSError as error:
                logger.error("Could not restore `%s` from `%s`: %s", original, stashed, error)
                failed.append(original)
        self.moved.clear()
        if not failed:
            self.discard()
        return failed

    def discard(self) -> None:
        """Delete the stash and what it holds (the change is final)."""
        self.moved.clear()
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None


class Transaction:
    """The undo log of one install: created files and directories, displaced files."""

    def __init__(self, site_dir: Path) -> None:
        self.stash = Stash(site_dir)
        self._files: list[Path] = []
        self._file_set: set[Path] = set()
        self._dirs: list[Path] = []
        self._trees: list[Path] = []
        self._known_dirs: set[Path] = set()  # exist (or were made) during this transaction
        self._made_dirs: set[Path] = set()  # made by this transaction: nobody else's files inside

    def make_dirs(self, directory: Path) -> None:
        """Create ``directory`` and missing parents, remembering each one created."""
        if directory in self._known_dirs:
            return
        missing: list[Path] = []
        current = directory
        while current not in self._known_dirs and not current.is_dir():
            missing.append(current)
            if current.parent == current:
                break
            current = current.parent
        for path in reversed(missing):
            try:
                path.mkdir()
            except FileExistsError:
                if not path.is_dir():
                    raise os_error("create directory", path, FileExistsError(
                        errno.EEXIST, "a file is in the way", str(path))) from None
                continue
            except OSError as error:
                raise os_error("create directory", path, error) from error
            self._dirs.append(path)
            self._made_dirs.add(path)
        self._known_dirs.add(directory)

    def clear_target(self, path: Path) -> bool:
        """Make ``path`` free for a new file; returns whether this install had already written it.

        An existing file of someone else is stashed (and restored on rollback); a directory in
        the way is an error, because replacing a directory with a file is never what a wheel means.
        """
        if path in self._file_set:
            path.unlink()
            return True
        if path.parent in self._made_dirs:
            return False  # a directory this install created holds only what it wrote: no lstat
        try:
            mode = path.lstat().st_mode
        except FileNotFoundError:
            return False
        except OSError as error:
            raise os_error("inspect", path, error) from error
        if stat.S_ISDIR(mode):
            raise os_error("install file over directory", path,
                           IsADirectoryError(errno.EISDIR, "it is a directory", str(path)))
        try:
            self.stash.put(path)
        except OSError as error:
            raise os_error("move aside the existing file", path, error) from error
        logger.debug("`%s` existed; it is stashed until the install completes", path)
        return False

    def created(self, path: Path) -> None:
        if path not in self._file_set:
            self._file_set.add(path)
            self._files.append(path)

    def created_tree(self, path: Path) -> None:
        """A directory this install made with all its content (removed whole on rollback)."""
        self._trees.append(path)

    def rollback(self) -> None:
        for path in reversed(self._trees):
            _remove(path)
        for path in reversed(self._files):
            with contextlib.suppress(OSError):
                path.unlink()
        self.stash.restore()
        for path in reversed(self._dirs):
            with contextlib.suppress(OSError):
                path.rmdir()
        self._files.clear()
        self._file_set.clear()
        self._dirs.clear()
        self._trees.clear()
        self._known_dirs.clear()
        self._made_dirs.clear()

    def commit(self) -> None:
        self.stash.discard()


def temp_dir_in(site_dir: Path, label: str) -> Path:
    """A fresh hidden directory name in ``site_dir`` (not created)."""
    return site_dir / f"{TEMP_PREFIX}{label}-{secrets.token_hex(6)}"


def remove_leftovers(site_dir: Path) -> list[Path]:
    """Delete stash and temporary directories a killed ferry left in ``site_dir``.

    Only safe while holding the environment lock (another ferry may be using them otherwise).
    """
    removed: list[Path] = []
    try:
        entries = list(os.scandir(site_dir))
    except (FileNotFoundError, NotADirectoryError):
        return removed
    for entry in entries:
        if entry.name.startswith((STASH_PREFIX, TEMP_PREFIX)):
            logger.debug("Removing leftover `%s` of an interrupted ferry run", entry.path)
            _remove(Path(entry.path))
            removed.append(Path(entry.path))
    return removed
