"""Seed report uv#14610: `uv run` silently changed what `uv sync --extra …` or `uv pip install`
had put in the environment.

ferry's `run` reuses the selection the environment was last synced with, prints every change it
makes (with a hint about `--no-sync`), and `--no-sync` changes nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.e2e.seedkit import installed, ok, uv_lock, write_project

CONFLICTS = """
[project.optional-dependencies]
one = ["lib<2"]
two = ["lib>=2"]

[tool.uv]
conflicts = [[{ extra = "one" }, { extra = "two" }]]
"""
SHOW = ("python", "-c", "import lib; print(lib.__version__)")


@pytest.fixture
def project(tmp_path: Path, index_server, python_exe) -> Path:  # type: ignore[no-untyped-def]
    for version in ("1.26.4", "2.3.1"):
        index_server.index.add_wheel("lib", version)
    root = write_project(
        tmp_path / "test", "test", ["lib>=1.26.4,<3"], requires_python=">=3.10,<3.13",
        extra=CONFLICTS,
    )
    uv_lock(root, index_server.simple_url, python_exe("3.12"))
    return root


def test_run_after_sync_extra_keeps_the_extra(project: Path, run) -> None:  # type: ignore[no-untyped-def]
    ok(run("sync", "--frozen", "-p", "3.12", "--extra", "one", cwd=project))
    assert installed(project / ".venv")["lib"] == "1.26.4"
    result = ok(run("run", "--frozen", *SHOW, cwd=project))
    assert result.stdout.strip() == "1.26.4"
    assert " - lib" not in result.stderr and " + lib" not in result.stderr


def test_run_flags_still_override_the_recorded_selection(project: Path, run) -> None:  # type: ignore[no-untyped-def]
    ok(run("sync", "--frozen", "-p", "3.12", "--extra", "one", cwd=project))
    result = ok(run("run", "--frozen", "--extra", "two", *SHOW, cwd=project))
    assert result.stdout.strip() == "2.3.1"
    assert " + lib==2.3.1" in result.stderr


def test_run_restores_the_lock_and_says_so(
    project: Path, run, index_server  # type: ignore[no-untyped-def]
) -> None:
    ok(run("sync", "--frozen", "-p", "3.12", cwd=project))
    assert installed(project / ".venv")["lib"] == "2.3.1"
    venv = str(project / ".venv")
    ok(run("pip", "install", "--python", venv, "-i", index_server.simple_url, "lib==1.26.4"))
    result = ok(run("run", "--frozen", *SHOW, cwd=project))
    assert result.stdout.strip() == "2.3.1"
    assert " - lib==1.26.4" in result.stderr and " + lib==2.3.1" in result.stderr
    assert "--no-sync" in result.stderr


def test_run_no_sync_changes_nothing(
    project: Path, run, index_server, env_snapshot  # type: ignore[no-untyped-def]
) -> None:
    ok(run("sync", "--frozen", "-p", "3.12", cwd=project))
    venv = project / ".venv"
    ok(run("pip", "install", "--python", str(venv), "-i", index_server.simple_url, "lib==1.26.4"))
    before = env_snapshot(venv)
    result = ok(run("run", "--no-sync", *SHOW, cwd=project))
    assert result.stdout.strip() == "1.26.4"
    assert result.stderr == ""
    assert env_snapshot(venv) == before
