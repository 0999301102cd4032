"""``ferry sync`` into a missing environment, replayed from the last time it was made.

A CI job or a Docker build syncs the same lock into a fresh ``.venv`` again and again, with a
warm cache: the answer is the same environment every time, and working it out again (reading
the lock, choosing the interpreter, planning, ~100 of ferry's modules to load) costs more than
making it. So when a sync *creates* the project's environment, ferry describes the result
(:mod:`ferry.fs.tree_snapshot`: which cached file each file was linked from, and the few small
files written for it) in the cache, under a digest of everything the answer depends on — this
module's :func:`replay_key` — and the next sync of the same project, with the same command line,
files, variables and interpreter into a missing environment, makes it again from that
description with ``os`` calls alone, and prints what the full sync printed.

Only the plainest case is remembered: every package a wheel from the cache (no editable or local
project, nothing built), no warning of any kind, the environment's files linked or copied from
the cache (not written) bar a few hundred kilobytes. Anything that could make the full path
answer otherwise falls back to it, before anything is printed or written: another byte in
pyproject.toml, uv.lock, .python-version, setup.py/cfg or uv.toml, another variable, another
interpreter chosen (found as ``ferry venv``'s lean path finds it, and compared field by field),
a cached file gone (the restore stops, removes what it made, and the full path runs), a lock
held by another process. ``-v`` always takes the full path, which explains itself.

Imports on the replay side: ``os``, ``sys``, ``time``, ``marshal`` and lean ferry modules.
"""

from __future__ import annotations

# ruff: noqa: PTH103, PTH105, PTH108, PTH109, PTH110, PTH113, PTH118, PTH120
import marshal
import os
import sys
import time

from ferry.commands.fastpath import (
    eligible,
    environment_root,
    find_project,
    fold,
    invocation_parts,
    option_value,
    parse,
    python_option,
    python_version_file,
    quiet,
    read_bytes,
)
from ferry.commands.venv_interpreter import RECORD_FIELDS, Fallback, cache_root, cached_interpreter
from ferry.fs.tree_snapshot import Unrestorable, restore
from ferry.model.console_text import elapsed, plural, style, want_color

TYPE_CHECKING = False  # typing costs ~2 ms to import; mypy reads this name as True
if TYPE_CHECKING:
    from typing import Any

    from ferry.commands.fastpath import Invocation
    from ferry.fs.tree_snapshot import Snapshot

FORMAT = 1
BUCKET = "replay-v1"
PROJECT_LOCK = os.path.join(".ferry", "environment.lock")  # commands.sync's creation lock
CACHE_LOCK = ".lock"  # ferry.cache.store.LOCK_NAME: held shared by every command


def replay_key(invocation: Invocation, cwd: str, root: str, env_root: str) -> str:
    """Everything a sync into a missing environment depends on, except the interpreter (found
    and compared separately) and the cache's files (linked or not found)."""
    umask = os.umask(0)
    os.umask(umask)
    parts = invocation_parts(FORMAT, invocation, cwd, env_root)
    parts.append(f"umask={umask}".encode())
    parts.append(f"PATH={os.environ.get('PATH', '')}".encode())
    for name in ("pyproject.toml", "setup.py", "setup.cfg", "uv.lock", "uv.toml"):
        parts.append(read_bytes(os.path.join(root, name)))
    parts.append(python_version_file(root))
    return fold(parts)


class Target:
    """Where a sync into a missing environment would go, and under which key."""

    __slots__ = ("cache", "cwd", "env_root", "invocation", "key", "root")

    def __init__(self, invocation: Invocation, cwd: str, root: str, env_root: str,
                 cache: str) -> None:
        self.invocation = invocation
        self.cwd = cwd
        self.root = root
        self.env_root = env_root
        self.cache = cache
        self.key = replay_key(invocation, cwd, root, env_root)

    @property
    def record_file(self) -> str:
        return os.path.join(self.cache, BUCKET, self.key[:2], self.key + ".bin")


def target_of(argv: list[str], *, creating: bool = True) -> Target | None:
    """The sync ``argv`` asks for, when it may be replayed at all: the environment missing
    (``creating``), the cache ready for use."""
    where = _where(argv, creating=creating)
    if where is None:
        return None
    invocation, cwd, root, env_root = where
    try:
        cache = cache_root(option_value(invocation.options, "--cache-dir"))
    except Fallback:
        return None
    return Target(invocation, cwd, root, env_root, cache)


def creates_environment(argv: list[str]) -> bool:
    """Whether the sync ``argv`` asks for would create an environment it may remember (the
    cache need not exist yet: the sync makes it)."""
    return _where(argv, creating=True) is not None


def _where(argv: list[str], *, creating: bool) -> tuple[Invocation, str, str, str] | None:
    invocation = parse(argv)
    if invocation is None or invocation.command != "sync" or os.environ.get("FERRY_NO_FAST_PATH"):
        return None
    if python_option(invocation.options):
        # a request this path does not read (FERRY_PYTHON and .python-version it does, as
        # ``ferry venv``'s lean path)
        return None
    if os.environ.get("FERRY_REFRESH", "").strip().lower() not in ("", "0", "false", "no", "off"):
        return None
    cwd = os.getcwd()
    root = find_project(cwd)
    if root is None or not eligible(root):
        return None
    env_root = environment_root(root)
    active = os.environ.get("VIRTUAL_ENV")
    if active and os.path.realpath(active) != os.path.realpath(env_root):
        return None  # the full path warns that the active environment is not the project's
    if creating and os.path.lexists(env_root):
        return None
    return invocation, cwd, root, env_root


# -- the replay ------------------------------------------------------------------------------


def try_replay(argv: list[str]) -> bool:
    """Make the environment again and print what the sync that made it printed (True), or do
    nothing at all (False: the full path runs)."""
    started = time.perf_counter()
    target = target_of(argv)
    if target is None:
        return False
    record = _load(target.record_file, target.key)
    if record is None:
        return False
    interpreter, lines, tree = record
    try:
        found = cached_interpreter(None, target.cwd, target.cache)
    except (Fallback, OSError, KeyError, TypeError, ValueError, AttributeError):
        return False
    if _identity(found) != interpreter:
        return False
    with _Locks(target) as held:
        if not held:
            return False
        resolved = time.perf_counter() - started
        try:
            restore(tree, target.env_root)
        except Unrestorable:
            return False
        installed = time.perf_counter() - started - resolved
    if not quiet(argv):
        color = want_color(option_value(target.invocation.options, "--color") or "auto")
        _print(lines, resolved, installed, color)
    return True


def _load(path: str, key: str) -> tuple[dict[str, Any], tuple[Any, ...], Snapshot] | None:
    try:
        with open(path, "rb") as handle:
            value = marshal.load(handle)
    except (OSError, EOFError, ValueError, TypeError):
        return None
    if (not isinstance(value, tuple) or len(value) != 5 or value[0] != FORMAT or value[1] != key
            or not isinstance(value[2], dict) or not isinstance(value[3], tuple)
            or not isinstance(value[4], tuple)):
        return None
    return value[2], value[3], value[4]


def _identity(record: dict[str, Any]) -> dict[str, Any]:
    """What of an interpreter's description the environment was made from."""
    return {field: record.get(field) for field in RECORD_FIELDS}


class _Locks:
    """The project's environment-creation lock (exclusive) and the cache's (shared), as the
    full path holds them, without waiting: a lock held elsewhere sends to the full path, which
    waits and says so."""

    def __init__(self, target: Target) -> None:
        self.paths = ((os.path.join(target.root, PROJECT_LOCK), True),
                      (os.path.join(target.cache, CACHE_LOCK), False))
        self.fds: list[int] = []

    def __enter__(self) -> bool:
        import fcntl

        for path, exclusive in self.paths:
            try:
                if exclusive:
                    _state_dir(os.path.dirname(path))
                fd = os.open(path, os.O_RDWR | (os.O_CREAT if exclusive else 0), 0o666)
            except OSError:  # a read-only checkout: the full path syncs it unserialised
                return False
            self.fds.append(fd)
            try:
                fcntl.flock(fd, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
            except OSError:
                return False
        return True

    def __exit__(self, *exc: object) -> None:
        for fd in reversed(self.fds):
            os.close(fd)  # closing the descriptor releases its flock


def _state_dir(folder: str) -> None:
    """``<project>/.ferry/`` as ``commands.state_dir.state_lock`` makes it (git-ignored): a
    fresh checkout (a Docker build's copy of the project) has none yet."""
    ignore = os.path.join(folder, ".gitignore")
    if os.path.isfile(ignore):
        return
    os.makedirs(folder, exist_ok=True)
    tmp = f"{ignore}.{os.getpid()}.tmp"
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write("*\n")
    os.replace(tmp, ignore)


def _print(lines: tuple[Any, ...], resolved: float, installed: float, color: bool) -> None:
    """The full sync's lines (``ferry.cli.render``, ``ferry.cli.output.Printer``), with this
    run's times."""
    notes, resolved_count, changes = lines
    packages = plural(len(changes), "package")
    out = [*notes,
           f"Resolved {plural(resolved_count, 'package')} in {elapsed(resolved)}",
           f"Prepared {packages} in 0ms ({len(changes)} from cache, 0 downloaded)",
           f"Installed {packages} in {elapsed(installed)}"]
    for text in changes:
        out.append(f" {style('+', fg='green')} {style(text, bold=True)}" if color
                   else f" + {text}")
    sys.stderr.write("\n".join(out) + "\n")


# -- remembering a sync ----------------------------------------------------------------------

MAX_WRITTEN = 1 << 20  # bytes written for the environment itself (not from the cache)


def remember(argv: list[str], result: Any, warnings_before: int) -> bool:
    """After a successful sync of ``argv`` that created the project's environment: describe
    it in the cache for the next sync into a missing environment. ``result`` is the sync's
    ``SyncResult``; ``warnings_before`` how many warnings had been logged when it began (one
    more, and the sync said something a replay would not). Returns whether a description was
    written: it never fails the sync, it only saves the next one time."""
    from ferry.model.log import warnings_logged

    if warnings_logged() != warnings_before:
        return False
    try:
        target = target_of(argv, creating=False)
        return target is not None and _remember(target, result)
    except Exception:  # a description not written costs the next sync time, nothing else
        return False


def _remember(target: Target, result: Any) -> bool:
    lines = _lines(result)
    if lines is None:
        return False
    try:
        _remember_pyproject(target)
        found = cached_interpreter(None, target.cwd, target.cache)
        made_from = os.path.realpath(os.path.join(target.env_root, "bin", "python"))
        if os.path.realpath(str(found["sys_executable"])) != made_from:
            return False  # another interpreter than the lean lookup's: never replayed
        tree = _capture(target.env_root, list(result.execution.sources))
    except Fallback:
        return False
    if tree is None:
        return False
    data = marshal.dumps((FORMAT, target.key, _identity(found), lines, tree))
    return _write(target.record_file, data)


def _remember_pyproject(target: Target) -> None:
    """The project's parsed pyproject.toml in the cache, where the replay's interpreter lookup
    reads it (``ferry.fs.toml_memo``): a sync that made the cache did not find it there."""
    from ferry.fs import toml_memo

    path = os.path.join(target.root, "pyproject.toml")
    with open(path, "rb") as handle:
        text = handle.read().decode("utf-8")
    toml_memo.remember_in(target.cache)
    if toml_memo.recall(path, text) is None:
        import tomllib

        toml_memo.keep(path, text, tomllib.loads(text))


def _lines(result: Any) -> tuple[Any, ...] | None:
    """What :func:`_print` needs of what the sync printed, when it printed only that."""
    stats, execution = result.prepare_stats, result.execution
    if (result.warnings or result.diagnostics or result.lock_diagnostics or result.lock_notes
            or result.yanked or result.dry_run_requested
            or result.audited is not None or result.resolved is None or result.dry_run
            or stats is None or stats.built or stats.other_files or execution is None
            or execution.removed or not execution.installed
            or any(pin.direct_url for pin in execution.installed)):
        return None
    notes = ([result.environment_note] if getattr(result, "environment_note", None) else [])
    notes += list(result.notes)
    changes = sorted(f"{pin.name}=={pin.version}" for pin in execution.installed)
    return tuple(notes), int(result.resolved), tuple(changes)


def _capture(env_root: str, sources: list[str]) -> Snapshot | None:
    """The environment described while no other ferry process may write into it."""
    from pathlib import Path

    from ferry.fs.locks import lock_exclusive
    from ferry.fs.tree_snapshot import capture
    from ferry.install.envlock import LOCK_NAME

    # the environment lock's file, taken as ``install.envlock`` takes it (no scheme at hand:
    # the lock of a venv lives beside its pyvenv.cfg, and none is held by now)
    with lock_exclusive(Path(env_root, LOCK_NAME), what=f"environment {env_root}"):
        return capture(env_root, sources, max_written=MAX_WRITTEN)


def _write(path: str, data: bytes) -> bool:
    folder = os.path.dirname(path)
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        os.makedirs(folder, exist_ok=True)
        with open(tmp, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except OSError:
        if os.path.exists(tmp):
            os.unlink(tmp)
        return False
    return True
