"""`--locked` with a stale lock: one error line and a `hint:` line, exit 1, in uv's words.

uv 0.13.8 prints
    error: The lockfile at `uv.lock` needs to be updated, but `--locked` was provided.
    hint: To update the lockfile, run `uv lock`.
for `lock`, `sync` and `run` (after the `Resolved` line of the resolution that found the lock
stale, which `run` does not print). ferry used to put the hint's sentence into the error line
and the reason into a `Caused by:` line; the reason now leads the hint, which names `ferry lock`.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.e2e.seedkit import ok, write_project

ERROR = "error: The lockfile at `uv.lock` needs to be updated, but `--locked` was provided.\n"


@pytest.mark.parametrize(
    "command",
    [("lock", "--locked"), ("sync", "--locked"), ("run", "--locked", "python", "-c", "pass")],
)
def test_locked_with_a_stale_lock_is_an_error_and_a_hint(
    run, tmp_path: Path, command: tuple[str, ...]  # type: ignore[no-untyped-def]
) -> None:
    project = write_project(tmp_path / "p", "p", [], version="0.1")
    ok(run("lock", cwd=project))
    before = (project / "uv.lock").read_bytes()
    write_project(project, "p", [], version="0.2")
    result = run(*command, cwd=project)
    assert result.code == 1, result.output
    stderr = result.stderr
    if command[0] == "lock":  # with no environment, uv (and ferry) first name the interpreter
        assert stderr.startswith("Using CPython "), stderr
        stderr = stderr.split("\n", 1)[1]
    if command[0] != "run":  # then the resolution that found the lock stale (not for `run`)
        assert stderr.startswith("Resolved 1 package in "), stderr
        stderr = stderr.split("\n", 1)[1]
    assert stderr == (
        ERROR + "hint: The version of `p` changed (0.1 -> 0.2); to update the lockfile, "
        "run `ferry lock`.\n"
    ), result.stderr
    assert (project / "uv.lock").read_bytes() == before
