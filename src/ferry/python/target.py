"""Which environment a ``ferry pip …`` command acts on, decided as ``uv pip`` decides it.

``--python`` (an interpreter, an environment directory, or a version request) wins; otherwise the
active VIRTUAL_ENV, then, walking up from the working directory, each directory itself when it is
a virtual environment and then its ``.venv`` (uv's order: a command run inside an environment
acts on it). ``--system`` skips
virtual environments and takes the first interpreter on PATH. Without either, a command that
changes the environment will not guess: installing into a system interpreter by accident is what
this rule exists to prevent. The read-only commands (``pip list/freeze/show/check``) cannot do
that harm, so, as uv's, they fall back to the interpreter discovery finds (``.python-version``,
then PATH, virtual environments included) — see :func:`find_inspected_environment`.
"""

from __future__ import annotations

import os
from pathlib import Path

from ferry.model.errors import SurroundingsError, UserError
from ferry.model.log import get_logger
from ferry.python.discovery import find_interpreter
from ferry.python.environment import (
    PythonEnvironment,
    environment_python,
    find_local_environment,
    is_virtualenv,
    open_environment,
)
from ferry.python.interpreter import Interpreter, JsonStore, introspect
from ferry.python.request import PythonRequest, RequestKind

__all__ = [
    "NO_ENVIRONMENT",
    "environment_of",
    "find_inspected_environment",
    "find_target_environment",
    "open_environment",
]

logger = get_logger(__name__)

NO_ENVIRONMENT = (
    "No virtual environment found; run `ferry venv` to create an environment, "
    "or pass `--system` to install into a non-virtual environment"
)


def find_target_environment(
    cache: JsonStore | None, *, python: str | None, system: bool, directory: Path
) -> PythonEnvironment:
    """The environment to inspect or modify (see the module docstring for the order)."""
    if python:
        return _from_request(PythonRequest.parse(python), cache, system, directory)
    if system:
        interpreter = find_interpreter(
            PythonRequest("", RequestKind.ANY), cache, directory=directory, allow_venvs=False
        )
        logger.debug("Using the system interpreter %s (--system)", interpreter.executable)
        return environment_of(interpreter)
    found = _active_or_local(cache, directory, strict=True)
    if found is None:
        raise UserError(NO_ENVIRONMENT)
    return found


def find_inspected_environment(
    cache: JsonStore | None, *, python: str | None, system: bool, directory: Path
) -> tuple[PythonEnvironment, bool]:
    """The environment a read-only command looks at, and whether no environment was found so
    discovery's interpreter stood in (the caller then says which one, as uv does)."""
    if python or system:
        chosen = find_target_environment(cache, python=python, system=system, directory=directory)
        return chosen, False
    found = _active_or_local(cache, directory, strict=False)
    if found is not None:
        return found, False
    interpreter = find_interpreter(None, cache, directory=directory)
    logger.debug(
        "No virtual environment found; a read-only command uses %s", interpreter.executable
    )
    return environment_of(interpreter), True


def _active_or_local(
    cache: JsonStore | None, directory: Path, *, strict: bool
) -> PythonEnvironment | None:
    """``VIRTUAL_ENV``, else the environment the directory is in or under (itself, an
    ancestor, or a ``.venv`` on the way up). A broken ``.venv`` is an error for a command that
    would change it (``strict``, as uv's), and no environment for a read-only one."""
    active = os.environ.get("VIRTUAL_ENV")
    if active:
        logger.debug("Using the active virtual environment %s (VIRTUAL_ENV)", active)
        return open_environment(Path(active), cache)
    local = find_local_environment(directory)
    if local is None:
        return None
    if not is_virtualenv(local):
        if not strict:
            logger.debug("Ignoring the broken virtual environment %s (no pyvenv.cfg)", local)
            return None
        raise SurroundingsError(  # uv: exit 2, as for any environment it cannot read
            f"Broken virtual environment `{local}`: missing `pyvenv.cfg`",
            hint="Recreate it with `ferry venv --clear`, or remove it.",
        )
    logger.debug("Using the virtual environment %s", local)
    return open_environment(local, cache)


def environment_of(interpreter: Interpreter) -> PythonEnvironment:
    """The environment an interpreter installs into: its venv, or its own prefix."""
    return PythonEnvironment(interpreter.prefix, interpreter)


def _from_request(
    request: PythonRequest, cache: JsonStore | None, system: bool, directory: Path
) -> PythonEnvironment:
    if request.kind is RequestKind.PATH:
        assert request.path is not None
        path = Path(os.path.abspath(request.path))  # noqa: PTH100 (keep symlinks)
        if path.is_dir():
            if is_virtualenv(path):
                return open_environment(path, cache)
            python = environment_python(path)
            if python is None:
                raise UserError(
                    f"`{path}` is neither a virtual environment nor a Python installation",
                    hint="Point --python at an interpreter or at an environment directory.",
                )
            return environment_of(introspect(python, cache))
        return environment_of(introspect(path, cache))
    interpreter = find_interpreter(request, cache, directory=directory, allow_venvs=not system)
    return environment_of(interpreter)
