"""Uninstall one distribution by its RECORD, reversibly.

Exactly the files RECORD lists are removed (whoever installed them: ferry, pip, uv), plus the
bytecode compiled from them, then directories left empty. RECORD is written by whoever built or
installed the distribution, so an entry that resolves outside the environment's scheme
directories is skipped with a warning and its file left alone (RELIABILITY B10, as uv's
``is_path_in_scheme``).

Files are moved into a stash first, ``.dist-info`` before anything else (so a crash leaves a
distribution that is not listed, which the next sync repairs, rather than one that is listed but
broken). Any failure restores everything (G6). With ``stash=True`` the caller decides: an upgrade
uninstalls, installs the new version, and only then ``commit()``s, or ``rollback()``s to get the
old version back (F5).
"""

from __future__ import annotations

import os
from pathlib import Path

from ferry.fs.errors import os_error
from ferry.model.errors import UserError
from ferry.model.interrupt import uninterruptible
from ferry.model.log import get_logger
from ferry.model.scheme import Scheme
from ferry.wheel._paths import Enclosure, lexical_join
from ferry.wheel._transaction import Stash
from ferry.wheel.installed import InstalledDist
from ferry.wheel.record import RecordError, parse_record

__all__ = ["UninstallError", "UninstallResult", "uninstall"]

logger = get_logger(__name__)


class UninstallError(UserError):
    """A distribution cannot be uninstalled as it is (no RECORD, egg-info, malformed RECORD)."""


class UninstallResult:
    """What an uninstall moved away, and the handle that makes it final or undoes it.

    ``removed`` are the files (and the ``.dist-info`` directory) taken out of the environment;
    ``skipped`` the RECORD entries refused because they point outside it. Until ``commit()`` the
    files wait in a stash beside the site directory.
    """

    def __init__(
        self, dist: InstalledDist, stash: Stash, removed: list[Path], skipped: list[str],
        roots: list[Path],
    ) -> None:
        self.dist = dist
        self.removed = tuple(removed)
        self.skipped = tuple(skipped)
        self._stash = stash
        self._roots = roots
        self._state = "pending"

    @property
    def state(self) -> str:
        """``pending``, ``committed`` or ``rolled back``."""
        return self._state

    def commit(self) -> None:
        """Delete the stashed files for good and prune directories left empty."""
        if self._state != "pending":
            return
        with uninterruptible():
            self._commit()

    def _commit(self) -> None:
        self._stash.discard()
        _prune_empty_dirs({p.parent for p in self.removed}, self._roots)
        self._state = "committed"
        logger.debug("Uninstalled %s (%d files)", self.dist, len(self.removed))

    def rollback(self) -> None:
        """Put every stashed file back where it was."""
        if self._state != "pending":
            return
        with uninterruptible():
            failed = self._stash.restore()
            self._state = "rolled back"
        if failed:
            raise os_error(
                f"restore `{self.dist.name}` after a failed change: could not restore",
                failed[0],
                OSError(f"{len(failed)} file(s) remain in the stash"),
            )


def _pyc_files(source: Path) -> list[Path]:
    """Bytecode of ``source`` for any interpreter: ``__pycache__/<stem>.*.pyc``, legacy ``.pyc``."""
    found: list[Path] = []
    cache = source.parent / "__pycache__"
    prefix = source.stem + "."
    try:
        with os.scandir(cache) as entries:
            found = [
                Path(e.path)
                for e in entries
                if e.name.startswith(prefix) and e.name.endswith(".pyc")
            ]
    except (FileNotFoundError, NotADirectoryError):
        pass
    legacy = source.with_suffix(".pyc")
    if legacy.is_file():
        found.append(legacy)
    return found


def _read_record(dist: InstalledDist) -> list[str]:
    path = dist.dist_info / "RECORD"
    try:
        text = path.read_text("utf-8", "surrogateescape")
    except FileNotFoundError:
        raise UninstallError(
            f"Cannot uninstall `{dist.name}` {dist.version}: `{path}` is missing",
            hint=f"reinstall it to repair it (e.g. `ferry pip install --reinstall {dist.name}`)",
        ) from None
    except OSError as exc:
        raise os_error("read", path, exc) from exc
    try:
        return [entry.path for entry in parse_record(text)]
    except RecordError as exc:
        raise UninstallError(f"Cannot uninstall `{dist.name}`: `{path}`: {exc}") from None


def _targets(dist: InstalledDist, enclosure: Enclosure) -> tuple[list[Path], list[str]]:
    """Files to remove (outside ``.dist-info``), and RECORD entries refused as outside."""
    targets: list[Path] = []
    skipped: list[str] = []
    seen: set[Path] = set()
    site = os.path.normpath(dist.site_dir)
    dist_info = os.path.normpath(dist.dist_info)
    for entry in _read_record(dist):
        joined = lexical_join(site, entry)
        if joined == dist_info or joined.startswith(dist_info + os.sep):
            continue  # removed with the directory
        if not enclosure.contains(joined):
            skipped.append(entry)
            continue
        path = Path(joined)
        candidates = [path, *(_pyc_files(path) if joined.endswith(".py") else [])]
        for candidate in candidates:
            if candidate in seen or not (candidate.is_file() or candidate.is_symlink()):
                continue
            seen.add(candidate)
            targets.append(candidate)
    if skipped:
        logger.warning(
            "Invalid RECORD entries in `%s` escape the environment; leaving them alone: %s",
            dist.dist_info,
            ", ".join(f"`{s}`" for s in skipped),
        )
    return targets, skipped


def _scheme_roots(scheme: Scheme, dist: InstalledDist) -> list[Path]:
    dirs = [scheme.purelib, scheme.platlib, scheme.scripts, scheme.data, scheme.headers]
    return [Path(os.path.normpath(d)) for d in [*dirs, dist.site_dir]]


def uninstall(dist: InstalledDist, scheme: Scheme, *, stash: bool = False) -> UninstallResult:
    """Remove ``dist`` from the environment described by ``scheme``.

    With ``stash=False`` the result is already committed. With ``stash=True`` it is pending:
    call ``commit()`` or ``rollback()``. On an error nothing has changed, nor on a Ctrl-C that
    would keep the pending result from reaching its caller (a caller that holds interrupts
    itself gets the result, and the Ctrl-C once its hold ends).
    """
    if dist.kind != "dist-info":
        raise UninstallError(
            f"Cannot uninstall `{dist.name}` {dist.version}: it was installed by setuptools "
            f"(`{dist.dist_info.name}` has no RECORD)",
            hint="remove its files by hand, or with the tool that installed it",
        )
    roots = _scheme_roots(scheme, dist)
    targets, skipped = _targets(dist, Enclosure(roots))
    # A Ctrl-C between a rename into the stash and its record would lose the file: held.
    with uninterruptible() as hold:
        result = _stash_all(dist, targets, skipped, roots, stash)
        if stash and hold.will_raise:
            result.rollback()  # the caller never gets the handle to do it: nothing changed
    return result


def _stash_all(
    dist: InstalledDist, targets: list[Path], skipped: list[str], roots: list[Path], stash: bool
) -> UninstallResult:
    holder = Stash(dist.site_dir)
    removed: list[Path] = []
    for path in [dist.dist_info, *targets]:
        try:
            holder.put(path)
        except FileNotFoundError:
            continue
        except OSError as exc:
            holder.restore()
            raise os_error(f"uninstall `{dist.name}`: cannot remove", path, exc) from exc
        except BaseException:
            holder.restore()
            raise
        removed.append(path)
    result = UninstallResult(dist, holder, removed, skipped, roots)
    if not stash:
        result.commit()
    return result


def _prune_empty_dirs(dirs: set[Path], roots: list[Path]) -> None:
    """Remove directories left empty, deepest first, never a scheme directory or above.

    A ``__pycache__`` that is all a directory still holds goes too: it holds only bytecode, and
    leaving it would keep an otherwise empty package directory alive.
    """
    stops = set(roots)
    for start in sorted(dirs, key=lambda p: len(p.parts), reverse=True):
        current = start
        while current not in stops and any(current.is_relative_to(r) for r in roots):
            try:
                if [p.name for p in current.iterdir()] == ["__pycache__"]:
                    import shutil  # here: ~2 ms of start-up, for the rare leftover bytecode

                    shutil.rmtree(current / "__pycache__", ignore_errors=True)
            except OSError:
                break
            try:
                current.rmdir()
            except OSError:
                break  # not empty (or already gone and its parent not ours to judge)
            current = current.parent
