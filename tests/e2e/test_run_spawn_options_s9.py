"""``ferry run``'s own options and how it starts the command (s9 review R2, R3, R6, R8, R11).

R2: a command that cannot be started (not executable, a directory) is uv's ``Failed to spawn``
error with the reason, exit code 2, on the full path and on the fast path — no traceback.
R3: ``-m MODULE``; an unknown option before the command is a usage error before anything is
created. R6: ``--isolated`` does not leak ``FERRY_PROJECT_ENVIRONMENT`` into the command and
removes its temporary environment afterwards. R8: ``--directory`` to a missing directory is
an error. R11: no command is a usage error (exit code 2)."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.e2e.seedkit import ok, write_project
from tests.support.index import IndexServer
from tests.support.runner import Runner


@pytest.fixture
def project(tmp_path: Path, index_server: IndexServer) -> Path:
    index_server.index.add_wheel("six", "1.0")
    return write_project(tmp_path / "app", "app", ["six"], requires_python=">=3.8")


def _run(run: Runner, project: Path, server: IndexServer, *args: str, **kwargs: object):  # type: ignore[no-untyped-def]
    return run("run", "--index-url", server.simple_url, *args, cwd=project, **kwargs)


@pytest.mark.parametrize("target", ["./noexec.sh", "/"])
def test_a_command_that_cannot_start_is_an_error_on_both_paths(
    run: Runner, project: Path, index_server: IndexServer, target: str
) -> None:
    script = project / "noexec.sh"
    script.write_text("#!/bin/sh\necho hi\n", encoding="utf-8")
    script.chmod(0o644)
    for _ in range(2):  # the first run takes the full path, the second may replay
        result = _run(run, project, index_server, target)
        assert result.code == 2, result.output
        assert f"error: Failed to spawn: `{target}`" in result.stderr
        assert "Permission denied" in result.stderr
        assert "Traceback" not in result.stderr


def test_module(run: Runner, project: Path, index_server: IndexServer) -> None:
    for _ in range(2):
        result = ok(_run(run, project, index_server, "-m", "json.tool", input='{"a":1}'))
        assert '"a": 1' in result.stdout


def test_an_unknown_option_is_a_usage_error_before_anything_is_done(
    run: Runner, project: Path, index_server: IndexServer
) -> None:
    result = _run(run, project, index_server, "--froze", "python", "-c", "pass")
    assert result.code == 2, result.output
    assert "--froze" in result.stderr
    assert not (project / ".venv").exists()
    assert not (project / "uv.lock").exists()
    # after the command, options are the command's
    passed = ok(_run(run, project, index_server, "python", "-c",
                     "import sys; print(sys.argv[1:])", "--froze", "-x"))
    assert passed.stdout.strip() == "['--froze', '-x']"


def test_isolated_does_not_leak_its_environment_and_removes_it(
    run: Runner, project: Path, index_server: IndexServer, tmp_cache: Path
) -> None:
    code = ("import os, sys; print(os.environ.get('FERRY_PROJECT_ENVIRONMENT')); "
            "print(sys.prefix); sys.exit(5)")
    result = _run(run, project, index_server, "--isolated", "python", "-c", code)
    assert result.code == 5, result.output
    leaked, prefix = result.stdout.split()
    assert leaked == "None"
    assert Path(prefix) != project / ".venv"
    assert not Path(prefix).exists()
    assert not list((tmp_cache / ".tmp").glob("isolated-*"))


def test_a_missing_directory_is_an_error(run: Runner, tmp_path: Path) -> None:
    result = run("--directory", str(tmp_path / "missing"), "run", "python", "-c", "pass")
    assert result.code == 2, result.output
    assert "error: Cannot change to the directory" in result.stderr
    assert "Traceback" not in result.stderr


def test_no_command_is_a_usage_error(
    run: Runner, project: Path, index_server: IndexServer
) -> None:
    result = _run(run, project, index_server)
    assert result.code == 2, result.output
    assert "error: Provide a command or script to invoke" in result.stderr
