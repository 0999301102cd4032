"""``ferry init`` end to end: the files, their text, the messages, and the refusals."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.support.runner import Runner

UV = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
NO_GIT = {"GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}


def files_of(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): p.read_text()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }


def test_app_is_the_default_with_main_py_and_no_build_system(run: Runner, tmp_path: Path) -> None:
    result = run("init", "--vcs", "none", "-p", "3.12", "hello-app", env=NO_GIT)
    assert result.code == 0, result.stderr
    root = tmp_path / "hello-app"
    assert result.stderr == f"Initialized project `hello-app` at `{root}`\n"
    assert files_of(root) == {
        ".python-version": "3.12\n",
        "README.md": "",
        "main.py": 'def main():\n    print("Hello from hello-app!")\n\n\n'
        'if __name__ == "__main__":\n    main()\n',
        "pyproject.toml": '[project]\nname = "hello-app"\nversion = "0.1.0"\n'
        'description = "Add your description here"\nreadme = "README.md"\n'
        'requires-python = ">=3.12"\ndependencies = []\n',
    }


def test_lib_has_src_layout_py_typed_and_hatchling(run: Runner, tmp_path: Path) -> None:
    result = run(
        "init", "--lib", "--vcs", "none", "-p", "3.11", "--name", "Hello.World", "x", env=NO_GIT
    )
    assert result.code == 0, result.stderr
    files = files_of(tmp_path / "x")
    assert files["src/hello_world/__init__.py"] == (
        'def hello() -> str:\n    return "Hello from hello-world!"\n'
    )
    assert files["src/hello_world/py.typed"] == ""
    data = tomllib.loads(files["pyproject.toml"])
    assert data["project"]["name"] == "hello-world"
    assert data["build-system"] == {"requires": ["hatchling"], "build-backend": "hatchling.build"}
    assert "scripts" not in data["project"]


def test_package_app_has_a_script_entry_point(run: Runner, tmp_path: Path) -> None:
    result = run("init", "--package", "--vcs", "none", "-p", "3.11", "tool", env=NO_GIT)
    assert result.code == 0, result.stderr
    files = files_of(tmp_path / "tool")
    assert files["src/tool/__init__.py"] == 'def main() -> None:\n    print("Hello from tool!")\n'
    assert '\n[project.scripts]\ntool = "tool:main"\n\n[build-system]\n' in files["pyproject.toml"]


def test_bare_writes_only_pyproject(run: Runner, tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    result = run("init", "--bare", "-p", "3.13", cwd=tmp_path / "b", env=NO_GIT)
    assert result.code == 0, result.stderr
    assert result.stderr == "Initialized project `b`\n"
    assert files_of(tmp_path / "b") == {
        "pyproject.toml": '[project]\nname = "b"\nversion = "0.1.0"\n'
        'requires-python = ">=3.13"\ndependencies = []\n'
    }
    assert not (tmp_path / "b" / ".git").exists()


def test_requires_python_comes_from_the_interpreter_found(
    run: Runner, tmp_path: Path, python_exe: Callable[[str], Path]
) -> None:
    python = python_exe("3.10")
    result = run("init", "--vcs", "none", "-p", python, "--no-readme", "p", env=NO_GIT)
    assert result.code == 0, result.stderr
    files = files_of(tmp_path / "p")
    assert files[".python-version"] == "3.10\n"
    assert 'requires-python = ">=3.10"\n' in files["pyproject.toml"]
    assert "readme" not in files["pyproject.toml"]
    assert "README.md" not in files


def test_a_range_becomes_requires_python_and_the_pin_is_the_interpreter(
    run: Runner, tmp_path: Path, python_exe: Callable[[str], Path]
) -> None:
    first_on_path = str(python_exe("3.12").parent)
    env = {**NO_GIT, "PATH": first_on_path + os.pathsep + os.environ.get("PATH", "")}
    result = run("init", "--vcs", "none", "-p", ">=3.12, <3.13", "r", env=env)
    assert result.code == 0, result.stderr
    files = files_of(tmp_path / "r")
    assert files[".python-version"] == "3.12\n"
    assert 'requires-python = ">=3.12,<3.13"\n' in files["pyproject.toml"]


def test_existing_pyproject_is_refused_and_untouched(run: Runner, tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("# mine\n")
    result = run("init", "-p", "3.12")
    assert result.code == 1
    assert result.stderr == (
        f"error: Cannot initialize a project in `{tmp_path}` because `pyproject.toml` "
        "already exists\n"
    )
    assert (tmp_path / "pyproject.toml").read_text() == "# mine\n"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name not in {"home", "cache"}) == [
        "pyproject.toml"
    ]


def test_existing_files_are_kept(run: Runner, tmp_path: Path) -> None:
    (tmp_path / "keep").mkdir()
    (tmp_path / "keep" / "README.md").write_text("mine\n")
    result = run("init", "--vcs", "none", "-p", "3.12", "keep", env=NO_GIT)
    assert result.code == 0, result.stderr
    assert (tmp_path / "keep" / "README.md").read_text() == "mine\n"
    assert (tmp_path / "keep" / "main.py").is_file()


def test_invalid_directory_name_asks_for_name(run: Runner, tmp_path: Path) -> None:
    result = run("init", "-p", "3.12", "bad name!")
    assert result.code == 1
    assert "error: The project name `bad name!` is not a valid package name" in result.stderr
    assert "--name" in result.stderr
    assert not (tmp_path / "bad name!").exists()


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_git_repository_and_gitignore_unless_already_inside_one(
    run: Runner, tmp_path: Path
) -> None:
    env = {
        **NO_GIT,
        "GIT_CONFIG_GLOBAL": str(tmp_path / "gitconfig"),
    }
    (tmp_path / "gitconfig").write_text("[user]\n\tname = Ada\n\temail = ada@example.invalid\n")
    # a packaged project gets git's author (an application only with --author-from, as uv)
    result = run("init", "-p", "3.12", "--package", "repo", env=env)
    assert result.code == 0, result.stderr
    root = tmp_path / "repo"
    assert (root / ".git").is_dir()
    assert (root / ".gitignore").read_text().endswith("# Virtual environments\n.venv\n")
    pyproject = (root / "pyproject.toml").read_text()
    assert 'authors = [\n    { name = "Ada", email = "ada@example.invalid" }\n]\n' in pyproject
    inner = run("init", "-p", "3.12", "--author-from", "none", "inner", cwd=root, env=env)
    assert inner.code == 0, inner.stderr
    assert not (root / "inner" / ".git").exists()
    assert not (root / "inner" / ".gitignore").exists()
    assert "authors" not in (root / "inner" / "pyproject.toml").read_text()


def test_conflicting_flags_are_usage_errors(run: Runner) -> None:
    result = run("init", "--description", "x", "--no-description")
    assert result.code == 2
    assert "cannot be used together" in result.stderr


@pytest.mark.skipif(UV is None, reason="uv is not installed")
@pytest.mark.parametrize("flags", [["--lib"], ["--no-package"], ["--bare"], ["--package"]])
def test_same_files_as_uv_init_except_the_build_backend(
    run: Runner, tmp_path: Path, flags: list[str]
) -> None:
    common = ["--vcs", "none", "--author-from", "none", "--python", "3.12"]
    assert UV is not None
    done = subprocess.run(
        [UV, "init", "--no-config", "--offline", *common, *flags, "theirs"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "UV_CACHE_DIR": str(tmp_path / "uv-cache")},
    )
    assert done.returncode == 0, done.stderr
    result = run("init", *common, *flags, "--name", "theirs", "ours", env=NO_GIT)
    assert result.code == 0, result.stderr
    theirs, ours = files_of(tmp_path / "theirs"), files_of(tmp_path / "ours")
    uv_backend = theirs.get("pyproject.toml", "").split("[build-system]")
    ferry_backend = ours.get("pyproject.toml", "").split("[build-system]")
    assert uv_backend[0] == ferry_backend[0]
    assert len(uv_backend) == len(ferry_backend)
    theirs.pop("pyproject.toml")
    ours.pop("pyproject.toml")
    assert ours == theirs
