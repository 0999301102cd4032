"""Re-pointing an existing virtual environment at another base interpreter, in place.

Split from :mod:`ferry.python.venv` (creation); used by ``commands/project_env`` when the
environment's site-packages can stay (same implementation, major.minor and machine).
"""

from __future__ import annotations

# os.path, as in ferry.python.venv, whose helpers this shares.
# ruff: noqa: PTH100, PTH118, PTH120
import os
from pathlib import Path

from ferry.model.errors import FilesystemError
from ferry.python.interpreter import Interpreter
from ferry.python.pyvenv_cfg import CFG_NAME, format_pyvenv_cfg, parse_pyvenv_cfg
from ferry.python.venv import VenvBase, place_interpreters


def repoint_venv(path: Path, interpreter: Interpreter) -> None:
    """Point the existing environment at ``path`` at ``interpreter``'s base, keeping everything
    else: site-packages, scripts, and the other ``pyvenv.cfg`` keys (``prompt``, …).

    For a base of the same implementation and major.minor only (the caller checks): the layout
    stays the same, so every installed package stays valid — recreating would lose packages for
    nothing (uv#16231). The links are replaced first and ``pyvenv.cfg`` last, so an interrupted
    re-point leaves an environment that already runs the new base and that the next sync repairs.
    """
    from ferry.fs.atomic import atomic_write_text

    root = os.path.abspath(path)
    base = VenvBase.of(interpreter)
    cfg = os.path.join(root, CFG_NAME)
    try:
        place_interpreters(root, base)
        with open(cfg, encoding="utf-8", errors="replace") as handle:
            values = parse_pyvenv_cfg(handle.read())
        values["home"] = os.path.dirname(base.base_executable)
        values["version_info"] = base.version
        # Keys other creators write (the stdlib, virtualenv) follow the base too, when present.
        moved = {"version": base.version, "executable": os.path.realpath(base.base_executable),
                 "base-executable": base.base_executable,
                 "base-prefix": str(interpreter.base_prefix),
                 "base-exec-prefix": str(interpreter.base_prefix)}
        values.update({key: value for key, value in moved.items() if key in values})
        atomic_write_text(Path(cfg), format_pyvenv_cfg(values))
    except OSError as error:
        raise FilesystemError(
            f"Failed to point the virtual environment at `{root}` at "
            f"`{base.base_executable}`: {error.strerror or error}"
        ) from error
