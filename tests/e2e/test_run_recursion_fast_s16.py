"""The recursion guard holds on ``ferry run``'s no-op fast path too.

A repeated ``ferry run`` in a synced project is answered by ``commands/fastpath.py`` (no click,
no lock read) and execs the command itself, so it must hand the command the depth + 1 as the
full path does, and leave the refusal to the full path once the limit is passed. (The depth is
among the variables the record digests, so a script re-running itself through ``ferry run``
meets a new record each round; the second test holds the guard through whichever path runs.)"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.support.index import LocalIndex
from tests.support.runner import Result, ferry_env


@pytest.fixture
def synced(tmp_path: Path, local_index: LocalIndex,
           run: Callable[..., Result]) -> tuple[Path, dict[str, str | None]]:
    local_index.add_wheel("alpha", "1.0")
    project = tmp_path / "proj"
    project.mkdir()
    (project / "pyproject.toml").write_text(
        '[project]\nname = "proj"\nversion = "0.1.0"\nrequires-python = ">=3.8"\n'
        'dependencies = ["alpha"]\n'
    )
    env: dict[str, str | None] = {"FERRY_INDEX_URL": local_index.file_url,
                                  "FERRY_PYTHON": sys.executable}
    result = run("sync", cwd=project, env=env)
    assert result.code == 0, result.output
    return project, env


def _run(project: Path, env: dict[str, str | None], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ferry", "run", *args], cwd=project,
                          env=ferry_env(env), capture_output=True, text=True, timeout=120,
                          check=False)


@pytest.mark.usefixtures("isolated_env")
def test_the_fast_path_passes_the_depth_on(synced: tuple[Path, dict[str, str | None]]) -> None:
    project, env = synced
    show = ["python", "-c", "import os; print(os.environ['FERRY_RUN_RECURSION_DEPTH'])"]
    assert _run(project, env, *show).stdout == "1\n"  # the full path (records the run)
    assert _run(project, env, *show).stdout == "1\n"  # the fast path
    deeper = {**env, "FERRY_RUN_RECURSION_DEPTH": "41"}
    assert _run(project, deeper, *show).stdout == "42\n"
    assert _run(project, {**env, "UV_RUN_RECURSION_DEPTH": "7"}, *show).stdout == "8\n"


@pytest.mark.usefixtures("isolated_env")
def test_a_self_running_script_stops_at_the_limit_on_the_fast_path(
    synced: tuple[Path, dict[str, str | None]]
) -> None:
    project, env = synced
    counter = project / "count"
    loop = project / "loop"
    # Gives up by itself after 20 rounds, so a broken guard fails the test instead of hanging it.
    loop.write_text(
        "#!/bin/sh\n"
        f'n=$(cat "{counter}" 2>/dev/null || echo 0); echo $((n + 1)) > "{counter}"\n'
        '[ "$n" -ge 20 ] && { echo "no guard" >&2; exit 9; }\n'
        f'exec "{sys.executable}" -m ferry run ./loop\n'
    )
    loop.chmod(0o755)
    assert _run(project, env, "python", "-c", "pass").returncode == 0  # recorded: fast path next
    done = _run(project, {**env, "FERRY_RUN_RECURSION_DEPTH": "97"}, "./loop")
    assert done.returncode == 2, done.stderr
    assert "recursively invoked 101 times which exceeds the limit of 100" in done.stderr
    assert counter.read_text() == "4\n"


@pytest.mark.usefixtures("isolated_env")
def test_max_recursion_depth_on_the_command_line_as_uv(
    synced: tuple[Path, dict[str, str | None]]
) -> None:
    """uv's hidden ``--max-recursion-depth``: a lower limit refuses earlier, on the fast
    path's ground too (the option sends the command to the full path)."""
    from tests.e2e.seedkit import uv_executable

    project, env = synced
    assert _run(project, env, "python", "-c", "pass").returncode == 0  # recorded
    args = ("--max-recursion-depth", "3", "python", "-c", "pass")
    done = _run(project, {**env, "FERRY_RUN_RECURSION_DEPTH": "4"}, *args)
    assert done.returncode == 2, done.stderr
    assert "recursively invoked 4 times which exceeds the limit of 3" in done.stderr
    assert _run(project, {**env, "FERRY_RUN_RECURSION_DEPTH": "3"}, *args).returncode == 0
    uv = uv_executable()  # a test dependency: skips where it is absent
    plain = {k: v for k, v in ferry_env({}).items() if not k.startswith("UV_")}
    theirs = subprocess.run(
        [uv, "run", "--no-project", *args], cwd=project, capture_output=True, text=True,
        env={**plain, "UV_RUN_RECURSION_DEPTH": "4", "UV_CACHE_DIR": str(project / "uvc")},
        timeout=120, check=False)
    assert theirs.returncode == 2, theirs.stderr
    assert "recursively invoked 4 times which exceeds the limit of 3" in theirs.stderr
