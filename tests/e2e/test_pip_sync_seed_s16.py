"""Which seed packages ``pip sync`` keeps, side by side with uv 0.13.8 on identical environments:
pip and uv (plus setuptools and wheel before 3.12) in an environment uv did not make or made with
``--seed``; nothing in one uv made without ``--seed``."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from tests.e2e.tool_pair_s16 import run_tool as _run
from tests.support.server import IndexServer

SEEDS_AND_MORE = ["pip", "setuptools", "wheel", "uv", "six"]


def _make(kind: str, path: Path, python: str, url: str) -> None:
    """An environment made by ``kind`` holding pip, setuptools, wheel, uv and six."""
    if kind == "stdlib":
        made = subprocess.run([python, "-m", "venv", "--without-pip", str(path)],
                              capture_output=True, text=True, check=False)
    else:
        tool, *flags = kind.split()
        made = _run(tool, ["venv", "-q", *flags, "--python", python, str(path)], path.parent, url)
    assert made.returncode == 0, made.stderr
    filled = _run("uv", ["pip", "install", "-q", "--python", str(path), *SEEDS_AND_MORE],
                  path.parent, url)
    assert filled.returncode == 0, filled.stderr


def _changes(stderr: str) -> list[str]:
    return [line.strip() for line in stderr.splitlines() if line.startswith((" +", " -"))]


@pytest.mark.usefixtures("isolated_env")
@pytest.mark.parametrize(
    ("kind", "version"),
    [
        ("uv --seed", "3.12"),
        ("uv --seed", "3.11"),
        ("uv", "3.12"),
        ("uv", "3.11"),
        ("stdlib", "3.12"),
        ("stdlib", "3.11"),
        ("ferry", "3.11"),  # no `uv` key: kept as in any environment uv did not make
        ("ferry --seed", "3.12"),
    ],
)
def test_kept_seed_packages_match_uv(kind: str, version: str, tmp_path: Path,
                                     index_server: IndexServer, python_exe) -> None:  # type: ignore[no-untyped-def]
    python = str(python_exe(version))
    for name in SEEDS_AND_MORE:
        index_server.index.add_wheel(name, "1.0")
    index_server.index.add_wheel("rich", "1.0")
    url = index_server.simple_url
    (tmp_path / "r.txt").write_text("rich\n", encoding="utf-8")
    changes = {}
    for tool in ("uv", "ferry"):
        _make(kind, tmp_path / tool, python, url)
        for dry_run in (["--dry-run"], []):
            done = _run(tool, ["pip", "sync", *dry_run, "--python", tool, "r.txt"], tmp_path, url)
            assert done.returncode == 0, done.stderr
            changes[tool, bool(dry_run)] = _changes(done.stderr)
    assert changes["ferry", True] == changes["uv", True]
    assert changes["ferry", False] == changes["uv", False]
    assert "- six==1.0" in changes["ferry", False]
