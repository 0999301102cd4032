"""``ferry sync --dry-run`` changes nothing: no ``.venv``, no ``uv.lock``, no ``.ferry/``, and a
stale lock or a mismatched environment is reported with uv's "Would …" lines, not rewritten or
recreated. It used to create the environment and write the lock (found in the s8 pip review)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from tests.e2e.seedkit import installed, ok


@pytest.fixture
def project(tmp_path: Path, local_index) -> Path:  # type: ignore[no-untyped-def]
    local_index.add_wheel("alpha", "1.0")
    local_index.add_wheel("beta", "1.0")
    root = tmp_path / "proj"
    root.mkdir()
    (root / "pyproject.toml").write_text(
        '[project]\nname = "proj"\nversion = "1"\nrequires-python = ">=3.8"\n'
        'dependencies = ["alpha"]\n'
    )
    return root


def _env(local_index) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {"FERRY_INDEX_URL": local_index.file_url, "FERRY_PYTHON": sys.executable}


def test_a_first_dry_run_creates_nothing(project: Path, run, local_index) -> None:  # type: ignore[no-untyped-def]
    result = ok(run("sync", "--dry-run", cwd=project, env=_env(local_index)))
    assert sorted(p.name for p in project.iterdir()) == ["pyproject.toml"]
    lines = result.stderr.splitlines()
    assert "Would create project environment at: .venv" in lines
    assert "Would create lockfile at: uv.lock" in lines
    assert " + alpha==1.0" in lines


def test_a_stale_lock_and_a_synced_environment_are_left_as_they_are(
    project: Path, run, local_index  # type: ignore[no-untyped-def]
) -> None:
    env = _env(local_index)
    ok(run("sync", cwd=project, env=env))
    lock = (project / "uv.lock").read_bytes()
    cfg = (project / ".venv" / "pyvenv.cfg").read_bytes()
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('["alpha"]', '["alpha", "beta"]'))
    result = ok(run("sync", "--dry-run", cwd=project, env=env))
    assert "Would update lockfile at: uv.lock" in result.stderr.splitlines()
    assert " + beta==1.0" in result.stderr
    assert (project / "uv.lock").read_bytes() == lock
    assert (project / ".venv" / "pyvenv.cfg").read_bytes() == cfg
    assert set(installed(project / ".venv")) == {"alpha"}


def test_an_environment_that_would_be_recreated_is_kept(
    project: Path, run, local_index, python_exe  # type: ignore[no-untyped-def]
) -> None:
    env = _env(local_index)
    ok(run("sync", cwd=project, env=env))
    cfg = (project / ".venv" / "pyvenv.cfg").read_bytes()
    other = "3.12" if sys.version_info[:2] != (3, 12) else "3.11"
    python = python_exe(other)  # skips when that Python is absent
    result = ok(run("sync", "--dry-run", "-p", str(python), cwd=project, env=env))
    assert "Would recreate project environment at: .venv" in result.stderr
    assert (project / ".venv" / "pyvenv.cfg").read_bytes() == cfg
    assert set(installed(project / ".venv")) == {"alpha"}


def test_a_dry_run_with_nothing_to_do_reads_as_uvs(project: Path, run, local_index) -> None:  # type: ignore[no-untyped-def]
    env = _env(local_index)
    ok(run("sync", cwd=project, env=env))
    for extra in ((), ("-U",)):  # an upgrade that changes nothing leaves the lock as it is
        result = ok(run("sync", "--dry-run", *extra, cwd=project,
                        env={**env, "FERRY_NO_FAST_PATH": "1"}))
        lines = [line for line in result.stderr.splitlines() if not line.startswith(
            ("Resolved", "Checked"))]
        assert lines == ["Would use project environment at: .venv",
                         "Found up-to-date lockfile at: uv.lock", "Would make no changes"]
