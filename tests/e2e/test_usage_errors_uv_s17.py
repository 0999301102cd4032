"""ferry's command-line errors against the real uv 0.13.8, side by side: the same text (``uv``
renamed ``ferry``) and exit code 2, for a representative set across commands, and uv's words for
a missing ``-r`` file of ``pip uninstall`` and a missing file included by a requirements file.

Both run in an empty directory without ``UV_*``/``FERRY_*`` variables (clap's usage line lists
the arguments that came from the environment too). Skipped without uv."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from tests.support.runner import Runner

UV = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
pytestmark = pytest.mark.skipif(UV is None, reason="needs uv")

SAME = [
    "sync --bogus", "lock --bogus", "run --bogus", "venv --bogus", "cache clean --bogus",
    "--bogus", "bogus", "pip bogus", "add", "remove", "pip compile", "pip uninstall",
    "sync --python", "sync --link-mode x", "pip install --link-mode", "lock --resolution lowes",
    "sync --frozen --no-dev --bogus", "remove --frozen -p 3 --no-sync", "venv --seed here --bogus",
    "pip compile --universal --bogus", "pip compile --universa", "sync --frozen=x",
    "venv a b", "snyc", "cache prun", "lock --check -U", "sync --frozen --locked",
    "add --script s.py --dev x", "sync -q -v", "-q -v sync", "init --vcs x", "tree -d x",
]


def _uv(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    assert UV is not None
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("UV_", "FERRY_")) and k != "VIRTUAL_ENV"}
    env["HOME"] = str(cwd)
    return subprocess.run([UV, *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=60, check=False)


def _as_ferry(text: str) -> str:
    return text.replace("Usage: uv", "Usage: ferry").replace("'uv ", "'ferry ")


@pytest.mark.parametrize("line", SAME)
def test_the_same_error_as_uv(line: str, run: Runner, tmp_path: Path) -> None:
    args = line.split()
    theirs = _uv(args, tmp_path)
    mine = run(*args, cwd=tmp_path, env={"VIRTUAL_ENV": None})
    assert theirs.returncode == 2, theirs.stderr
    assert (mine.code, mine.stderr) == (2, _as_ferry(theirs.stderr))


def _requirements(root: Path) -> None:
    (root / "sub").mkdir()
    (root / "outer.txt").write_text("flask\n# note\n  -r nested-missing.txt\n", encoding="utf-8")
    (root / "deep.txt").write_text("-r outer.txt\n", encoding="utf-8")
    (root / "sub" / "o.txt").write_text("-c ../gone.txt\n", encoding="utf-8")


@pytest.mark.parametrize("line", [
    "pip uninstall -r missing.txt", "pip uninstall -r outer.txt", "pip install -r deep.txt",
    "pip uninstall -r sub/o.txt", "pip compile outer.txt",
])
def test_missing_requirements_files_as_uv(line: str, run: Runner, tmp_path: Path,
                                          bare_venv: Path) -> None:
    """uv: ``File not found: P`` for a file named on the command line, ``Error parsing included
    file in `F` at position N`` with a ``cause:`` per level for one a file includes; exit 2."""
    _requirements(tmp_path)
    args = line.split()
    theirs = _uv(["--no-cache", *args[:2], "--python", str(bare_venv), *args[2:]]
                 if args[1] != "compile" else args, tmp_path)
    python = ["--python", str(bare_venv)] if args[1] != "compile" else []
    mine = run(*args[:2], *python, *args[2:], cwd=tmp_path)
    assert theirs.returncode == 2, theirs.stderr
    assert (mine.code, mine.stderr) == (2, theirs.stderr)
