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
from ferry.model.settings import GlobalOptions
from ferry.python.discovery import find_interpreter
from ferry.python.environment import open_environment
from ferry.python.interpreter import Interpreter
from ferry.python.request import PythonRequest
from ferry.python.venv import create_venv

if TYPE_CHECKING:
    from ferry.commands.pip_install import PipInstallRequest

__all__ = [
    "VenvRequest",
    "VenvResult",
    "activation_command",
    "default_prompt",
    "display_path",
    "run_venv",
]

DEFAULT_PATH = Path(".venv")


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


@immutable
class VenvResult:
    root: Path
    shown_as: str
    interpreter: Interpreter
    activate: str | None  # the command that activates it in the user's shell, if known
    seeded: object | None = None  # the seeding install's result, for the CLI to render


def run_venv(request: VenvRequest, options: GlobalOptions, reporter: Reporter) -> VenvResult:
    cwd = Path.cwd()
    python_request = PythonRequest.parse(request.python) if request.python else None
    if request.seed and request.seed_install is not None:
        # A value the seeding install would refuse is refused before anything is made (uv
        # refuses it while reading the command line), never after the environment exists.
        request.seed_install.exclude_newer_date()
    cache = Cache.from_options(options.cache_dir, options.no_cache)
    try:
        with cache.shared():
            interpreter = find_interpreter(python_request, cache, directory=cwd, allow_venvs=False)
            reporter.status(
                f"Using {interpreter.describe()} interpreter at: {interpreter.sys_executable}"
            )
            path = request.path or DEFAULT_PATH
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
