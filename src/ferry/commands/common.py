"""Plumbing shared by commands: the cache, the target environment, the index client."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from ferry.cache.store import Cache
from ferry.model.settings import GlobalOptions
from ferry.python.environment import PythonEnvironment
from ferry.python.target import find_target_environment
from ferry.wheel.installed import InstalledDist, iter_installed


@contextmanager
def open_cache(options: GlobalOptions) -> Iterator[Cache]:
    """The cache for this command, held with a shared lock so ``cache clean`` waits for us."""
    cache = Cache.from_options(options.cache_dir, options.no_cache)
    with cache.shared():
        yield cache


def target_environment(cache: Cache, python: str | None, system: bool) -> PythonEnvironment:
    return find_target_environment(cache, python=python, system=system, directory=Path.cwd())


def site_dirs(environment: PythonEnvironment) -> Sequence[Path]:
    return environment.site_dirs


def installed_dists(environment: PythonEnvironment) -> list[InstalledDist]:
    return iter_installed(site_dirs(environment))


def env_list(name: str) -> list[str]:
    """A space-separated environment variable as a list."""
    return os.environ.get(name, "").split()
