"""``UV_PROJECT_ENVIRONMENT`` places the project environment, as in uv 0.13.8 (s9 review R11.5).

A Docker image or CI job set up for uv (``ENV UV_PROJECT_ENVIRONMENT=/opt/venv``) used to get a
second, empty ``.venv`` from ferry. Now every command that uses the project environment — sync,
run (its no-op fast path included), add, lock's interpreter note — uses the one the variable
names: relative to the workspace root, or absolute; ``FERRY_PROJECT_ENVIRONMENT`` wins when both
are set. Side by side with the real uv where it is installed."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from tests.e2e.seedkit import ok, uv_executable, write_project
from tests.support.index import IndexServer
from tests.support.runner import Runner

PREFIX = "import sys; print(sys.prefix)"


def _workspace(root: Path) -> Path:
    """A workspace with a root project and one member; returns a directory inside the member."""
    write_project(root, "rootproj", [], extra='[tool.uv.workspace]\nmembers = ["packages/*"]\n')
    member = write_project(root / "packages" / "libb", "libb", [])
    (member / "sub").mkdir()
    return member / "sub"


def _uv(args: list[str], cwd: Path, tmp_path: Path, python: Path, **extra: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("UV_", "VIRTUAL_ENV"))}
    env.update(UV_CACHE_DIR=str(tmp_path / "uv-cache"), UV_PYTHON=str(python),
               UV_PYTHON_DOWNLOADS="never", **extra)
    done = subprocess.run([uv_executable(), *args], cwd=cwd, env=env, capture_output=True,
                          text=True, check=False, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_relative_to_the_workspace_root_as_uv(
    run: Runner, tmp_path: Path, python_exe  # type: ignore[no-untyped-def]
) -> None:
    python = python_exe("3.12")
    ours, theirs = _workspace(tmp_path / "f"), _workspace(tmp_path / "u")
    env = {"UV_PROJECT_ENVIRONMENT": "envx", "FERRY_PYTHON": str(python)}
    result = ok(run("run", "--offline", "python", "-c", PREFIX, cwd=ours, env=env))
    assert result.stdout.strip() == str(tmp_path / "f" / "envx")
    assert not (tmp_path / "f" / ".venv").exists()
    assert not (ours / "envx").exists()
    printed = _uv(["run", "--offline", "python", "-c", PREFIX], theirs, tmp_path, python,
                  UV_PROJECT_ENVIRONMENT="envx")
    assert printed.strip() == str(tmp_path / "u" / "envx")
    assert not (tmp_path / "u" / ".venv").exists()


def test_absolute_and_ferry_variable_first(
    run: Runner, tmp_path: Path, python_exe  # type: ignore[no-untyped-def]
) -> None:
    python = python_exe("3.12")
    project = write_project(tmp_path / "app", "app", [])
    env = {"UV_PROJECT_ENVIRONMENT": str(tmp_path / "opt-venv"), "FERRY_PYTHON": str(python)}
    ok(run("sync", "--offline", cwd=project, env=env))
    assert (tmp_path / "opt-venv" / "pyvenv.cfg").is_file()
    assert not (project / ".venv").exists()
    both = {**env, "FERRY_PROJECT_ENVIRONMENT": "fenv"}
    result = ok(run("run", "--offline", "python", "-c", PREFIX, cwd=project, env=both))
    assert result.stdout.strip() == str(project / "fenv")
    # the fast path records its answer in that environment, and follows a change of the
    # variable instead of replaying the old answer
    other = {**env, "UV_PROJECT_ENVIRONMENT": "second"}
    for _ in range(2):
        result = ok(run("run", "--offline", "python", "-c", PREFIX, cwd=project, env=other))
        assert result.stdout.strip() == str(project / "second")
    assert any(p.name.startswith("ferry-fast-") for p in (project / "second").iterdir())
    result = ok(run("run", "--offline", "python", "-c", PREFIX, cwd=project, env=env))
    assert result.stdout.strip() == str(tmp_path / "opt-venv")


def test_add_and_the_active_environment_check_use_it(
    run: Runner, tmp_path: Path, python_exe, index_server: IndexServer  # type: ignore[no-untyped-def]
) -> None:
    python = python_exe("3.12")
    index_server.index.add_wheel("six", "1.0")
    project = write_project(tmp_path / "app", "app", [])
    env = {"UV_PROJECT_ENVIRONMENT": "uvenv", "FERRY_PYTHON": str(python),
           "FERRY_INDEX_URL": index_server.simple_url}
    ok(run("add", "six", cwd=project, env=env))
    assert list((project / "uvenv").glob("lib/python3.12/site-packages/six-1.0.dist-info"))
    assert not (project / ".venv").exists()
    # VIRTUAL_ENV naming the environment the variable places is no mismatch: no warning
    active = {**env, "VIRTUAL_ENV": str(project / "uvenv")}
    result = ok(run("sync", cwd=project, env=active))
    assert "does not match the project environment path" not in result.stderr


def test_a_directory_that_is_not_an_environment_names_the_variable(
    run: Runner, tmp_path: Path, python_exe  # type: ignore[no-untyped-def]
) -> None:
    project = write_project(tmp_path / "app", "app", [])
    (project / "junk").mkdir()
    (project / "junk" / "file").write_text("", encoding="utf-8")
    env = {"UV_PROJECT_ENVIRONMENT": "junk", "FERRY_PYTHON": str(python_exe("3.12"))}
    result = run("sync", "--offline", cwd=project, env=env)
    assert result.code != 0
    assert "junk" in result.stderr
    assert "UV_PROJECT_ENVIRONMENT" in result.stderr
    assert (project / "junk" / "file").exists()


@pytest.mark.parametrize("value", ["~/env", " "])
def test_read_as_uv_reads_it(
    run: Runner, tmp_path: Path, python_exe, value: str  # type: ignore[no-untyped-def]
) -> None:
    """uv takes the value as given: ``~`` is not expanded and spaces are a name."""
    python = python_exe("3.12")
    ours = write_project(tmp_path / "f", "app", [])
    env = {"UV_PROJECT_ENVIRONMENT": value, "FERRY_PYTHON": str(python),
           "HOME": str(tmp_path / "home")}
    result = ok(run("run", "--offline", "python", "-c", PREFIX, cwd=ours, env=env))
    assert result.stdout.rstrip("\n") == str(ours / value)
    theirs = write_project(tmp_path / "u", "app", [])
    printed = _uv(["run", "--offline", "python", "-c", PREFIX], theirs, tmp_path, python,
                  UV_PROJECT_ENVIRONMENT=value, HOME=str(tmp_path / "home"))
    assert printed.rstrip("\n") == str(theirs / value)
