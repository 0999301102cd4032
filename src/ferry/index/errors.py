"""Errors and signals that belong to the index layer.

Both subclass the shared hierarchy of ``ferry.model.errors`` so that, should one escape, the CLI
still renders a clear message with the right exit code.
"""

from __future__ import annotations

from ferry.model.errors import FerryError, UserError
from ferry.model.url import redact

CREDENTIALS_HINT = (
    "missing or wrong credentials: put them in the index URL (`https://user:token@host/...`) "
    "or in your netrc file (`~/.netrc`, or the file `NETRC` names), or let ferry ask the "
    "`keyring` tool with `--keyring-provider subprocess`"
)


class AuthenticationError(UserError):
    """The server answered 401 or 403. Not retried, and no later index is tried (RELIABILITY D6):
    falling through to another index on an auth failure is how dependency confusion happens."""

    def __init__(self, url: str, status: int) -> None:
        reason = "Unauthorized" if status == 401 else "Forbidden"
        super().__init__(
            f"Access to `{redact(url)}` was refused (HTTP {status} {reason})",
            hint=CREDENTIALS_HINT,
        )
        self.status = status


class NeedsBuild(FerryError):
    """``fetch_metadata`` was asked for a source distribution.

    Not a failure: an sdist's metadata is only known after a PEP 517 build, which is the dist
    layer's job. The dist layer catches this and builds; ``file`` tells it what to build.
    """

    def __init__(self, filename: str, url: str) -> None:
        super().__init__(
            f"`{filename}` is a source distribution; its metadata is only known after a build",
            hint=f"source: `{redact(url)}`",
        )
        self.filename = filename
        self.url = url
