"""``lock``'s ``Using CPython X.Y.Z interpreter at: PATH`` line, side by side with the real uv
0.13.8 (skipped without uv or the pyenv interpreters).

uv's rule: a lock that is not ``--frozen`` finds an interpreter; the project environment's,
silently, when it exists and suits the request and ``requires-python``, else one it looks up
and names — whether or not the lock then resolves. ``-q`` silences it; ``lock --script`` never
says it. ferry printed it for ``sync``/``run`` only.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from tests.e2e.seedkit import uv_executable
from tests.interop.uv_kit_s14 import uv_run
from tests.support.runner import Result, Runner

PYENV = Path(os.environ.get("PYENV_ROOT", "/root/.pyenv")) / "versions"
PY312 = PYENV / "3.12.1" / "bin" / "python3"
PY311 = PYENV / "3.11.7" / "bin" / "python3"
LINE = "Using CPython {} interpreter at: {}"

pytestmark = pytest.mark.skipif(not (PY312.exists() and PY311.exists()),
                                reason="needs pyenv's CPython 3.11.7 and 3.12.1")


def _uv(root: Path, *args: str) -> Result:
    return uv_run(root, *args)


def _lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("Using ")]


def _twins(tmp_path: Path, venv: Path | None = None, version_file: str | None = None,
           lock: bool = False) -> tuple[Path, Path]:
    roots = []
    for side in ("ours", "theirs"):
        root = tmp_path / side
        root.mkdir()
        (root / "pyproject.toml").write_text(
            '[project]\nname = "demo"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n'
            "dependencies = []\n", encoding="utf-8")
        if venv is not None:
            subprocess.run([str(venv), "-m", "venv", "--without-pip", str(root / ".venv")],
                           check=True)
        if version_file is not None:
            (root / ".python-version").write_text(version_file + "\n")
        roots.append(root)
    if lock:
        for root in roots:
            assert _uv(root, "lock", "--offline", "-q", "--python", str(PY312)).code == 0
    return roots[0], roots[1]


CASES: dict[str, tuple[dict[str, object], list[str], list[str]]] = {
    # name: (project set-up, lock arguments, the lines both print)
    "python-path-no-environment": ({}, ["--python", str(PY312)],
                                   [LINE.format("3.12.1", PY312)]),
    "environment-serves": ({"venv": PY312}, [], []),
    "environment-serves-the-path": ({"venv": PY312}, ["--python", str(PY312)], []),
    "environment-is-another-python": ({"venv": PY312}, ["--python", str(PY311)],
                                      [LINE.format("3.11.7", PY311)]),
    "fresh-lock-still-says-it": ({"lock": True}, ["--python", str(PY312)],
                                 [LINE.format("3.12.1", PY312)]),
    "check-says-it-too": ({"lock": True}, ["--check", "--python", str(PY312)],
                          [LINE.format("3.12.1", PY312)]),
    "quiet": ({}, ["-q", "--python", str(PY312)], []),
    "frozen": ({"lock": True}, ["--frozen", "--python", str(PY312)], []),
}


@pytest.mark.parametrize("case", list(CASES))
def test_the_same_interpreter_line_as_uv(run: Runner, tmp_path: Path, case: str) -> None:
    uv_executable()
    setup, args, expected = CASES[case]
    ours, theirs = _twins(tmp_path, **setup)  # type: ignore[arg-type]
    mine = run("lock", "--offline", *args, cwd=ours)
    done = _uv(theirs, "lock", "--offline", *args)
    assert (mine.code, done.code) == (0, 0), mine.stderr + done.stderr
    assert _lines(done.stderr) == expected, done.stderr
    assert _lines(mine.stderr) == expected, mine.stderr
    if expected:  # first, before `Resolved`
        assert mine.stderr.startswith(expected[0]), mine.stderr


def test_a_version_file_is_a_request(run: Runner, tmp_path: Path) -> None:
    """``.python-version`` asks for 3.12 while the environment runs 3.11: both look one up
    (which 3.12 executable is found depends on the search path, so only the version is
    compared)."""
    uv_executable()
    ours, theirs = _twins(tmp_path, venv=PY311, version_file="3.12")
    mine = run("lock", "--offline", cwd=ours)
    done = _uv(theirs, "lock", "--offline")
    assert (mine.code, done.code) == (0, 0), mine.stderr + done.stderr
    for result in (mine, done):
        [line] = _lines(result.stderr)
        assert line.startswith("Using CPython 3.12."), result.stderr


def test_a_script_lock_names_no_interpreter(run: Runner, tmp_path: Path) -> None:
    uv_executable()
    block = '# /// script\n# requires-python = ">=3.11"\n# dependencies = []\n# ///\n'
    for side in ("ours", "theirs"):
        (tmp_path / side).mkdir()
        (tmp_path / side / "s.py").write_text(block, encoding="utf-8")
    mine = run("lock", "--script", "s.py", "--offline", "--python", str(PY312),
               cwd=tmp_path / "ours")
    done = _uv(tmp_path / "theirs", "lock", "--script", "s.py", "--offline",
               "--python", str(PY312))
    assert (mine.code, done.code) == (0, 0), mine.stderr + done.stderr
    assert _lines(mine.stderr) == _lines(done.stderr) == []
