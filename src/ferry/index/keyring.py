"""Credentials from the ``keyring`` executable (``--keyring-provider subprocess``), as uv asks it.

uv's protocol, followed here so that one keyring setup serves both tools:

* with a username (from the index URL, ``https://user@host/simple``):
  ``keyring get <service> <username>`` prints the password;
* without one: ``keyring get <service> --mode creds`` prints the username and the password on two
  lines (keyring ≥ 25.2.1). uv only does this for indexes marked ``authenticate = "always"``;
  ferry does it after a 401, since the request fails anyway without credentials.

The service is the index URL when the request belongs to a configured index (uv#12651: one
keyring entry per index, not per project page), else the request URL; when that yields nothing
the host (``host[:port]``) is tried. Answers, found or not, are remembered per (service,
username) for the whole command, so a resolution with hundreds of requests calls ``keyring`` at
most a few times. The password is never logged; only whether one was found.

Disabled by default: ferry never runs an executable it was not asked to run (RELIABILITY D10).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Literal
from urllib.parse import urlsplit

from ferry.index.auth import Credentials
from ferry.model.errors import UsageError
from ferry.model.log import get_logger
from ferry.model.url import redact

if TYPE_CHECKING:
    import subprocess

logger = get_logger(__name__)

KeyringProviderName = Literal["disabled", "subprocess"]
PROVIDERS: tuple[KeyringProviderName, ...] = ("disabled", "subprocess")
KEYRING_TIMEOUT = 120.0  # a backend may unlock a wallet or reach a cloud credential service


def check_provider(value: str | None) -> KeyringProviderName:
    """``value`` as a provider name (``None`` → ``disabled``); anything else is a usage error."""
    if value is None or value == "":
        return "disabled"
    if value not in PROVIDERS:
        raise UsageError(
            f"Unknown keyring provider `{value}`",
            hint=f"choose one of: {', '.join(PROVIDERS)}",
        )
    return value  # type: ignore[return-value]  # checked just above


Runner = Callable[[list[str]], "subprocess.CompletedProcess[str]"]


def _run(argv: list[str]) -> subprocess.CompletedProcess[str]:
    import subprocess  # here: ~3 ms of every start-up otherwise, for a rarely used provider

    return subprocess.run(
        argv,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=KEYRING_TIMEOUT,
        check=False,
    )


class SubprocessKeyring:
    """Thread-safe; calls are serialized (a keyring backend may prompt or unlock once)."""

    def __init__(
        self, which: Callable[[str], str | None] | None = None, run: Runner = _run
    ) -> None:
        if which is None:
            import shutil  # ~2.7 ms: only a keyring provider pays for it

            which = shutil.which
        self._which = which
        self._run = run
        self._answers: dict[tuple[str, str | None], Credentials | None] = {}
        self._lock = threading.Lock()
        self._executable: str | None = None
        self._looked_up = False

    def fetch(self, url: str, username: str | None) -> Credentials | None:
        """Credentials for ``url`` (a credential-free URL): the URL itself, then its host."""
        parts = urlsplit(url)
        host = parts.hostname or ""
        if parts.port is not None:
            host = f"{host}:{parts.port}"
        for service in (url, host):
            if not service:
                continue
            found = self._fetch_service(service, username)
            if found is not None:
                return found
        return None

    def _fetch_service(self, service: str, username: str | None) -> Credentials | None:
        key = (service, username)
        with self._lock:
            if key in self._answers:
                return self._answers[key]
            answer = self._ask(service, username)
            self._answers[key] = answer
            return answer

    def _find_executable(self) -> str | None:
        if not self._looked_up:
            self._looked_up = True
            self._executable = self._which("keyring")
            if self._executable is None:
                logger.warning(
                    "--keyring-provider subprocess is set, but no `keyring` executable is on "
                    "PATH: index credentials cannot come from the keyring (install it, for "
                    "example with `pipx install keyring`, or put the credentials in the index "
                    "URL or netrc)"
                )
        return self._executable

    def _ask(self, service: str, username: str | None) -> Credentials | None:
        executable = self._find_executable()
        if executable is None:
            return None
        argv = [executable, "get", service]
        argv += [username] if username else ["--mode", "creds"]
        shown = redact(service)
        # The username is not shown: a lone user in a URL is often a token (model.url.redact).
        who = f"{shown} (username from the URL)" if username else f"{shown} (--mode creds)"
        logger.debug("Checking keyring for credentials for %s", who)
        from subprocess import SubprocessError

        try:
            done = self._run(argv)
        except (OSError, SubprocessError) as exc:
            logger.warning("Running `keyring` failed: %s", type(exc).__name__)
            return None
        if done.returncode != 0:
            if "unrecognized arguments: --mode" in (done.stderr or ""):
                logger.warning(
                    "The `keyring` executable does not support `--mode creds`: upgrade it to "
                    "keyring >= 25.2.1, or put the username in the index URL "
                    "(`https://user@host/...`)"
                )
            else:
                logger.debug("keyring has no credentials for %s (exit %d)", who, done.returncode)
            return None
        return _parse(done.stdout, username, who)


def _parse(stdout: str, username: str | None, who: str) -> Credentials | None:
    if username:
        password = stdout.rstrip("\r\n")
        if not password:
            logger.debug("keyring returned an empty password for %s", who)
        logger.debug("Found credentials in keyring for %s", who)
        return Credentials(username, password)
    lines = stdout.splitlines()
    if len(lines) < 2:
        logger.warning("keyring returned a username without a password for %s", who)
        return None
    logger.debug("Found credentials in keyring for %s", who)
    return Credentials(lines[0], lines[1])
