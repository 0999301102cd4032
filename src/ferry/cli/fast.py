"""The ``ferry`` entry point: the lean paths first, the full CLI otherwise.

Kept free of click and of ferry's heavier modules, so a no-op ``sync``/``run`` or a plain
``ferry venv`` costs little more than starting Python: ``ferry.commands.fastpath`` replays a
no-op sync (or execs the child of ``run``) when its record still matches, and
``ferry.commands.venv_fast`` creates an environment whose interpreter is already described in
the cache. Each says ``no`` before printing or writing anything it cannot finish, and then the
full CLI (``ferry.cli.main``) runs. ``ferry lock``, ``ferry sync``, ``ferry pip compile`` and
``ferry venv --seed`` command lines made only of options ``ferry.cli.lean`` knows run without
click. ``FERRY_NO_FAST_PATH`` turns all of them off.
"""

from __future__ import annotations

import gc
import os
import sys

TYPE_CHECKING = False  # typing costs ~2 ms to import; mypy reads this name as True
if TYPE_CHECKING:
    from ferry.model.errors import FerryError


def main() -> None:
    # Start-up imports ~220 modules whose objects all outlive it; with the default first
    # generation (700 new objects) the collector runs ~35 times over them: ~4.5 ms of a warm
    # lock or install. Once per 50,000 new objects it does not run during start-up at all, and
    # cycles are still collected later (a big resolution's collections just come less often).
    gc.set_threshold(50_000)
    try:
        _dispatch(sys.argv[1:])
    except SystemExit as done:
        _leave(done.code)
    _leave(0)


def _dispatch(argv: list[str]) -> None:
    if argv in (["--version"], ["-V"]):
        # What a script asks before anything else: uv's answer, without loading click (~30 ms).
        from ferry import __version__

        sys.stdout.write(f"ferry {__version__}\n")
        return
    if argv and not os.environ.get("FERRY_NO_FAST_PATH"):
        if argv[0] in ("sync", "run"):
            _replay(argv)
        elif "venv" in argv:
            _venv(argv)
        if argv[0] in ("lock", "pip", "sync") or (argv[0] == "venv" and "--seed" in argv):
            from ferry.cli.lean import try_lean

            if try_lean(argv):
                return
    from ferry.cli.main import main as full

    full()


def _leave(code: object) -> None:
    """Exit with ``code`` without tearing the interpreter down.

    Once a command is done, CPython still clears every module and collects every object the
    run built (25 to 35 ms after a lock), a tenth of it. Nothing in that teardown is ferry's work:
    files are closed where they are written, and what must run at exit still runs here
    (``atexit`` handlers: logging's flush, pending temporary-directory cleanups), then the
    streams are flushed and the process ends. With a non-daemon thread still alive the
    interpreter's own exit runs instead, since only it knows how to wind such threads down.
    """
    import atexit
    import threading

    if isinstance(code, str):
        sys.stderr.write(code + "\n")
        code = 1
    status = code if isinstance(code, int) else (0 if code is None else 1)
    run_exit_functions = getattr(atexit, "_run_exitfuncs", None)
    others = [t for t in threading.enumerate()
              if t is not threading.main_thread() and not t.daemon and t.is_alive()]
    if others or run_exit_functions is None:
        sys.exit(status)
    # The command is over and its status decided: a Ctrl-C now has nothing left to stop, and
    # raised inside an exit function (logging's flush) it would only print a traceback.
    # `_signal`, the builtin under `signal`: the latter imports enum (~1.5 ms) on the lean paths.
    import _signal  # type: ignore[import-not-found,unused-ignore]

    _signal.signal(_signal.SIGINT, _signal.SIG_IGN)
    run_exit_functions()
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:  # None without a console (pythonw)
                stream.flush()
        except (OSError, ValueError):  # a closed pipe: the exit status is all that is left
            status = status or 1
    os._exit(status)


def _replay(argv: list[str]) -> None:
    """A no-op sync or run, answered from its record; returns when the full path must run."""
    try:
        from ferry.commands.fastpath import try_fast_path

        answer = try_fast_path(argv)
    except Exception:  # the full path will report whatever is wrong
        answer = None
    if answer is not None:
        from ferry.commands.fastpath import replay

        replay(answer, argv)
        sys.exit(0)
    if argv[0] == "sync":
        _fresh_sync(argv)


def _fresh_sync(argv: list[str]) -> None:
    """A sync into a missing environment, made again as the last one made it
    (``ferry.commands.sync_replay``); returns when the full path must run."""
    try:
        from ferry.commands.sync_replay import try_replay

        done = try_replay(argv)
    except KeyboardInterrupt:  # what was made is gone again (tree_snapshot.restore)
        sys.stderr.write("error: interrupted\n")
        sys.exit(130)
    except Exception:  # the full path will report whatever is wrong
        done = False
    if done:
        sys.exit(0)


def _venv(argv: list[str]) -> None:
    """``ferry venv`` through ``ferry.commands.venv_fast``; returns when the full path must run.
    Once the lean path has started writing, it ends here: errors are rendered as the full CLI
    renders them, with the same exit codes."""
    from ferry.commands.venv_fast import try_venv
    from ferry.model.errors import FerryError

    try:
        done = try_venv(argv)
    except FerryError as error:
        sys.stderr.write(render_error(error) + "\n")
        sys.exit(error.exit_code)
    except KeyboardInterrupt:
        sys.stderr.write("error: interrupted\n")
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(1)
    if done:
        sys.exit(0)


def render_error(error: FerryError) -> str:
    """The text a user sees for ``error``: message, caret, causes, hint."""
    from ferry.model.errors import ParseError

    lines = [f"error: {error.message}"]
    if isinstance(error, ParseError) and error.source_line is not None and error.line:
        where = f"{error.path}:{error.line}" if error.path else f"line {error.line}"
        if error.column:
            where += f":{error.column}"
        lines.append(f"  --> {where}")
        lines.append(f"   | {error.source_line}")
        if error.column:
            lines.append("   | " + " " * (error.column - 1) + "^")
    if type(error).__name__ == "ResolutionError" and error.causes:
        # One derivation, read top to bottom: uv prints it as a single ``cause:`` block whose
        # lines continue under the first, not as a chain of separate causes.
        first, *rest = "\n".join(error.causes).splitlines()
        lines.append(f"  cause: {first}")
        lines.extend(f"         {line}" for line in rest)
    else:
        for cause in error.causes:
            first, *rest = cause.splitlines() or [""]
            lines.append(f"  Caused by: {first}")
            lines.extend(f"    {line}" for line in rest)
    if error.hint:
        lines.append(f"hint: {error.hint}")
    return "\n".join(lines)
