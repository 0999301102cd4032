"""Undo logs for changing an environment: all of an install or uninstall happens, or none of it.

Every file that would be overwritten or removed is first *moved* into a stash directory beside
the site directory (a rename on the same filesystem: cheap and atomic), every file and directory
created is remembered, and ``rollback`` replays the log backwards (RELIABILITY F3, F5, G6). A
SIGKILL leaves ``.ferry-stash-*``/``.ferry-tmp-*`` directories behind; they never end in
``.dist-info``, so no tool mistakes them for an installed distribution, and
``remove_leftovers`` deletes them (call it under the environment lock).
"""

# The undo log works on str paths (once per installed file: pathlib would dominate the cost).
# ruff: noqa: PTH102, PTH104, PTH106, PTH108, PTH112, PTH120
from __future__ import annotations

import contextlib
import errno
import itertools
import os
import stat
import threading
from pathlib import Path

from ferry.fs.errors import os_error
from ferry.fs.spread import set_topdir
from ferry.model.interrupt import uninterruptible
from ferry.model.log import get_logger

TYPE_CHECKING = False  # typing costs ~2 ms to import; mypy reads this name as True
if TYPE_CHECKING:
    from collections.abc import Iterator

logger = get_logger(__name__)

STASH_PREFIX = ".ferry-stash-"
TEMP_PREFIX = ".ferry-tmp-"

# Whether a directory is there, and renaming a staged one into its place, happen as one step
# for the threads of this process (an install's threads may both need a shared namespace
# directory; a rename over an empty directory would silently replace the other's).
_PLACING = threading.Lock()
# Site directories whose filesystem refused FS_TOPDIR_FL: no staging is tried there again.
_UNSPREAD: set[str] = set()
# Staging directories shared by the installs of one run (``shared_staging``), by site directory;
# ``None`` outside such a run. Names inside them are numbered process-wide, so the installs'
# threads never pick the same one.
_SHARED: dict[str, str] | None = None
_SHARED_DEPTH = 0
_SHARED_LOCK = threading.Lock()
_STAGED_NAMES = itertools.count(1)


@contextlib.contextmanager
def shared_staging() -> Iterator[None]:
    """Let every install inside share one staging directory per site directory, removed when
    the outermost scope ends (by the thread that opened it, once the installs are over).

    Making the staging directory, marking it and removing it is three system calls whose
    ``mkdir`` and ``rmdir`` cost 0.1-0.3 ms each where a just-emptied environment was made again;
    once per package, that was ~2 ms of a five-package install. Shared, it is paid once a run.
    """
    global _SHARED, _SHARED_DEPTH
    with _SHARED_LOCK:
        if _SHARED_DEPTH == 0:
            _SHARED = {}
        _SHARED_DEPTH += 1
    try:
        yield
    finally:
        with _SHARED_LOCK:
            _SHARED_DEPTH -= 1
            done = _SHARED if _SHARED_DEPTH == 0 else None
            if done is not None:
                _SHARED = None
        for path in (done or {}).values():
            try:
                os.rmdir(path)
            except OSError:  # an install that failed left something staged: its rollback ran
                _rmtree(path)


def _move(src: Path, dst: Path) -> None:
    """Rename, or copy and delete when ``src`` and ``dst`` are on different filesystems."""
    try:
        src.replace(dst)
    except OSError as error:
        if error.errno != errno.EXDEV:
            raise
        import shutil

        shutil.move(os.fspath(src), os.fspath(dst))


def _rmtree(path: str | Path) -> None:
    """``shutil.rmtree`` ignoring errors; ``shutil`` imported here, as a fresh install (nothing
    replaced, nothing stashed) never removes a tree and its import costs ~2 ms of start-up."""
    import shutil

    shutil.rmtree(path, ignore_errors=True)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        _rmtree(path)
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
            self._dir = self._near / f"{STASH_PREFIX}{os.urandom(6).hex()}"
            self._dir.mkdir()
        return self._dir

    def put(self, path: Path) -> None:
        """Move ``path`` (file, symlink or directory) into the stash. Raises ``OSError``.

        The rename and its record must not be split by a ``KeyboardInterrupt`` (the file would
        be lost with the stash): a caller on the main thread holds interrupts around its puts
        (``uninterruptible``, once for a whole loop of them); worker threads never get one.
        """
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
            _rmtree(self._dir)
            self._dir = None


class Transaction:
    """The undo log of one install: created files and directories, displaced files.

    Files and directories are plain ``str`` paths: the log is written once per file of every
    wheel installed, and hashing and comparing strings is several times cheaper than ``Path``.
    """

    def __init__(self, site_dir: Path, *, spread: bool = False) -> None:
        self.stash = Stash(site_dir)
        self._site = site_dir
        self._inside = os.fspath(site_dir).rstrip(os.sep) + os.sep
        self._spread = spread  # staging still to be tried (see ``staging``)
        self._staging: str | None = None
        self._own_staging = False  # made for this install alone (no ``shared_staging`` scope)
        self._files: list[str] = []
        self._file_set: set[str] = set()
        self._dirs: list[str] = []
        self._trees: list[Path] = []
        self._known_dirs: set[str] = set()  # exist (or were made) during this transaction
        self._made_dirs: set[str] = set()  # made by this transaction: nobody else's files inside

    def make_dirs(self, directory: str | Path) -> None:
        """Create ``directory`` and missing parents, remembering each one created."""
        directory = os.fspath(directory)
        if directory in self._known_dirs:
            return
        missing: list[str] = []
        current = directory
        while current not in self._known_dirs and not os.path.isdir(current):
            missing.append(current)
            parent = os.path.dirname(current)
            if parent == current:
                break
            current = parent
        for path in reversed(missing):
            try:
                if path is missing[-1] and self._stage_dir(path):
                    continue  # the top of what was missing, made in the staging directory
                os.mkdir(path)
            except FileExistsError:
                if not os.path.isdir(path):
                    raise os_error("create directory", Path(path), FileExistsError(
                        errno.EEXIST, "a file is in the way", path)) from None
                continue
            except OSError as error:
                raise os_error("create directory", Path(path), error) from error
            self._dirs.append(path)
            self._made_dirs.add(path)
        self._known_dirs.add(directory)

    def staging(self) -> str | None:
        """A hidden directory in the site directory whose subdirectories ext4 spreads over
        block groups (``fs/spread.py``), or ``None`` where that hint is refused (or ``spread``
        was not asked for). Made on first use; removed with the transaction, empty or not.

        A virtual environment removed and made again sits in the block group its old files
        were just freed from, where each new inode costs a scan past every recent free
        (web workload: ~0.4 ms per ``mkdir``); new directories made here instead, then
        renamed into place, keep their inodes (and their files') in an unburdened group.
        """
        if not self._spread:
            return self._staging
        self._spread = False
        site = os.fspath(self._site)
        if site in _UNSPREAD:
            return None
        with _SHARED_LOCK:
            shared = _SHARED
            if shared is None:
                path = _new_staging(self._site)
                if path is not None:
                    self._trees.append(Path(path))  # removed on rollback, whatever it holds
                    self._own_staging = True
            else:
                path = shared.get(site) or _new_staging(self._site)
                if path is not None:
                    shared[site] = path  # the scope removes it; each install its own entries
        self._staging = path
        return path

    def staged_path(self, label: str) -> Path | None:
        """A fresh name for ``label`` in the staging directory (``None`` without one), removed
        on rollback like everything this install makes; unique among the installs sharing it."""
        staging = self.staging()
        if staging is None:
            return None
        path = Path(staging, f"{next(_STAGED_NAMES)}-{label}")
        self._trees.append(path)
        return path

    def _stage_dir(self, path: str) -> bool:
        """Make the new directory ``path`` in the staging directory and rename it into place;
        whether that was done (``False``: make it in place). Raises ``FileExistsError`` when
        ``path`` appeared meanwhile (another thread of this install run made it)."""
        if not path.startswith(self._inside):
            return False  # another filesystem, perhaps: ``rename`` cannot cross it
        if os.path.dirname(path) in self._made_dirs:
            return False  # its parent was placed apart already, and its children go with it
        staging = self.staging()
        if staging is None or path.startswith(staging + os.sep):
            return False  # inside the staging directory already: placed as it should be
        staged = f"{staging}{os.sep}{next(_STAGED_NAMES)}"
        os.mkdir(staged)
        with _PLACING:
            if os.path.lexists(path):
                os.rmdir(staged)
                raise FileExistsError(errno.EEXIST, "exists", path)
            try:
                os.rename(staged, path)
            except OSError:
                os.rmdir(staged)
                raise
        self._dirs.append(path)
        self._made_dirs.add(path)
        return True

    def made_dir(self, directory: str) -> None:
        """``directory`` was just made by this install, inside a tree it removes whole on
        rollback (``created_tree``): known to exist, holding only what the install writes."""
        self._known_dirs.add(directory)
        self._made_dirs.add(directory)

    def in_new_dir(self, directory: str) -> bool:
        """Whether this install created ``directory`` (so it holds only what the install wrote)."""
        return directory in self._made_dirs

    def written(self, path: str) -> bool:
        """Whether this install has already put a file at ``path``."""
        return path in self._file_set

    def clear_target(self, path: str | Path, parent: str | None = None) -> bool:
        """Make ``path`` free for a new file; returns whether this install had already written it.

        An existing file of someone else is stashed (and restored on rollback); a directory in
        the way is an error, because replacing a directory with a file is never what a wheel means.
        ``parent`` is ``path``'s directory when the caller knows it (saves a split).
        """
        path = os.fspath(path)
        if path in self._file_set:
            os.unlink(path)
            return True
        if (os.path.dirname(path) if parent is None else parent) in self._made_dirs:
            return False  # a directory this install created holds only what it wrote: no lstat
        try:
            mode = os.lstat(path).st_mode
        except FileNotFoundError:
            return False
        except OSError as error:
            raise os_error("inspect", Path(path), error) from error
        if stat.S_ISDIR(mode):
            raise os_error("install file over directory", Path(path),
                           IsADirectoryError(errno.EISDIR, "it is a directory", path))
        try:
            self.stash.put(Path(path))
        except OSError as error:
            raise os_error("move aside the existing file", Path(path), error) from error
        logger.debug("`%s` existed; it is stashed until the install completes", path)
        return False

    def created(self, path: str | Path) -> None:
        path = os.fspath(path)
        if path not in self._file_set:
            self._file_set.add(path)
            self._files.append(path)

    def created_tree(self, path: Path) -> None:
        """A directory this install made with all its content (removed whole on rollback)."""
        self._trees.append(path)

    def rollback(self) -> None:
        with uninterruptible():  # a rollback cut short leaves both versions half there
            self._rollback()

    def _rollback(self) -> None:
        for tree in reversed(self._trees):
            _remove(tree)
        for path in reversed(self._files):
            with contextlib.suppress(OSError):
                os.unlink(path)
        self.stash.restore()
        for path in reversed(self._dirs):
            with contextlib.suppress(OSError):
                os.rmdir(path)
        self._files.clear()
        self._file_set.clear()
        self._dirs.clear()
        self._trees.clear()
        self._staging = None
        self._known_dirs.clear()
        self._made_dirs.clear()

    def commit(self) -> None:
        with uninterruptible():
            self.stash.discard()
            if self._staging is not None and self._own_staging:
                try:  # empty now, unless an install left something there
                    os.rmdir(self._staging)
                except OSError:
                    _rmtree(self._staging)
            self._staging = None


def _new_staging(site_dir: Path) -> str | None:
    """A new staging directory in ``site_dir`` marked ``FS_TOPDIR_FL``; ``None`` where it cannot
    be made or marked (the site directory is then never tried again)."""
    path = os.fspath(temp_dir_in(site_dir, "stage"))
    try:
        os.mkdir(path)
    except OSError:
        return None  # the plain way reports what is wrong with the site directory
    if not set_topdir(path):
        _UNSPREAD.add(os.fspath(site_dir))
        with contextlib.suppress(OSError):
            os.rmdir(path)
        return None
    return path


def temp_dir_in(site_dir: Path, label: str) -> Path:
    """A fresh hidden directory name in ``site_dir`` (not created)."""
    return site_dir / f"{TEMP_PREFIX}{label}-{os.urandom(6).hex()}"


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
