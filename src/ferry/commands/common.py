"""Plumbing shared by commands: the cache, the target environment, the index client.

Imports stay lazy here: every command goes through this module, and the no-op ``sync``/``run``
paths must not pay for interpreter discovery or the installed-distribution reader they skip.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from ferry.model.settings import GlobalOptions

if TYPE_CHECKING:
    from ferry.cache.store import Cache
    from ferry.python.environment import PythonEnvironment
    from ferry.wheel.installed import InstalledDist


def remember_parsed_toml(cache_dir: Path | None, no_cache: bool) -> None:
    """Parsed TOML files are remembered in the cache the command line and environment name,
    when it exists (:mod:`ferry.fs.toml_memo`); with ``--no-cache``, nowhere. Set before any
    command reads its ``pyproject.toml``."""
    from ferry.commands.venv_interpreter import Fallback, cache_root
    from ferry.fs import toml_memo

    try:
        root = None if no_cache else cache_root(str(cache_dir) if cache_dir is not None else None)
    except Fallback:
        root = None
    toml_memo.remember_in(root)


# Commands that find their project first thing (unless given ``--script``), warning as they do.
_FINDS_PROJECT = frozenset({"lock", "sync", "export", "tree", "add", "remove", "version"})


def warn_project_settings(command: str, kwargs: Mapping[str, object]) -> None:
    """uv's warnings about the project it reads its settings from — every command but
    ``--help``, ``--version`` and ``self``/``tool`` finds the project first (``--project``, else
    walking up from the working directory), so ``pip list``, ``venv``, ``cache dir``, ``init``
    and ``run --script`` say them too. Today that is the deprecation of ``[tool.uv]
    dev-dependencies`` (:func:`ferry.project.discovery.warn_legacy_dev_dependencies`, said once
    per command). ``command`` with its keywords: a project command says it when it finds its
    project, which it does first, so it is not found twice."""
    if command in _FINDS_PROJECT and kwargs.get("script") is None:
        return
    project = kwargs.get("project")
    warn_settings_of(project if isinstance(project, Path) else None)


def warn_settings_of(project: Path | None = None) -> None:
    """:func:`warn_project_settings` for ``project`` (default: found from the working
    directory). A project the text of whose ``pyproject.toml`` files cannot hold a warning
    (neither ``dev-dependencies`` nor a workspace that may have a member using it) is not
    parsed: that check costs a stat per parent directory."""
    start = (project or Path.cwd()).absolute()
    for directory in (start, *start.parents):
        try:
            text = (directory / "pyproject.toml").read_bytes()
        except OSError:
            continue
        if b"dev-dependencies" in text or b"workspace" in text:
            break
    else:
        return
    from contextlib import suppress

    from ferry.model.errors import FerryError
    from ferry.project.discovery import discover_project

    with suppress(FerryError):  # uv does not fail a command over the project of its settings
        discover_project(project=project) if project is not None else discover_project(start)


@contextmanager
def open_cache(options: GlobalOptions) -> Iterator[Cache]:
    """The cache for this command, held with a shared lock so ``cache clean`` waits for us."""
    from ferry.cache.store import Cache

    cache = Cache.from_options(options.cache_dir, options.no_cache)
    with cache.shared():
        yield cache


def target_environment(cache: Cache, python: str | None, system: bool) -> PythonEnvironment:
    from ferry.python.target import find_target_environment

    return find_target_environment(cache, python=python, system=system, directory=Path.cwd())


def named_environment_note(environment: PythonEnvironment) -> str | None:
    """uv's ``Using Python X environment at: P`` for every environment but the working
    directory's own ``.venv`` (uv's default, which needs no naming): a change is never made to an
    environment the user did not see named — a parent directory's ``.venv``, ``VIRTUAL_ENV``,
    ``--python``, ``--system``."""
    if os.path.realpath(environment.root) == os.path.realpath(".venv"):
        return None
    return _using_line(environment)


def _using_line(environment: PythonEnvironment) -> str:
    from ferry.commands.venv_messages import display_path

    shown = display_path(environment.root, Path.cwd())
    return f"Using Python {environment.interpreter.version} environment at: {shown}"


def inspected_environment(
    cache: Cache, python: str | None, system: bool
) -> tuple[PythonEnvironment, str | None]:
    """The environment a read-only command looks at, with uv's ``Using Python X environment at:
    P`` line when no environment was found and discovery's interpreter stood in for one."""
    from ferry.python.target import find_inspected_environment

    environment, fell_back = find_inspected_environment(
        cache, python=python, system=system, directory=Path.cwd()
    )
    return environment, _using_line(environment) if fell_back else None


def site_dirs(environment: PythonEnvironment) -> Sequence[Path]:
    return environment.site_dirs


def installed_dists(environment: PythonEnvironment) -> list[InstalledDist]:
    from ferry.wheel.installed import iter_installed

    return iter_installed(site_dirs(environment))


def env_list(name: str) -> list[str]:
    """A space-separated environment variable as a list."""
    return os.environ.get(name, "").split()
