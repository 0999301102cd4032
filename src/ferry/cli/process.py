"""What every ferry invocation sets up, and how it ends — without click.

Both command lines go through here: the full one (:mod:`ferry.cli.main`, click) and the lean
one (:mod:`ferry.cli.lean`, the commonest command lines parsed by hand to spare click's import).
So the global options, logging, Ctrl-C handling and the mapping of errors to messages and exit
codes (1 input, 2 surroundings or internal, 130 interrupted) exist once.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from ferry.cli.fast import render_error
from ferry.model import log
from ferry.model.console_text import want_color
from ferry.model.errors import FerryError
from ferry.model.interrupt import defer_interrupt, in_critical_section
from ferry.model.refresh import Refresh
from ferry.model.settings import GlobalOptions, env_bool, env_flag

if TYPE_CHECKING:
    import logging


def global_options(
    *,
    verbose: int = 0,
    quiet: int = 0,
    cache_dir: Path | None = None,
    no_cache: bool = False,
    offline: bool = False,
    prefer_offline: bool = False,
    refresh: bool = False,
    refresh_packages: Iterable[str] = (),
    keyring_provider: str | None = None,
    color: str = "auto",
    directory: Path | None = None,
) -> GlobalOptions:
    """The options every command shares, with their environment forms; also changes directory
    and sets up logging, which must happen before any command code runs.

    ``quiet`` counts ``-q`` (``-qq``: silent, uv's "no output at all" but the results); with
    ``-v`` too (uv allows them on different levels of the command line) the output is quiet
    and the log verbose, as uv's."""
    global _silent
    verbosity = -min(int(quiet), 2) if quiet else min(verbose, 2)
    _silent = verbosity < -1
    coloured = want_color(color)
    configure_logging(min(verbose, 2) if verbose else verbosity, color=coloured,
                      quiet=-verbosity if quiet and verbose else 0)
    if directory is not None:
        try:
            os.chdir(directory)
        except OSError as error:  # uv: an error naming the reason, exit code 2 (s9 review R8)
            from ferry.model.errors import SurroundingsError

            raise SurroundingsError(
                f"Cannot change to the directory `{directory}` (from `--directory`)",
                causes=[f"{error.strerror} (os error {error.errno})"],
            ) from None
    no_cache = no_cache or env_bool("FERRY_NO_CACHE")
    from ferry.commands.common import remember_parsed_toml

    remember_parsed_toml(cache_dir, no_cache)
    return GlobalOptions(
        verbosity=verbosity,
        cache_dir=cache_dir,
        no_cache=no_cache,
        offline=offline or env_bool("FERRY_OFFLINE"),
        prefer_offline=prefer_offline or env_bool("FERRY_PREFER_OFFLINE"),
        color=coloured,
        directory=directory,
        refresh=Refresh.from_options(refresh, tuple(refresh_packages)),
        keyring_provider=keyring_provider,
    )


def allow_insecure_hosts(hosts: tuple[str, ...]) -> None:
    """Hand ``--allow-insecure-host`` to the HTTP client, which reads FERRY_INSECURE_HOST (the
    option's environment form) when it is created: the one path from here to the index layer
    that does not thread a TLS setting through every command."""
    if hosts:
        known = os.environ.get("FERRY_INSECURE_HOST", "").split()
        os.environ["FERRY_INSECURE_HOST"] = " ".join(dict.fromkeys([*known, *hosts]))


def configure_logging(verbosity: int, *, color: bool = False, quiet: int = 0) -> None:
    """The ``ferry`` logger's level and uv-like stderr handler, handed to ``ferry.model.log``,
    which applies them when logging is loaded: a run that logs nothing never imports it.
    ``quiet`` (with ``-v``) hides warnings, and errors too when 2, from the debug log."""
    stream = sys.stderr

    def handler() -> logging.Handler:
        from ferry.cli.log_format import stderr_handler

        return stderr_handler(stream, color, quiet=quiet)

    level = (log.DEBUG if verbosity >= 1 else SILENT if verbosity < -1
             else log.ERROR if verbosity < 0 else log.WARNING)
    log.configure(level, handler)


# The logger's level under ``-qq``: above every message's.
SILENT = 100
_silent = False  # -qq: errors are not said (argument conflicts excepted), as uv's


def say_resolution(error: FerryError) -> None:
    """The resolution an error followed, printed first as uv prints it: ``--locked`` finding
    the lock would change (``commands.lock.StaleLockError``) shows its ``Resolved N packages``
    line (not for ``run``) and the resolution's warnings before the error; ``-q`` hides them."""
    resolved = getattr(error, "resolved", None)
    if not isinstance(resolved, int) or log.ferry_level() > log.WARNING:
        return
    from ferry.cli.output import elapsed, plural

    if getattr(error, "resolved_line", True):
        seconds = elapsed(getattr(error, "seconds", 0.0))
        say(f"Resolved {plural(resolved, 'package')} in {seconds}")
    for warning in getattr(error, "diagnostics", ()):
        log.get_logger("ferry.cli").warning("%s", warning)


def say(line: str) -> None:
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


def run_guarded(body: Callable[[], None]) -> None:
    """Run ``body``; map what escapes it to a message and an exit code, never a traceback for
    a user's mistake."""
    try:
        body()
    except FerryError as error:
        if env_flag("FERRY_DEBUG") or log.NOTSET < log.ferry_level() <= log.DEBUG:
            import traceback

            traceback.print_exc(file=sys.stderr)
        say_resolution(error)
        if not _silent or _is_argument_error(error):
            say(render_error(error))
        sys.exit(error.exit_code)
    except KeyboardInterrupt:
        _say_interrupted()
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(1)
    except Exception:
        import traceback

        traceback.print_exc(file=sys.stderr)
        say("error: ferry hit an internal error (the traceback above); please report it.")
        sys.exit(2)


def _is_argument_error(error: FerryError) -> bool:
    from ferry.model.argument_errors import ArgumentError

    return isinstance(error, ArgumentError)


# After a Ctrl-C, how long the process may take to unwind before it is ended outright.
INTERRUPT_GRACE_SECONDS = 1.0

_interrupt_said = False  # "error: interrupted" printed (by the main thread or the watchdog)
_watchdog_started = False


def _say_interrupted() -> None:
    """Print ``error: interrupted`` once: the main thread says it when the interrupt reaches
    ``run_guarded``, the watchdog when it ends a process that never got that far."""
    global _interrupt_said
    if not _interrupt_said:
        _interrupt_said = True
        say("error: interrupted")


def _interrupt_watchdog() -> None:
    """End the process once it has had its grace period and no environment change is in flight.

    A worker thread blocked on a stalled download would otherwise hold the exit (the interpreter
    joins it) for as long as the server stalls. Abandoning it is safe: everything it writes is
    temporary until one rename publishes it (``ferry.model.interrupt``). It never ends a
    process inside a critical section, however many Ctrl-Cs follow: a rollback runs to its end.
    """
    import time

    deadline = time.monotonic() + INTERRUPT_GRACE_SECONDS
    while time.monotonic() < deadline or in_critical_section():
        time.sleep(0.05)
    try:
        _say_interrupted()
    finally:
        os._exit(130)


def _on_interrupt(signum: int, frame: object) -> None:
    """SIGINT on the main thread: start the watchdog, then raise ``KeyboardInterrupt`` — unless
    the main thread is in an ``uninterruptible()`` block, which raises it when it ends (a second
    Ctrl-C there is held too; only the watchdog may end the process, and not mid-section)."""
    global _watchdog_started
    if not _watchdog_started:
        import threading

        _watchdog_started = True
        threading.Thread(target=_interrupt_watchdog, name="ferry-interrupt", daemon=True).start()
    if defer_interrupt():
        return
    raise KeyboardInterrupt


def with_interrupt_handler(body: Callable[[], None]) -> None:
    """Run ``body`` with ferry's Ctrl-C handling (on the main thread; elsewhere as it is)."""
    # `_signal`, the builtin under `signal`: the wrapper builds three enums at import (~0.5 ms).
    import _signal  # type: ignore[import-not-found,unused-ignore]
    import threading

    if (threading.current_thread() is not threading.main_thread()
            or _signal.getsignal(_signal.SIGINT) == _signal.SIG_IGN):
        # Started with Ctrl-C ignored (`cmd &` in a script, nohup): it stays ignored, as the
        # shell arranged, rather than ending this process when the script's is interrupted.
        body()
        return
    previous = _signal.signal(_signal.SIGINT, _on_interrupt)
    try:
        body()
    finally:
        _signal.signal(_signal.SIGINT, previous)
