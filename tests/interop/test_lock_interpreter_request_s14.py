"""More of ``lock``'s interpreter line against the real uv (skipped without uv or pyenv's
3.11.7 and 3.12.1): an environment holding packages that another requested Python would have
to replace still has the found interpreter named (ferry said nothing: its dry-run `sync` refused
the recreation), and a request by variable naming the environment's own interpreter is served
silently (the quick path, without the environment's machinery)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from tests.e2e.seedkit import uv_executable
from tests.interop.test_lock_interpreter_line_uv_s14 import LINE, PY311, PY312, _lines, _uv
from tests.support.runner import Runner

pytestmark = pytest.mark.skipif(not (PY312.exists() and PY311.exists()),
                                reason="needs pyenv's CPython 3.11.7 and 3.12.1")


def _project(root: Path, venv_python: Path, *, with_package: bool) -> Path:
    root.mkdir()
    (root / "pyproject.toml").write_text(
        '[project]\nname = "demo"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n'
        "dependencies = []\n", encoding="utf-8")
    subprocess.run([str(venv_python), "-m", "venv", "--without-pip", str(root / ".venv")],
                   check=True)
    if with_package:
        [site] = (root / ".venv").glob("lib/python3.*/site-packages")
        info = site / "extra-1.0.dist-info"
        info.mkdir()
        (info / "METADATA").write_text("Metadata-Version: 2.1\nName: extra\nVersion: 1.0\n")
        (info / "RECORD").write_text("extra-1.0.dist-info/METADATA,,\n"
                                     "extra-1.0.dist-info/RECORD,,\n")
    return root


def _both(run: Runner, tmp_path: Path, *, with_package: bool, ours: list[str],
          ours_env: dict[str, str] | None, theirs: list[str]) -> tuple[list[str], list[str]]:
    """(ferry's, uv's) interpreter lines for ``lock`` of twin projects on a 3.12 environment."""
    uv_executable()
    mine_root = _project(tmp_path / "ours", PY312, with_package=with_package)
    their_root = _project(tmp_path / "theirs", PY312, with_package=with_package)
    mine = run("lock", "--offline", *ours, cwd=mine_root, env=ours_env)
    done = _uv(their_root, "lock", "--offline", *theirs)
    assert (mine.code, done.code) == (0, 0), mine.stderr + done.stderr
    return _lines(mine.stderr), _lines(done.stderr)


def test_an_environment_another_python_would_replace_still_names_it(
    run: Runner, tmp_path: Path
) -> None:
    request = ["--python", str(PY311)]
    mine, theirs = _both(run, tmp_path, with_package=True, ours=request, ours_env=None,
                         theirs=request)
    assert mine == theirs == [LINE.format("3.11.7", PY311)]


def test_the_environments_own_interpreter_by_variable_is_served_silently(
    run: Runner, tmp_path: Path
) -> None:
    # uv's own variable is cleared by _uv: the same request goes on its command line
    mine, theirs = _both(run, tmp_path, with_package=False, ours=[],
                         ours_env={"FERRY_PYTHON": str(PY312)}, theirs=["--python", str(PY312)])
    assert mine == theirs == []
