"""``--no-extra`` and ``--only-dev`` side by side with uv (skipped when uv is not installed): the
same lock (uv's), the same command lines, the same installed set, export lines, tree and error
text — a single project with a declared ``cpu``/``gpu`` conflict, and a workspace."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from tests.e2e.seedkit import installed, uv_executable, uv_lock, write_project
from tests.e2e.test_no_extra_only_dev_s10 import CONTRADICTIONS, EXTRAS, add_wheels
from tests.support.index import IndexServer
from tests.support.runner import Result, Runner


def _uv(project: Path, *args: str) -> Result:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("UV_", "VIRTUAL_ENV"))}
    env["UV_CACHE_DIR"] = str(project.parent / "uv-cache")
    done = subprocess.run([uv_executable(), *args, "--no-config"], cwd=project, env=env,
                          capture_output=True, text=True, check=False, timeout=120)
    return Result(done.returncode, done.stdout, done.stderr)


@pytest.fixture
def project(tmp_path: Path, index_server: IndexServer) -> Path:
    uv_executable()
    add_wheels(index_server.index)
    root = write_project(tmp_path / "app", "app", ["six"], extra=EXTRAS)
    uv_lock(root, index_server.simple_url)
    return root


@pytest.fixture
def workspace(tmp_path: Path, index_server: IndexServer) -> Path:
    uv_executable()
    add_wheels(index_server.index)
    root = write_project(tmp_path / "ws", "ws", [], extra=(
        '\n[tool.uv.workspace]\nmembers = ["a", "b"]\n\n[tool.uv]\nconflicts = [[{ package = '
        '"a", extra = "cpu" }, { package = "a", extra = "gpu" }]]\n'))
    write_project(root / "a", "a", ["six"], extra=(
        '\n[project.optional-dependencies]\ncpu = ["torch==1.0"]\ngpu = ["torch==2.0"]\n'
        'cli = ["click"]\n\n[dependency-groups]\ndev = ["idna"]\n'))
    write_project(root / "b", "b", [], extra=(
        '\n[project.optional-dependencies]\ncli = ["rich"]\n\n[dependency-groups]\n'
        'dev = ["toml"]\n'))
    uv_lock(root, index_server.simple_url)
    return root


def _error(stderr: str) -> str:
    """The error's sentence, without ferry's hint and uv's line wrapping."""
    return " ".join(stderr[stderr.index("error:"):].split("hint:")[0].split())


def _both_sync(run: Runner, root: Path, args: list[str]) -> tuple[object, object]:
    """(uv's, ferry's) answer to ``sync --frozen ARGS`` into a fresh ``.venv``: the installed
    set, or the error's first line."""
    answers: list[object] = []
    for tool in ("uv", "ferry"):
        shutil.rmtree(root / ".venv", ignore_errors=True)
        if tool == "uv":
            result = _uv(root, "sync", "--frozen", *args)
        else:
            result = run("sync", "--frozen", *args, cwd=root)
        answers.append(installed(root / ".venv") if result.code == 0
                       else _error(result.stderr))
    return answers[0], answers[1]


SELECTIONS = [
    ["--all-extras"],
    ["--all-extras", "--no-extra", "gpu"],
    ["--all-extras", "--no-extra", "cpu", "--no-extra", "cli"],
    ["--extra", "cli", "--no-extra", "cli"],
    ["--extra", "cpu", "--extra", "gpu", "--no-extra", "gpu"],
    ["--no-extra", "nope"],
    ["--only-dev"],
    ["--only-dev", "--only-group", "lint"],
    ["--only-dev", "--no-default-groups"],
    ["--only-dev", "--no-group", "dev"],
    ["--only-dev", "--extra", "cli"],
]


@pytest.mark.parametrize("args", SELECTIONS, ids=" ".join)
def test_sync_installs_what_uv_installs(run: Runner, project: Path, args: list[str]) -> None:
    ours_uv, ours = _both_sync(run, project, args)
    assert ours == ours_uv


WORKSPACE_SELECTIONS = [
    ["--all-packages", "--all-extras", "--no-extra", "gpu"],
    ["--all-packages", "--all-extras", "--no-extra", "gpu", "--no-extra", "cli"],
    ["--all-packages", "--only-dev"],
    ["--package", "b", "--only-dev"],
    ["--package", "a", "--all-extras", "--no-extra", "cpu"],
    ["--package", "b", "--no-extra", "cpu"],
    ["--all-packages", "--no-extra", "nope"],
]


@pytest.mark.parametrize("args", WORKSPACE_SELECTIONS, ids=" ".join)
def test_workspace_sync_installs_what_uv_installs(
    run: Runner, workspace: Path, args: list[str]
) -> None:
    ours_uv, ours = _both_sync(run, workspace, args)
    assert ours == ours_uv


@pytest.mark.parametrize("args", [
    ["--all-extras", "--no-extra", "gpu"],
    ["--only-dev"],
    ["--only-dev", "--only-group", "lint"],
    ["--extra", "cpu", "--no-extra", "cpu", "--extra", "cli"],
], ids=" ".join)
def test_export_lines_are_uvs(run: Runner, project: Path, args: list[str]) -> None:
    flags = ["export", "--frozen", "--no-header", "--no-hashes", *args]
    theirs = _uv(project, *flags)
    ours = run(*flags, cwd=project)
    assert (ours.code, ours.stdout) == (theirs.code, theirs.stdout)


def test_workspace_export_lines_are_uvs(run: Runner, workspace: Path) -> None:
    flags = ["export", "--frozen", "--no-header", "--no-hashes", "--all-packages",
             "--all-extras", "--no-extra", "gpu"]
    assert run(*flags, cwd=workspace).stdout == _uv(workspace, *flags).stdout


def test_tree_only_dev_is_uvs(run: Runner, project: Path) -> None:
    flags = ["tree", "--frozen", "--only-dev"]
    assert run(*flags, cwd=project).stdout == _uv(project, *flags).stdout


@pytest.mark.parametrize(("flags", "message"), CONTRADICTIONS)
@pytest.mark.parametrize("command", ["sync", "run", "export"])
def test_contradictions_are_refused_in_uvs_words(
    run: Runner, project: Path, flags: list[str], message: str, command: str
) -> None:
    tail = ["python", "-c", "pass"] if command == "run" else []
    theirs = _uv(project, command, "--frozen", *flags, *tail)
    ours = run(command, "--frozen", *flags, *tail, cwd=project)
    # both add clap's usage line and a pointer to --help after a blank line
    said = theirs.stderr.split("\n\n", 1)[0] + "\n"
    first = ours.stderr.split("\n\n", 1)[0] + "\n"
    assert (ours.code, first) == (theirs.code, said) == (2, f"error: {message}\n")
    assert "\n\nUsage: ferry " in ours.stderr and ours.stderr.endswith(
        "\n\nFor more information, try '--help'.\n")
