"""Which interpreter ``ferry venv``'s lean path would use, found in the cache alone.

The lean path (:mod:`ferry.commands.venv_fast`) may only answer when the full path would choose
the same interpreter and already holds its description: this module repeats, with ``os`` and
``sys`` only, the choice ``ferry.python.discovery.find_interpreter`` makes (``--python``,
FERRY_PYTHON, ``.python-version``, then the candidates on PATH and in pyenv) — inside a
project as ``ferry.commands.venv_project`` makes it (a ``.python-version`` within the workspace,
else requires-python; the project read from the parsed copy the cache keeps) — and reads the
interpreter cache entry the full path would read. Whatever it cannot decide so cheaply raises
:class:`Fallback`, before anything is printed or written. Kept apart from the lean path's
argument parsing and output so that the rules mirrored from discovery can be compared with it
in one place.

Imports: ``os``, ``stat``, ``sys`` and ferry's lean modules only
(``tests/unit/test_import_budget.py``).
"""

from __future__ import annotations

# ruff: noqa: PTH100, PTH109, PTH111, PTH112, PTH113, PTH116, PTH118, PTH120, PTH206
import os
import stat
import sys

from ferry.model.builtin_sha256 import sha256
from ferry.python.candidates import candidates, names_for
from ferry.python.interpreter_cache import entry_path, key_for, read_entry
from ferry.python.venv import VenvBase

TYPE_CHECKING = False  # typing costs ~2 ms to import; mypy reads this name as True
if TYPE_CHECKING:
    from typing import Any

RECORD_FIELDS = (
    "sys_executable",
    "version",
    "implementation",
    "markers",
    "tags",
    "scheme",
    "venv_layout",
    "prefix",
    "base_prefix",
    "base_executable",
    "is_venv",
    "pointer_size",
    "gil_disabled",
)


class Fallback(Exception):
    """This invocation is for the full CLI (raised before anything is printed or written)."""


# -- the cache -------------------------------------------------------------------------------


def cache_root(cache_dir: str | None) -> str:
    """The cache the full path would open (``--cache-dir``, ``FERRY_CACHE_DIR``, else the user
    cache directory), when it is ready for use; a root that would need preparing, or that the
    full path would reject, is its business.

    The default root follows the rules platformdirs applies on Linux and macOS; wherever it is,
    an entry found in it describes the interpreter exactly (entries are keyed by the binary's
    identity), so a differing guess can only cost a fall back, never a wrong answer.
    """
    given = cache_dir if cache_dir is not None else os.environ.get("FERRY_CACHE_DIR") or None
    if os.environ.get("FERRY_NO_CACHE", "").strip().lower() not in ("", "0", "false", "no", "off"):
        raise Fallback  # set (or invalid: the full path says so)
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    if given is not None:
        root = os.path.expanduser(given)
    elif sys.platform.startswith("linux") and not hasattr(sys, "getandroidapilevel"):
        root = os.path.join(xdg or os.path.expanduser("~/.cache"), "ferry")
    elif sys.platform == "darwin":
        root = os.path.join(xdg or os.path.expanduser("~/Library/Caches"), "ferry")
    else:
        raise Fallback
    if ".." in root.split(os.sep) or root.startswith("//"):
        raise Fallback  # pathlib keeps what os.path would fold
    root = os.path.normpath(os.path.join(os.getcwd(), root))
    ready = os.path.isdir(os.path.join(root, ".tmp")) and os.path.isfile(
        os.path.join(root, "CACHEDIR.TAG")
    )
    if not ready or not os.access(root, os.W_OK | os.X_OK):
        raise Fallback
    return root


def _lookup(executable: str, cache_root: str) -> dict[str, Any] | None:
    """The cached description of ``executable``; ``None`` when the cache remembers that it
    cannot be queried. Raises :class:`Fallback` when the full path would have to run it."""
    path = os.path.abspath(executable)
    info = os.stat(path)
    if not stat.S_ISREG(info.st_mode):
        raise Fallback
    key = key_for(path, info)
    record = read_entry(entry_path(cache_root, key)) if key is not None else None
    if not isinstance(record, dict):
        raise Fallback
    if "query_error" in record:
        return None
    if not all(field in record for field in RECORD_FIELDS):
        raise Fallback
    return record


# -- the project ---------------------------------------------------------------------------

TOML_MEMO_DIR = "toml-v1"  # ferry.fs.toml_memo.BUCKET_DIR (a test keeps them equal)
PYPROJECT = "pyproject.toml"


def project_of(start: str, cache_root: str) -> tuple[str | None, str | None]:
    """The root and requires-python of the project ``ferry venv`` finds from ``start``, as
    ``ferry.project.discovery`` would find it; ``(None, None)`` when no pyproject.toml is at or
    above ``start``. A project is read from the parsed copy the full path remembered in the
    cache (``ferry.fs.toml_memo``: ``tomllib`` costs more than this whole path); anything
    needing more — no copy yet, a workspace (or a file that may declare one), a warning the
    full path would print, a requires-python this module cannot evaluate — raises
    :class:`Fallback`."""
    root: str | None = None
    requires: str | None = None
    folder = start
    while True:
        text = _pyproject_bytes(folder)
        if text is not None:
            # A workspace (here or above) decides membership by globs; dev-dependencies and
            # universal newlines are the full path's (a warning; the memo's text differs).
            if b"workspace" in text or b"dev-dependencies" in text or b"\r" in text:
                raise Fallback
            if root is None:
                data = _remembered(os.path.join(folder, PYPROJECT), text, cache_root)
                if _declares_project(data):
                    root, requires = folder, _requires_python(data)
        parent = os.path.dirname(folder)
        if parent == folder:
            return root, requires
        folder = parent


def _pyproject_bytes(folder: str) -> bytes | None:
    try:
        with open(os.path.join(folder, PYPROJECT), "rb") as handle:
            return handle.read()
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        return None
    except OSError:
        raise Fallback from None  # unreadable: the full path says why


def _remembered(path: str, text: bytes, cache_root: str) -> dict[str, Any]:
    """The parsed data ``ferry.fs.toml_memo`` keeps for ``path`` holding exactly ``text``."""
    location = os.path.abspath(path)
    digest = sha256(location.encode()).hexdigest()[:32]
    entry = read_entry(os.path.join(cache_root, TOML_MEMO_DIR, digest + ".json"))
    try:
        decoded = text.decode("utf-8")
    except UnicodeDecodeError:
        raise Fallback from None
    if not isinstance(entry, dict) or entry.get("path") != location or entry.get("text") != decoded:
        raise Fallback
    data = entry.get("data")
    if not isinstance(data, dict):
        raise Fallback
    return data


def _declares_project(data: dict[str, Any]) -> bool:
    """``ferry.project.discovery._declares_project``, on the parsed data."""
    if "project" in data or "dependency-groups" in data:
        return True
    tool = data.get("tool")
    return isinstance(tool, dict) and ("uv" in tool or "ferry" in tool)


def _requires_python(data: dict[str, Any]) -> str | None:
    """The ``[project]`` table's requires-python, from a table the full path would read
    without complaint as far as this cheap look can tell (else :class:`Fallback`)."""
    table = data.get("project")
    if table is None:
        return None
    if not isinstance(table, dict) or not isinstance(table.get("name"), str):
        raise Fallback
    dependencies = table.get("dependencies", [])
    if not isinstance(dependencies, list) or not all(isinstance(d, str) for d in dependencies):
        raise Fallback
    requires = table.get("requires-python")
    if requires is None:
        return None
    if not isinstance(requires, str):
        raise Fallback
    return requires


_OPERATORS = ("~=", "==", "!=", "<=", ">=", "<", ">")


def allows(specifiers: str, version: str) -> bool:
    """Whether the plain release ``version`` (``3.12.1``) meets ``specifiers`` (``>=3.10,
    <3.13``, ``==3.11.*``, ``~=3.11.0``), as PEP 440 has it for plain releases. Anything else
    — ``===``, a pre-release or local version, ``~=`` with two numbers (which the full path
    warns about) — raises :class:`Fallback`."""
    release = _numbers(version)
    clauses = [clause.strip() for clause in specifiers.split(",")]
    if not all(clauses):
        raise Fallback
    for clause in clauses:
        operator = next((op for op in _OPERATORS if clause.startswith(op)), None)
        if operator is None or clause.startswith("==="):
            raise Fallback
        target = clause[len(operator):].strip()
        star = target.endswith(".*")
        if star and operator not in ("==", "!="):
            raise Fallback
        wanted = _numbers(target[:-2] if star else target)
        if operator == "~=" and len(wanted) < 3:
            raise Fallback
        if not _meets(release, operator, wanted, star):
            return False
    return True


def _numbers(text: str) -> tuple[int, ...]:
    parts = text.split(".")
    if not all(part.isdecimal() and part.isascii() for part in parts):
        raise Fallback
    return tuple(int(part) for part in parts)


def _meets(release: tuple[int, ...], operator: str, wanted: tuple[int, ...], star: bool) -> bool:
    if star:
        padded = release + (0,) * max(0, len(wanted) - len(release))
        return (padded[: len(wanted)] == wanted) == (operator == "==")
    width = max(len(release), len(wanted))
    mine = release + (0,) * (width - len(release))
    theirs = wanted + (0,) * (width - len(wanted))
    if operator == "~=":
        return mine >= theirs and release[: len(wanted) - 1] == wanted[:-1]
    return {
        "==": mine == theirs,
        "!=": mine != theirs,
        "<=": mine <= theirs,
        ">=": mine >= theirs,
        "<": mine < theirs,
        ">": mine > theirs,
    }[operator]


# -- which interpreter -----------------------------------------------------------------------


def cached_interpreter(python: str | None, cwd: str, cache_root: str) -> dict[str, Any]:
    """The description of the interpreter ``ferry venv`` would choose for this request (venvs
    not allowed), inside a project as ``ferry.commands.venv_project`` chooses it: a request
    from ``--python``, FERRY_PYTHON or a ``.python-version`` within the workspace, else the
    project's requires-python. An interpreter requires-python does not allow is the full
    path's (it warns)."""
    root, requires = project_of(cwd, cache_root)
    text = _request_text(python, cwd, stop=root)
    if text is None:
        record = _search(None, cache_root, requires=requires)
    elif text.strip().lower() in ("", "any", "default"):
        record = _search(None, cache_root)
    else:
        raw = text.strip()
        if any(sep in raw for sep in {os.sep, "/", os.altsep or "/"}) or raw.startswith(("~", ".")):
            found = _lookup(_interpreter_in(os.path.expanduser(raw)), cache_root)
            if found is None:
                raise Fallback
            record = found
        else:
            record = _search(_version_parts(raw), cache_root)
    if requires is not None and not allows(requires, str(record["version"])):
        raise Fallback  # the full path warns about it
    return record


def _request_text(python: str | None, cwd: str, stop: str | None = None) -> str | None:
    """``--python``, else FERRY_PYTHON (as click and ``requested_python`` read them), else the
    first request in the nearest ``.python-version`` (not above ``stop``, a project's root)."""
    value = python if python is not None else os.environ.get("FERRY_PYTHON") or None
    if value:
        return value
    env = os.environ.get("FERRY_PYTHON", "").strip()
    if env:
        return env
    folder = cwd
    while True:
        candidate = os.path.join(folder, ".python-version")
        if os.path.isfile(candidate):
            with open(candidate, encoding="utf-8", errors="replace") as handle:
                lines = handle.read().splitlines()
            for line in lines:
                stripped = line.strip()
                if stripped and not stripped.startswith("#"):
                    return stripped
            raise Fallback  # names no version: the full path reports it
        parent = os.path.dirname(folder)
        if parent == folder or folder == stop:
            return None
        folder = parent


def _interpreter_in(path: str) -> str:
    """A path request names an interpreter, or a directory holding one."""
    path = os.path.abspath(path)
    if not os.path.isdir(path):
        return path
    for relative in ("bin/python3", "bin/python", "Scripts/python.exe", "python.exe"):
        if os.path.isfile(os.path.join(path, relative)):
            return os.path.join(path, relative)
    raise Fallback


def _version_parts(raw: str) -> tuple[int, ...]:
    """``3``, ``3.12``, ``3.12.1`` and ``312`` as ``PythonRequest`` reads them; every other
    spelling (ranges, implementations, ``t``, names) is for the full path."""
    if raw.isdecimal():
        if raw[0] == "3" and 2 <= len(raw) <= 3:
            return (3, int(raw[1:]))
        return (int(raw),)
    parts = raw.split(".")
    if len(parts) > 3 or not all(part.isdecimal() for part in parts):
        raise Fallback
    return tuple(int(part) for part in parts)


def _search(
    parts: tuple[int, ...] | None, cache_root: str, requires: str | None = None
) -> dict[str, Any]:
    """The first candidate that is no venv, is not free-threaded and matches ``parts`` (and
    the project's ``requires`` -python, which then is the request)."""
    minor = (parts[0], parts[1]) if parts is not None and len(parts) >= 2 else None
    names = names_for(name=None, minor=minor, pypy=False)
    for candidate in candidates(
        names,
        scan_minors=minor is None,
        pyenv_names=["python3", "python"],
        allow_venvs=False,
        order=_version_order,
    ):
        try:
            record = _lookup(candidate.path, cache_root)
        except OSError:
            continue  # unusable: skipped by the full path too
        if record is None or record["is_venv"] or record["gil_disabled"]:
            continue
        if parts is not None and _release(record["version"])[: len(parts)] != parts:
            continue
        if requires is not None and not allows(requires, str(record["version"])):
            continue
        return record
    raise Fallback  # nothing found: the full path explains


def _version_order(name: str) -> tuple[int, tuple[int, ...]]:
    """pyenv's folder names as ``packaging.version.Version`` orders plain releases."""
    parts = name.split(".")
    if not all(part.isdecimal() for part in parts):
        raise Fallback
    release = [int(part) for part in parts]
    while len(release) > 1 and release[-1] == 0:
        release.pop()
    return (1, tuple(release))


def _release(version: str) -> tuple[int, ...]:
    """The release numbers of a normalized version string (``3.13.0rc1`` → (3, 13, 0))."""
    release: list[int] = []
    for part in version.split("."):
        digits = len(part) - len(part.lstrip("0123456789"))
        if digits == 0:
            break
        release.append(int(part[:digits]))
        if digits < len(part):
            break
    return tuple(release)


def venv_base(record: dict[str, Any]) -> VenvBase:
    version = str(record["version"])
    major, minor = version.split(".")[:2]
    layout = record["venv_layout"]
    return VenvBase(
        base_executable=str(record["base_executable"]),
        implementation=str(record["implementation"]),
        version=version,
        major=int(major),
        minor=int(minor),
        scripts=str(layout["scripts"]),
        purelib=str(layout["purelib"]),
        platlib=str(layout["platlib"]),
        pointer_size=int(record["pointer_size"]),
        sys_platform=str(record["markers"].get("sys_platform", "")),
    )
