"""URLs that cannot leak credentials.

Every URL that might reach a user's screen or a log passes through :func:`redact`. The type
:class:`SafeUrl` keeps the real URL for requests but prints the redacted one, so forgetting to
redact is not possible by accident.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit


def redact(url: str) -> str:
    """Replace the password (or a lone token user) in ``url`` with ``****``."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    user = parts.username or ""
    if parts.password is not None:
        netloc = f"{user}:****@{host}"
    else:
        netloc = f"****@{host}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def strip_credentials(url: str) -> str:
    """The URL without any userinfo: what goes into lockfiles and cache keys."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    netloc = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


class SafeUrl(str):
    """A URL string whose ``str()``/``repr()``/format show it redacted.

    ``.raw`` gives the real value for the HTTP layer.
    """

    __slots__ = ()

    @property
    def raw(self) -> str:
        return str.__str__(self)

    def __str__(self) -> str:
        return redact(self.raw)

    def __repr__(self) -> str:
        return f"SafeUrl({redact(self.raw)!r})"

    def __format__(self, spec: str) -> str:
        return format(redact(self.raw), spec)
