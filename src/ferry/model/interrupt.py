"""Where a Ctrl-C may land: the few stretches of work that must finish or roll back first.

Almost everything ferry does can be abandoned at any instant without harm: downloads and
unpacking write temporary files and publish them by one rename, lockfiles and ``pyproject.toml``
are replaced atomically. Changing an environment cannot: a half-linked package has to be rolled
back. Two markers say so (RELIABILITY F1, F3, F5):

- :func:`critical_section` (any thread): the process must not be *ended* while it runs. The
  CLI's watchdog, which force-exits a process that is slow to unwind after a Ctrl-C (a worker
  thread blocked on a stalled download), waits for every section to end. A ``KeyboardInterrupt``
  may still be raised inside it: the code there rolls back what it did when one is.
- :func:`uninterruptible` (implies a critical section): a Ctrl-C is not even *raised* while it
  runs on the main thread; it is held and raised when the outermost such block ends. Bookkeeping
  that must not be split — a file renamed into a stash and the record of that rename, a
  rollback — runs in one, because no handler can repair a step that was half done.
  :func:`interruptible` reopens a window inside it where waiting may be cut short (the main
  thread waiting for link workers), the code around the window being ready to roll back.

The CLI's SIGINT handler asks :func:`defer_interrupt` whether to raise now; the rest of ferry
only marks its stretches.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType

__all__ = [
    "critical_section",
    "defer_interrupt",
    "in_critical_section",
    "interruptible",
    "uninterruptible",
]

_depth = 0
# Re-entrant: a signal handler runs on the main thread between two bytecodes, possibly while
# that thread is inside ``with _guard`` (the handler itself takes no lock, but be safe).
_guard = threading.RLock()


class _MainState:
    """Whether the main thread holds interrupts now, and whether one arrived meanwhile.

    Plain attributes, each written in one step: the SIGINT handler reads them on the main
    thread between two bytecodes of the code it interrupts, so no lock can be taken here.
    """

    deferring = False
    pending = False


_main = _MainState()


def _on_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


def _enter() -> None:
    global _depth
    with _guard:
        _depth += 1


def _leave() -> None:
    global _depth
    with _guard:
        _depth -= 1


@contextmanager
def critical_section() -> Iterator[None]:
    """Mark work (in any thread) that an interrupt must let finish or roll back. Re-entrant."""
    _enter()
    try:
        yield
    finally:
        _leave()


def in_critical_section() -> bool:
    with _guard:
        return _depth > 0


def defer_interrupt() -> bool:
    """For the SIGINT handler (main thread): whether to hold this interrupt (``True``: it will
    be raised when the outermost :func:`uninterruptible` block ends) or raise it now."""
    if _main.deferring:
        _main.pending = True
        return True
    _main.pending = False  # raised now: an earlier held one is answered by this one
    return False


def _raise_pending(cause: BaseException | None) -> None:
    if _main.pending and not _main.deferring:
        _main.pending = False
        if isinstance(cause, KeyboardInterrupt):
            return  # one is on its way already
        if cause is not None:
            # The CLI says only "interrupted" for the KeyboardInterrupt that wins here; what
            # failed meanwhile (a rollback that could not restore a file) must still be said.
            from ferry.model.log import get_logger

            get_logger(__name__).error(
                "%s", getattr(cause, "message", None) or f"{type(cause).__name__}: {cause}"
            )
        raise KeyboardInterrupt from cause


class _Hold:
    """``uninterruptible()``: a critical section in which a Ctrl-C is held (main thread)."""

    __slots__ = ("_main_thread", "_previous")

    def __enter__(self) -> _Hold:
        self._main_thread = _on_main_thread()
        self._previous = True
        if self._main_thread:
            self._previous = _main.deferring
            _main.deferring = True  # first: an interrupt before this line raises, harmlessly
        _enter()
        return self

    @property
    def will_raise(self) -> bool:
        """Whether a Ctrl-C is held that this block raises when it ends (it is the outermost
        hold on the main thread): what it returns will never reach its caller."""
        return not self._previous and _main.pending

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        _leave()
        if self._main_thread:
            _main.deferring = self._previous
            _raise_pending(error)


def uninterruptible() -> _Hold:
    """Hold Ctrl-C (on the main thread) until the outermost such block ends; a critical section
    meanwhile. A plain class, not a generator: it is entered once per wheel linked. Re-entrant."""
    return _Hold()


class _Window:
    """``interruptible()``: inside a held block, a stretch where Ctrl-C is raised at once."""

    __slots__ = ("_main_thread", "_previous")

    def __enter__(self) -> None:
        self._main_thread = _on_main_thread()
        if self._main_thread:
            self._previous = _main.deferring
            _main.deferring = False
            if _main.pending:  # held until now: this is where it lands
                _main.deferring = self._previous  # (``__exit__`` will not run)
                _main.pending = False
                raise KeyboardInterrupt

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._main_thread:
            _main.deferring = self._previous


def interruptible() -> _Window:
    """Let Ctrl-C interrupt the block at once (main thread), even inside :func:`uninterruptible`;
    one held before the block is raised as it begins. Only for code whose caller rolls back."""
    return _Window()
