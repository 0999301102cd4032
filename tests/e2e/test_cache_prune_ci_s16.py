"""``cache clean`` / ``cache prune [--ci]`` side by side with uv 0.13.8: the messages (a cache
that does not exist is reported and not created; the root is shown relative to the working
directory) and what ``--ci`` keeps: after it, the pre-built wheels are downloaded again, the wheel
built from an sdist is reused without building or downloading anything of it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from tests.e2e.seedkit import uv_executable
from tests.support.runner import ferry_env
from tests.support.server import IndexServer

TOOLS = ("ferry", "uv")


def _run(tool: str, args: list[str], cwd: Path, env: dict[str, str] | None = None
         ) -> subprocess.CompletedProcess[str]:
    extra = {"NO_COLOR": "1", **(env or {})}
    if tool == "uv":
        merged = {k: v for k, v in os.environ.items() if not k.startswith(("UV_", "VIRTUAL_ENV"))}
        merged.update(extra, UV_PYTHON_DOWNLOADS="never")
        argv = [uv_executable(), *args]
    else:
        merged = ferry_env({"VIRTUAL_ENV": None, **extra})
        argv = [sys.executable, "-m", "ferry", *args]
    return subprocess.run(argv, cwd=cwd, env=merged, capture_output=True, text=True,
                          check=False, timeout=180)


@pytest.mark.usefixtures("isolated_env")
@pytest.mark.parametrize("tool", TOOLS)
def test_missing_cache_is_reported_and_not_created(tool: str, tmp_path: Path) -> None:
    work = tmp_path / "work"
    (work / "sub").mkdir(parents=True)
    for command in (["cache", "clean"], ["cache", "clean", "six"], ["cache", "prune"],
                    ["cache", "prune", "--ci"]):
        done = _run(tool, [*command, "--cache-dir", str(work / "nothing")], work)
        assert (done.returncode, done.stderr) == (0, "No cache found at: nothing\n"), command
        elsewhere = _run(tool, [*command, "--cache-dir", str(work / "nothing")], work / "sub")
        assert elsewhere.stderr == f"No cache found at: {work / 'nothing'}\n", command
    assert sorted(p.name for p in work.iterdir()) == ["sub"]


@pytest.mark.usefixtures("isolated_env")
@pytest.mark.parametrize("tool", TOOLS)
def test_root_is_shown_relative_to_the_working_directory(tool: str, tmp_path: Path) -> None:
    root = tmp_path / "c"
    root.mkdir()
    prune = _run(tool, ["cache", "prune", "--cache-dir", str(root)], tmp_path)
    assert prune.stderr == "Pruning cache at: c\nNo unused entries found\n"
    clean = _run(tool, ["cache", "clean", "--cache-dir", str(root)], tmp_path)
    assert clean.stderr == "Clearing cache at: c\nNo cache entries found\n"
    deeper = _run(tool, ["cache", "prune", "--cache-dir", "c"], tmp_path)
    assert deeper.stderr.splitlines()[0] == "Pruning cache at: c"


def _downloads(server: IndexServer) -> list[str]:
    """Files fetched in full (a revalidation that gets a 304 fetches nothing)."""
    return sorted(
        Path(r.path).name for r in server.file_downloads()
        if "if-none-match" not in r.headers and "if-modified-since" not in r.headers
    )


@pytest.mark.usefixtures("isolated_env")
@pytest.mark.parametrize("tool", TOOLS)
def test_ci_prune_keeps_what_was_built_from_source(
    tool: str, tmp_path: Path, index_server: IndexServer, python_exe  # type: ignore[no-untyped-def]
) -> None:
    index = index_server.index
    index.add_wheel("alpha", "1.0", requires=["beta"])
    index.add_wheel("beta", "1.0")
    index.add_sdist("gamma", "1.0")
    python = str(python_exe("3.12"))
    env = {"UV_CACHE_DIR" if tool == "uv" else "FERRY_CACHE_DIR": str(tmp_path / "cache"),
           "UV_INDEX_URL" if tool == "uv" else "FERRY_INDEX_URL": index_server.simple_url}

    def install(venv: str) -> subprocess.CompletedProcess[str]:
        made = _run(tool, ["venv", "-q", "--python", python, venv], tmp_path, env)
        assert made.returncode == 0, made.stderr
        return _run(tool, ["pip", "install", "-v", "--python", venv, "alpha", "gamma"],
                    tmp_path, env)

    first = install("one")
    assert first.returncode == 0, first.stderr
    assert "Building" in first.stderr  # both say so at -v (uv: `Building: gamma==1.0`)
    assert _downloads(index_server) == [
        "alpha-1.0-py3-none-any.whl", "beta-1.0-py3-none-any.whl", "gamma-1.0.tar.gz"]
    pruned = _run(tool, ["cache", "prune", "--ci"], tmp_path, env)
    assert pruned.returncode == 0, pruned.stderr
    assert pruned.stderr.startswith("Pruning cache at: cache\nRemoved ")

    index_server.clear_log()
    second = install("two")
    assert second.returncode == 0, second.stderr
    assert "+ gamma==1.0" in second.stderr
    assert _downloads(index_server) == ["alpha-1.0-py3-none-any.whl", "beta-1.0-py3-none-any.whl"]
    assert "Building" not in second.stderr
