"""The layer ``run --isolated --with`` runs in: an environment made beside the temporary base
(and removed with it) that sees the cached ``--with`` environment first, then the base.

This is the shape uv 0.13.8 gives every ``--with`` run: the packages live in a cached
environment that names no base, so every isolated run reuses it (nothing is installed again,
nothing more is cached), and an ephemeral environment whose ``.pth`` adds both environments'
site-packages is what the command runs in. Console scripts of the ``--with`` packages are
copied into the layer pointed at its python (uv copies them too), so ``run --isolated --with
pytest pytest`` imports the project: with the cached environment's own python it could not.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from ferry.model.log import get_logger

if TYPE_CHECKING:
    from ferry.cache.store import Cache
    from ferry.python.environment import PythonEnvironment
    from ferry.python.interpreter import Interpreter

log = get_logger(__name__)

_NOT_SCRIPTS = ("python", "activate", "deactivate", "pydoc")


def make_layer(
    root: Path,
    interpreter: Interpreter,
    packages: PythonEnvironment,
    base_dirs: tuple[str, ...],
    cache: Cache,
) -> PythonEnvironment:
    """A new environment at ``root`` seeing ``packages``' site-packages, then ``base_dirs``."""
    from ferry.commands.run_with import link_base
    from ferry.python.environment import open_environment
    from ferry.python.venv import create_venv

    log.debug("Creating the --with layer at %s over %s", root, packages.root)
    create_venv(root, interpreter)
    layer = open_environment(root, cache)
    link_base(layer, (*(str(d) for d in packages.site_dirs), *base_dirs))
    _copy_scripts(packages, layer)
    return layer


def _copy_scripts(packages: PythonEnvironment, layer: PythonEnvironment) -> None:
    """The console scripts ``packages``' python runs, copied into ``layer`` to run with its
    python instead; anything else stays where it is (still on PATH, after the layer)."""
    from ferry.wheel.scripts import shebang

    source = Path(packages.scheme.scripts)
    target = Path(layer.scheme.scripts)
    prefix = shebang(str(packages.python)) + b"\n"
    try:
        entries = sorted(source.iterdir())
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith(_NOT_SCRIPTS) or not entry.is_file():
            continue
        destination = target / entry.name
        if destination.exists():
            continue
        data = entry.read_bytes()
        if not data.startswith(prefix):
            continue
        destination.write_bytes(shebang(str(layer.python)) + b"\n" + data[len(prefix):])
        os.chmod(destination, 0o755)  # noqa: PTH101
