"""The project's environment: found, validated, repaired in place, or (only if it must) recreated.

Seed report uv#16231: an environment was deleted and recreated because the interpreter's *patch*
version changed (3.11.13 → 3.11.14), losing a package copied in from another build stage. ferry
recreates an environment only when the implementation or the major.minor version differs from
what is requested, or when its base interpreter is gone; a patch change is repaired in place by
updating ``pyvenv.cfg``. When recreation is needed, the reason is printed at normal verbosity,
and with ``--inexact`` the packages it would drop are named and nothing happens without
``--recreate``.
"""

from __future__ import annotations

import logging
import os
from dataclasses import field
from pathlib import Path

from packaging.specifiers import SpecifierSet

from ferry.cache.store import Cache
from ferry.fs.atomic import atomic_write_text
from ferry.model.errors import InterpreterNotFoundError, UserError
from ferry.model.immutable import mutable
from ferry.python.discovery import find_interpreter, requested_python
from ferry.python.environment import PythonEnvironment, is_virtualenv, open_environment
from ferry.python.interpreter import Interpreter
from ferry.python.pyvenv_cfg import format_pyvenv_cfg, read_pyvenv_cfg
from ferry.python.request import PythonRequest, RequestKind
from ferry.python.venv import create_venv
from ferry.wheel.installed import iter_installed

logger = logging.getLogger(__name__)


@mutable
class EnvironmentOutcome:
    environment: PythonEnvironment
    notes: list[str] = field(default_factory=list)
    created: bool = False
    repaired: str | None = None


def _mismatch(
    interpreter: Interpreter, request: PythonRequest | None, requires_python: SpecifierSet | None
) -> str | None:
    """Why ``interpreter`` cannot serve the request: implementation or major.minor only."""
    if request is not None and request.kind not in (RequestKind.PATH, RequestKind.NAME):
        if request.implementation and interpreter.implementation != request.implementation:
            return f"it uses {interpreter.implementation}, but {request} is requested"
        wanted = request.parts[:2]
        if wanted and interpreter.version.release[: len(wanted)] != wanted:
            return f"it uses Python {interpreter.version}, but {request} is requested"
        if request.specifier is not None and not request.specifier.contains(
            interpreter.version, prereleases=True
        ):
            return f"it uses Python {interpreter.version}, but {request} is requested"
    if requires_python is not None and not requires_python.contains(
        interpreter.version, prereleases=True
    ):
        return (
            f"it uses Python {interpreter.version}, which the project's requires-python "
            f"`{requires_python}` does not allow"
        )
    return None


def _repair_patch_level(root: Path, interpreter: Interpreter) -> str | None:
    """Bring ``pyvenv.cfg`` up to date after a patch-level change of the base interpreter."""
    cfg = root / "pyvenv.cfg"
    values = read_pyvenv_cfg(cfg)
    recorded = values.get("version_info", "")
    actual = str(interpreter.version)
    if not recorded or recorded == actual:
        return None
    raw = _raw_values(cfg.read_text(encoding="utf-8"))
    for key in ("version_info", "version"):
        if key in raw:
            raw[key] = actual
    updated = format_pyvenv_cfg(raw)
    atomic_write_text(cfg, updated)
    return f"{recorded} -> {actual}"


def _raw_values(text: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep:
            values[key.strip()] = value.strip()
    return values


def _open_existing(root: Path, cache: Cache) -> tuple[PythonEnvironment | None, str | None]:
    try:
        return open_environment(root, cache), None
    except UserError as error:
        return None, error.message


def ensure_project_environment(
    root: Path,
    cache: Cache,
    *,
    project_dir: Path,
    python: str | None,
    requires_python: SpecifierSet | None,
    inexact: bool = False,
    recreate: bool = False,
    keep_names: frozenset[str] = frozenset(),
    create: bool = True,
) -> EnvironmentOutcome:
    """The environment at ``root``, valid for the request; see the module docstring."""
    request, source = requested_python(PythonRequest.parse(python) if python else None, project_dir)
    notes: list[str] = []
    if root.exists() and not is_virtualenv(root) and any(root.iterdir()):
        raise UserError(
            f"The project environment path `{root}` exists but is not a virtual environment",
            hint="move it away, or point FERRY_PROJECT_ENVIRONMENT elsewhere",
        )
    if is_virtualenv(root) and not recreate:
        environment, broken = _open_existing(root, cache)
        reason = broken
        if environment is not None:
            reason = _mismatch(environment.interpreter, request, requires_python)
            if reason is None:
                repaired = _repair_patch_level(root, environment.interpreter)
                if repaired:
                    logger.debug(
                        "The environment's interpreter changed at patch level (%s); "
                        "updated pyvenv.cfg in place",
                        repaired,
                    )
                    environment = open_environment(root, cache)
                return EnvironmentOutcome(environment, notes, repaired=repaired)
        _refuse_losing_packages(root, environment, inexact, keep_names, reason or "")
        notes.append(f"Recreating virtual environment at: {_display(root)} ({reason})")
    elif is_virtualenv(root) and recreate:
        notes.append(f"Recreating virtual environment at: {_display(root)} (--recreate)")
    if not create:
        raise UserError(f"No project environment at `{_display(root)}`")
    try:
        interpreter = find_interpreter(
            request,
            cache,
            directory=project_dir,
            requires_python=requires_python,
            allow_venvs=False,
        )
    except InterpreterNotFoundError:
        raise
    where = f" (from {source})" if source else ""
    logger.debug("Chose %s%s", interpreter.describe(), where)
    notes.insert(
        0,
        f"Using {interpreter.implementation_name} {interpreter.version} interpreter at: "
        f"{interpreter.executable}",
    )
    if not any("Recreating" in n for n in notes):
        notes.append(f"Creating virtual environment at: {_display(root)}")
    create_venv(root, interpreter, clear=is_virtualenv(root), allow_existing=root.exists())
    return EnvironmentOutcome(open_environment(root, cache), notes, created=True)


def _refuse_losing_packages(
    root: Path,
    environment: PythonEnvironment | None,
    inexact: bool,
    keep_names: frozenset[str],
    reason: str,
) -> None:
    """With ``--inexact``, recreating must not silently drop packages the lock does not name."""
    if not inexact or environment is None:
        return
    extraneous = sorted(
        f"{d.name}=={d.version}"
        for d in iter_installed(environment.site_dirs)
        if d.name not in keep_names
    )
    if extraneous:
        raise UserError(
            f"The environment at `{_display(root)}` must be recreated ({reason}), which would "
            f"remove packages that `--inexact` keeps: {', '.join(extraneous)}",
            hint="pass `--recreate` to recreate it anyway, or ask for a compatible Python",
        )


def _display(root: Path) -> str:
    try:
        return os.path.relpath(root)
    except ValueError:
        return str(root)
