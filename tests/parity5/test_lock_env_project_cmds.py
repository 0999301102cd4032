"""``FERRY_LOCKED`` / ``FERRY_FROZEN`` on the project commands that take ``--locked`` /
``--frozen`` (``sync``, ``run``, ``add``, ``remove``, ``export``, ``tree``, ``version``), against
what uv 0.13.8 does with ``UV_LOCKED`` / ``UV_FROZEN`` on the same project and index: a
variable alone with the lock missing, stale or fresh; a flag beside the other mode's variable;
both variables; a bad value. And the no-op fast path of ``sync``/``run``, which must never
replay a record written under another variable."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from tests.parity5.parity5_kit import run_uv, seed_index, shape, write_project
from tests.support.index import IndexServer
from tests.support.runner import Result, Runner

COMMANDS = {
    "sync": ("sync",),
    "run": ("run", "python", "-c", "pass"),
    "export": ("export", "--no-hashes"),
    "tree": ("tree",),
    "add": ("add", "beta"),
    "remove": ("remove", "alpha"),
    "version": ("version",),
    "version-set": ("version", "0.2.0"),
}
# What uv 0.13.8 does without a lock: every command refuses under either variable, except that
# `add`/`remove`/`version VALUE` under UV_FROZEN only edit pyproject.toml, and a read-only
# `version` under UV_LOCKED prints the version (it never locks).
MISSING = [(name, mode) for name in COMMANDS for mode in ("FROZEN", "LOCKED")
           if (name, mode) not in {("add", "FROZEN"), ("remove", "FROZEN"),
                                   ("version-set", "FROZEN"), ("version", "LOCKED")}]
LOCKING = ("sync", "run", "export", "tree", "add", "remove", "version-set")


@pytest.fixture
def server(index_server: IndexServer) -> IndexServer:
    seed_index(index_server)
    return index_server


def twins(tmp_path: Path, server: IndexServer, run: Runner, *, locked: bool,
          stale: bool = False) -> tuple[Path, Path]:
    """The same project for ferry and for uv; ``locked``: each locked by its own tool;
    ``stale``: then given a new requirement."""
    ours = write_project(tmp_path / "ferry", server, ["alpha"])
    theirs = write_project(tmp_path / "uv", server, ["alpha"])
    if locked:
        assert run("lock", cwd=ours).code == 0
        assert run_uv(["lock"], theirs, tmp_path).code == 0
    if stale:
        for root in (ours, theirs):
            write_project(root, server, ["alpha", "gamma"])
    return ours, theirs


def side_by_side(run: Runner, tmp_path: Path, ours: Path, theirs: Path, args: tuple[str, ...],
                 env: dict[str, str]) -> tuple[Result, Result]:
    mine = run(*args, cwd=ours, env={f"FERRY_{k}": v for k, v in env.items()})
    uvs = run_uv(list(args), theirs, tmp_path, {f"UV_{k}": v for k, v in env.items()})
    return mine, uvs


def error_of(result: Result) -> str:
    """The error as one line, shaped: uv writes its hint in the error's sentence, ferry on a
    ``hint:`` line; what the two say must be the same words."""
    lines = [line for line in result.stderr.splitlines() if line.startswith(("error:", "hint:"))]
    return shape(" ".join(line.removeprefix("hint: ") for line in lines))


def snapshot(root: Path) -> dict[str, bytes]:
    return {name: (root / name).read_bytes()
            for name in ("pyproject.toml", "uv.lock") if (root / name).is_file()}


@pytest.mark.parametrize(("name", "mode"), MISSING)
def test_missing_lock_names_the_variable(
    run: Runner, tmp_path: Path, server: IndexServer, name: str, mode: str
) -> None:
    ours, theirs = twins(tmp_path, server, run, locked=False)
    before = snapshot(ours)
    mine, uvs = side_by_side(run, tmp_path, ours, theirs, COMMANDS[name], {mode: "1"})
    assert (mine.code, uvs.code) == (1, 1), (mine.stderr, uvs.stderr)
    assert mine.stderr == (
        f"error: Unable to find lockfile at `uv.lock`, but `FERRY_{mode}=1` was provided.\n"
        "hint: To create a lockfile, run `ferry lock` or `ferry sync` without the flag.\n")
    assert error_of(mine) == error_of(uvs)
    assert snapshot(ours) == before  # an edit is rolled back, no lock is written
    assert not (ours / ".venv").exists()  # refused before anything (uv makes the venv first)


@pytest.mark.parametrize("name", ["add", "remove"])
def test_frozen_edit_without_a_lock_only_edits(
    run: Runner, tmp_path: Path, server: IndexServer, name: str
) -> None:
    ours, theirs = twins(tmp_path, server, run, locked=False)
    mine, uvs = side_by_side(run, tmp_path, ours, theirs, COMMANDS[name], {"FROZEN": "1"})
    assert (mine.code, mine.stderr) == (uvs.code, "") == (0, "")
    assert not (ours / "uv.lock").exists()
    assert not (ours / ".venv").exists()
    assert (ours / "pyproject.toml").read_text() == (theirs / "pyproject.toml").read_text()


def test_read_only_version_under_locked_needs_no_lock(
    run: Runner, tmp_path: Path, server: IndexServer
) -> None:
    ours, theirs = twins(tmp_path, server, run, locked=False)
    mine, uvs = side_by_side(run, tmp_path, ours, theirs, ("version",), {"LOCKED": "1"})
    assert (mine.code, mine.stdout) == (uvs.code, uvs.stdout) == (0, "demo 0.1.0\n")


def test_frozen_version_reads_the_lock(run: Runner, tmp_path: Path, server: IndexServer) -> None:
    ours, theirs = twins(tmp_path, server, run, locked=True)
    for root in (ours, theirs):  # the lock still says 0.1.0
        text = (root / "pyproject.toml").read_text().replace('"0.1.0"', '"0.3.0"')
        (root / "pyproject.toml").write_text(text)
    mine, uvs = side_by_side(run, tmp_path, ours, theirs, ("version",), {"FROZEN": "1"})
    assert (mine.code, mine.stdout) == (uvs.code, uvs.stdout) == (0, "demo 0.1.0\n")


def on_stale_lock(run: Runner, tmp_path: Path, server: IndexServer, name: str,
                  mode: str) -> tuple[Result, Result]:
    """Command ``name`` under ``mode`` on a stale lock, by both tools; ferry's ``pyproject.toml``
    and ``uv.lock`` are left as they were."""
    ours, theirs = twins(tmp_path, server, run, locked=True, stale=True)
    before = snapshot(ours)
    mine, uvs = side_by_side(run, tmp_path, ours, theirs, COMMANDS[name], {mode: "1"})
    assert snapshot(ours) == before
    return mine, uvs


@pytest.mark.parametrize("name", LOCKING)
def test_stale_lock_under_locked_is_refused_naming_the_variable(
    run: Runner, tmp_path: Path, server: IndexServer, name: str
) -> None:
    mine, uvs = on_stale_lock(run, tmp_path, server, name, "LOCKED")
    assert (mine.code, uvs.code) == (1, 1), (mine.stderr, uvs.stderr)
    shown = mine.stderr
    resolved = [line for line in uvs.stderr.splitlines() if line.startswith("Resolved ")]
    if resolved:  # uv prints the resolution that found the lock stale first; so does ferry
        first, shown = shown.split("\n", 1)
        assert first.rsplit(" in ", 1)[0] == resolved[0].rsplit(" in ", 1)[0], mine.stderr
    assert shown.startswith(
        "error: The lockfile at `uv.lock` needs to be updated, but `FERRY_LOCKED=1` was "
        "provided.\nhint: "), mine.stderr
    assert ("but `UV_LOCKED=1` was provided." in uvs.stderr), uvs.stderr


@pytest.mark.parametrize("name", ["export", "tree"])
def test_stale_lock_under_frozen_is_used_as_it_is(
    run: Runner, tmp_path: Path, server: IndexServer, name: str
) -> None:
    mine, uvs = on_stale_lock(run, tmp_path, server, name, "FROZEN")
    assert (mine.code, shape(mine.stdout)) == (uvs.code, shape(uvs.stdout))
    assert "gamma" not in mine.stdout
    assert (mine.code, mine.stderr) == (0, "")  # nothing locked, so no `Resolved` line


def test_fresh_lock_under_either_variable_passes(
    run: Runner, tmp_path: Path, server: IndexServer
) -> None:
    ours, theirs = twins(tmp_path, server, run, locked=True)
    for mode in ("LOCKED", "FROZEN"):
        for name in ("export", "tree"):
            mine, uvs = side_by_side(run, tmp_path, ours, theirs, COMMANDS[name], {mode: "1"})
            assert (mine.code, shape(mine.stdout), shape(mine.stderr)) == (
                uvs.code, shape(uvs.stdout), shape(uvs.stderr)), (mode, name)
        synced = run("sync", cwd=ours, env={f"FERRY_{mode}": "1"})
        assert synced.code == 0, synced.stderr


@pytest.mark.parametrize(("args", "variable", "flag"), [
    (COMMANDS["sync"], "LOCKED", "--frozen"),
    (COMMANDS["run"], "FROZEN", "--locked"),
    (COMMANDS["export"], "FROZEN", "--locked"),
    (COMMANDS["tree"], "LOCKED", "--frozen"),
    (COMMANDS["add"], "LOCKED", "--frozen"),
    (COMMANDS["version-set"], "FROZEN", "--locked"),
])
def test_a_flag_beats_the_other_variable_with_a_warning(
    run: Runner, tmp_path: Path, server: IndexServer, args: tuple[str, ...], variable: str,
    flag: str
) -> None:
    ours, theirs = twins(tmp_path, server, run, locked=True)
    command = (args[0], flag, *args[1:])
    mine, uvs = side_by_side(run, tmp_path, ours, theirs, command, {variable: "1"})
    warning = f"warning: Ignoring `FERRY_{variable}` because `{flag}` was provided\n"
    assert mine.stderr.startswith(warning), mine.stderr
    assert shape(warning) in shape(uvs.stderr)
    assert mine.code == uvs.code, (mine.stderr, uvs.stderr)
    if uvs.code:  # `version 0.2.0 --locked` changes the lock: the flag is named, not the variable
        assert error_of(mine).startswith(
            "error: The lockfile at `uv.lock` needs to be updated, but `--locked` was provided.")


def test_a_flag_names_itself_beside_the_other_variable(
    run: Runner, tmp_path: Path, server: IndexServer
) -> None:
    ours, theirs = twins(tmp_path, server, run, locked=True, stale=True)
    mine, uvs = side_by_side(run, tmp_path, ours, theirs, ("tree", "--locked"), {"FROZEN": "1"})
    assert (mine.code, uvs.code) == (1, 1)
    assert "needs to be updated, but `--locked` was provided." in mine.stderr
    assert "needs to be updated, but `--locked` was provided." in uvs.stderr


@pytest.mark.parametrize("name", list(COMMANDS))
def test_both_variables_or_a_bad_value_are_usage_errors(
    run: Runner, tmp_path: Path, server: IndexServer, name: str
) -> None:
    ours, theirs = twins(tmp_path, server, run, locked=True)
    before = snapshot(ours)
    for env, message in (
        ({"LOCKED": "1", "FROZEN": "1"},
         "error: `FERRY_LOCKED` and `FERRY_FROZEN` cannot be used together\n"),
        ({"FROZEN": "maybe"}, "error: invalid value `maybe` for `FERRY_FROZEN`\n"),
        ({"LOCKED": "sure"}, "error: invalid value `sure` for `FERRY_LOCKED`\n"),
    ):
        mine, uvs = side_by_side(run, tmp_path, ours, theirs, COMMANDS[name], env)
        assert (mine.code, uvs.code) == (2, 2), (env, mine.stderr, uvs.stderr)
        assert mine.stderr.startswith(message), mine.stderr
    assert snapshot(ours) == before
    assert not (ours / ".venv").exists()


@pytest.mark.parametrize("command", ["sync", "run", "add", "remove", "export", "tree", "version"])
def test_help_names_the_variables(run: Runner, command: str) -> None:
    text = " ".join(run(command, "--help").stdout.split())
    assert "[env: FERRY_FROZEN]" in text
    assert "[env: FERRY_LOCKED]" in text


def _fast_answer(project: Path, monkeypatch: pytest.MonkeyPatch, argv: list[str],
                 env: dict[str, str]) -> object:
    """What the no-op fast path would answer in ``project`` under ``env`` (the test's isolated
    environment otherwise), asked in-process."""
    from ferry.commands.fastpath import try_fast_path

    for key in list(os.environ):
        if key.startswith(("FERRY_LOCKED", "FERRY_FROZEN")):
            monkeypatch.delenv(key)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(project)
    return try_fast_path(argv)


def test_fast_path_never_replays_under_another_variable(
    run: Runner, tmp_path: Path, server: IndexServer, monkeypatch: pytest.MonkeyPatch,
    isolated_env: Path
) -> None:
    project = write_project(tmp_path / "p", server, ["alpha"])
    assert run("lock", cwd=project).code == 0
    write_project(project, server, ["alpha", "gamma"])  # stale: FROZEN syncs the old lock
    frozen = {"FERRY_FROZEN": "1"}
    for args in (("sync",), ("run", "python", "-c", "pass")):
        result = run(*args, cwd=project, env=frozen)
        assert result.code == 0, result.stderr
        # the control: the same command under the same variable is replayed
        assert _fast_answer(project, monkeypatch, list(args), frozen) is not None
        for other in ({}, {"FERRY_LOCKED": "1"}, {"FERRY_FROZEN": "0"}):
            assert _fast_answer(project, monkeypatch, list(args), other) is None, (args, other)
        refused = run(*args, cwd=project, env={"FERRY_LOCKED": "1"})
        assert refused.code == 1
        assert "needs to be updated, but `FERRY_LOCKED=1` was provided." in refused.stderr
    assert "gamma" not in (project / "uv.lock").read_text()
    relocked = run("sync", cwd=project)
    assert relocked.code == 0, relocked.stderr
    assert "gamma" in (project / "uv.lock").read_text()
    assert "+ gamma==2.0" in relocked.stderr
