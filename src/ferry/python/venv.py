"""Virtual environments: created directly (no ``python -m venv`` subprocess) in milliseconds.

A venv is a ``pyvenv.cfg`` naming the base interpreter's directory, ``bin/python`` links to the
base interpreter, an empty site-packages and activation scripts; the interpreter's own start-up
does the rest. The layout (``lib/python3.12/site-packages``, ``lib/pypy3.10/site-packages``…)
comes from the base interpreter's ``venv`` install scheme, as introspection reported it.

A new environment is assembled in a hidden sibling directory and renamed into place, so an
interrupted ``ferry venv`` never leaves half an environment behind; ``clear`` swaps the old one
out the same way before deleting it. ferry refuses to clear a directory that is not a venv.

This module is on ``ferry venv``'s lean path (``ferry.commands.venv_fast``), which creates the
environment before anything heavy is imported: it imports only ``os`` and ferry's small modules
at load time (no pathlib, shutil, logging or dataclasses; each costs milliseconds), and it takes
its facts about the base interpreter as a :class:`VenvBase`, which that path fills straight from
the interpreter cache.
"""

from __future__ import annotations

# ruff: noqa: PTH100, PTH102, PTH103, PTH104, PTH105, PTH108, PTH110, PTH112, PTH113, PTH114, PTH118, PTH120, PTH211
import os
import sys

from ferry import __version__
from ferry.model.errors import FilesystemError, UserError
from ferry.python.activation import render_activators
from ferry.python.interpreter_cache import IMPLEMENTATION_NAMES
from ferry.python.pyvenv_cfg import CFG_NAME, format_pyvenv_cfg, read_pyvenv_cfg

TYPE_CHECKING = False  # typing costs ~2 ms to import; mypy reads this name as True
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

    from ferry.python.environment import (
        PythonEnvironment,
        environment_python,
        find_dot_venv,
        is_virtualenv,
        open_environment,
    )
    from ferry.python.interpreter import Interpreter

__all__ = [
    "PythonEnvironment",
    "VenvBase",
    "create_venv",
    "environment_python",
    "find_dot_venv",
    "is_virtualenv",
    "open_environment",
    "read_pyvenv_cfg",
    "write_venv",
]

_FROM_ENVIRONMENT = (
    "PythonEnvironment",
    "environment_python",
    "find_dot_venv",
    "is_virtualenv",
    "open_environment",
)
CACHEDIR_TAG = "Signature: 8a477f597d28d172789f06886806bc55"
WINDOWS = os.name == "nt"


def __getattr__(name: str) -> Any:
    """The environment helpers this module has always re-exported, imported on first use."""
    if name in _FROM_ENVIRONMENT:
        from ferry.python import environment

        return getattr(environment, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _debug(message: str, *args: object) -> None:
    """Log at DEBUG through ferry.model.log, but never import anything for it: if neither it
    (the CLI loads it to configure logging, e.g. for ``-v``) nor logging is loaded, nobody
    could see the message."""
    if "ferry.model.log" in sys.modules or "logging" in sys.modules:
        from ferry.model.log import get_logger

        get_logger(__name__).debug(message, *args)


class VenvBase:
    """What creating an environment needs to know about its base interpreter (treat as frozen).

    A plain class rather than a dataclass: the lean ``ferry venv`` path builds one from the
    interpreter cache, and importing ``dataclasses`` costs more than creating the environment.
    ``scripts``/``purelib``/``platlib`` are relative to the environment's root.
    """

    __slots__ = (
        "base_executable",
        "implementation",
        "major",
        "minor",
        "platlib",
        "pointer_size",
        "purelib",
        "scripts",
        "sys_platform",
        "version",
    )

    def __init__(
        self,
        *,
        base_executable: str,
        implementation: str,
        version: str,
        major: int,
        minor: int,
        scripts: str,
        purelib: str,
        platlib: str,
        pointer_size: int,
        sys_platform: str,
    ) -> None:
        self.base_executable = base_executable
        self.implementation = implementation
        self.version = version
        self.major = major
        self.minor = minor
        self.scripts = scripts
        self.purelib = purelib
        self.platlib = platlib
        self.pointer_size = pointer_size
        self.sys_platform = sys_platform

    @classmethod
    def of(cls, interpreter: Interpreter) -> VenvBase:
        layout = interpreter.venv_layout
        return cls(
            base_executable=str(interpreter.base_executable),
            implementation=interpreter.implementation,
            version=str(interpreter.version),
            major=interpreter.version.major,
            minor=interpreter.version.minor,
            scripts=str(layout.scripts),
            purelib=str(layout.purelib),
            platlib=str(layout.platlib),
            pointer_size=interpreter.pointer_size,
            sys_platform=interpreter.markers.get("sys_platform", ""),
        )

    @property
    def implementation_name(self) -> str:
        """``CPython``/``PyPy`` as uv prints it and as ``pyvenv.cfg`` records it."""
        return IMPLEMENTATION_NAMES.get(self.implementation, self.implementation.capitalize())


def create_venv(
    path: Path,
    interpreter: Interpreter,
    *,
    prompt: str | None = None,
    clear: bool = False,
    allow_existing: bool = False,
    system_site_packages: bool = False,
    seed: bool = False,
) -> Path:
    """Create a virtual environment at ``path`` for ``interpreter`` (its base, if it is a venv
    itself) and return its absolute root.

    An existing venv is replaced only with ``clear``; ``allow_existing`` writes over whatever is
    there (as uv's ``--allow-existing``). A non-empty directory that is not a venv is never
    cleared.
    """
    from pathlib import Path

    root = os.path.abspath(path)  # keep symlinks, unlike resolve()
    write_venv(
        root,
        VenvBase.of(interpreter),
        prompt=prompt,
        clear=clear,
        allow_existing=allow_existing,
        system_site_packages=system_site_packages,
        seed=seed,
    )
    return Path(root)


def target_state(root: str) -> str:
    """missing | empty | venv | other | file: what is at ``root`` now."""
    if not os.path.lexists(root):
        return "missing"
    if not os.path.isdir(root):
        return "file"
    if os.path.isfile(os.path.join(root, CFG_NAME)):
        return "venv"
    try:
        with os.scandir(root) as entries:
            return "other" if any(True for _ in entries) else "empty"
    except OSError:
        return "other"


def write_venv(
    root: str,
    base: VenvBase,
    *,
    prompt: str | None = None,
    clear: bool = False,
    allow_existing: bool = False,
    system_site_packages: bool = False,
    seed: bool = False,
) -> None:
    """:func:`create_venv` for an absolute ``root`` and a :class:`VenvBase`."""
    state = target_state(root)
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
    settings = _Settings(base, prompt, system_site_packages, seed)
    try:
        if state == "empty" or (state != "missing" and allow_existing and not clear):
            _debug("Writing the environment into the existing directory %s", root)
            _populate(root, root, settings)
        else:
            _create_and_swap(root, settings, replace=state == "venv")
    except OSError as error:
        raise FilesystemError(
            f"Failed to create a virtual environment at `{root}`: {error.strerror or error}"
        ) from error


class _Settings:
    __slots__ = ("base", "prompt", "seed", "system_site_packages")

    def __init__(self, base: VenvBase, prompt: str | None, system_site_packages: bool,
                 seed: bool = False) -> None:
        self.base = base
        self.prompt = prompt
        self.system_site_packages = system_site_packages
        self.seed = seed


def _remove_tree(path: str) -> None:
    if os.path.lexists(path):
        import shutil  # only when there is something to remove: it costs milliseconds to load

        shutil.rmtree(path, ignore_errors=True)


def _create_and_swap(root: str, settings: _Settings, *, replace: bool) -> None:
    """Build in a hidden sibling, then rename into place; with ``replace`` the old environment
    is renamed aside first and deleted only once the new one is in place (restored otherwise)."""
    os.makedirs(os.path.dirname(root), exist_ok=True)
    staging = _sibling(root, "new")
    old: str | None = None
    try:
        _populate(staging, root, settings)
        if replace:
            old = _sibling(root, "old")
            _debug("Replacing the virtual environment at %s (--clear)", root)
            os.replace(root, os.path.join(old, "env"))
        try:
            os.rename(staging, root)
        except OSError:
            if not (os.path.isdir(root) and os.path.isfile(os.path.join(root, CFG_NAME))):
                raise
            # Another process created it meanwhile; theirs is as good as ours.
            _debug("Another process created %s first; keeping theirs", root)
    except BaseException:
        if (
            old is not None
            and os.path.exists(os.path.join(old, "env"))
            and not os.path.exists(root)
        ):
            os.replace(os.path.join(old, "env"), root)
        raise
    finally:
        _remove_tree(staging)
        if old is not None:
            _remove_tree(old)


def _sibling(root: str, purpose: str) -> str:
    """A fresh hidden directory next to ``root`` (same filesystem, so renames are atomic),
    created with the process umask like any directory the user makes."""
    parent, name = os.path.split(root)
    while True:
        candidate = os.path.join(parent, f".{name}.ferry-{purpose}-{os.urandom(4).hex()}")
        try:
            os.mkdir(candidate)
        except FileExistsError:
            continue
        return candidate


def _write(path: str, text: str) -> None:
    # Bytes: the text exactly as given (LF, CRLF in .bat files) on every platform, as uv
    # writes it; and a binary file costs less to open than a text one (a dozen per venv).
    with open(path, "wb") as handle:
        handle.write(text.encode("utf-8"))


def _populate(target: str, final_root: str, settings: _Settings) -> None:
    """Write every file of the environment into ``target``; scripts name ``final_root``."""
    base = settings.base
    os.makedirs(target, exist_ok=True)
    _write(os.path.join(target, CFG_NAME), _pyvenv_cfg(settings))

    scripts = place_interpreters(target, base)

    os.makedirs(os.path.join(target, base.purelib), exist_ok=True)
    lib64 = os.path.join(target, "lib64")
    if _wants_lib64(base) and not os.path.exists(lib64):
        if os.path.islink(lib64):
            os.unlink(lib64)
        os.symlink("lib", lib64, target_is_directory=True)
    os.makedirs(os.path.join(target, base.platlib), exist_ok=True)

    site_packages = os.path.relpath(
        os.path.join(final_root, base.purelib), os.path.join(final_root, base.scripts)
    )
    for name, text in render_activators(
        final_root,
        bin_name=base.scripts,
        prompt=settings.prompt,
        site_packages=site_packages,
    ).items():
        _write(os.path.join(scripts, name), text)
    _write(os.path.join(target, ".gitignore"), "*")
    _write(os.path.join(target, "CACHEDIR.TAG"), CACHEDIR_TAG)
    if target == final_root:
        _debug("Wrote the environment in place at %s", final_root)


def _pyvenv_cfg(settings: _Settings) -> str:
    base = settings.base
    values = {
        "home": os.path.dirname(base.base_executable),
        "implementation": base.implementation_name,
        "ferry": __version__,
        "version_info": base.version,
        "include-system-site-packages": "true" if settings.system_site_packages else "false",
    }
    if settings.seed:  # as uv records a seeded environment (its pip sync keeps the seed set)
        values["seed"] = "true"
    if settings.prompt:
        values["prompt"] = settings.prompt
    return format_pyvenv_cfg(values)


def place_interpreters(target: str, base: VenvBase) -> str:
    """The scripts directory of ``target`` with the interpreters in it (links, or copies on
    Windows) pointing at ``base``; returns that directory."""
    scripts = os.path.join(target, base.scripts)
    os.makedirs(scripts, exist_ok=True)
    if WINDOWS:
        _copy_windows_launchers(base.base_executable, scripts)
    else:
        _link_interpreters(scripts, base)
    return scripts


def _link_interpreters(scripts: str, base: VenvBase) -> None:
    """``python`` → the base interpreter; ``python3``, ``python3.X`` (and PyPy's names) →
    ``python``, as uv lays them out."""
    major, minor = base.major, base.minor
    names = [f"python{major}", f"python{major}.{minor}"]
    if base.implementation == "pypy":
        names += ["pypy", f"pypy{major}", f"pypy{major}.{minor}"]
    _symlink(os.path.join(scripts, "python"), base.base_executable)
    for name in names:
        _symlink(os.path.join(scripts, name), "python")


def _symlink(link: str, target: str) -> None:
    if os.path.lexists(link):
        os.unlink(link)
    os.symlink(target, link)


def _copy_windows_launchers(base: str, scripts: str) -> None:
    """Windows cannot rely on symlinks: copy the base's executables (untested here)."""
    import shutil

    for name in ("python.exe", "pythonw.exe"):
        source = os.path.join(os.path.dirname(base), name)
        if os.path.isfile(source):
            shutil.copy2(source, os.path.join(scripts, name))
    if not os.path.exists(os.path.join(scripts, "python.exe")):
        shutil.copy2(base, os.path.join(scripts, "python.exe"))


def _wants_lib64(base: VenvBase) -> bool:
    """uv and the stdlib add ``lib64 -> lib`` on 64-bit POSIX systems other than macOS."""
    return (
        not WINDOWS
        and base.pointer_size == 64
        and base.sys_platform != "darwin"
        and base.purelib.replace("\\", "/").split("/")[0] == "lib"
    )
