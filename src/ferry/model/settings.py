"""Global options every command receives, and the environment variables behind them.

Every ``FERRY_*`` variable ferry reads is declared in :data:`ENV_VARS`, so ``--help`` and the
README's reference table come from one place.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from ferry.model.immutable import immutable
from ferry.model.refresh import NO_REFRESH, Refresh

ENV_VARS: dict[str, str] = {
    "FERRY_CACHE_DIR": "Root of the cache (default: the platform's user cache directory).",
    "FERRY_NO_CACHE": "Use a temporary cache that is removed afterwards.",
    "FERRY_INDEX_URL": "The default package index (replaces the default index).",
    "FERRY_EXTRA_INDEX_URL": "Extra indexes, space separated, searched before the default one.",
    "FERRY_FIND_LINKS": "Extra find-links locations, space separated.",
    "FERRY_LINK_MODE": "clone, hardlink, copy or symlink: how files reach an environment.",
    "FERRY_HTTP_TIMEOUT": "Seconds before a silent connection is abandoned (default 30).",
    "FERRY_INSECURE_HOST": "Hosts (host or host:port, space separated) whose TLS certificates "
    "are not verified; set by --allow-insecure-host.",
    "FERRY_CONCURRENT_DOWNLOADS": "How many downloads run at once (default 16).",
    "FERRY_CONCURRENT_BUILDS": "How many source builds run at once (default: the CPU count).",
    "FERRY_OFFLINE": "Never use the network.",
    "FERRY_PREFER_OFFLINE": "Use what the cache holds before asking the network.",
    "FERRY_REFRESH": "Check every cached index page, metadata, file and archive again "
    "(--refresh).",
    "FERRY_KEYRING_PROVIDER": "disabled or subprocess: ask the `keyring` executable for index "
    "credentials (also UV_KEYRING_PROVIDER).",
    "FERRY_PYTHON": "The interpreter to use when no --python is given.",
    "FERRY_PROJECT_ENVIRONMENT": "Where a project's environment lives, relative to the "
    "workspace root or absolute (default .venv; also UV_PROJECT_ENVIRONMENT, read as uv reads "
    "it; FERRY_PROJECT_ENVIRONMENT wins when both are set).",
    "FERRY_LOCKED": "Fail if uv.lock would change (lock --check, --locked).",
    "FERRY_FROZEN": "Use uv.lock as it is, without checking it (lock --check-exists, --frozen).",
    "FERRY_COMPILE_BYTECODE": "Compile .pyc files after installing.",
    "FERRY_LOCK_TIMEOUT": "Seconds to wait for a file lock held by another process (default 300).",
    "FERRY_ENV_FILE": "Dotenv files (space separated) whose variables `run` gives the command "
    "(--env-file).",
    "FERRY_NO_ENV_FILE": "Read no dotenv file in `run` (--no-env-file).",
    "FERRY_DEBUG": "Show tracebacks for every error.",
}


_TRUE = frozenset({"1", "true", "yes", "on", "y", "t"})
_FALSE = frozenset({"", "0", "false", "no", "off", "n", "f"})


def env_flag(name: str) -> bool:
    """Lenient reading, for variables consulted while reporting an error (``FERRY_DEBUG``)."""
    return os.environ.get(name, "").strip().lower() in _TRUE


def env_bool(name: str) -> bool:
    """A boolean variable that changes what a command does: a value that is neither true nor
    false is refused (exit 2) rather than read as false, as uv refuses it — ``FERRY_OFFLINE=ture``
    must not quietly use the network."""
    from ferry.model.errors import UsageError

    value = os.environ.get(name, "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise UsageError(
        f"invalid value `{os.environ[name]}` for `{name}`",
        hint="use 1/true/yes/on or 0/false/no/off",
    )


@immutable
class GlobalOptions:
    """What the top-level CLI options decided; passed down to every command."""

    verbosity: int = 0  # -1 quiet, 0 normal, 1 -v, 2 -vv
    cache_dir: Path | None = None
    no_cache: bool = False
    offline: bool = False
    prefer_offline: bool = False
    color: bool = False
    directory: Path | None = None
    refresh: Refresh = NO_REFRESH
    keyring_provider: str | None = None  # None: not given by flag or variable (settings decide)

    def upgrading(self, everything: bool, packages: Iterable[str]) -> GlobalOptions:
        """These options for a command asked to upgrade (``--upgrade``, ``--upgrade-package``):
        the index pages of what may upgrade are asked for again, however fresh."""
        refresh = self.refresh.with_upgrades(everything, packages)
        if refresh is self.refresh:
            return self
        from ferry.model.value_fields import replace

        return replace(self, refresh=refresh)
