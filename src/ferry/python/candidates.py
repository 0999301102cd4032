"""The executables discovery tries, in uv's order, as plain strings.

Split from ``discovery.py`` so that ``ferry venv``'s lean path (``ferry.commands.venv_fast``)
walks exactly the same candidates as the full path without importing pathlib, ``re`` or
``packaging``: only ``os`` is used here. Whoever calls this decides what a request means; this
module only knows names, folders and order:

1. the given environment roots (the active ``VIRTUAL_ENV``, the nearest ``.venv``), when venvs
   are allowed;
2. every directory on PATH, in order: the requested names in each, then (when asked)
   ``python3.N`` newest first;
3. pyenv's installs, newest first.

Each binary (per environment) is yielded once; candidates inside a virtual environment are
skipped when venvs are not allowed.
"""

from __future__ import annotations

# ruff: noqa: PTH100, PTH111, PTH113, PTH118, PTH120
import os

TYPE_CHECKING = False  # typing costs ~2 ms to import; mypy reads this name as True
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator
    from typing import Any

CFG_NAME = "pyvenv.cfg"
EXE = ".exe" if os.name == "nt" else ""


class Candidate:
    """One executable to try and where it came from (treat as frozen; a plain class because
    ``dataclasses`` is too slow to import on the lean path)."""

    __slots__ = ("path", "source")

    def __init__(self, path: str, source: str) -> None:
        self.path = path
        self.source = source  # "VIRTUAL_ENV", ".venv", "PATH", "pyenv"

    def __repr__(self) -> str:
        return f"Candidate({self.path!r}, {self.source!r})"


def names_for(*, name: str | None, minor: tuple[int, int] | None, pypy: bool) -> list[str]:
    """Executable names to look for on PATH: an explicit ``name``; else ``python3.X`` (for a
    request naming a minor version), ``python3``, ``python`` — PyPy's names first for PyPy."""
    if name is not None:
        return [name]
    names: list[str] = []
    if minor is not None:
        names.append(f"python{minor[0]}.{minor[1]}")
    names += ["python3", "python"]
    if pypy:
        names = [f"pypy{n[len('python') :]}" for n in names] + names
    return [n + EXE for n in names]


def venv_root_of(executable: str) -> str | None:
    """The virtual environment ``executable`` (``<root>/bin/python``) belongs to, if any."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(executable)))
    return root if os.path.isfile(os.path.join(root, CFG_NAME)) else None


def candidates(
    names: list[str],
    *,
    scan_minors: bool,
    pyenv_names: list[str],
    env_roots: Iterable[tuple[str, str]] = (),
    allow_venvs: bool,
    order: Callable[[str], Any],
) -> Iterator[Candidate]:
    """Executables to try, in order, each binary (per environment) once.

    ``env_roots`` are (root, source) pairs tried first; ``order`` sorts pyenv's version folder
    names (newest last, as ``sorted`` puts them).
    """
    seen: set[tuple[str, str]] = set()
    for candidate in _raw(names, scan_minors, pyenv_names, env_roots, order):
        try:
            real = os.path.realpath(candidate.path)
        except OSError:
            continue
        if not os.path.isfile(real):
            continue
        venv = venv_root_of(candidate.path)
        if venv is not None and not allow_venvs:
            _debug("Skipping %s: inside the virtual environment %s", candidate.path, venv)
            continue
        key = (real, venv or "")
        if key in seen:
            continue
        seen.add(key)
        yield candidate


def _raw(
    names: list[str],
    scan_minors: bool,
    pyenv_names: list[str],
    env_roots: Iterable[tuple[str, str]],
    order: Callable[[str], Any],
) -> Iterator[Candidate]:
    for root, source in env_roots:
        for relative in (f"bin/python{EXE}", f"bin/python3{EXE}", "Scripts/python.exe"):
            yield Candidate(os.path.join(root, relative), source)
    for folder in path_dirs():
        for name in names:
            yield Candidate(os.path.join(folder, name), "PATH")
        if scan_minors:
            yield from (Candidate(p, "PATH") for p in minor_versions_in(folder))
    for version_dir in pyenv_versions(order):
        for name in pyenv_names:
            yield Candidate(os.path.join(version_dir, "bin", name), "pyenv")


def path_dirs() -> list[str]:
    dirs: list[str] = []
    for entry in os.environ.get("PATH", os.defpath).split(os.pathsep):
        if entry and os.path.normpath(entry) not in dirs:
            dirs.append(os.path.normpath(entry))
    return dirs


def minor_versions_in(folder: str) -> list[str]:
    """``python3.N`` executables in ``folder``, newest first (for requests without a minor)."""
    found: list[tuple[int, str]] = []
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                name = entry.name.removesuffix(EXE)
                minor = name[len("python3.") :]
                if name.startswith("python3.") and minor.isdecimal():
                    found.append((int(minor), entry.path))
    except OSError:
        return []
    return [path for _, path in sorted(found, reverse=True)]


def pyenv_versions(order: Callable[[str], Any]) -> list[str]:
    """pyenv's installs, newest first: real binaries, unlike its shims."""
    root = os.path.join(
        os.environ.get("PYENV_ROOT") or os.path.join(os.path.expanduser("~"), ".pyenv"),
        "versions",
    )
    try:
        with os.scandir(root) as entries:
            folders = [(entry.name, entry.path) for entry in entries if entry.is_dir()]
    except OSError:
        return []
    return [path for _, path in sorted(folders, key=lambda item: order(item[0]), reverse=True)]


def _debug(message: str, *args: object) -> None:
    """DEBUG through ferry.model.log only if something already loaded it (the CLI, to
    configure logging) or logging itself: otherwise nobody could see the message."""
    import sys

    if "ferry.model.log" in sys.modules or "logging" in sys.modules:
        from ferry.model.log import get_logger

        get_logger("ferry.python.discovery").debug(message, *args)
