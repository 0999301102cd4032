"""One error hierarchy for every layer.

Errors are data: a message, an optional hint and a chain of causes. Only ``ferry.cli`` turns them
into text and exit codes, so lower layers never print and never decide how a failure looks.
Exit codes follow uv: 1 when the user's input caused the failure, 2 when the surroundings did
(network after retries, I/O) or when ferry itself is at fault.
"""

from __future__ import annotations

from collections.abc import Sequence


class FerryError(Exception):
    """Root of every error ferry raises on purpose."""

    exit_code: int = 1

    def __init__(
        self, message: str, *, hint: str | None = None, causes: Sequence[str] = ()
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.causes = list(causes)

    def __str__(self) -> str:
        return self.message


class UserError(FerryError):
    """The input (requirements, files, flags) cannot be honoured. Exit code 1."""

    exit_code = 1


class UsageError(UserError):
    """The command line itself is wrong. Exit code 2, as click and uv use for usage errors."""

    exit_code = 2


class SurroundingsError(FerryError):
    """Something outside ferry failed: the network after retries, the filesystem. Exit code 2."""

    exit_code = 2


class NetworkError(SurroundingsError):
    """A request failed after its retries, or the network was forbidden (``--offline``)."""


class OfflineError(UserError):
    """``--offline`` was asked for and the cache does not hold what is needed."""


class FilesystemError(SurroundingsError):
    """An I/O failure on a path ferry had to read or write."""


class ParseError(UserError):
    """A file or string ferry had to read is malformed.

    ``path`` and ``line``/``column`` point at the offending text when known, so the CLI can show a
    caret under it.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        column: int | None = None,
        source_line: str | None = None,
        hint: str | None = None,
        causes: Sequence[str] = (),
    ) -> None:
        super().__init__(message, hint=hint, causes=causes)
        self.path = path
        self.line = line
        self.column = column
        self.source_line = source_line


class ResolutionError(UserError):
    """No set of versions satisfies the requirements; ``causes`` explains the conflict chain."""


class HashMismatchError(UserError):
    """A downloaded or cached file does not have the hash the lock, index or user expects."""


class BuildError(UserError):
    """A PEP 517 backend failed; ``causes`` carries the captured output."""


class InvalidWheelError(UserError):
    """A wheel is malformed or hostile (path traversal, bad RECORD, mismatched name)."""


class InterpreterNotFoundError(UserError):
    """No interpreter satisfies the request; the message lists what was found. Exit code 2, as
    uv exits when no interpreter is found, cannot be queried, or none fits requires-python: the
    machine lacks a Python, which fixing the project's files does not change."""

    exit_code = 2
