"""Inputs of the no-op record that the interpreter request and an ignored VIRTUAL_ENV add."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from ferry.commands import fastpath


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    root = tmp_path / "proj"
    (root / ".venv" / "bin").mkdir(parents=True)
    (root / "pyproject.toml").write_text('[project]\nname = "proj"\nversion = "1"\n')
    (root / ".venv" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    (root / ".venv" / "bin" / "python").symlink_to(Path(sys.executable))
    for key in ("VIRTUAL_ENV", "FERRY_PYTHON", "UV_PYTHON"):
        monkeypatch.delenv(key, raising=False)
    return str(root), str(root / ".venv")


def _digest(argv: list[str], project: tuple[str, str]) -> str:
    invocation = fastpath.parse(argv)
    assert invocation is not None
    root, env_root = project
    return fastpath.digest(invocation, root, root, env_root)


@pytest.mark.parametrize("argv", [["sync", "-p", "python3.11"], ["sync", "--python=3.11"],
                                  ["sync", "-p3.11"], ["run", "-p", "3.11", "python", "-V"]])
def test_an_interpreter_request_makes_path_an_input(
    argv: list[str], project: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", "/first")
    before = _digest(argv, project)
    monkeypatch.setenv("PATH", "/second")
    assert before and _digest(argv, project) != before


def test_without_a_request_path_is_not_an_input(
    project: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", "/first")
    before = _digest(["sync"], project)
    monkeypatch.setenv("PATH", "/second")
    assert before and _digest(["sync"], project) == before
    monkeypatch.setenv("FERRY_PYTHON", "python3.11")  # a request by environment variable
    first = _digest(["sync"], project)
    monkeypatch.setenv("PATH", "/first")
    assert _digest(["sync"], project) != first


def test_an_ignored_active_environment_is_never_replayed(
    project: tuple[str, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("VIRTUAL_ENV", str(tmp_path / "other"))
    assert _digest(["sync"], project) == ""  # the full path prints uv's warning each time
    monkeypatch.setenv("VIRTUAL_ENV", project[1])  # the project's own environment, activated
    assert _digest(["sync"], project) != ""


@pytest.mark.parametrize("name", ["setup.py", "setup.cfg"])
def test_the_projects_other_build_inputs_are_inputs(
    name: str, project: tuple[str, str]
) -> None:
    """An edited ``setup.py`` rebuilds the project (install/local_freshness.py): no replay."""
    before = _digest(["sync"], project)
    (Path(project[0]) / name).write_text("# changed\n")
    assert before and _digest(["sync"], project) != before
