"""``ferry lock`` and ``ferry pip compile`` read by the lean parser (no click) do and print
exactly what the full CLI does (FERRY_NO_FAST_PATH=1 forces the full one)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from tests.support.index import IndexServer
from tests.support.runner import Result, Runner

FULL = {"FERRY_NO_FAST_PATH": "1"}


def _same(lean: Result, full: Result) -> None:
    def timeless(text: str) -> str:
        return re.sub(r"in \d+(\.\d+)?m?s", "in T", text)

    assert (lean.code, lean.stdout, timeless(lean.stderr)) == (
        full.code, full.stdout, timeless(full.stderr))


@pytest.fixture
def project(tmp_path: Path, index_server: IndexServer) -> Path:
    index_server.index.add_wheel("alpha", "1.0", requires=["beta; sys_platform == 'win32'"])
    index_server.index.add_wheel("beta", "2.0")
    root = tmp_path / "proj"
    root.mkdir()
    (root / "pyproject.toml").write_text(
        '[project]\nname = "proj"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n'
        'dependencies = ["alpha"]\n\n'
        f'[[tool.uv.index]]\nurl = "{index_server.simple_url}"\ndefault = true\n'
    )
    return root


def test_lock_is_the_same_either_way(project: Path, run: Runner) -> None:
    lock = project / "uv.lock"
    lean = run("lock", cwd=project)
    written = lock.read_bytes()
    lock.unlink()
    full = run("lock", cwd=project, env=FULL)
    _same(lean, full)
    assert lean.code == 0 and "Resolved 3 packages in" in lean.stderr
    assert lock.read_bytes() == written
    _same(run("lock", "--locked", cwd=project), run("lock", "--locked", cwd=project, env=FULL))


def test_errors_are_the_same_either_way(project: Path, run: Runner) -> None:
    (project / "pyproject.toml").write_text("[project\nname = 'x'\n")
    lean, full = run("lock", cwd=project), run("lock", cwd=project, env=FULL)
    _same(lean, full)
    assert lean.code == 1 and "error:" in lean.stderr and "Traceback" not in lean.stderr


def test_compile_is_the_same_either_way(
    tmp_path: Path, run: Runner, index_server: IndexServer
) -> None:
    index_server.index.add_wheel("alpha", "1.0", requires=["beta"])
    index_server.index.add_wheel("beta", "2.0")
    source = tmp_path / "requirements.in"
    source.write_text("alpha\n")
    args = ("pip", "compile", str(source), "--index-url", index_server.simple_url,
            "--generate-hashes", "-q")
    lean, full = run(*args), run(*args, env=FULL)
    _same(lean, full)
    assert "beta==2.0" in lean.stdout and "--hash=sha256:" in lean.stdout
    out = tmp_path / "out.txt"
    _same(run(*args, "-o", str(out)), run(*args, "--output-file", str(out), env=FULL))
