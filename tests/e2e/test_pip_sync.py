"""``ferry pip sync`` end to end: the environment becomes exactly the requirements file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from tests.support.envs import EnvSnapshot
from tests.support.index import LocalIndex
from tests.support.runner import Runner


@pytest.fixture
def index(local_index: LocalIndex) -> LocalIndex:
    local_index.add_wheel("app", "1.0", requires=["lib"])
    local_index.add_wheel("lib", "1.0")
    local_index.add_wheel("lib", "2.0")
    local_index.add_wheel("other", "1.0")
    local_index.add_wheel("pip", "99.0")
    return local_index


def sync(run: Runner, index: LocalIndex, venv: Path, *args: str) -> tuple[int, str]:
    result = run("pip", "sync", "-p", str(venv), "--index-url", index.file_url, *args)
    assert result.stdout == ""
    return result.code, result.stderr


def test_sync_installs_exactly_the_file_and_adds_no_dependencies(
    run: Runner, index: LocalIndex, bare_venv: Path, tmp_path: Path,
    env_snapshot: Callable[[Path], EnvSnapshot], filter_output: Callable[[str], str],
) -> None:
    (tmp_path / "requirements.txt").write_text("app==1.0\nother\n")
    code, err = sync(run, index, bare_venv, "requirements.txt")
    assert code == 0, err
    assert env_snapshot(bare_venv)["dists"] == {"app": "1.0", "other": "1.0"}
    lines = filter_output(err).splitlines()
    # uv's line for an environment named by --python (or VIRTUAL_ENV) comes first.
    assert lines[0].startswith("Using Python ") and lines[0].endswith(" environment at: bare-venv")
    assert lines[1] == "Resolved 2 packages in [TIME]"
    assert lines[-2:] == [" + app==1.0", " + other==1.0"]


def test_sync_removes_what_the_file_does_not_list_but_keeps_seed_packages(
    run: Runner, index: LocalIndex, bare_venv: Path, tmp_path: Path,
    env_snapshot: Callable[[Path], EnvSnapshot],
) -> None:
    (tmp_path / "all.txt").write_text("app==1.0\nlib==1.0\nother==1.0\npip==99.0\n")
    assert sync(run, index, bare_venv, "all.txt")[0] == 0
    (tmp_path / "some.txt").write_text("lib==2.0\n")
    code, err = sync(run, index, bare_venv, "some.txt")
    assert code == 0, err
    assert env_snapshot(bare_venv)["dists"] == {"lib": "2.0", "pip": "99.0"}
    assert " - app==1.0" in err.splitlines()
    assert " - other==1.0" in err.splitlines()
    assert " - lib==1.0" in err.splitlines() and " + lib==2.0" in err.splitlines()


def test_second_sync_checks_and_changes_nothing(
    run: Runner, index: LocalIndex, bare_venv: Path, tmp_path: Path,
    filter_output: Callable[[str], str],
) -> None:
    (tmp_path / "requirements.txt").write_text("lib==1.0\n")
    assert sync(run, index, bare_venv, "requirements.txt")[0] == 0
    code, err = sync(run, index, bare_venv, "requirements.txt")
    assert code == 0, err
    assert filter_output(err).splitlines()[1:] == [
        "Resolved 1 package in [TIME]",
        "Checked 1 package in [TIME]",
    ]


def test_strict_warns_about_missing_dependencies(
    run: Runner, index: LocalIndex, bare_venv: Path, tmp_path: Path
) -> None:
    (tmp_path / "requirements.txt").write_text("app==1.0\n")
    code, err = sync(run, index, bare_venv, "requirements.txt", "--strict")
    assert code == 0, err
    assert "warning: The package `app` requires `lib`, but it's not installed" in err


def test_conflicting_pins_are_an_error(
    run: Runner, index: LocalIndex, bare_venv: Path, tmp_path: Path,
    env_snapshot: Callable[[Path], EnvSnapshot],
) -> None:
    (tmp_path / "requirements.txt").write_text("lib==1.0\nlib==2.0\n")
    code, err = sync(run, index, bare_venv, "requirements.txt")
    assert code == 1
    assert "No solution found" in err
    assert env_snapshot(bare_venv)["dists"] == {}


def test_compiled_hashes_are_checked(
    run: Runner, index: LocalIndex, bare_venv: Path, tmp_path: Path,
    env_snapshot: Callable[[Path], EnvSnapshot],
) -> None:
    (tmp_path / "requirements.in").write_text("app\n")
    compiled = run("pip", "compile", "--index-url", index.file_url, "requirements.in",
                   "--generate-hashes", "-o", "requirements.txt")
    assert compiled.code == 0, compiled.stderr
    code, err = sync(run, index, bare_venv, "requirements.txt")
    assert code == 0, err
    assert env_snapshot(bare_venv)["dists"] == {"app": "1.0", "lib": "2.0"}
    digest = index.files_of("lib")[-1].sha256
    text = (tmp_path / "requirements.txt").read_text()
    (tmp_path / "bad.txt").write_text(text.replace(digest, "0" * 64))
    code, err = sync(run, index, bare_venv, "bad.txt", "--reinstall")
    assert code == 1
    assert "Hash mismatch for `lib==2.0`" in err


def test_empty_file_does_nothing_unless_allowed(
    run: Runner, index: LocalIndex, bare_venv: Path, tmp_path: Path,
    env_snapshot: Callable[[Path], EnvSnapshot],
) -> None:
    (tmp_path / "requirements.txt").write_text("lib==1.0\n")
    assert sync(run, index, bare_venv, "requirements.txt")[0] == 0
    (tmp_path / "empty.txt").write_text("# nothing\n")
    code, err = sync(run, index, bare_venv, "empty.txt")
    assert code == 0
    assert err.splitlines() == [
        "warning: Requirements file `empty.txt` does not contain any dependencies",
        "No requirements found (hint: use `--allow-empty-requirements` to clear the "
        "environment)",
    ]
    assert env_snapshot(bare_venv)["dists"] == {"lib": "1.0"}
    code, err = sync(run, index, bare_venv, "empty.txt", "--allow-empty-requirements")
    assert code == 0, err
    assert env_snapshot(bare_venv)["dists"] == {}
    assert " - lib==1.0" in err.splitlines()


def test_dry_run_changes_nothing(
    run: Runner, index: LocalIndex, bare_venv: Path, tmp_path: Path,
    env_snapshot: Callable[[Path], EnvSnapshot],
) -> None:
    (tmp_path / "requirements.txt").write_text("lib==1.0\n")
    code, err = sync(run, index, bare_venv, "requirements.txt", "--dry-run")
    assert code == 0, err
    assert "Would install 1 package" in err.splitlines()  # uv's dry-run report
    assert " + lib==1.0" in err.splitlines()
    assert env_snapshot(bare_venv)["dists"] == {}
