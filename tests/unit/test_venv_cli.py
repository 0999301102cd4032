"""``ferry venv`` end to end: ``python -m ferry venv …`` in a subprocess, output as uv prints it."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.support.runner import Runner

from ferry.commands.venv import activation_command, default_prompt, display_path
from ferry.python.venv import read_pyvenv_cfg

BASH = {"SHELL": "/bin/bash"}


@pytest.fixture
def py312(python_exe: Callable[[str], Path]) -> Path:
    return python_exe("3.12")


@pytest.fixture(autouse=True)
def small_world(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch, isolated_env: Path
) -> Path:
    """PATH holds one directory of links to the real 3.12 (and 3.8 when present) and pyenv is
    empty: discovery stays fast and independent of the machine's shims."""
    bin_dir = tmp_path_factory.mktemp("bin")
    for version in ("3.12", "3.8"):
        from tests.support.envs import find_python

        found = find_python(version)
        if found is not None:
            (bin_dir / f"python{version}").symlink_to(found)
            if version == "3.12":
                (bin_dir / "python3").symlink_to(found)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}/usr/bin{os.pathsep}/bin")
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path_factory.mktemp("empty-pyenv")))
    # One interpreter cache for the module: each interpreter is queried once, not per test.
    monkeypatch.setenv("FERRY_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "venv-cli-cache"))
    return bin_dir


def test_default_venv(run: Runner, tmp_path: Path, py312: Path) -> None:
    project = tmp_path / "proj"
    project.mkdir()
    result = run("venv", "-p", py312, cwd=project, env=BASH)
    assert result.code == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr == (
        f"Using CPython 3.12.{_micro(py312)} interpreter at: {py312}\n"
        "Creating virtual environment at: .venv\n"
        "Activate with: source .venv/bin/activate\n"
    )
    venv = project / ".venv"
    assert read_pyvenv_cfg(venv)["prompt"] == "proj"  # no PATH argument: the directory's name
    prefix = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import sys; print(sys.prefix)"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert prefix == str(venv)


def test_path_argument_prompt_and_version_request(run: Runner, tmp_path: Path, py312: Path) -> None:
    result = run("venv", "-p", "3.12", "envs/x", env=BASH)
    assert result.code == 0, result.stderr
    assert "interpreter at: " in result.stderr
    assert "Creating virtual environment at: envs/x\n" in result.stderr
    assert "Activate with: source envs/x/bin/activate\n" in result.stderr
    cfg = read_pyvenv_cfg(tmp_path / "envs" / "x")
    assert "prompt" not in cfg and cfg["version_info"].startswith("3.12.")
    result = run("venv", "-p", py312, "y", "--prompt", ".", env=BASH)
    assert read_pyvenv_cfg(tmp_path / "y")["prompt"] == tmp_path.name
    result = run("venv", "-p", py312, "z", "--prompt", "my prompt", "--system-site-packages")
    cfg = read_pyvenv_cfg(tmp_path / "z")
    assert cfg["prompt"] == "my prompt" and cfg["include-system-site-packages"] == "true"


def test_ferry_python_variable(
    run: Runner, tmp_path: Path, python_exe: Callable[[str], Path]
) -> None:
    py38 = python_exe("3.8")
    result = run("venv", "old", env={**BASH, "FERRY_PYTHON": str(py38)})
    assert result.code == 0, result.stderr
    assert f"Using CPython 3.8.{_micro(py38)} interpreter at: {py38}\n" in result.stderr
    assert read_pyvenv_cfg(tmp_path / "old")["version_info"].startswith("3.8.")


def test_existing_environment_and_clear(run: Runner, tmp_path: Path, py312: Path) -> None:
    assert run("venv", "-p", py312).code == 0
    again = run("venv", "-p", py312)
    assert again.code == 1
    assert f"error: A virtual environment already exists at `{tmp_path / '.venv'}`" in again.stderr
    assert "hint: Use `--clear`" in again.stderr
    assert "Traceback" not in again.stderr
    cleared = run("venv", "-p", py312, "--clear")
    assert cleared.code == 0, cleared.stderr
    kept = run("venv", "-p", py312, "--allow-existing")
    assert kept.code == 0, kept.stderr


def test_refuses_non_venv_directory(run: Runner, tmp_path: Path, py312: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "main.py").write_text("print('hi')\n")
    result = run("venv", "-p", py312, "src", "--clear")
    assert result.code == 1
    assert "exists, but it is not a virtual environment" in result.stderr
    assert (tmp_path / "src" / "main.py").exists()


def test_unknown_version(run: Runner, tmp_path: Path) -> None:
    result = run("venv", "-p", "3.42")
    assert result.code == 2  # as uv 0.13.8: no interpreter is an environmental failure
    assert "error: No interpreter found for Python 3.42" in result.stderr
    assert "hint:" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / ".venv").exists()
    bad = run("venv", "-p", ">=3.x")
    assert bad.code == 1 and "Invalid Python" in bad.stderr


def test_quiet_and_other_shells(run: Runner, tmp_path: Path, py312: Path) -> None:
    quiet = run("-q", "venv", "-p", py312, "a")
    assert quiet.code == 0 and quiet.stderr == "" and quiet.stdout == ""
    fish = run("venv", "-p", py312, "b", env={"SHELL": "/usr/bin/fish"})
    assert "Activate with: source b/bin/activate.fish\n" in fish.stderr
    outside = tmp_path.parent / f"{tmp_path.name}-outside"
    absolute = run("venv", "-p", py312, outside, env=BASH)
    assert f"Creating virtual environment at: {outside}\n" in absolute.stderr


def test_activation_command_per_shell() -> None:
    assert activation_command(".venv", "/bin/bash") == "source .venv/bin/activate"
    assert activation_command(".venv", "/bin/zsh") == "source .venv/bin/activate"
    assert activation_command(".venv", "") is None
    assert activation_command(".venv", "/bin/sh") is None
    assert activation_command(".venv", "/bin/ksh") == "source .venv/bin/activate"
    assert activation_command(".venv", "/usr/bin/pwsh") == ".venv/bin/activate.ps1"
    assert activation_command(".venv", "/usr/bin/fish") == "source .venv/bin/activate.fish"
    assert activation_command(".venv", "/bin/tcsh") == "source .venv/bin/activate.csh"
    assert activation_command(".venv", "/usr/bin/nu") == "overlay use .venv/bin/activate.nu"
    assert activation_command("a b", "/bin/bash") == "source 'a b/bin/activate'"


def test_default_prompt_and_display(tmp_path: Path) -> None:
    assert default_prompt(None, None, tmp_path) == tmp_path.name
    assert default_prompt(None, Path("x"), tmp_path) is None
    assert default_prompt(".", Path("x"), tmp_path) == tmp_path.name
    assert default_prompt("p", None, tmp_path) == "p"
    cwd = Path(os.getcwd())
    assert display_path(Path(".venv"), cwd) == ".venv"
    assert display_path(Path("/elsewhere/env"), Path("/work")) == "/elsewhere/env"


def _micro(python: Path) -> str:
    return subprocess.run(
        [str(python), "-c", "import sys; print(sys.version_info[2])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
