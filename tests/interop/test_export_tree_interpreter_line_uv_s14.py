"""``export``'s and ``tree``'s ``Using CPython X.Y.Z interpreter at: PATH`` line, side by side
with the real uv 0.13.8 (skipped without uv or the pyenv interpreters).

uv's rule is ``lock``'s — the project environment serves silently when it exists and suits the
request, else the interpreter found is named, ``-q`` silences it — applied when the command
needs an interpreter: ``export`` unless ``--frozen``; ``tree`` even under ``--frozen``, unless
it also draws the lock ``--universal``ly. ferry printed it for neither.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from tests.e2e.seedkit import uv_executable
from tests.interop.uv_kit_s14 import uv_run
from tests.support.runner import Runner

PYENV = Path(os.environ.get("PYENV_ROOT", "/root/.pyenv")) / "versions"
PY312 = PYENV / "3.12.1" / "bin" / "python3"
PY311 = PYENV / "3.11.7" / "bin" / "python3"
SAYS_312 = ["Using CPython 3.12.1 interpreter at: " + str(PY312)]
SAYS_311 = ["Using CPython 3.11.7 interpreter at: " + str(PY311)]

pytestmark = pytest.mark.skipif(not (PY312.exists() and PY311.exists()),
                                reason="needs pyenv's CPython 3.11.7 and 3.12.1")


def _lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("Using ")]


def _twins(tmp_path: Path, venv: Path | None) -> tuple[Path, Path]:
    """Two identical projects, each locked by uv (so ``--frozen`` has a lock to read)."""
    roots = []
    for side in ("ours", "theirs"):
        root = tmp_path / side
        root.mkdir()
        (root / "pyproject.toml").write_text(
            '[project]\nname = "demo"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n'
            "dependencies = []\n", encoding="utf-8")
        assert uv_run(root, "lock", "--offline", "-q", "--python", str(PY312)).code == 0
        if venv is not None:
            subprocess.run([str(venv), "-m", "venv", "--without-pip", str(root / ".venv")],
                           check=True)
        roots.append(root)
    return roots[0], roots[1]


CASES: dict[str, tuple[Path | None, list[str], list[str], list[str]]] = {
    # name: (environment's python, arguments, export's lines, tree's lines)
    "no-environment": (None, ["--python", str(PY312)], SAYS_312, SAYS_312),
    "frozen": (None, ["--frozen", "--python", str(PY312)], [], SAYS_312),
    "locked": (None, ["--locked", "--python", str(PY312)], SAYS_312, SAYS_312),
    "quiet": (None, ["-q", "--python", str(PY312)], [], []),
    "environment-serves": (PY312, [], [], []),
    "environment-serves-the-path": (PY312, ["--python", str(PY312)], [], []),
    "environment-serves-frozen": (PY312, ["--frozen"], [], []),
    "environment-is-another-python": (PY312, ["--python", str(PY311)], SAYS_311, SAYS_311),
}


@pytest.mark.parametrize("command", ["export", "tree"])
@pytest.mark.parametrize("case", list(CASES))
def test_the_same_interpreter_line_as_uv(
    run: Runner, tmp_path: Path, case: str, command: str
) -> None:
    uv_executable()
    venv, args, export_lines, tree_lines = CASES[case]
    expected = export_lines if command == "export" else tree_lines
    ours, theirs = _twins(tmp_path, venv)
    mine = run(command, "--offline", *args, cwd=ours)
    done = uv_run(theirs, command, "--offline", *args)
    assert (mine.code, done.code) == (0, 0), mine.stderr + done.stderr
    assert _lines(done.stderr) == expected, done.stderr
    assert _lines(mine.stderr) == expected, mine.stderr
    assert mine.stdout.replace("ferry", "uv") == done.stdout  # the header names the tool
    if expected:  # first, before `Resolved`
        assert mine.stderr.startswith(expected[0]), mine.stderr


@pytest.mark.parametrize("frozen", [False, True])
def test_a_universal_tree(run: Runner, tmp_path: Path, frozen: bool) -> None:
    """``tree --universal`` needs no interpreter to draw a frozen lock: uv says nothing then."""
    uv_executable()
    ours, theirs = _twins(tmp_path, None)
    args = ["--universal", "--python", str(PY312), *(["--frozen"] if frozen else [])]
    mine = run("tree", "--offline", *args, cwd=ours)
    done = uv_run(theirs, "tree", "--offline", *args)
    assert (mine.code, done.code) == (0, 0), mine.stderr + done.stderr
    expected = [] if frozen else SAYS_312
    assert _lines(done.stderr) == _lines(mine.stderr) == expected, mine.stderr + done.stderr
