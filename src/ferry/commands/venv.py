"""``ferry venv``: pick an interpreter, create the environment, optionally seed pip.

Progress lines go through a :class:`Reporter` as the work happens (so "Using …" shows even when
creation then fails, as in uv); the CLI supplies its printer. Venvs are made from system
interpreters only: an active venv's python is never the base of a new one.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from ferry.cache.store import Cache
from ferry.commands.venv_messages import (
    activation_command,
    creating_line,
    default_prompt,
    display_path,
)
from ferry.model.immutable import immutable
from ferry.model.log import get_logger
from ferry.model.settings import GlobalOptions
from ferry.python.discovery import find_interpreter
from ferry.python.environment import open_environment
from ferry.python.interpreter import Interpreter
from ferry.python.venv import create_venv

if TYPE_CHECKING:
    from ferry.commands.pip_install import PipInstallRequest
    from ferry.project.discovery import Project

__all__ = [
    "VenvRequest",
    "VenvResult",
    "activation_command",
    "default_prompt",
    "display_path",
    "run_venv",
]

DEFAULT_PATH = Path(".venv")
logger = get_logger(__name__)


class Reporter(Protocol):
    def status(self, line: str) -> None: ...


@immutable
class VenvRequest:
    path: Path | None = None
    python: str | None = None
    prompt: str | None = None
    clear: bool = False
    seed: bool = False
    system_site_packages: bool = False
    allow_existing: bool = False
    seed_install: PipInstallRequest | None = None
    """``--seed``'s install: the index and link options ``ferry venv`` was given (as
    ``uv venv`` takes them), as ``ferry pip install`` takes them."""
    project: Path | None = None
    """``--project``: where the project is looked for (default: the working directory)."""
    no_project: bool = False


@immutable
class VenvResult:
    root: Path
    shown_as: str
    interpreter: Interpreter
    activate: str | None  # the command that activates it in the user's shell, if known
    seeded: object | None = None  # the seeding install's result, for the CLI to render


def run_venv(request: VenvRequest, options: GlobalOptions, reporter: Reporter) -> VenvResult:
    from ferry.commands.venv_project import choose_python, incompatibility, venv_project

    cwd = Path.cwd()
    if request.seed and request.seed_install is not None:
        # A value the seeding install would refuse is refused before anything is made (uv
        # refuses it while reading the command line), never after the environment exists.
        request.seed_install.exclude_newer_date()
    # uv looks for the project first: it places the environment and names the Python wanted
    project = venv_project(request.project, cwd, no_project=request.no_project)
    choice = choose_python(request.python, project, request.project or cwd)
    path = request.path or default_path(request, cwd, project)
    cache = Cache.from_options(options.cache_dir, options.no_cache)
    try:
        with cache.shared():
            interpreter = find_interpreter(choice.request, cache, directory=cwd,
                                           allow_venvs=False)
            reporter.status(
                f"Using {interpreter.describe()} interpreter at: {interpreter.sys_executable}"
            )
            warning = incompatibility(choice, interpreter, project, cwd)
            if warning is not None:
                logger.warning("%s", warning)
            shown = display_path(path, cwd)
            reporter.status(creating_line(shown, seed=request.seed))
            root = create_venv(
                path,
                interpreter,
                prompt=default_prompt(request.prompt, request.path, cwd),
                clear=request.clear,
                allow_existing=request.allow_existing,
                system_site_packages=request.system_site_packages,
                seed=request.seed,
            )
            # Query the new environment now, so the seeding install finds it in the cache.
            environment = open_environment(root, cache) if request.seed else None
    finally:
        cache.close()
    seeded: object | None = None
    if environment is not None:
        from ferry.commands.pip_install import seed_environment

        seeded = seed_environment(environment, options, request.seed_install)
    return VenvResult(root, shown, interpreter, activation_command(shown), seeded)


def default_path(request: VenvRequest, cwd: Path, project: Project | None) -> Path:
    """Where ``ferry venv`` without PATH creates the environment, as ``uv venv`` 0.13.8 decides:
    the project environment (``FERRY_``/``UV_PROJECT_ENVIRONMENT`` placing it, relative to the
    workspace root) when started from the project's root (or ``--project`` names it), else
    ``.venv`` in the working directory — from a workspace member or any other directory below
    the root too, as uv keeps it. ``--no-project`` and an unreadable pyproject.toml (warned
    about by :func:`ferry.commands.venv_project.venv_project`) give ``.venv``."""
    from ferry.project.discovery import environment_variable

    start = (request.project or cwd).absolute()
    if project is None:
        return DEFAULT_PATH  # no project's root is here
    if request.project is None and environment_variable() is None:
        return DEFAULT_PATH  # the project environment would be `<here>/.venv` anyway
    if project.root.absolute() != start:
        logger.debug("%s is not the root of the workspace at %s: creating `.venv` here", start,
                     project.root)
        return DEFAULT_PATH
    return project.environment_path
