"""Finding an interpreter that satisfies a request, in uv's order.

The request is the explicit one, else FERRY_PYTHON, else the nearest ``.python-version``. The
search visits, in order: the active VIRTUAL_ENV and the nearest ``.venv`` (when venvs are
allowed), every directory on PATH (``python3.X``, ``python3``, ``python`` in each, so PATH order
wins as in uv), then pyenv's installs. Each candidate is introspected (cached) and the first that
satisfies the request and ``requires_python`` wins. Candidates that cannot be queried — pyenv
shims for a version that is not active, broken links, Python 2 — are skipped with a DEBUG line.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from ferry.model.errors import InterpreterNotFoundError, ParseError, UserError
from ferry.model.immutable import immutable
from ferry.model.log import get_logger
from ferry.model.pep440_specifiers import SpecifierSet
from ferry.model.pep440_version import InvalidVersion, Version
from ferry.python.candidates import EXE, candidates, names_for
from ferry.python.environment import find_dot_venv
from ferry.python.interpreter import Interpreter, InterpreterQueryError, JsonStore, introspect
from ferry.python.request import PythonRequest, RequestKind

logger = get_logger(__name__)

VERSION_FILE = ".python-version"


@immutable
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
        if requires_python is not None and not requires_python.contains(
            chosen.version, prereleases=True
        ):
            raise _incompatible(chosen, requires_python, source)
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
    if not seen and request is not None and request.kind is RequestKind.NAME:
        # only that name was looked for: say what else there is, not "nothing at all"
        seen = find_all(cache, directory=directory)
        raise _no_such_executable(request, where, seen)
    fits = [i for i in seen if wanted.satisfied_by(i) and (allow_venvs or not i.is_venv)]
    if request is not None and requires_python is not None and fits:
        raise _incompatible(fits[0], requires_python, source)
    raise _not_found(request, where, requires_python, seen, allow_venvs)


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
    for relative in (f"bin/python3{EXE}", f"bin/python{EXE}", "Scripts/python.exe", "python.exe"):
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
    by_name = request is not None and request.kind is RequestKind.NAME
    env_roots: list[tuple[str, str]] = []
    if allow_venvs and not by_name:
        active = os.environ.get("VIRTUAL_ENV")
        if active:
            env_roots.append((active, "VIRTUAL_ENV"))
        local = find_dot_venv(directory)
        if local is not None:
            env_roots.append((str(local), ".venv"))
    names = names_for(
        name=request.name if request is not None and by_name else None,
        minor=(request.parts[0], request.parts[1])
        if request is not None and request.minor_pinned
        else None,
        pypy=request is not None and request.implementation == "pypy",
    )
    for found in candidates(
        names,
        scan_minors=(every or request is None or not request.minor_pinned) and not by_name,
        pyenv_names=names if by_name else [f"python3{EXE}", f"python{EXE}"],
        env_roots=env_roots,
        allow_venvs=allow_venvs,
        order=_version_order,
    ):
        yield Candidate(Path(found.path), found.source)


def _version_order(name: str) -> tuple[int, Version | str]:
    """pyenv folders by version (``3.12.1``); names that are no version (``pypy3.10-7.3``) first."""
    try:
        return (1, Version(name))
    except InvalidVersion:
        return (0, name)


def _incompatible(
    interpreter: Interpreter, requires_python: SpecifierSet, source: str | None
) -> InterpreterNotFoundError:
    """uv 0.13.8's words (exit code 2) when the interpreter a request names is found but the
    project's requires-python refuses it: the request is not quietly traded for another."""
    asked = f"The Python request from `{source}`" if source else "The requested interpreter"
    return InterpreterNotFoundError(
        f"{asked} resolved to Python {interpreter.version}, which is incompatible with the "
        f"project's Python requirement: `{requires_python}`",
        hint="Pass a --python that matches requires-python.",
    )


def _no_such_executable(
    request: PythonRequest, where: str, others: list[Interpreter]
) -> InterpreterNotFoundError:
    """A name request (``-p NAME``) that no executable answers, with what discovery found."""
    name = request.name or ""
    causes = [f"no executable named `{name}` on the search path or in pyenv"]
    causes += [f"found {i.describe()} at {i.executable}" for i in others]
    spelled = _key_spelling(name)
    hint = (
        f"ferry reads `{name}` as the name of an executable; for {spelled[1]} on this machine, "
        f"ask for `{spelled[0]}`."
        if spelled is not None
        else "Install a matching Python (e.g. with pyenv), or pass --python with the path to "
        "an interpreter."
    )
    return InterpreterNotFoundError(
        f"No interpreter found for executable name `{name}`{where} in {_searched(False)}",
        causes=causes, hint=hint,
    )


def _searched(allow_venvs: bool) -> str:
    """Where discovery looked, in uv's words for its own list ("in virtual environments,
    managed installations, or search path"): pyenv stands where uv has its managed Pythons,
    and virtual environments only when they were looked at (not for ``ferry venv``, a new
    project environment or an executable's name)."""
    return "virtual environments, search path, or pyenv" if allow_venvs else "search path or pyenv"


_IMPLEMENTATIONS = {"cpython": "CPython", "pypy": "PyPy", "graalpy": "GraalPy"}


def _key_spelling(name: str) -> tuple[str, str] | None:
    """For uv's ``<implementation>-<version>-<os>-<arch>-<libc>`` key spelling (or one that
    starts with the version), the request ferry reads and its description; else None."""
    parts = name.lower().split("-")
    implementation = parts[0] if parts[0] in (*_IMPLEMENTATIONS, "any") else None
    version = parts[1] if implementation is not None and len(parts) > 1 else parts[0]
    core = version.removesuffix("+freethreaded")
    numbers = core.split(".")
    if len(parts) < 2 or not (1 <= len(numbers) <= 3 and all(n.isdigit() for n in numbers)):
        return None
    suffix = "t" if core != version else ""
    if implementation in (None, "any"):
        return f"{core}{suffix}", f"Python {core}{suffix}"
    return f"{implementation}@{core}{suffix}", f"{_IMPLEMENTATIONS[implementation]} {core}{suffix}"


def _not_found(
    request: PythonRequest | None,
    where: str,
    requires_python: SpecifierSet | None,
    seen: list[Interpreter],
    allow_venvs: bool,
) -> InterpreterNotFoundError:
    """uv's words: ``for Python 3.7`` (the request: nothing answers it, so requires-python is
    not the reason), ``for Python >=3.15`` (requires-python alone), nothing for no request at
    all; exit code 2 as in uv (InterpreterNotFoundError)."""
    if request is None:
        wanted = f" for Python {requires_python}" if requires_python is not None else ""
    else:
        wanted = f" for {request}"
    causes = [f"found {i.describe()} at {i.executable}" for i in seen] or [
        "no Python interpreter was found at all"
    ]
    return InterpreterNotFoundError(
        f"No interpreter found{wanted}{where} in {_searched(allow_venvs)}",
        causes=causes,
        hint="Install a matching Python (e.g. with pyenv), or pass --python with the path "
        "to an interpreter.",
    )
