"""Global options after the sub-command, counted as uv counts them: ``ferry export -qq``,
``ferry lock -vvvv``, ``ferry tree -n``. uv 0.13.8 accepts ``-q``/``-v`` repeated in one token
and ``-n`` (``--no-cache``) anywhere on the command line; ferry's hoisting of global options used
to know ``-q``, ``-v``, ``-vv`` and ``-vvv`` only, so the rest reached the sub-command's parser,
which refused them (exit 2). Each command line runs side by side with the real uv."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.parity5.parity5_kit import run_uv, seed_index, shape, write_project
from tests.support.index import IndexServer
from tests.support.runner import Runner

from ferry.cli.main import hoist_global_options, is_counted_flag
from ferry.commands import fastpath


def test_counted_flags_are_hoisted_wherever_they_are() -> None:
    assert hoist_global_options(["export", "--no-hashes", "-qq"]) == [
        "-qq", "export", "--no-hashes"]
    assert hoist_global_options(["lock", "-vvvv", "-n"]) == ["-vvvv", "-n", "lock"]
    assert hoist_global_options(["pip", "list", "-qqq"]) == ["-qqq", "pip", "list"]
    # the child's arguments of `run` stay the child's
    assert hoist_global_options(["run", "-qq", "tool", "-qq", "-n"]) == [
        "-qq", "run", "tool", "-qq", "-n"]
    assert hoist_global_options(["export", "--", "-qq"]) == ["export", "--", "-qq"]


def test_only_a_repeated_q_or_v_is_a_counted_flag() -> None:
    assert all(map(is_counted_flag, ["-q", "-qq", "-qqqq", "-v", "-vvvvv"]))
    assert not any(map(is_counted_flag, ["-", "-qv", "-vq", "--quiet", "-qx", "-p", "q"]))


def test_fast_path_counts_them_too() -> None:
    """A recorded no-op ``sync -qq`` replays silently; ``-vvvv`` or ``-n`` are never replayed
    (the full path explains itself, or uses a temporary cache)."""
    assert fastpath.quiet(["sync", "-qq"]) and fastpath.quiet(["sync", "--quiet"])
    assert not fastpath.quiet(["sync", "-v"])
    assert fastpath.parse(["sync", "-vvvv"]) is None
    assert fastpath.parse(["sync", "-n"]) is None
    assert fastpath.parse(["sync", "-qq"]) is not None


@pytest.fixture
def server(index_server: IndexServer) -> IndexServer:
    seed_index(index_server)
    return index_server


def twins(tmp_path: Path, server: IndexServer, run: Runner) -> tuple[Path, Path]:
    ours = write_project(tmp_path / "ferry", server, ["beta"])
    theirs = write_project(tmp_path / "uv", server, ["beta"])
    assert run("lock", cwd=ours).code == 0
    assert run_uv(["lock"], theirs, tmp_path).code == 0
    return ours, theirs


COMMAND_LINES = [
    ("export", "-qq"),
    ("export", "--format", "requirements.txt", "-q"),
    ("export", "--no-hashes", "-vvvv"),
    ("tree", "-q"),
    ("tree", "-qqq"),
    ("lock", "-qq"),
    ("lock", "-n", "-v"),
    ("sync", "-qq"),
    ("sync", "-vvvv"),
    ("version", "-n"),
    ("pip", "list", "-qq"),
    ("cache", "dir", "-n"),
]


@pytest.mark.parametrize("args", COMMAND_LINES, ids=" ".join)
def test_accepted_after_the_subcommand_as_uv_accepts_them(
    run: Runner, tmp_path: Path, server: IndexServer, args: tuple[str, ...]
) -> None:
    ours, theirs = twins(tmp_path, server, run)
    mine = run(*args, cwd=ours)
    uvs = run_uv(list(args), theirs, tmp_path)
    assert (mine.code, uvs.code) == (0, 0), (mine.stderr, uvs.stderr)
    assert "No such option" not in mine.stderr
    if args[0] == "export":
        assert shape(mine.stdout) == shape(uvs.stdout)
    if "-qq" in args or "-qqq" in args:
        assert mine.stderr == uvs.stderr == ""
    if "-vvvv" in args:
        assert "DEBUG " in mine.stderr and "DEBUG " in uvs.stderr


def test_a_replayed_quiet_sync_stays_quiet(
    run: Runner, tmp_path: Path, server: IndexServer
) -> None:
    """The second ``sync -qq`` is answered by the no-op fast path: it must be as silent as the
    first, as uv's is."""
    ours, theirs = twins(tmp_path, server, run)
    for _ in range(2):
        mine = run("sync", "-qq", cwd=ours)
        uvs = run_uv(["sync", "-qq"], theirs, tmp_path)
        assert (mine.code, mine.stderr) == (uvs.code, uvs.stderr) == (0, "")
