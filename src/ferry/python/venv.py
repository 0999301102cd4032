"""Virtual environments: created directly (no ``python -m venv`` subprocess) in milliseconds.

A venv is a ``pyvenv.cfg`` naming the base interpreter's directory, ``bin/python`` links to the
base interpreter, an empty site-packages and activation scripts; the interpreter's own start-up
does the rest. The layout (``lib/python3.12/site-packages``, ``lib/pypy3.10/site-packages``…)
comes from the base interpreter's ``venv`` install scheme, as introspection reported it.

A new environment is assembled in a hidden sibling directory and renamed into place, so an
interrupted ``ferry venv`` never leaves half an environment behind; ``clear`` swaps the old one
out the same way before deleting it. ferry refuses to clear a directory that is not a venv.
"""

from __future__ import annotations

import logging
import os
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path

from ferry import __version__
from ferry.model.errors import FilesystemError, UserError
from ferry.python.activation import render_activators
from ferry.python.environment import (
    PythonEnvironment,
    environment_python,
    find_dot_venv,
    is_virtualenv,
    open_environment,
)
from ferry.python.interpreter import Interpreter
from ferry.python.pyvenv_cfg import CFG_NAME, format_pyvenv_cfg, read_pyvenv_cfg

__all__ = [
    "PythonEnvironment",
    "create_venv",
    "environment_python",
    "find_dot_venv",
    "is_virtualenv",
    "open_environment",
    "read_pyvenv_cfg",
]

logger = logging.getLogger(__name__)

CACHEDIR_TAG = "Signature: 8a477f597d28d172789f06886806bc55"
WINDOWS = os.name == "nt"


def create_venv(
    path: Path,
    interpreter: Interpreter,
    *,
    prompt: str | None = None,
    clear: bool = False,
    allow_existing: bool = False,
    system_site_packages: bool = False,
) -> Path:
    """Create a virtual environment at ``path`` for ``interpreter`` (its base, if it is a venv
    itself) and return its absolute root.

    An existing venv is replaced only with ``clear``; ``allow_existing`` writes over whatever is
    there (as uv's ``--allow-existing``). A non-empty directory that is not a venv is never
    cleared.
    """
    root = Path(os.path.abspath(path))  # noqa: PTH100 (keep symlinks, unlike resolve())
    state = _target_state(root)
    if state == "file":
        raise UserError(f"`{root}` exists and is not a directory")
    if state == "venv" and not (clear or allow_existing):
        raise UserError(
            f"A virtual environment already exists at `{root}`",
            hint="Use `--clear` to replace it, or `--allow-existing` to write over it.",
        )
    if state == "other" and not allow_existing:
        raise UserError(
            f"The directory `{root}` exists, but it is not a virtual environment",
            hint="ferry does not clear directories it cannot recognise as environments; "
            "choose another path or empty it first (`--allow-existing` writes into it as is).",
        )
    settings = _Settings(interpreter, prompt, system_site_packages)
    try:
        if state == "empty" or (state != "missing" and allow_existing and not clear):
            logger.debug("Writing the environment into the existing directory %s", root)
            _populate(root, root, settings, in_place=True)
        else:
            _create_and_swap(root, settings, replace=state == "venv")
    except OSError as error:
        raise FilesystemError(
            f"Failed to create a virtual environment at `{root}`: {error.strerror or error}"
        ) from error
    return root


@dataclass(frozen=True, slots=True)
class _Settings:
    interpreter: Interpreter
    prompt: str | None
    system_site_packages: bool


def _target_state(root: Path) -> str:
    """missing | empty | venv | other | file."""
    if not root.exists() and not root.is_symlink():
        return "missing"
    if not root.is_dir():
        return "file"
    if is_virtualenv(root):
        return "venv"
    try:
        with os.scandir(root) as entries:
            return "other" if any(True for _ in entries) else "empty"
    except OSError:
        return "other"


def _create_and_swap(root: Path, settings: _Settings, *, replace: bool) -> None:
    """Build in a hidden sibling, then rename into place; with ``replace`` the old environment
    is renamed aside first and deleted only once the new one is in place (restored otherwise)."""
    root.parent.mkdir(parents=True, exist_ok=True)
    staging = _sibling(root, "new")
    old: Path | None = None
    try:
        _populate(staging, root, settings, in_place=False)
        if replace:
            old = _sibling(root, "old")
            logger.debug("Replacing the virtual environment at %s (--clear)", root)
            root.replace(old / "env")
        try:
            staging.rename(root)
        except OSError:
            if not (root.is_dir() and is_virtualenv(root)):
                raise
            # Another process created it meanwhile; theirs is as good as ours.
            logger.debug("Another process created %s first; keeping theirs", root)
    except BaseException:
        if old is not None and (old / "env").exists() and not root.exists():
            (old / "env").replace(root)
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)


def _sibling(root: Path, purpose: str) -> Path:
    """A fresh hidden directory next to ``root`` (same filesystem, so renames are atomic),
    created with the process umask like any directory the user makes."""
    while True:
        candidate = root.parent / f".{root.name}.ferry-{purpose}-{secrets.token_hex(4)}"
        try:
            candidate.mkdir()
        except FileExistsError:
            continue
        return candidate


def _populate(target: Path, final_root: Path, settings: _Settings, *, in_place: bool) -> None:
    """Write every file of the environment into ``target``; scripts name ``final_root``."""
    interpreter = settings.interpreter
    layout = interpreter.venv_layout
    base = interpreter.base_executable
    target.mkdir(parents=True, exist_ok=True)
    (target / CFG_NAME).write_text(_pyvenv_cfg(settings), encoding="utf-8")

    scripts = target / layout.scripts
    scripts.mkdir(parents=True, exist_ok=True)
    if WINDOWS:
        _copy_windows_launchers(base, scripts)
    else:
        _link_interpreters(base, scripts, interpreter)

    (target / layout.purelib).mkdir(parents=True, exist_ok=True)
    if _wants_lib64(interpreter) and not (target / "lib64").exists():
        if (target / "lib64").is_symlink():
            (target / "lib64").unlink()
        (target / "lib64").symlink_to("lib", target_is_directory=True)
    (target / layout.platlib).mkdir(parents=True, exist_ok=True)

    site_packages = os.path.relpath(final_root / layout.purelib, final_root / layout.scripts)
    for name, text in render_activators(
        final_root,
        bin_name=str(layout.scripts),
        prompt=settings.prompt,
        site_packages=site_packages,
    ).items():
        (scripts / name).write_text(text, encoding="utf-8")
    (target / ".gitignore").write_text("*", encoding="utf-8")
    (target / "CACHEDIR.TAG").write_text(CACHEDIR_TAG, encoding="utf-8")
    if in_place:
        logger.debug("Wrote the environment in place at %s", final_root)


def _pyvenv_cfg(settings: _Settings) -> str:
    interpreter = settings.interpreter
    values = {
        "home": str(interpreter.base_executable.parent),
        "implementation": interpreter.implementation_name,
        "ferry": __version__,
        "version_info": str(interpreter.version),
        "include-system-site-packages": "true" if settings.system_site_packages else "false",
    }
    if settings.prompt:
        values["prompt"] = settings.prompt
    return format_pyvenv_cfg(values)


def _link_interpreters(base: Path, scripts: Path, interpreter: Interpreter) -> None:
    """``python`` → the base interpreter; ``python3``, ``python3.X`` (and PyPy's names) →
    ``python``, as uv lays them out."""
    major, minor = interpreter.major_minor
    names = [f"python{major}", f"python{major}.{minor}"]
    if interpreter.implementation == "pypy":
        names += ["pypy", f"pypy{major}", f"pypy{major}.{minor}"]
    _symlink(scripts / "python", base)
    for name in names:
        _symlink(scripts / name, Path("python"))


def _symlink(link: Path, target: Path) -> None:
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(target)


def _copy_windows_launchers(base: Path, scripts: Path) -> None:
    """Windows cannot rely on symlinks: copy the base's executables (untested here)."""
    for name in ("python.exe", "pythonw.exe"):
        source = base.parent / name
        if source.is_file():
            shutil.copy2(source, scripts / name)
    if not (scripts / "python.exe").exists():
        shutil.copy2(base, scripts / "python.exe")


def _wants_lib64(interpreter: Interpreter) -> bool:
    """uv and the stdlib add ``lib64 -> lib`` on 64-bit POSIX systems other than macOS."""
    return (
        not WINDOWS
        and interpreter.pointer_size == 64
        and interpreter.markers.get("sys_platform") != "darwin"
        and Path(interpreter.venv_layout.purelib).parts[:1] == ("lib",)
    )
