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

    usage: str | None = None
    """clap's ``Usage:`` line for it, once the CLI has worked it out (:meth:`with_usage`)."""

    def with_usage(self, usage: str) -> ArgumentError:
        """This error ending as clap ends its errors — a blank line, ``Usage: <usage>``, a blank
        line, ``For more information, try '--help'.`` — in its message, so every renderer of
        errors says it whole. Once: a second call changes nothing."""
        if self.usage is None:
            self.usage = usage
            self.message += f"\n\nUsage: {usage}\n\nFor more information, try '--help'."
            self.args = (self.message,)
        return self


class ArgumentConflict(ArgumentError):
    """Two arguments that cannot be used together; ``first`` is the one typed first, each
    spelled as uv's parser names it (the long form, ``--quiet...`` for a counted flag)."""

    def __init__(self, first: str, second: str) -> None:
        super().__init__(f"the argument '{first}' cannot be used with '{second}'")
        self.first = first
        self.second = second
