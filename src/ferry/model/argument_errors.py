"""Command lines that contradict themselves, refused in the words of uv's argument parser.

uv 0.13.8 reports these before anything runs, and says them even under ``-qq``, which silences
every other error (``uv -qq remove missing`` prints nothing; ``uv -qq lock --locked -U`` prints
the conflict). ferry checks some such pairs after click has parsed the command line (click
cannot express "``--locked`` with ``--upgrade``"), so they are their own class: the CLI shows
them whatever the verbosity.
"""

from __future__ import annotations

from ferry.model.errors import UsageError


class ArgumentError(UsageError):
    """A command line uv's parser refuses, in its words: said even under ``-qq``."""


class ArgumentConflict(ArgumentError):
    """Two arguments that cannot be used together; ``first`` is the one typed first, each
    spelled as uv's parser names it (the long form, ``--quiet...`` for a counted flag)."""

    def __init__(self, first: str, second: str) -> None:
        super().__init__(f"the argument '{first}' cannot be used with '{second}'")
        self.first = first
        self.second = second
