"""``ferry run``'s recursion guard, side by side with uv 0.13.8's.

uv counts nested ``uv run`` invocations in ``UV_RUN_RECURSION_DEPTH`` (set, incremented, in the
command's environment) and refuses to run beyond ``--max-recursion-depth`` (hidden, default 100)
with exit code 2: what stops a script whose shebang is ``uv run`` without ``--script`` from
re-invoking itself for ever. ferry counts in ``FERRY_RUN_RECURSION_DEPTH`` and, when that is
unset, continues uv's ``UV_RUN_RECURSION_DEPTH`` (as it honours ``UV_PROJECT_ENVIRONMENT``).
ferry's command layer takes a lower limit; its CLI does not offer the flag yet."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from tests.e2e.seedkit import uv_executable
from tests.support.runner import ferry_env

SHOW = "import os; print(os.environ.get('FERRY_RUN_RECURSION_DEPTH'))"


def _loop(path: Path, tool: list[str]) -> Path:
    """A script that runs itself again through ``tool run``, as a shebang
    ``#!/usr/bin/env -S ferry run`` without ``--script`` does."""
    command = " ".join(shlex.quote(part) for part in tool)
    path.write_text(f'#!/bin/sh\nexec {command} run --no-project "$0"\n', encoding="utf-8")
    path.chmod(0o755)
    return path


def _ferry(
    args: list[str], cwd: Path, env: dict[str, str | None]
) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ferry", *args], cwd=cwd, env=ferry_env(env),
                          capture_output=True, text=True, check=False, timeout=120)


def _uv(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    merged = {k: v for k, v in os.environ.items() if not k.startswith(("UV_", "VIRTUAL_ENV"))}
    merged.update(env)
    merged.update(UV_CACHE_DIR=str(cwd / "uv-cache"), UV_PYTHON_DOWNLOADS="never")
    return subprocess.run([uv_executable(), *args], cwd=cwd, env=merged, capture_output=True,
                          text=True, check=False, timeout=120)


@pytest.mark.usefixtures("isolated_env")
def test_a_self_invoking_script_stops_at_the_limit(tmp_path: Path, python_exe) -> None:  # type: ignore[no-untyped-def]
    python = str(python_exe("3.12"))
    # Started at depth 97 (as if 97 runs enclosed it), so the default limit of 100 is reached
    # after four runs rather than a hundred.
    ferry_loop = _loop(tmp_path / "ferry-loop", [sys.executable, "-m", "ferry"])
    done = _ferry(["run", "--no-project", str(ferry_loop)], tmp_path,
                  {"FERRY_PYTHON": python, "FERRY_RUN_RECURSION_DEPTH": "97"})
    assert done.returncode == 2, done.stderr
    assert ("error: `ferry run` was recursively invoked 101 times which exceeds the limit of 100"
            in done.stderr)
    assert "in the shebang, you may need to include the `--script` flag" in done.stderr

    uv_loop = _loop(tmp_path / "uv-loop", [uv_executable()])
    uv_done = _uv(["run", "--no-project", str(uv_loop)], tmp_path,
                  {"UV_PYTHON": python, "UV_RUN_RECURSION_DEPTH": "97"})
    assert uv_done.returncode == done.returncode
    assert uv_done.stderr.splitlines()[0].replace("uv run", "ferry run") == (
        done.stderr.splitlines()[0])


@pytest.mark.usefixtures("isolated_env")
def test_the_command_sees_the_depth_incremented(tmp_path: Path, python_exe) -> None:  # type: ignore[no-untyped-def]
    python = str(python_exe("3.12"))
    cases: list[tuple[dict[str, str | None], str]] = [
        ({}, "1"),
        ({"FERRY_RUN_RECURSION_DEPTH": "4"}, "5"),
        ({"FERRY_RUN_RECURSION_DEPTH": ""}, "1"),  # empty is unset, as in uv
        ({"FERRY_RUN_RECURSION_DEPTH": "+3"}, "4"),  # as Rust's u32 parser takes it
        ({"UV_RUN_RECURSION_DEPTH": "7"}, "8"),  # uv's count continued
        ({"UV_RUN_RECURSION_DEPTH": "7", "FERRY_RUN_RECURSION_DEPTH": "2"}, "3"),
        ({"FERRY_RUN_RECURSION_DEPTH": "100"}, "101"),  # at the limit: still runs
    ]
    for env, expected in cases:
        done = _ferry(["run", "--no-project", "python", "-c", SHOW], tmp_path,
                      {"FERRY_PYTHON": python, **env})
        assert done.returncode == 0, (env, done.stderr)
        assert done.stdout.strip() == expected, env
    uv_done = _uv(["run", "--no-project", "python", "-c",
                   "import os; print(os.environ['UV_RUN_RECURSION_DEPTH'])"],
                  tmp_path, {"UV_PYTHON": python, "UV_RUN_RECURSION_DEPTH": "+3"})
    assert uv_done.stdout.strip() == "4", uv_done.stderr


@pytest.mark.usefixtures("isolated_env")
def test_refusals_match_uv(tmp_path: Path, python_exe) -> None:  # type: ignore[no-untyped-def]
    python = str(python_exe("3.12"))
    for value, reason in (("abc", "invalid digit found in string"),
                          ("-1", "invalid digit found in string"),
                          (" 3", "invalid digit found in string"),
                          ("99999999999999999999", "number too large to fit in target type")):
        done = _ferry(["run", "--no-project", "python", "-c", "1"], tmp_path,
                      {"FERRY_PYTHON": python, "FERRY_RUN_RECURSION_DEPTH": value})
        uv_done = _uv(["run", "--no-project", "python", "-c", "1"], tmp_path,
                      {"UV_PYTHON": python, "UV_RUN_RECURSION_DEPTH": value})
        expected = f"with invalid value `{value}`: {reason}"
        assert (done.returncode, uv_done.returncode) == (2, 2), value
        assert (f"error: Failed to parse environment variable `FERRY_RUN_RECURSION_DEPTH` "
                f"{expected}") in done.stderr
        assert (f"error: Failed to parse environment variable `UV_RUN_RECURSION_DEPTH` "
                f"{expected}") in uv_done.stderr
    # the default limit is 100, and the check comes before a missing --env-file is read
    done = _ferry(["run", "--no-project", "--env-file", "missing.env", "python", "-c", "1"],
                  tmp_path, {"FERRY_PYTHON": python, "UV_RUN_RECURSION_DEPTH": "101"})
    uv_done = _uv(["run", "--no-project", "--env-file", "missing.env", "python", "-c", "1"],
                  tmp_path, {"UV_PYTHON": python, "UV_RUN_RECURSION_DEPTH": "101"})
    assert (done.returncode, uv_done.returncode) == (2, 2)
    assert "invoked 101 times which exceeds the limit of 100" in done.stderr
    assert "invoked 101 times which exceeds the limit of 100" in uv_done.stderr


@pytest.mark.usefixtures("isolated_env")
def test_a_lower_limit_refuses_earlier(monkeypatch: pytest.MonkeyPatch) -> None:
    """``RunRequest.max_recursion_depth`` (uv's ``--max-recursion-depth``) is checked before
    anything else: no project, interpreter or cache is looked at."""
    from ferry.commands.run import RunRequest, plan_run
    from ferry.model.errors import UsageError
    from ferry.model.settings import GlobalOptions

    monkeypatch.setenv("FERRY_RUN_RECURSION_DEPTH", "4")
    with pytest.raises(UsageError) as raised:
        plan_run(RunRequest(command=("python",), max_recursion_depth=3), GlobalOptions())
    assert raised.value.message == (
        "`ferry run` was recursively invoked 4 times which exceeds the limit of 3")
    assert raised.value.exit_code == 2
