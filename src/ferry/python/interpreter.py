"""What one Python interpreter is: its version, markers, wheel tags and install scheme.

Facts about an interpreter can only be had by running it, and running it costs tens of
milliseconds, so :func:`introspect` runs it once and keeps the answer in the cache's
``interpreters-v1`` bucket, keyed by the path as given plus the ``stat`` of the file it resolves to
(so a reinstalled or upgraded interpreter is queried afresh, and a venv's ``bin/python`` is never
confused with the base interpreter it links to). A hit costs a ``stat`` and a JSON read.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

from ferry.model.errors import InterpreterNotFoundError
from ferry.model.immutable import immutable
from ferry.model.log import get_logger
from ferry.model.pep440_version import InvalidVersion, Version
from ferry.model.scheme import Scheme
from ferry.model.value_fields import field
from ferry.python.interpreter_cache import (
    BUCKET,
    IMPLEMENTATION_NAMES,
    SCRIPT,
    key_for,
    pyenv_shim_context,
)
from ferry.python.pyvenv_cfg import CFG_NAME, parse_pyvenv_cfg
from ferry.python.venv_template import JsonStore, derive_from_template, remember_template

__all__ = [
    "BUCKET",
    "Interpreter",
    "InterpreterQueryError",
    "JsonStore",
    "introspect",
    "pyenv_shim_context",
]

logger = get_logger(__name__)

QUERY_TIMEOUT = 60.0


class InterpreterQueryError(InterpreterNotFoundError):
    """An executable exists but could not tell us what it is (broken, a failing shim, too old).

    ``deterministic`` failures (too old; "command not found", exit 127, from a shim) are
    remembered in the cache like answers; others (timeouts, crashes) are retried next time.
    """

    deterministic: bool = False


@immutable
class Interpreter:
    """One interpreter as it described itself. ``executable`` is the path as given (absolute,
    symlinks kept: a venv's ``bin/python`` stays inside the venv)."""

    executable: Path
    sys_executable: Path
    version: Version
    implementation: str  # sys.implementation.name: "cpython", "pypy", …
    markers: dict[str, str] = field(hash=False)
    tags: tuple[str, ...]
    scheme: Scheme
    venv_layout: Scheme  # relative paths a venv made from this interpreter uses
    prefix: Path
    base_prefix: Path
    base_executable: Path
    is_venv: bool
    pointer_size: int  # in bits: 32 or 64
    gil_disabled: bool
    site_packages: tuple[Path, ...] = ()

    @property
    def implementation_name(self) -> str:
        """``CPython``/``PyPy`` as uv prints it and as ``pyvenv.cfg`` records it."""
        return IMPLEMENTATION_NAMES.get(self.implementation, self.implementation.capitalize())

    @property
    def python_version(self) -> str:
        """``3.12``: the ``python_version`` marker."""
        return f"{self.version.major}.{self.version.minor}"

    @property
    def major_minor(self) -> tuple[int, int]:
        return (self.version.major, self.version.minor)

    def describe(self) -> str:
        """``CPython 3.12.1``."""
        return f"{self.implementation_name} {self.version}"

    def to_json(self) -> dict[str, Any]:
        return {
            "sys_executable": str(self.sys_executable),
            "version": str(self.version),
            "implementation": self.implementation,
            "markers": dict(self.markers),
            "tags": list(self.tags),
            "scheme": _scheme_to_json(self.scheme),
            "venv_layout": _scheme_to_json(self.venv_layout),
            "prefix": str(self.prefix),
            "base_prefix": str(self.base_prefix),
            "base_executable": str(self.base_executable),
            "is_venv": self.is_venv,
            "pointer_size": self.pointer_size,
            "gil_disabled": self.gil_disabled,
            "site_packages": [str(p) for p in self.site_packages],
        }

    @classmethod
    def from_json(cls, executable: Path, data: dict[str, Any]) -> Interpreter:
        """Rebuild from :meth:`to_json` (or the script's raw output once ``base_executable`` is
        settled). Raises ``KeyError``/``TypeError``/``InvalidVersion`` on a malformed record."""
        return cls(
            executable=executable,
            sys_executable=Path(data["sys_executable"]),
            version=Version(data["version"]),
            implementation=str(data["implementation"]),
            markers={str(k): str(v) for k, v in data["markers"].items()},
            tags=tuple(data["tags"]),
            scheme=_scheme_from_json(data["scheme"]),
            venv_layout=_scheme_from_json(data["venv_layout"]),
            prefix=Path(data["prefix"]),
            base_prefix=Path(data["base_prefix"]),
            base_executable=Path(data["base_executable"]),
            is_venv=bool(data["is_venv"]),
            pointer_size=int(data["pointer_size"]),
            gil_disabled=bool(data["gil_disabled"]),
            site_packages=tuple(Path(p) for p in data.get("site_packages", ())),
        )


def _scheme_to_json(scheme: Scheme) -> dict[str, str]:
    keys = ("purelib", "platlib", "scripts", "data", "headers")
    return {k: str(getattr(scheme, k)) for k in keys}


def _scheme_from_json(data: dict[str, str]) -> Scheme:
    return Scheme(
        purelib=Path(data["purelib"]),
        platlib=Path(data["platlib"]),
        scripts=Path(data["scripts"]),
        data=Path(data["data"]),
        headers=Path(data["headers"]),
    )


def introspect(executable: Path, cache: JsonStore | None) -> Interpreter:
    """Describe the interpreter at ``executable``: from the cache when its file (and, for a
    pyenv shim, pyenv's version selection) is unchanged, otherwise by running it once — or, for
    a new virtual environment, from what an earlier environment of the same base reported
    (``ferry.python.venv_template``)."""
    path = Path(os.path.abspath(executable))  # noqa: PTH100 (keep symlinks, unlike resolve())
    try:
        info = path.stat()
    except OSError as error:
        raise InterpreterNotFoundError(
            f"No Python interpreter at `{path}`: {error.strerror or error}"
        ) from error
    if not stat.S_ISREG(info.st_mode):
        raise InterpreterNotFoundError(f"`{path}` is not an executable file")
    key: str | None = None
    if cache is not None:
        key = key_for(str(path), info)
        if key is None:
            logger.debug("Querying %s (a script we cannot key: never cached)", path)
    if cache is not None and key is not None:
        recalled = _recall(path, key, cache)
        if recalled is not None:
            return recalled
        logger.debug("Querying %s (no cached answer for this file as it is now)", path)
    try:
        data = _query(path)
    except InterpreterQueryError as error:
        if cache is not None and key is not None and error.deterministic:
            cache.write_json(BUCKET, key, {"query_error": error.message, "causes": error.causes})
        raise
    interpreter = Interpreter.from_json(path, {**data, "base_executable": _base_executable(data)})
    if cache is not None and key is not None:
        record = interpreter.to_json()
        cache.write_json(BUCKET, key, record)
        if interpreter.is_venv:
            remember_template(str(path), record, cache)
    return interpreter


def _recall(path: Path, key: str, cache: JsonStore) -> Interpreter | None:
    """The cached answer for ``path``, else one derived from an earlier environment of the same
    base (then cached under ``key``); a remembered deterministic failure is raised again."""
    record = cache.read_json(BUCKET, key)
    if isinstance(record, dict) and "query_error" in record:
        raise InterpreterQueryError(str(record["query_error"]), causes=record.get("causes", []))
    derived = False
    if not isinstance(record, dict):
        record, derived = derive_from_template(str(path), cache), True
    if record is None:
        return None
    try:
        interpreter = Interpreter.from_json(path, record)
    except (KeyError, TypeError, ValueError, AttributeError, InvalidVersion) as error:
        logger.debug("Discarding a damaged interpreter cache entry for %s: %s", path, error)
        return None
    if derived:
        cache.write_json(BUCKET, key, interpreter.to_json())
    return interpreter


def _query_code() -> str:
    """The ``-c`` program that imports the introspection script and runs it."""
    script = Path(SCRIPT)
    directory, module = str(script.parent), script.stem
    return f"import sys; sys.path.append({directory!r}); import {module}; {module}.main()"


def _query(path: Path) -> dict[str, Any]:
    # -I: no PYTHON* variables, no user site, no script directory on sys.path (so nothing can
    # shadow the stdlib modules the script imports). Not -S: before 3.11 it is site.py that
    # points sys.prefix at a venv, and the answer must describe the venv. The script is imported
    # from the end of sys.path, not run by name: a script named on the command line is compiled
    # at every run (~5 ms of a cold query), a module gets its ``__pycache__`` entry for that
    # interpreter (where the directory is writable) and is compiled once.
    import subprocess  # here: ~3 ms of start-up, for the rare run that is not a cache hit

    command = [str(path), "-I", "-c", _query_code()]
    try:
        done = subprocess.run(
            command,
            capture_output=True,
            timeout=QUERY_TIMEOUT,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.SubprocessError) as error:
        raise InterpreterQueryError(
            f"Failed to query the Python interpreter at `{path}`", causes=[str(error)]
        ) from error
    stderr = done.stderr.decode("utf-8", "replace").strip()
    if done.returncode != 0:
        failed = InterpreterQueryError(
            f"Querying the Python interpreter at `{path}` failed "
            f"with exit status {done.returncode}",
            causes=[stderr[-2000:]] if stderr else [],
        )
        failed.deterministic = done.returncode == 127
        raise failed
    try:
        data = json.loads(done.stdout)
    except ValueError as error:
        raise InterpreterQueryError(
            f"The Python interpreter at `{path}` gave an unreadable answer",
            causes=[done.stdout[:500].decode("utf-8", "replace"), stderr[-1000:]],
        ) from error
    if not isinstance(data, dict):
        raise InterpreterQueryError(f"The Python interpreter at `{path}` gave an unreadable answer")
    if data.get("error") == "unsupported":
        unsupported = InterpreterQueryError(
            f"Python {data.get('version')} at `{path}` is not supported (ferry needs 3.8 or newer)"
        )
        unsupported.deterministic = True
        raise unsupported
    return data


def _base_executable(data: dict[str, Any]) -> str:
    """The interpreter a venv made from this one should link to.

    Outside a venv that is ``sys.executable`` (never a shim, which resolves to the real binary).
    Inside one, ``sys._base_executable`` is right on 3.11+, but on 3.8-3.10 it still points into
    the venv, so fall back to ``home`` from ``pyvenv.cfg`` and then to ``base_prefix``.
    """
    executable = str(data["sys_executable"])
    if not data["is_venv"]:
        return executable
    prefix = Path(data["prefix"])
    reported = data.get("base_executable")
    if reported and Path(reported).is_file() and not _inside(Path(reported), prefix):
        return str(reported)
    version = Version(str(data["version"]))
    names = [f"python{version.major}.{version.minor}", f"python{version.major}", "python"]
    if data["implementation"] == "pypy":
        names = [f"pypy{version.major}.{version.minor}", f"pypy{version.major}", *names]
    if os.name == "nt":
        names = ["python.exe"]
    directories: list[Path] = []
    home = _pyvenv_home(prefix)
    if home is not None:
        directories.append(home)
    base_prefix = Path(data["base_prefix"])
    directories += [base_prefix / "bin", base_prefix]
    for directory in directories:
        for name in names:
            candidate = directory / name
            if candidate.is_file():
                return str(candidate)
    return str(reported or executable)


def _pyvenv_home(prefix: Path) -> Path | None:
    try:
        text = (prefix / CFG_NAME).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    home = parse_pyvenv_cfg(text).get("home")
    return Path(home) if home else None


def _inside(path: Path, directory: Path) -> bool:
    try:
        return Path(os.path.abspath(path)).is_relative_to(os.path.abspath(directory))  # noqa: PTH100
    except ValueError:
        return False
