"""ferry's loggers, without importing :mod:`logging` until a message can be shown.

Importing ``logging`` costs ~5 ms (it pulls in traceback, linecache, tokenize, string, weakref,
threading…), paid by every command although a normal run shows no log line at all: below
``-v`` only warnings and errors print, and most runs have none. So every module logs through
:func:`get_logger`, whose loggers decide the common case themselves: a message below the level
the CLI asked for is dropped at once *as long as nobody has imported logging* — then nothing
could have been configured to see it. In every other case (a message that will print, ``-v``,
or a process where logging is loaded anyway, as under pytest with ``caplog``) the message goes
to ``logging.getLogger(name)``, with the same name, level, arguments and caller, so records are
exactly those ferry made when it called the standard library directly.

The CLI states its wishes with :func:`configure` (level, and a factory for its stderr handler);
they are applied to the ``ferry`` logger once logging is loaded: at once if it already is,
otherwise on the first message forwarded.
"""

from __future__ import annotations

import _thread  # builtin: ``threading`` would be one more import to spare
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import logging
    from types import ModuleType, TracebackType

    ExcInfo = (
        bool
        | BaseException
        | tuple[type[BaseException], BaseException, TracebackType | None]
        | tuple[None, None, None]
        | None
    )

__all__ = ["DEBUG", "ERROR", "INFO", "WARNING", "Logger", "configure", "ferry_level", "get_logger"]

# logging's numbers, which callers and records use (the module is not imported for them).
NOTSET, DEBUG, INFO, WARNING, ERROR = 0, 10, 20, 30, 40
ROOT = "ferry"

# Below this a message is dropped while logging is not loaded: the level the CLI asked for, or
# the root logger's default (WARNING) when nothing was asked.
_threshold = WARNING
# What the CLI asked for and logging does not know yet: (level, handler factory).
_pending: tuple[int, Callable[[], logging.Handler]] | None = None
_asked_level = NOTSET  # the level asked for, for ferry_level() before logging is loaded
_loggers: dict[str, Logger] = {}
_applying = _thread.allocate_lock()
_warnings = [0]  # messages at WARNING or above this process logged (whether shown or not)


def warnings_logged() -> int:
    """How many warnings and errors ferry has logged so far: a command that printed one has
    something to say that a replay of its output would not (``commands.sync_replay``)."""
    return _warnings[0]


def configure(level: int, handler: Callable[[], logging.Handler]) -> None:
    """Ask for ``level`` on the ``ferry`` logger, with the one handler ``handler()`` makes and no
    propagation to the root logger. Applied now if logging is loaded, else when it is needed."""
    global _threshold, _pending, _asked_level
    with _applying:
        _threshold = level
        _asked_level = level
        _pending = (level, handler)
    if "logging" in sys.modules:
        _stdlib()


def _stdlib() -> ModuleType:
    """The logging module, loaded if need be, with the CLI's configuration in place."""
    import logging

    global _pending
    if _pending is not None:
        with _applying:
            if _pending is not None:
                level, make_handler = _pending
                logger = logging.getLogger(ROOT)
                logger.handlers.clear()
                logger.addHandler(make_handler())
                logger.propagate = False
                logger.setLevel(level)
                _pending = None
    return logging


def ferry_level() -> int:
    """The ``ferry`` logger's own level (``NOTSET`` when nothing set it), without loading
    logging when it is not loaded: for the CLI's "show tracebacks with ``-v``" decision."""
    if "logging" in sys.modules:
        level: int = _stdlib().getLogger(ROOT).level
        return level
    return _asked_level


class Logger:
    """The part of :class:`logging.Logger` ferry uses; see the module's docstring."""

    __slots__ = ("_real", "name")

    def __init__(self, name: str) -> None:
        self.name = name
        self._real: logging.Logger | None = None

    def _logger(self) -> logging.Logger:
        real = self._real
        if real is None or _pending is not None:
            real = self._real = _stdlib().getLogger(self.name)
        return real

    def isEnabledFor(self, level: int) -> bool:
        if "logging" not in sys.modules and level < _threshold:
            return False
        return self._logger().isEnabledFor(level)

    # Each method calls the real logger itself (no shared helper): ``stacklevel=2`` then names
    # the caller of this method in the record, as a direct call to logging would.

    def debug(self, msg: object, *args: object, exc_info: ExcInfo = None,
              stacklevel: int = 1) -> None:
        if _threshold <= DEBUG or "logging" in sys.modules:
            self._logger().log(DEBUG, msg, *args, exc_info=exc_info, stacklevel=stacklevel + 1)

    def info(self, msg: object, *args: object, exc_info: ExcInfo = None,
             stacklevel: int = 1) -> None:
        if _threshold <= INFO or "logging" in sys.modules:
            self._logger().log(INFO, msg, *args, exc_info=exc_info, stacklevel=stacklevel + 1)

    def warning(self, msg: object, *args: object, exc_info: ExcInfo = None,
                stacklevel: int = 1) -> None:
        _warnings[0] += 1
        if _threshold <= WARNING or "logging" in sys.modules:
            self._logger().log(WARNING, msg, *args, exc_info=exc_info, stacklevel=stacklevel + 1)

    def error(self, msg: object, *args: object, exc_info: ExcInfo = None,
              stacklevel: int = 1) -> None:
        _warnings[0] += 1
        if _threshold <= ERROR or "logging" in sys.modules:
            self._logger().log(ERROR, msg, *args, exc_info=exc_info, stacklevel=stacklevel + 1)

    def log(self, level: int, msg: object, *args: object, exc_info: ExcInfo = None,
            stacklevel: int = 1) -> None:
        if level >= WARNING:
            _warnings[0] += 1
        if level >= _threshold or "logging" in sys.modules:
            self._logger().log(level, msg, *args, exc_info=exc_info, stacklevel=stacklevel + 1)

    def __repr__(self) -> str:
        return f"<ferry.model.log.Logger {self.name}>"


def get_logger(name: str) -> Logger:
    """The logger for ``name`` (one per name), as ``logging.getLogger(name)`` would be."""
    logger = _loggers.get(name)
    if logger is None:
        logger = _loggers.setdefault(name, Logger(name))
    return logger
