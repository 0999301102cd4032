"""How log records print: uv's ``warning: …`` / ``error: …``, and ``DEBUG …`` for ``-v``.

Its own module because it subclasses :class:`logging.Formatter`: :mod:`ferry.cli.process`
only names it in the handler factory it gives :func:`ferry.model.log.configure`, which runs
once a message is really logged, so a run that logs nothing never imports ``logging``.
"""

from __future__ import annotations

import logging
from typing import TextIO

from ferry.cli.output import style


class Formatter(logging.Formatter):
    """uv's look: ``warning: …`` and ``error: …`` (as every other warning ferry prints, see
    ``cli/output.py``), and ``DEBUG …`` for what ``-v`` adds."""

    def __init__(self, color: bool) -> None:
        super().__init__()
        self._color = color

    def format(self, record: logging.LogRecord) -> str:
        level = record.levelno
        if level < logging.WARNING:
            label = "DEBUG" if level <= logging.DEBUG else record.levelname
            return f"{label} {record.getMessage()}"
        if level < logging.ERROR:
            label = style("warning", fg="yellow", bold=True) if self._color else "warning"
        else:
            label = style("error", fg="red", bold=True) if self._color else "error"
        return f"{label}: {record.getMessage()}"


def stderr_handler(stream: TextIO, color: bool, *, quiet: int = 0) -> logging.Handler:
    """The one handler of the ``ferry`` logger: ``stream`` (stderr), formatted as uv's.

    ``quiet`` is for ``-q`` given with ``-v`` (on different levels of the command line, which
    uv allows): the debug lines print, the warnings do not (nor the errors, with ``-qq``), as
    uv keeps its tracing apart from its quiet user-facing output."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(Formatter(color))
    if quiet:
        hidden_from = logging.WARNING
        hidden_to = logging.ERROR if quiet == 1 else logging.CRITICAL + 1

        def shown(record: logging.LogRecord) -> bool:
            return not hidden_from <= record.levelno < hidden_to

        handler.addFilter(shown)
    return handler
