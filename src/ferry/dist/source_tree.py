"""A source tree as a PEP 517 frontend sees it: its build system, and a hash of its content.

``read_build_system`` answers "which backend, with which requirements": the ``[build-system]``
table of ``pyproject.toml`` (PEP 517/518), or, when there is none, setuptools' legacy backend as
pip and uv use it, so an old ``setup.py`` project still builds.

``tree_hash`` is the cache key of a local directory: built wheels of a directory are reused only
while none of its source files changed. It skips what is not source (VCS folders, virtual
environments, byte-code, ``build/``/``dist/`` at the top, ``*.egg-info``) so that a build, which
writes exactly those, does not change the key of the tree it built.
"""

from __future__ import annotations

import hashlib
import os
import stat
import tomllib
from pathlib import Path
from typing import Any

from ferry.fs.errors import os_error
from ferry.model.errors import BuildError, ParseError
from ferry.model.immutable import immutable
from ferry.model.log import get_logger
from ferry.model.pep508_requirements import InvalidRequirement, Requirement

__all__ = [
    "LEGACY_BACKEND",
    "LEGACY_REQUIRES",
    "BuildSystem",
    "file_sha256",
    "read_build_system",
    "read_pyproject",
    "tree_hash",
]

logger = get_logger(__name__)

# What pip and uv use for a tree without a PEP 517 backend. ``wheel`` is not listed: setuptools
# asks for it through ``get_requires_for_build_wheel`` when (and only when) it still needs it.
LEGACY_BACKEND = "setuptools.build_meta:__legacy__"
LEGACY_REQUIRES = ("setuptools>=40.8.0",)

# ``.ferry`` is ferry's own record of the project's environment, rewritten by every sync: hashed,
# it would make each sync see a new tree and build the project's metadata again.
_SKIP_ANYWHERE = frozenset(
    {".git", ".hg", ".svn", "__pycache__", ".venv", ".tox", ".nox", ".mypy_cache",
     ".pytest_cache", ".ruff_cache", ".ferry"}
)
_SKIP_AT_TOP = frozenset({"build", "dist"})
# The lock is written by the very command that asks for the project's metadata: hashed, the
# first check after every lock would build the metadata again. No backend builds from it.
_SKIP_FILES_AT_TOP = frozenset({"uv.lock"})


@immutable
class BuildSystem:
    """How to build one source tree."""

    requires: tuple[str, ...]
    backend: str
    backend_path: tuple[str, ...] = ()
    legacy: bool = False
    """True when no ``build-backend`` was declared and setuptools' legacy backend stands in."""


def read_pyproject(project_dir: Path) -> dict[str, Any] | None:
    """The parsed ``pyproject.toml`` of ``project_dir``, or ``None`` when there is none."""
    path = project_dir / "pyproject.toml"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except UnicodeDecodeError as error:
        raise ParseError(f"`{path}` is not valid UTF-8: {error}", path=str(path)) from error
    except OSError as error:
        raise os_error("read", path, error) from error
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        line = getattr(error, "lineno", None)
        source = text.splitlines()[line - 1] if line and line <= len(text.splitlines()) else None
        raise ParseError(
            f"`{path}` is not valid TOML: {error}",
            path=str(path),
            line=line,
            column=getattr(error, "colno", None),
            source_line=source,
        ) from error


def read_build_system(project_dir: Path, label: str) -> BuildSystem:
    """The build system of ``project_dir``; ``label`` names the package in error messages."""
    pyproject = read_pyproject(project_dir)
    table = None if pyproject is None else pyproject.get("build-system")
    if table is None:
        if pyproject is None and not (project_dir / "setup.py").is_file():
            raise BuildError(
                f"`{label}` does not appear to be a Python project: `{project_dir}` has "
                "neither a `pyproject.toml` nor a `setup.py`",
            )
        logger.debug(
            "%s declares no [build-system]; using %s with %s, as pip does",
            label, LEGACY_BACKEND, ", ".join(LEGACY_REQUIRES),
        )
        return BuildSystem(LEGACY_REQUIRES, LEGACY_BACKEND, legacy=True)
    where = str(project_dir / "pyproject.toml")
    if not isinstance(table, dict):
        raise ParseError(f"`[build-system]` in `{where}` is not a table", path=where)
    requires = table.get("requires")
    if requires is None:
        raise ParseError(
            f"`[build-system]` in `{where}` has no `requires` key",
            path=where,
            hint="PEP 518 makes it mandatory; list the backend's own package there, e.g. "
            '`requires = ["setuptools>=61"]`',
        )
    if not isinstance(requires, list) or not all(isinstance(r, str) for r in requires):
        message = f"`build-system.requires` in `{where}` is not a list of strings"
        raise ParseError(message, path=where)
    for requirement in requires:
        try:
            Requirement(requirement)
        except InvalidRequirement as error:
            raise ParseError(
                f"`build-system.requires` in `{where}` has an invalid requirement "
                f"`{requirement}`: {error}",
                path=where,
            ) from error
    backend = table.get("build-backend")
    if backend is not None and (not isinstance(backend, str) or not backend.strip()):
        raise ParseError(f"`build-system.build-backend` in `{where}` is not a string", path=where)
    backend_path = table.get("backend-path", [])
    if not isinstance(backend_path, list) or not all(isinstance(p, str) for p in backend_path):
        raise ParseError(
            f"`build-system.backend-path` in `{where}` is not a list of strings", path=where
        )
    for entry in backend_path:
        _check_backend_path(project_dir, entry, where)
    if backend is None:
        logger.debug("%s declares no build-backend; using %s", label, LEGACY_BACKEND)
        return BuildSystem(tuple(requires), LEGACY_BACKEND, tuple(backend_path), legacy=True)
    return BuildSystem(tuple(requires), backend.strip(), tuple(backend_path))


def _check_backend_path(project_dir: Path, entry: str, where: str) -> None:
    """PEP 517: backend-path entries are relative and stay inside the source tree."""
    if Path(entry).is_absolute():
        raise ParseError(f"`backend-path` entry `{entry}` in `{where}` is absolute", path=where)
    root = os.path.realpath(project_dir)
    target = os.path.realpath(Path(root) / entry)
    if os.path.commonpath([root, target]) != root:
        raise ParseError(
            f"`backend-path` entry `{entry}` in `{where}` points outside the project", path=where
        )


def file_sha256(path: Path) -> str:
    """The sha256 of one file, read in chunks."""
    try:
        with path.open("rb") as stream:
            return hashlib.file_digest(stream, "sha256").hexdigest()
    except OSError as error:
        raise os_error("read", path, error) from error


def tree_hash(project_dir: Path) -> str:
    """A sha256 over every source file of ``project_dir``: relative path, kind, mode, content.

    Deterministic (entries sorted), independent of where the tree lives and of timestamps.
    """
    digest = hashlib.sha256(b"ferry-tree-v1\0")
    for relative, full in _walk(project_dir):
        try:
            info = full.lstat()
            if stat.S_ISLNK(info.st_mode):
                entry = b"L\0" + str(full.readlink()).encode("utf-8", "surrogateescape")
            else:
                executable = b"x" if info.st_mode & 0o111 else b"-"
                entry = b"F" + executable + bytes.fromhex(file_sha256(full))
        except OSError as error:
            raise os_error("read", full, error) from error
        digest.update(relative.encode("utf-8", "surrogateescape") + b"\0" + entry + b"\0")
    return digest.hexdigest()


def _walk(project_dir: Path) -> list[tuple[str, Path]]:
    found: list[tuple[str, Path]] = []
    try:
        for root, dirs, files in os.walk(project_dir):
            here = Path(root)
            at_top = here == project_dir
            dirs[:] = sorted(d for d in dirs if not _skipped_dir(here / d, d, at_top))
            for name in files:
                if at_top and name in _SKIP_FILES_AT_TOP:
                    continue
                full = here / name
                found.append((full.relative_to(project_dir).as_posix(), full))
            # Symlinked directories are not followed by os.walk; hash the link itself.
            for name in list(dirs):
                if (here / name).is_symlink():
                    dirs.remove(name)
                    found.append(((here / name).relative_to(project_dir).as_posix(), here / name))
    except OSError as error:
        raise os_error("list", project_dir, error) from error
    return sorted(found)


def _skipped_dir(path: Path, name: str, at_top: bool) -> bool:
    if name in _SKIP_ANYWHERE or name.endswith(".egg-info"):
        return True
    if at_top and name in _SKIP_AT_TOP:
        return True
    return (path / "pyvenv.cfg").is_file()  # any virtual environment, whatever its name
