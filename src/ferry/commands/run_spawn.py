"""Starting ``ferry run``'s command: replacing this process with it, or — for ``--isolated`` —
running it as a child and removing the temporary environment once it ends.

uv deletes ``run --isolated``'s environment when the command exits; ferry ``exec``s the
command on every other path (no parent left behind, exit codes and signals are the child's),
which left one full environment per ``--isolated`` run in ``$TMPDIR`` for ever (s9 review R6).
The temporary environment now lives under the cache's ``.tmp`` (which ``ferry cache prune``
clears of abandoned entries, should this process be killed before it cleans up), and only
``--isolated`` keeps a parent: it forwards SIGTERM/SIGHUP to the child, lets the terminal's
Ctrl-C reach the child alone, removes the environment, and exits as the child did
(``128 + N`` for a child killed by signal N, as a shell reports it).

The temporary environment is given to the sync through ``FERRY_PROJECT_ENVIRONMENT`` for the
sync's duration only: it was left in ``os.environ``, so the child inherited it and a ``ferry
sync`` the child ran went to the throw-away environment.
"""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from ferry.commands.fastpath import DEFAULT_MAX_RUN_DEPTH, RUN_DEPTH_VARIABLES, run_depth_setting
from ferry.model.errors import SurroundingsError, UsageError
from ferry.model.log import get_logger

if TYPE_CHECKING:
    from ferry.cache.store import Cache
    from ferry.python.environment import PythonEnvironment
    from ferry.python.interpreter import Interpreter

logger = get_logger(__name__)

_VARIABLE = "FERRY_PROJECT_ENVIRONMENT"

DEPTH_VARIABLE = RUN_DEPTH_VARIABLES[0]
"""How many ``ferry run`` invocations enclose this one: set (incremented) in every command's
environment, as uv sets ``UV_RUN_RECURSION_DEPTH``. A script whose shebang is ``ferry run``
without ``--script`` re-invokes itself for ever; counting stops it at the limit."""
_U32_MAX = 2**32 - 1


def recursion_depth() -> int:
    """The depth this ``ferry run`` was started at (:func:`~ferry.commands.fastpath.
    run_depth_setting`: ``FERRY_RUN_RECURSION_DEPTH``, else uv's ``UV_RUN_RECURSION_DEPTH``),
    else 0; anything but a decimal ``u32`` is refused with uv's words."""
    setting = run_depth_setting()
    if setting is None:
        return 0
    name, value, number = setting
    if number is None:
        reason = "invalid digit found in string"
    elif number > _U32_MAX:
        reason = "number too large to fit in target type"
    else:
        return number
    raise UsageError(
        f"Failed to parse environment variable `{name}` with invalid value `{value}`: {reason}"
    )


def check_recursion(max_depth: int | None) -> int:
    """This invocation's depth, or uv's error (exit 2) once it is beyond ``max_depth``
    (``--max-recursion-depth``, default 100)."""
    depth = recursion_depth()
    limit = DEFAULT_MAX_RUN_DEPTH if max_depth is None else max_depth
    if depth > limit:
        raise UsageError(
            f"`ferry run` was recursively invoked {depth} times which exceeds the limit of "
            f"{limit}",
            hint="If you are running a script with `ferry run` in the shebang, you may need to "
            "include the `--script` flag",
        )
    return depth


def isolated_root(cache: Cache) -> Path:
    """A new directory for ``--isolated``'s environment: in the cache's ``.tmp`` (a temporary
    cache is removed with this process, before the child would be done: ``$TMPDIR`` then)."""
    if cache.is_temporary:
        import tempfile

        return Path(tempfile.mkdtemp(prefix="ferry-isolated-"))
    return cache.make_temp_dir("isolated-")


def isolated_environment(root: Path, interpreter: Interpreter, cache: Cache) -> PythonEnvironment:
    """``run --isolated --no-project``'s environment: an empty one at ``root`` (made by
    :func:`isolated_root`) from ``interpreter``'s base, without a prompt, as uv makes it."""
    from ferry.python.environment import open_environment
    from ferry.python.venv import create_venv

    logger.debug("Creating isolated virtual environment at %s", root)
    create_venv(root, interpreter)
    return open_environment(root, cache)


@contextlib.contextmanager
def project_environment_at(root: Path) -> Iterator[None]:
    """The project environment is ``root`` while the block runs; the variable is as it was
    afterwards (the command must not inherit it)."""
    previous = os.environ.get(_VARIABLE)
    os.environ[_VARIABLE] = str(root)
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(_VARIABLE, None)
        else:
            os.environ[_VARIABLE] = previous


def spawn_error(program: str, error: OSError) -> SurroundingsError:
    """uv's ``Failed to spawn`` (exit code 2), with the system's reason as the cause."""
    reason = error.strerror or str(error)
    cause = f"{reason} (os error {error.errno})" if error.errno else reason
    return SurroundingsError(f"Failed to spawn: `{program}`", causes=[cause])


def exec_command(argv: list[str], env: dict[str, str]) -> None:
    """Replace this process with the command; an error if it cannot be started."""
    try:
        os.execvpe(argv[0], argv, env)
    except OSError as error:
        raise spawn_error(argv[0], error) from None


def run_then_remove(argv: list[str], env: dict[str, str], cleanup: Path) -> int:
    """Run the command as a child, remove ``cleanup`` once it ended (or could not start), and
    return the exit code this process should end with."""
    import shutil
    import subprocess

    try:
        try:
            child = subprocess.Popen(argv, env=env)
        except OSError as error:
            raise spawn_error(argv[0], error) from None

        def forward(signum: int, _frame: object) -> None:
            child.send_signal(signum)

        previous = {
            signum: signal.signal(signum, forward) for signum in (signal.SIGTERM, signal.SIGHUP)
        }
        interrupt = signal.signal(signal.SIGINT, signal.SIG_IGN)  # the child's to handle
        try:
            code = child.wait()
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
            signal.signal(signal.SIGINT, interrupt)
    finally:
        shutil.rmtree(cleanup, ignore_errors=True)
    return 128 - code if code < 0 else code
