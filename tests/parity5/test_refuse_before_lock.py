"""What uv 0.13.8 refuses before it locks, side by side with ferry.

- ``sync``/``run``/``export --package NAME`` where NAME is no member: refused before ``uv.lock``
  is written (and, for ``export`` and ``run``, ahead of a missing lock under ``--frozen``);
  ``sync --frozen`` reads the lock first and looks the name up there ("Could not find root
  package", exit 2), so a member only the lock knows still syncs.
- ``run script.py`` without ``script.py.lock``: ``--frozen``/``--locked`` given as a flag are a
  usage error (exit 2); given by the variable they are ignored with a warning and the script
  runs.

Known difference kept on purpose: before "Could not find root package", uv prints ``Using …
interpreter`` and ``Creating virtual environment at: .venv`` and leaves that ``.venv`` behind;
ferry refuses before creating anything."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from tests.parity5 import test_sync_package_parity5 as members
from tests.parity5.parity5_kit import run_uv, shape
from tests.support.runner import Runner

workspace = members.workspace  # the fixture: root + member a, b excluded, "other" outside


def first_line(text: str) -> str:
    return text.partition("\n")[0]


def twins(workspace: Path, tmp_path: Path) -> tuple[Path, Path]:
    """The workspace for ferry and a copy for uv, so that neither sees what the other wrote."""
    theirs = tmp_path / "ws-uv"
    shutil.copytree(workspace, theirs)
    return workspace, theirs


@pytest.mark.parametrize("args", [
    ("sync", "--package", "b"),
    ("sync", "--package", "nope", "--locked"),
    ("run", "--package", "b", "--frozen", "python", "-c", "pass"),
    ("export", "--package", "b"),
    ("export", "--package", "b", "--frozen"),
    ("export", "--package", "other", "--locked"),
    ("export", "--package", "a", "--package", "nope"),
])
def test_a_non_member_is_refused_before_locking(
    run: Runner, tmp_path: Path, workspace: Path, args: tuple[str, ...]
) -> None:
    ours_dir, theirs_dir = twins(workspace, tmp_path)
    ours = run(*args, cwd=ours_dir)
    theirs = run_uv(list(args), theirs_dir, tmp_path)
    assert (ours.code, theirs.code) == (2, 2), (ours.stderr, theirs.stderr)
    assert shape(first_line(ours.stderr), {"WS": ours_dir}) == shape(
        first_line(theirs.stderr), {"WS": theirs_dir})
    for root in (ours_dir, theirs_dir):
        assert not (root / "uv.lock").exists()
        assert not (root / ".venv").exists()


def test_sync_frozen_without_a_lock_reports_the_lock_first(
    run: Runner, tmp_path: Path, workspace: Path
) -> None:
    ours_dir, theirs_dir = twins(workspace, tmp_path)
    ours = run("sync", "--frozen", "--package", "b", cwd=ours_dir)
    theirs = run_uv(["sync", "--frozen", "--package", "b"], theirs_dir, tmp_path)
    assert (ours.code, theirs.code) == (1, 1)
    assert shape(theirs.stderr).startswith(shape(first_line(ours.stderr)))
    assert "Unable to find lockfile at `uv.lock`" in ours.stderr


def test_sync_frozen_looks_the_name_up_in_the_lock(
    run: Runner, tmp_path: Path, workspace: Path
) -> None:
    locked = run("lock", cwd=workspace)
    assert locked.code == 0, locked.stderr
    ours_dir, theirs_dir = twins(workspace, tmp_path)
    for args in (["sync", "--frozen", "--package", "b"],
                 ["sync", "--frozen", "--package", "a", "--package", "nope"]):
        ours = run(*args, cwd=ours_dir)
        theirs = run_uv(args, theirs_dir, tmp_path)
        assert (ours.code, theirs.code) == (2, 2), (ours.stderr, theirs.stderr)
        # uv prints its interpreter and creates .venv first; ferry refuses before that
        assert first_line(ours.stderr) == theirs.stderr.splitlines()[-1]
        assert first_line(ours.stderr).startswith("error: Could not find root package `")
        assert "its members: a, root" in ours.stderr
        assert not (ours_dir / ".venv").exists()
    # a member only the lock knows (a Docker layer without its directory) is still selected
    for root in (ours_dir, theirs_dir):
        shutil.rmtree(root / "packages" / "a")
    ours = run("sync", "--frozen", "--package", "a", cwd=ours_dir)
    theirs = run_uv(["sync", "--frozen", "--package", "a"], theirs_dir, tmp_path)
    assert (ours.code, theirs.code) == (0, 0), (ours.stderr, theirs.stderr)
    # without --frozen the absent member is no member: refused before re-locking
    before = (ours_dir / "uv.lock").read_bytes()
    ours = run("sync", "--package", "a", cwd=ours_dir)
    theirs = run_uv(["sync", "--package", "a"], theirs_dir, tmp_path)
    assert (ours.code, theirs.code) == (2, 2)
    assert shape(first_line(ours.stderr), {"WS": ours_dir}) == shape(
        first_line(theirs.stderr), {"WS": theirs_dir})
    assert (ours_dir / "uv.lock").read_bytes() == before


SCRIPT = '# /// script\n# requires-python = ">=3.11"\n# dependencies = []\n# ///\nprint("hi")\n'


@pytest.fixture
def script(tmp_path: Path) -> Path:
    path = tmp_path / "s.py"
    path.write_text(SCRIPT, encoding="utf-8")
    return path


@pytest.mark.parametrize("flag", ["--frozen", "--locked"])
def test_a_script_without_a_lock_refuses_the_flag(
    run: Runner, tmp_path: Path, script: Path, flag: str
) -> None:
    ours = run("run", flag, script.name, cwd=tmp_path)
    theirs = run_uv(["run", flag, script.name], tmp_path, tmp_path)
    assert (ours.code, ours.stdout) == (theirs.code, theirs.stdout) == (2, "")
    line = first_line(ours.stderr)
    assert line == (f"error: Unable to find lockfile for Python script, but `{flag}` was "
                    "provided.")
    assert theirs.stderr.startswith(line)
    assert "hint: To create a lockfile, run `ferry lock --script s.py`." in ours.stderr
    assert not (tmp_path / "s.py.lock").exists()


@pytest.mark.parametrize("mode", ["FROZEN", "LOCKED"])
def test_a_script_without_a_lock_ignores_the_variable(
    run: Runner, tmp_path: Path, script: Path, mode: str
) -> None:
    ours = run("run", script.name, cwd=tmp_path, env={f"FERRY_{mode}": "1"})
    theirs = run_uv(["run", script.name], tmp_path, tmp_path, env={f"UV_{mode}": "1"})
    assert (ours.code, ours.stdout) == (theirs.code, theirs.stdout) == (0, "hi\n")
    warning = first_line(ours.stderr)
    assert warning == (f"warning: No lockfile found for Python script (ignoring `FERRY_{mode}=1`);"
                       " run `ferry lock --script s.py` to generate a lockfile")
    # uv's command lacks the script (`uv lock --script` alone is a usage error), and uv names
    # `--frozen` even when UV_FROZEN asked; ferry names what asked, as its other lock messages
    expected = shape(warning).replace("--script s.py", "--script")
    if mode == "FROZEN":
        expected = expected.replace("`TOOL_FROZEN=1`", "`--frozen`")
    assert shape(first_line(theirs.stderr)) == expected
    assert not (tmp_path / "s.py.lock").exists()
