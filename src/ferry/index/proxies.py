"""Which proxy, if any, a request goes through: the environment, read as httpx read it.

``HTTP_PROXY``, ``HTTPS_PROXY`` and ``ALL_PROXY`` (lower-case spellings win, as in urllib; an
upper-case ``HTTP_PROXY`` is ignored under CGI, where a client could set it) choose a proxy by
the target's scheme, ``NO_PROXY`` exempts hosts with curl's rules: ``*`` turns every proxy off,
``example.com`` exempts it and its subdomains, ``.example.com`` only the subdomains, and an IP
address, ``localhost`` or a ``scheme://host`` entry exactly that. A proxy without a scheme is
``http://``. The most specific rule wins, as httpx ranks its mounts.

Only ``http://`` proxies are spoken (``pool.py`` forwards plain requests to them and tunnels
TLS through ``CONNECT``); a ``socks5://`` or ``https://`` proxy is an error naming the variable's
value (redacted), not a silent direct connection.
"""


# No ``from __future__ import annotations`` here: under it, typing compile()s each string
# field of a ``NamedTuple``, and a process's first compile() costs ~1 ms (every ``_ast``
# node class is built); a test holds warm commands to no compile() at all.

import os
import sys
from collections.abc import Mapping
from typing import NamedTuple
from urllib.parse import unquote, urlsplit

from ferry.model.url import redact

__all__ = ["Proxy", "ProxyTable", "environment_proxies"]

_DEFAULT_PORTS = {"http": 80, "https": 443}


class Proxy(NamedTuple):
    """An ``http://`` proxy; ``authorization`` is the ``Proxy-Authorization`` value, if any.

    (Named tuples, not dataclasses, in this module and ``pool.py``: they are made on the first
    request of every command, ~0.1 ms each against ~0.5 ms, and hashed as pool keys per request.)
    """

    url: str
    host: str
    port: int
    authorization: str | None = None

    @classmethod
    def parse(cls, url: str) -> "Proxy":
        if "://" not in url:
            url = f"http://{url}"
        parts = urlsplit(url)
        if parts.scheme.lower() != "http" or not parts.hostname:
            from ferry.index.transport import UnsupportedProtocol

            raise UnsupportedProtocol(
                f"unsupported proxy `{redact(url)}`: only http:// proxies are supported"
            )
        authorization = None
        if parts.username is not None:
            pair = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
            import base64  # a proxy with credentials only

            authorization = "Basic " + base64.b64encode(pair.encode()).decode()
        return cls(redact(url), parts.hostname, parts.port or 80, authorization)


class _Rule(NamedTuple):
    """One httpx mount: ``scheme`` ("" for all), ``host`` pattern, ``port``; ``proxy`` None
    means "connect directly"."""

    scheme: str
    host: str
    port: int | None
    proxy: str | None

    def matches(self, scheme: str, host: str, port: int) -> bool:
        if self.scheme and self.scheme != scheme:
            return False
        if self.host:
            if self.host.startswith("*."):
                if not host.endswith(self.host[1:]) or host == self.host[2:]:
                    return False
            elif self.host.startswith("*"):
                domain = self.host[1:]
                if host != domain and not host.endswith("." + domain):
                    return False
            elif host != self.host:
                return False
        return self.port is None or self.port == port

    @property
    def priority(self) -> tuple[int, int, int]:
        # httpx sorts its mounts by this, most specific first
        return (-1 if self.port is not None else 0, -len(self.host), -len(self.scheme))


class ProxyTable:
    """The proxy rules of one client, built once (as httpx read the environment once)."""

    def __init__(self, proxies: Mapping[str, str]) -> None:
        self._rules = sorted(_rules(proxies), key=lambda rule: rule.priority)
        self._parsed: dict[str, Proxy] = {}

    def __bool__(self) -> bool:
        return any(rule.proxy is not None for rule in self._rules)

    def for_url(self, scheme: str, host: str, port: int | None) -> Proxy | None:
        host = host.lower()
        port = port if port is not None else _DEFAULT_PORTS.get(scheme, 80)
        for rule in self._rules:
            if rule.matches(scheme, host, port):
                if rule.proxy is None:
                    return None
                proxy = self._parsed.get(rule.proxy)
                if proxy is None:
                    proxy = self._parsed[rule.proxy] = Proxy.parse(rule.proxy)
                return proxy
        return None


def environment_proxies() -> dict[str, str]:
    """``{"http": url, "https": url, "all": url, "no": hosts}`` from the environment, as
    ``urllib.request.getproxies`` gives them (it also asks the system on macOS and Windows)."""
    if sys.platform in ("darwin", "win32"):
        from urllib.request import getproxies

        return dict(getproxies())
    proxies: dict[str, str] = {}
    for name, value in os.environ.items():  # any spelling first, lower-case wins below
        if value and name.lower().endswith("_proxy"):
            proxies[name.lower()[:-6]] = value
    if "REQUEST_METHOD" in os.environ:
        proxies.pop("http", None)
    for name, value in os.environ.items():
        if name.endswith("_proxy"):
            if value:
                proxies[name[:-6]] = value
            else:
                proxies.pop(name[:-6], None)
    return proxies


def _rules(proxies: Mapping[str, str]) -> list[_Rule]:
    rules: list[_Rule] = []
    for scheme in ("http", "https", "all"):
        if proxies.get(scheme):
            rules.append(_Rule("" if scheme == "all" else scheme, "", None, proxies[scheme]))
    for entry in (host.strip() for host in proxies.get("no", "").split(",")):
        if entry == "*":
            return []
        if entry:
            rules.append(_no_proxy_rule(entry))
    return rules


def _no_proxy_rule(entry: str) -> _Rule:
    if "://" in entry:
        parts = urlsplit(entry)
        scheme = "" if parts.scheme == "all" else parts.scheme.lower()
        host = (parts.hostname or "").lower()
        return _Rule(scheme, "" if host == "*" else host, parts.port, None)
    import ipaddress  # ~1 ms, and only NO_PROXY needs it

    host = entry.lower().strip("[]")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        if host != "localhost":
            host = "*" + host  # curl: the domain and its subdomains
    return _Rule("", host, None, None)
