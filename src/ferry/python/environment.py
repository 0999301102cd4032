"""An environment to install into, and the lookups that find one on disk.

Used by ``ferry pip …`` (through ``target.py``), by project sync and by ``ferry venv --seed``;
it is the only thing the install layer needs to know about an environment: where its scheme
puts files and which python runs its scripts.
"""

from __future__ import annotations

import os
from pathlib import Path

from ferry.model.errors import InterpreterNotFoundError, UserError
from ferry.model.immutable import immutable
from ferry.model.scheme import Scheme
from ferry.python.interpreter import Interpreter, JsonStore, introspect
from ferry.python.pyvenv_cfg import CFG_NAME

WINDOWS = os.name == "nt"


def is_virtualenv(path: Path) -> bool:
    """A directory is a virtual environment when it holds a ``pyvenv.cfg``."""
    return (path / CFG_NAME).is_file()


def environment_python(root: Path) -> Path | None:
    """The environment's own interpreter (``bin/python``), or None when it is missing."""
    names = ("Scripts/python.exe",) if WINDOWS else ("bin/python", "bin/python3")
    for relative in names:
        candidate = root / relative
        if candidate.exists():
            return candidate
    return None


@immutable
class PythonEnvironment:
    """An environment packages are installed into: a venv, or a system interpreter's prefix."""

    root: Path
    interpreter: Interpreter

    @property
    def scheme(self) -> Scheme:
        return self.interpreter.scheme

    @property
    def site_packages(self) -> Path:
        return self.interpreter.scheme.purelib

    @property
    def site_dirs(self) -> tuple[Path, ...]:
        """purelib then platlib, once each: where installed distributions are looked for."""
        purelib, platlib = self.interpreter.scheme.purelib, self.interpreter.scheme.platlib
        return (purelib,) if purelib == platlib else (purelib, platlib)

    @property
    def python(self) -> Path:
        return environment_python(self.root) or self.interpreter.executable

    @property
    def is_venv(self) -> bool:
        return self.interpreter.is_venv


def open_environment(root: Path, cache: JsonStore | None) -> PythonEnvironment:
    """The virtual environment at ``root``, described by running (or recalling) its own python."""
    root = Path(os.path.abspath(root))  # noqa: PTH100 (keep symlinks, unlike resolve())
    if not is_virtualenv(root):
        raise UserError(
            f"`{root}` is not a virtual environment (it has no {CFG_NAME})",
            hint="Create one with `ferry venv`.",
        )
    python = environment_python(root)
    if python is None:
        raise UserError(
            f"The virtual environment at `{root}` is broken: it has no bin/python",
            hint="Recreate it with `ferry venv --clear`.",
        )
    try:
        interpreter = introspect(python, cache)
    except InterpreterNotFoundError as error:
        raise UserError(
            f"The virtual environment at `{root}` is broken: {error.message}",
            causes=error.causes,
            hint="Its base interpreter may have been removed; recreate it with "
            "`ferry venv --clear`.",
        ) from error
    return PythonEnvironment(root, interpreter)


def find_dot_venv(directory: Path) -> Path | None:
    """The virtual environment the working directory belongs to (see
    :func:`find_local_environment`), or None when there is none or it is broken."""
    found = find_local_environment(directory)
    return found if found is not None and is_virtualenv(found) else None


def find_local_environment(directory: Path) -> Path | None:
    """The environment the working directory belongs to, found as uv 0.13.8 finds it: walking up
    from ``directory``, each folder itself when it holds a ``pyvenv.cfg`` (a command run from
    inside an environment acts on that environment), then its ``.venv`` when that is a directory.

    The walk stops at the first ``.venv`` directory even without a ``pyvenv.cfg`` (uv's "broken
    virtual environment"), which is returned as it is: a command that would change it refuses
    it, discovery takes it for none; an outer environment is never used in its place.
    """
    start = directory.absolute()
    for folder in (start, *start.parents):
        if is_virtualenv(folder):
            return folder
        dot_venv = folder / ".venv"
        if dot_venv.is_dir():
            return dot_venv
    return None
