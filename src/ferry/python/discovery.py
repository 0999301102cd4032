"""Finding an interpreter that satisfies a request, in uv's order.

The request is the explicit one, else FERRY_PYTHON, else the nearest ``.python-version``. The
search visits, in order: the active VIRTUAL_ENV and the nearest ``.venv`` (when venvs are
allowed), every directory on PATH (``python3.X``, ``python3``, ``python`` in each, so PATH order
wins as in uv), then pyenv's installs. Each candidate is introspected (cached) and the first that
satisfies the request and ``requires_python`` wins. Candidates that cannot be queried — pyenv
shims for a version that is not active, broken links, Python 2 — are skipped with a DEBUG line.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from packaging.specifiers import SpecifierSet
from packaging.version import InvalidVersion, Version

from ferry.model.errors import InterpreterNotFoundError, ParseError, UserError
from ferry.python.environment import find_dot_venv
from ferry.python.interpreter import Interpreter, InterpreterQueryError, JsonStore, introspect
from ferry.python.pyvenv_cfg import CFG_NAME
from ferry.python.request import PythonRequest, RequestKind

logger = logging.getLogger(__name__)

VERSION_FILE = ".python-version"
_MINOR_NAME = re.compile(r"^python3\.(\d+)$")
_EXE = ".exe" if os.name == "nt" else ""


@dataclass(frozen=True, slots=True)
class Candidate:
    path: Path
    source: str  # "VIRTUAL_ENV", ".venv", "PATH", "pyenv"


def requested_python(
    request: PythonRequest | None, directory: Path
) -> tuple[PythonRequest | None, str | None]:
    """The request in force and where it came from: the argument, FERRY_PYTHON, or the nearest
    ``.python-version`` walking up from ``directory``."""
    if request is not None:
        return request, None
    env = os.environ.get("FERRY_PYTHON", "").strip()
    if env:
        return PythonRequest.parse(env), "FERRY_PYTHON"
    found = find_python_version_file(directory)
    if found is None:
        return None, None
    return read_python_version_file(found), str(found)


def find_python_version_file(directory: Path) -> Path | None:
    for folder in (directory.absolute(), *directory.absolute().parents):
        candidate = folder / VERSION_FILE
        if candidate.is_file():
            return candidate
    return None


def read_python_version_file(path: Path) -> PythonRequest:
    """The first request in a ``.python-version`` file (comments and blank lines skipped)."""
    text = path.read_text(encoding="utf-8", errors="replace")
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        try:
            return PythonRequest.parse(stripped)
        except UserError as error:
            raise ParseError(
                f"Invalid Python request in `{path}`: {error.message}",
                path=str(path),
                line=number,
                source_line=line,
                hint=error.hint,
            ) from error
    raise ParseError(f"`{path}` names no Python version", path=str(path))


def find_interpreter(
    request: PythonRequest | None,
    cache: JsonStore | None,
    *,
    directory: Path,
    requires_python: SpecifierSet | None = None,
    allow_venvs: bool = True,
) -> Interpreter:
    """The first interpreter satisfying the request (see the module docstring for the order).

    With ``allow_venvs=False`` (``ferry venv``, ``--system``) virtual environments are skipped
    unless the request is an explicit path.
    """
    request, source = requested_python(request, directory)
    where = f" (from {source})" if source else ""
    if request is not None and request.kind is RequestKind.PATH:
        assert request.path is not None
        chosen = introspect(_interpreter_in(request.path), cache)
        _check_requires_python(chosen, requires_python, str(request) + where)
        return chosen
    wanted = request or PythonRequest("", RequestKind.ANY)
    seen: list[Interpreter] = []
    for candidate in _candidates(request, directory, allow_venvs):
        interpreter = _try(candidate, cache)
        if interpreter is None:
            continue
        seen.append(interpreter)
        if not allow_venvs and interpreter.is_venv:
            continue
        if not wanted.satisfied_by(interpreter):
            logger.debug(
                "Skipping %s at %s: does not satisfy %s",
                interpreter.describe(),
                candidate.path,
                wanted,
            )
            continue
        if requires_python is not None and not requires_python.contains(
            interpreter.version, prereleases=True
        ):
            logger.debug(
                "Skipping %s at %s: outside requires-python %s",
                interpreter.describe(),
                candidate.path,
                requires_python,
            )
            continue
        logger.debug(
            "Found %s at %s (%s)", interpreter.describe(), candidate.path, candidate.source
        )
        return interpreter
    raise _not_found(request, where, requires_python, seen)


def find_all(cache: JsonStore | None, *, directory: Path | None = None) -> list[Interpreter]:
    """Every interpreter discovery can see (VIRTUAL_ENV, PATH, pyenv), one per binary+prefix."""
    found: list[Interpreter] = []
    for candidate in _candidates(None, directory or Path.cwd(), allow_venvs=True, every=True):
        interpreter = _try(candidate, cache)
        if interpreter is not None:
            found.append(interpreter)
    return found


def _interpreter_in(path: Path) -> Path:
    """A path request may name an interpreter or an environment/installation directory."""
    path = Path(os.path.abspath(path))  # noqa: PTH100 (keep symlinks, unlike resolve())
    if not path.is_dir():
        return path
    for relative in (f"bin/python3{_EXE}", f"bin/python{_EXE}", "Scripts/python.exe", "python.exe"):
        if (path / relative).is_file():
            return path / relative
    raise InterpreterNotFoundError(
        f"No Python interpreter found in the directory `{path}`",
        hint="Point --python at an interpreter, or at a directory with bin/python.",
    )


def _try(candidate: Candidate, cache: JsonStore | None) -> Interpreter | None:
    try:
        return introspect(candidate.path, cache)
    except InterpreterNotFoundError as error:  # includes InterpreterQueryError
        kind = "query failed" if isinstance(error, InterpreterQueryError) else "unusable"
        logger.debug("Skipping %s (%s, %s): %s", candidate.path, candidate.source, kind, error)
        return None


def _candidates(
    request: PythonRequest | None, directory: Path, allow_venvs: bool, every: bool = False
) -> Iterator[Candidate]:
    """Executables to try, in order, each binary (per environment) once."""
    seen: set[tuple[str, str]] = set()
    for candidate in _raw_candidates(request, directory, allow_venvs, every):
        try:
            real = os.path.realpath(candidate.path)
        except OSError:
            continue
        if not Path(real).is_file():
            continue
        venv = _venv_root_of(candidate.path)
        if venv is not None and not allow_venvs:
            logger.debug("Skipping %s: inside the virtual environment %s", candidate.path, venv)
            continue
        key = (real, str(venv or ""))
        if key in seen:
            continue
        seen.add(key)
        yield candidate


def _venv_root_of(executable: Path) -> Path | None:
    root = executable.absolute().parent.parent
    return root if (root / CFG_NAME).is_file() else None


def _raw_candidates(
    request: PythonRequest | None, directory: Path, allow_venvs: bool, every: bool
) -> Iterator[Candidate]:
    if allow_venvs and (request is None or request.kind is not RequestKind.NAME):
        active = os.environ.get("VIRTUAL_ENV")
        if active:
            yield from _env_python(Path(active), "VIRTUAL_ENV")
        local = find_dot_venv(directory)
        if local is not None:
            yield from _env_python(local, ".venv")
    names = _names_for(request)
    for folder in _path_dirs():
        for name in names:
            yield Candidate(folder / name, "PATH")
        if (every or request is None or not request.minor_pinned) and (
            request is None or request.kind is not RequestKind.NAME
        ):
            yield from (Candidate(p, "PATH") for p in _minor_versions_in(folder))
    by_name = request is not None and request.kind is RequestKind.NAME
    pyenv_names = names if by_name else [f"python3{_EXE}", f"python{_EXE}"]
    for version_dir in _pyenv_versions():
        for name in pyenv_names:
            yield Candidate(version_dir / "bin" / name, "pyenv")


def _names_for(request: PythonRequest | None) -> list[str]:
    if request is not None and request.kind is RequestKind.NAME:
        assert request.name is not None
        return [request.name]
    names: list[str] = []
    if request is not None and request.minor_pinned:
        names.append(f"python{request.parts[0]}.{request.parts[1]}")
    names += ["python3", "python"]
    if request is not None and request.implementation == "pypy":
        pypy = [f"pypy{n[len('python') :]}" for n in names]
        names = pypy + names
    return [n + _EXE for n in names]


def _env_python(root: Path, source: str) -> Iterator[Candidate]:
    for relative in (f"bin/python{_EXE}", f"bin/python3{_EXE}", "Scripts/python.exe"):
        yield Candidate(root / relative, source)


def _path_dirs() -> list[Path]:
    dirs: list[Path] = []
    for entry in os.environ.get("PATH", os.defpath).split(os.pathsep):
        if entry and Path(entry) not in dirs:
            dirs.append(Path(entry))
    return dirs


def _minor_versions_in(folder: Path) -> list[Path]:
    """``python3.N`` executables in ``folder``, newest first (for requests without a minor)."""
    found: list[tuple[int, Path]] = []
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                m = _MINOR_NAME.match(entry.name.removesuffix(_EXE))
                if m:
                    found.append((int(m.group(1)), Path(entry.path)))
    except OSError:
        return []
    return [path for _, path in sorted(found, reverse=True)]


def _pyenv_versions() -> list[Path]:
    """pyenv's installs, newest first: real binaries, unlike its shims."""
    root = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"
    try:
        entries = [p for p in root.iterdir() if p.is_dir()]
    except OSError:
        return []

    def order(path: Path) -> tuple[int, Version | str]:
        try:
            return (1, Version(path.name))
        except InvalidVersion:
            return (0, path.name)

    return sorted(entries, key=order, reverse=True)


def _check_requires_python(
    interpreter: Interpreter, requires_python: SpecifierSet | None, what: str
) -> None:
    if requires_python is not None and not requires_python.contains(
        interpreter.version, prereleases=True
    ):
        raise InterpreterNotFoundError(
            f"{what} is {interpreter.describe()}, which does not satisfy the project's "
            f"requires-python `{requires_python}`",
            hint="Pass a --python that matches requires-python.",
        )


def _not_found(
    request: PythonRequest | None,
    where: str,
    requires_python: SpecifierSet | None,
    seen: list[Interpreter],
) -> InterpreterNotFoundError:
    wanted = str(request) if request is not None else "a Python interpreter"
    if requires_python is not None:
        wanted += f" satisfying requires-python `{requires_python}`"
    causes = [f"found {i.describe()} at {i.executable}" for i in seen] or [
        "no Python interpreter was found at all"
    ]
    return InterpreterNotFoundError(
        f"No interpreter found for {wanted}{where} in virtual environments, "
        "the search path or pyenv",
        causes=causes,
        hint="Install a matching Python (e.g. with pyenv), or pass --python with the path "
        "to an interpreter.",
    )
