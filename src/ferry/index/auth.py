"""Credentials for index requests, and the one place that knows them.

Credentials come from the URL's userinfo (``https://user:token@host/simple``) or, failing that,
from the netrc file (``NETRC`` or ``~/.netrc``) entry for the host. They are remembered per
*origin* (scheme, host, port) rather than carried inside URLs, so file URLs parsed from an index
page, lockfile entries and cache keys never hold a secret, yet a download from the same origin
still authenticates. A redirect to another origin gets that origin's own credentials and never the
first one's (RELIABILITY D8).

With a keyring (``--keyring-provider subprocess``, ``index/keyring.py``) the store also asks it
for a password the URL and netrc did not give; the answer is keyed like any other credentials, by
origin, so it never enters a URL either.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Protocol
from urllib.parse import unquote, urlsplit

from ferry.model.immutable import immutable
from ferry.model.log import get_logger
from ferry.model.url import strip_credentials

if TYPE_CHECKING:
    import netrc

logger = get_logger(__name__)

Origin = tuple[str, str, int | None]


@immutable
class Credentials:
    """A username and password (or a token as the username with an empty password)."""

    username: str
    password: str

    def __repr__(self) -> str:  # never show the secret, even in a debugger dump
        return f"Credentials(username={self.username!r}, password='****')"

    def authorization(self) -> str:
        """The value of an HTTP Basic ``Authorization`` header."""
        raw = f"{self.username}:{self.password}".encode()
        import base64  # only with credentials

        return "Basic " + base64.b64encode(raw).decode("ascii")


def origin_of(url: str) -> Origin:
    """(scheme, host, port) with the default port filled in, so equal origins compare equal."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    port = parts.port
    if port is None:
        port = {"http": 80, "https": 443}.get(scheme)
    return scheme, (parts.hostname or "").lower(), port


def credentials_in_url(url: str) -> Credentials | None:
    """The userinfo of ``url``, percent-decoded; ``None`` when it has none."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return None
    return Credentials(unquote(parts.username or ""), unquote(parts.password or ""))


class KeyringLike(Protocol):
    """``index.keyring.SubprocessKeyring``: credentials for a credential-free URL, or ``None``."""

    def fetch(self, url: str, username: str | None) -> Credentials | None: ...


class CredentialStore:
    """Thread-safe lookup of credentials by URL: userinfo, then remembered origin, then netrc;
    then, when one is configured and asked (:meth:`from_keyring`), the keyring.

    ``netrc_path`` overrides the ``NETRC`` environment variable (tests use it); the file is read
    once, on first need, and a missing or malformed file simply provides nothing.
    """

    def __init__(self, netrc_path: Path | None = None, keyring: KeyringLike | None = None) -> None:
        self._netrc_path = netrc_path
        self._netrc: netrc.netrc | None = None
        self._netrc_loaded = False
        self._by_origin: dict[Origin, Credentials] = {}
        self._indexes: set[str] = set()
        self._realms: dict[tuple[Origin, str | None], Credentials] = {}
        self._lock = threading.Lock()
        self.keyring = keyring

    def remember(self, url: str) -> None:
        """Keep the userinfo of ``url`` (if any) for every later request to its origin; ``url``
        is an index (or find-links) URL, the keyring service of every URL below it."""
        creds = credentials_in_url(url)
        with self._lock:
            self._indexes.add(strip_credentials(url).rstrip("/") + "/")
            if creds is not None:
                self._by_origin[origin_of(url)] = creds

    def service_for(self, url: str) -> str:
        """The keyring service for ``url``: the longest configured index URL it lies under (one
        keyring entry per index, as uv), else ``url`` itself; never with credentials."""
        clean = strip_credentials(url)
        with self._lock:
            under = [index for index in self._indexes if clean.startswith(index)]
        return max(under, key=len) if under else clean

    def from_keyring(self, url: str, username: str | None) -> Credentials | None:
        """Ask the keyring (if one is configured) for the credentials of ``url``'s index; what it
        gives is remembered for the origin, so later requests send it at once."""
        if self.keyring is None:
            return None
        origin = origin_of(url)
        with self._lock:
            known = self._realms.get((origin, username))
        if known is not None:  # found for another URL of this origin (realm), as uv caches it
            return known
        found = self.keyring.fetch(self.service_for(url), username)
        if found is not None:
            with self._lock:
                self._realms[(origin, username)] = found
                self._realms[(origin, found.username)] = found
                if credentials_in_url(url) is None:
                    self._by_origin[origin] = found
        return found

    def complete(self, url: str, creds: Credentials | None) -> Credentials | None:
        """``creds`` with a password from the keyring when only a username is known (a URL like
        ``https://user@host/``): uv asks the keyring before sending such a request."""
        if self.keyring is None or creds is None or creds.password or not creds.username:
            return creds
        return self.from_keyring(url, creds.username) or creds

    def for_url(self, url: str) -> Credentials | None:
        """Credentials to send with a request to ``url``, or ``None`` for an anonymous request."""
        creds = credentials_in_url(url)
        if creds is not None:
            with self._lock:
                self._by_origin[origin_of(url)] = creds
            return creds
        origin = origin_of(url)
        with self._lock:
            known = self._by_origin.get(origin)
        if known is not None:
            return known
        return self._from_netrc(origin[1])

    def _from_netrc(self, host: str) -> Credentials | None:
        if not host:
            return None
        rc = self._load_netrc()
        if rc is None:
            return None
        entry = rc.authenticators(host)
        if entry is None:
            return None
        login, account, password = entry
        logger.debug("Using credentials from netrc for host %s", host)
        return Credentials(login or account or "", password or "")

    def _load_netrc(self) -> netrc.netrc | None:
        with self._lock:
            if self._netrc_loaded:
                return self._netrc
            self._netrc_loaded = True
            path = self._netrc_path
            if path is None:
                env = os.environ.get("NETRC")
                path = Path(env) if env else Path.home() / ".netrc"
            if not path.is_file():
                return None
            import netrc  # shlex with it: only a netrc file pays for them

            try:
                self._netrc = netrc.netrc(str(path))
            except (OSError, netrc.NetrcParseError) as exc:
                # A broken netrc must not stop anonymous installs; -v says why auth is missing.
                logger.debug("Ignoring netrc file %s: %s", path, type(exc).__name__)
            return self._netrc
