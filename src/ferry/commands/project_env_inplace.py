"""In-place updates of an existing project environment: a re-point at another installation of
the same kind, a patch-level repair of ``pyvenv.cfg``. Split from
:mod:`ferry.commands.project_env`, which decides when they apply; each returns the line it
prints (``Updated …``, or ``Would update …`` when ``write`` is false, for a dry run).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from ferry.fs.atomic import atomic_write_text
from ferry.model.log import get_logger
from ferry.python.interpreter import Interpreter
from ferry.python.pyvenv_cfg import format_pyvenv_cfg, read_pyvenv_cfg
from ferry.python.venv_repoint import repoint_venv

if TYPE_CHECKING:
    from ferry.commands.project_env import Recorded

logger = get_logger(__name__)


def linked_base(root: Path) -> str:
    """The base interpreter the environment's ``bin/python`` names (even if it is gone)."""
    link = root / "bin" / "python"
    try:
        return str(link.parent / link.readlink())
    except OSError:
        return read_pyvenv_cfg(root).get("home", "?")


def repoint_in_place(
    root: Path, target: Interpreter, recorded: Recorded, current: Interpreter | None,
    write: bool = True,
) -> str:
    before = linked_base(root)
    if not Path(before).exists():
        before += ", which is gone"
    elif current is not None and not recorded.fits(current):
        before += f", which now runs {current.describe()}"
    if write:
        repoint_venv(root, target)
    return (f"{'Updated' if write else 'Would update'} {display_path(root)} in place to "
            f"{target.describe()} at {target.base_executable} "
            f"(was {recorded.version or '?'} at {before})")


def repair_patch_level(root: Path, interpreter: Interpreter, write: bool = True) -> str | None:
    """Bring ``pyvenv.cfg`` up to date after a patch-level change of the base interpreter (the
    caller has checked that implementation and major.minor are unchanged)."""
    cfg = root / "pyvenv.cfg"
    recorded = read_pyvenv_cfg(cfg).get("version_info", "")
    actual = str(interpreter.version)
    # virtualenv writes "3.11.7.final.0": the same version, nothing to repair or to announce
    if not recorded or recorded.split(".")[:3] == actual.split(".")[:3]:
        return None
    if not write:
        return (f"Would update {display_path(root)} in place to {interpreter.describe()} at "
                f"{linked_base(root)} (was {recorded})")
    raw = _raw_values(cfg.read_text(encoding="utf-8"))
    for key in ("version_info", "version"):
        if key in raw:
            raw[key] = actual
    atomic_write_text(cfg, format_pyvenv_cfg(raw))
    logger.debug("The environment's interpreter changed at patch level (%s -> %s); "
                 "updated pyvenv.cfg in place", recorded, actual)
    return (f"Updated {display_path(root)} in place to {interpreter.describe()} at "
            f"{linked_base(root)} (was {recorded})")


def _raw_values(text: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep:
            values[key.strip()] = value.strip()
    return values


def display_path(root: Path) -> str:
    try:
        return os.path.relpath(root)
    except ValueError:
        return str(root)
