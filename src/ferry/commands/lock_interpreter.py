"""The ``Using CPython 3.12.1 interpreter at: PATH`` line uv prints when it locks a project.

uv finds an interpreter for every ``lock`` that is not ``--frozen`` (ferry needs one only to
build metadata): it takes the project environment's when that environment exists and suits
the request (``--python``, ``.python-version``, ``FERRY_PYTHON``) and ``requires-python`` —
silently — and otherwise looks one up and says which, as ``sync`` says it before creating the
environment. The same rule, asked of :func:`ensure_project_environment` as a dry run, tells
which case this is without touching the environment. ``lock --script`` says nothing (uv neither).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from ferry.model.errors import FerryError
from ferry.model.log import get_logger
from ferry.model.settings import GlobalOptions

if TYPE_CHECKING:
    from ferry.cache.store import Cache
    from ferry.model.pep440_specifiers import SpecifierSet
    from ferry.project.discovery import Project

logger = get_logger(__name__)


def interpreter_note(directory: Path | None, python: str | None,
                     options: GlobalOptions) -> tuple[Callable[[], str | None], Project]:
    """uv's line for the interpreter a lock of the project found (``directory`` as
    ``--project``), or None when the project environment serves (or no interpreter suits:
    ferry locks without one, so that is no error here); and the project, found once for the
    line and the lock.

    The line comes as a function to call when it is time to print it (before ``Resolved`` or
    an error): where it needs a lookup, that runs on a thread meanwhile. A lookup with a cold
    cache runs the interpreter to introspect it (~90 ms, on the other CPU while the lock
    resolves), which the lock itself does not need."""
    from ferry.project.discovery import discover_project

    project = discover_project(project=directory)
    if _environment_serves(project, python):
        return (lambda: None), project
    from ferry.model.thread_pool import ThreadPool

    pool = ThreadPool(1, thread_name_prefix="ferry-interpreter-note")
    looked_up = pool.submit(_note, project, python, options)

    def note() -> str | None:
        try:
            return looked_up.result()
        finally:  # no thread left behind: the CLI leaves without teardown only then
            pool.shutdown(wait=True)

    return note, project


def _note(project: Project, python: str | None, options: GlobalOptions) -> str | None:
    """The line when the environment does not serve (the caller checked that it does not)."""
    from ferry.commands.common import open_cache
    from ferry.commands.lock import requires_python_of

    requires_python = requires_python_of(project)
    try:
        with open_cache(options) as cache:
            if not project.environment_path.exists():
                return _found(project, python, requires_python, cache)
            from ferry.commands.project_env import ensure_project_environment

            try:
                outcome = ensure_project_environment(
                    project.environment_path, cache, project_dir=project.root, python=python,
                    requires_python=requires_python, inexact=True, dry_run=True)
            except FerryError as error:
                # The environment cannot serve (a `sync` would refuse to recreate it under
                # --inexact): a lock still finds an interpreter, and names it, as uv does.
                logger.debug("the project environment does not serve the lock: %s",
                             error.message)
                return _found(project, python, requires_python, cache)
    except FerryError as error:
        logger.debug("no interpreter to name for the lock: %s", error.message)
        return None
    first = outcome.notes[0] if outcome.notes else ""
    return first if first.startswith("Using ") else None


def _is_path(request: str) -> bool:
    return os.sep in request or (os.altsep is not None and os.altsep in request)


def _found(project: Project, python: str | None, requires_python: SpecifierSet | None,
           cache: Cache) -> str:
    """No environment yet: the interpreter ``sync`` would create it with, named as it names
    it (without the environment code's imports, most of a lock's added cost)."""
    from ferry.python.discovery import find_interpreter, requested_python
    from ferry.python.interpreter import pyenv_shim_context
    from ferry.python.request import PythonRequest

    request, _ = requested_python(PythonRequest.parse(python) if python else None, project.root)
    interpreter = find_interpreter(request, cache, directory=project.root,
                                   requires_python=requires_python, allow_venvs=False)
    shown = interpreter.executable
    if pyenv_shim_context(shown):
        shown = interpreter.base_executable
    return f"Using {interpreter.describe()} interpreter at: {shown}"


def _environment_serves(project: Project, python: str | None) -> bool:
    """The usual cases told without looking for interpreters (whose modules alone cost ~4 ms):
    nothing asks for a Python, or the request (``--python``, ``FERRY_PYTHON``) is a path to the
    environment's own interpreter (as CI and the bench give it), and the project environment
    runs one ``requires-python`` allows. Anything else goes the long way, which decides the
    other cases alike."""
    from ferry.commands.lock import requires_python_of
    from ferry.model.pep440_version import InvalidVersion, Version
    from ferry.python.pyvenv_cfg import read_pyvenv_cfg

    requested = python or os.environ.get("FERRY_PYTHON", "").strip()
    if requested and not _is_path(requested):
        return False
    if project.python_version_file() is not None:
        return False
    root = project.environment_path
    try:
        version = Version(read_pyvenv_cfg(root).get("version_info", ""))
    except (FerryError, InvalidVersion):
        return False
    executable = root / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    if not executable.exists():  # its base interpreter gone
        return False
    if requested and os.path.realpath(requested) != os.path.realpath(executable):
        return False  # another interpreter than the environment's: the long way decides
    requires = requires_python_of(project)
    return requires is None or requires.contains(version, prereleases=True)
