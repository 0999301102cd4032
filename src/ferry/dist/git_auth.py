"""Credentials for git, handed to each ``git`` process without ever being written down.

A URL with a token (``https://user:token@host/repo``) must not reach a file: a repository's
``.git/config`` records the URLs it was told (``remote set-url``, the resolved URL of every
submodule, each submodule's own ``origin``), and those files live in the cache, which is
shared, backed up and copied into images. So git is always given the credential-free URL, and
the credentials travel as an ``http.<scheme>://<host>/.extraHeader`` entry in the
``GIT_CONFIG_COUNT``/``GIT_CONFIG_KEY_n``/``GIT_CONFIG_VALUE_n`` variables: git applies such
entries to that process and its children (``submodule update`` clones), and never persists
them. Scoped to the host, they also authenticate submodules whose relative URLs resolve there,
as the credentials in the superproject's URL did. They are not in ``argv`` either, where any
local user could read them with ``ps``; and since no 401 is answered through git's credential
machinery, a configured ``credential.helper=store`` is never asked to save them.

Only HTTP(S) carries credentials this way. An SSH URL's user name is an address and stays in
the URL; an SSH password cannot be used by a batch-mode client anyway, so it is dropped.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from urllib.parse import unquote, urlsplit

from ferry.model.immutable import immutable
from ferry.model.url import strip_credentials

__all__ = ["ConfigEntry", "GitAuth", "git_auth", "with_config"]

ConfigEntry = tuple[str, str]


@immutable
class GitAuth:
    """Where git fetches from (never with credentials) and the config that authenticates it."""

    location: str
    config: tuple[ConfigEntry, ...] = ()


def git_auth(repository: str) -> GitAuth:
    """``repository`` split into a credential-free location and the entries carrying its
    credentials (none for a URL without them, or one whose scheme cannot use a header)."""
    parts = urlsplit(repository)
    if parts.username is None and parts.password is None:
        return GitAuth(repository)
    safe = strip_credentials(repository)
    if parts.scheme not in ("http", "https"):
        if parts.scheme.endswith("ssh") and parts.password is None:
            return GitAuth(repository)  # ssh://git@host/…: the user name is an address
        return GitAuth(safe)
    user = unquote(parts.username or "")
    password = unquote(parts.password or "")
    token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    host = urlsplit(safe).netloc
    entry = (f"http.{parts.scheme}://{host}/.extraHeader", f"Authorization: Basic {token}")
    return GitAuth(safe, (entry,))


def with_config(env: Mapping[str, str], config: Sequence[ConfigEntry]) -> dict[str, str]:
    """``env`` plus ``config`` as ``GIT_CONFIG_*`` entries, after any the user set there."""
    result = dict(env)
    if not config:
        return result
    try:
        start = max(0, int(result.get("GIT_CONFIG_COUNT", "0") or "0"))
    except ValueError:
        start = 0
    for offset, (key, value) in enumerate(config):
        result[f"GIT_CONFIG_KEY_{start + offset}"] = key
        result[f"GIT_CONFIG_VALUE_{start + offset}"] = value
    result["GIT_CONFIG_COUNT"] = str(start + len(config))
    return result
