"""``ferry venv --seed`` prints what ``uv venv --seed`` prints: the ``… with seed packages``
header and only the `` + name==version`` lines, on the lean path and through click alike."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from tests.parity5.parity5_kit import run_uv
from tests.support.index import IndexServer
from tests.support.runner import Runner, filter_output

# ``--color never`` is not read by the lean parser: the command line goes to click.
PATHS = {"lean": (), "click": ("--color", "never")}


@pytest.fixture
def server(index_server: IndexServer) -> IndexServer:
    for name, version in (("pip", "24.0"), ("setuptools", "69.0"), ("wheel", "0.43.0")):
        index_server.index.add_wheel(name, version)
    return index_server


@pytest.mark.parametrize("path", sorted(PATHS))
@pytest.mark.parametrize(("version", "seeds"), [
    ("3.11", " + pip==24.0\n + setuptools==69.0\n + wheel==0.43.0\n"),
    ("3.12", " + pip==24.0\n"),
])
def test_seed_output_is_uvs(
    run: Runner, tmp_path: Path, server: IndexServer, python_exe: Callable[[str], Path],
    path: str, version: str, seeds: str,
) -> None:
    python = python_exe(version)
    common = ["--seed", "-p", str(python), "--index-url", server.simple_url]
    ours = run("venv", *PATHS[path], *common, "ours")
    assert ours.code == 0, ours.stderr
    assert ours.stdout == ""
    first, _, rest = filter_output(ours.stderr).partition("\n")
    assert first.startswith(f"Using CPython {version}.")
    assert rest == (f"Creating virtual environment with seed packages at: ours\n{seeds}"
                    "Activate with: source ours/bin/activate\n")
    theirs = run_uv(["venv", *common, "theirs"], tmp_path, tmp_path)
    assert theirs.code == 0, theirs.stderr
    assert ours.stderr.replace("ours", "X") == theirs.stderr.replace("theirs", "X")
    quiet = run("venv", *PATHS[path], *common, "--clear", "-q", "ours")
    assert (quiet.code, quiet.stderr) == (0, "")


def test_without_seed_the_header_is_unchanged(run: Runner, tmp_path: Path) -> None:
    result = run("venv", "plain")
    assert result.code == 0, result.stderr
    assert "Creating virtual environment at: plain\n" in result.stderr
