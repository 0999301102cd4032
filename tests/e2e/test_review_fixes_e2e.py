"""Regression tests for defects found in review (each failed before its fix)."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.e2e.git_repos import TOKEN, GitRepo, needs_git, serve_with_auth
from tests.support.index import IndexServer
from tests.support.runner import Runner


@pytest.fixture
def private_repo(tmp_path: Path) -> Iterator[str]:
    """``http://127.0.0.1:PORT/gitpkg.git`` (without credentials): tag v1 holds gitpkg 1.0."""
    repo = GitRepo(tmp_path / "repo", "gitpkg")
    repo.commit("1.0", tag="v1")
    served = tmp_path / "www"
    served.mkdir()
    git = shutil.which("git")
    assert git is not None
    bare = served / "gitpkg.git"
    subprocess.run([git, "clone", "--quiet", "--bare", str(repo.path), str(bare)], check=True)
    subprocess.run([git, "-C", str(bare), "update-server-info"], check=True)
    with serve_with_auth(served) as base:
        yield f"{base}/gitpkg.git"


@needs_git
def test_add_of_a_git_url_with_credentials_keeps_them_out_of_pyproject(
    run: Runner, tmp_path: Path, private_repo: str, index_server: IndexServer
) -> None:
    """uv add strips git credentials from the source it writes (they would be committed), and
    still uses them for the lock and sync of the same command."""
    project = tmp_path / "proj"
    project.mkdir()
    (project / "pyproject.toml").write_text(
        '[project]\nname = "proj"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n'
        f'dependencies = []\n\n[[tool.uv.index]]\nurl = "{index_server.simple_url}"\n'
        "default = true\n",
        encoding="utf-8",
    )
    with_credentials = private_repo.replace("http://", f"http://user:{TOKEN}@")
    result = run("add", f"gitpkg @ git+{with_credentials}@v1", cwd=project)
    assert result.code == 0, result.stderr
    pyproject = (project / "pyproject.toml").read_text(encoding="utf-8")
    assert TOKEN not in pyproject
    assert f'gitpkg = {{ git = "{private_repo}", rev = "v1" }}' in pyproject
    assert TOKEN not in (project / "uv.lock").read_text(encoding="utf-8")
    assert TOKEN not in result.stdout + result.stderr


@pytest.mark.parametrize("command", [["sync"], ["export"], ["run", "python", "-c", "0"]])
def test_package_and_all_packages_together_are_a_usage_error(
    run: Runner, tmp_path: Path, command: list[str]
) -> None:
    """uv rejects `--package` with `--all-packages` before doing anything; ferry let
    `--all-packages` win and ignored `--package`."""
    root = tmp_path / "ws"
    member = root / "packages" / "a"
    member.mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        '[project]\nname = "root"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n'
        'dependencies = []\n\n[tool.uv.workspace]\nmembers = ["packages/*"]\n',
        encoding="utf-8",
    )
    (member / "pyproject.toml").write_text(
        '[project]\nname = "a"\nversion = "1.0"\nrequires-python = ">=3.11"\n'
        "dependencies = []\n",
        encoding="utf-8",
    )
    result = run(command[0], "--package", "a", "--all-packages", *command[1:], cwd=root)
    assert result.code == 2, result.stderr
    assert "`--package` and `--all-packages` cannot be used together" in result.stderr
    assert not (root / "uv.lock").exists()
    assert not (root / ".venv").exists()


def test_add_script_with_package_is_a_usage_error(run: Runner, tmp_path: Path) -> None:
    """uv: "the argument '--script' cannot be used with '--package'"; ferry ignored --package."""
    script = tmp_path / "s.py"
    script.write_text("print(1)\n", encoding="utf-8")
    result = run("add", "--script", str(script), "--package", "x", "alpha",
                 env={"FERRY_INDEX_URL": (tmp_path / "nowhere").as_uri()})
    assert result.code == 2, result.stderr
    assert "`--script` cannot be used with `--package`" in result.stderr
    assert script.read_text(encoding="utf-8") == "print(1)\n"


@pytest.mark.parametrize("command", [["add"], ["pip", "install", "--dry-run", "--python"]])
def test_a_git_url_without_a_host_is_reported_without_a_traceback(
    run: Runner, tmp_path: Path, command: list[str], bare_venv: Path
) -> None:
    if command[-1] == "--python":
        command = [*command, str(bare_venv)]
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "proj"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n'
        "dependencies = []\n",
        encoding="utf-8",
    )
    before = (tmp_path / "pyproject.toml").read_bytes()
    result = run(*command, "git+https://", env={"FERRY_INDEX_URL": (tmp_path / "no").as_uri()})
    assert result.code in (1, 2), result.stderr
    assert "Traceback" not in result.stderr
    assert "internal error" not in result.stderr
    assert "git+https://" in result.stderr
    assert (tmp_path / "pyproject.toml").read_bytes() == before
