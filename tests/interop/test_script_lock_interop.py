"""PEP 723 script locks (``<script>.lock``): ferry and uv 0.13.8 on the same scripts and index.

For each block: uv and ferry each run ``lock --script`` on a twin of the script; the two locks
must be the same bytes. Then each tool is handed the other's lock: ``lock --script --locked``
must call it up to date (and leave it as it is). Editing a locked script (``add``/``remove
--script``) must give both files the same bytes as uv gives them, and ``export``/``tree
--script`` must print what uv prints.

The index is named in the block (``[[tool.uv.index]]``), so neither tool is given index flags
or variables that would differ between them.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from tests.support.index import IndexServer, LocalIndex
from tests.support.peers import find_uv
from tests.support.runner import Runner

T = "2024-01-01T00:00:00Z"
UV = find_uv()
pytestmark = pytest.mark.skipif(UV is None, reason="uv is not installed")

PY = f"{sys.version_info.major}.{sys.version_info.minor}"

# Each block is completed with the index (`{INDEX}`); `sub` is a local project beside the script.
BLOCKS: dict[str, str] = {
    "basic": """\
# /// script
# requires-python = ">=3.10"
# dependencies = [
#     "lib",
#     "colorama; sys_platform == 'win32'",
# ]
# {INDEX}
# ///
import lib
""",
    "settings": """\
# /// script
# requires-python = ">=3.9, <4"
# dependencies = ["lib>=1,<3", "Extra_Dep[x] ; python_version >= '3.8'", "native"]
#
# [tool.uv]
# exclude-newer = "2025-01-01T00:00:00Z"
# constraint-dependencies = ["dep<2"]
# {INDEX}
# ///
""",
    "forks": """\
# /// script
# requires-python = ">=3.9"
# dependencies = [
#     "lib<2; python_version < '3.10'",
#     "lib>=2; python_version >= '3.10'",
# ]
# {INDEX}
# ///
""",
    "path": """\
# /// script
# requires-python = ">=3.10"
# dependencies = ["localpkg"]
#
# [tool.uv.sources]
# localpkg = { path = "sub", editable = true }
# {INDEX}
# ///
""",
    "empty": """\
# /// script
# requires-python = ">=3.11"
# dependencies = []
# {INDEX}
# ///
""",
}


def _populate(index: LocalIndex) -> None:
    index.add_wheel("lib", "1.0", upload_time=T)
    index.add_wheel("lib", "2.0", requires=["dep; sys_platform == 'win32'", "extra-dep"],
                    upload_time=T)
    index.add_wheel("dep", "1.0", upload_time=T)
    index.add_wheel("dep", "2.0", upload_time=T)
    index.add_wheel("extra-dep", "1.0", upload_time=T)
    index.add_wheel("extra-dep", "1.1", upload_time="2025-06-01T00:00:00Z")
    index.add_wheel("colorama", "0.4", upload_time=T)
    index.add_sdist("colorama", "0.4", upload_time=T)
    for tag in ("cp311-cp311-manylinux_2_17_x86_64", "cp312-cp312-win_amd64", "py2-none-any"):
        index.add_wheel("native", "1.0", tag=tag, upload_time=T)


def _local_project(directory: Path) -> None:
    sub = directory / "sub"
    sub.mkdir()
    (sub / "pyproject.toml").write_text(
        '[project]\nname = "localpkg"\nversion = "0.3"\ndependencies = ["dep<2"]\n\n'
        '[build-system]\nrequires = []\nbuild-backend = "be"\nbackend-path = ["."]\n',
        encoding="utf-8",
    )
    (sub / "be.py").write_text("", encoding="utf-8")


def _index_lines(url: str) -> str:
    return f'\n# [[tool.uv.index]]\n# url = "{url}"\n# default = true'


class Twins:
    """The same script in a directory for uv and one for ferry."""

    def __init__(self, tmp_path: Path, run: Runner, url: str, block: str) -> None:
        self.run = run
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith(("UV_", "PIP_", "FERRY_", "VIRTUAL_ENV"))}
        self.env.update(UV_CACHE_DIR=str(tmp_path / "uv-cache"), UV_PYTHON=sys.executable,
                        UV_PYTHON_DOWNLOADS="never", UV_NO_PROGRESS="1",
                        XDG_CONFIG_HOME=str(tmp_path / "uv-config"))
        self.uv_dir, self.ferry_dir = tmp_path / "uv", tmp_path / "ferry"
        text = block.replace("# {INDEX}", _index_lines(url).lstrip("\n"))
        for directory in (self.uv_dir, self.ferry_dir):
            directory.mkdir()
            _local_project(directory)
            (directory / "s.py").write_text(text, encoding="utf-8")

    def uv(self, *args: str) -> subprocess.CompletedProcess[str]:
        done = subprocess.run([str(UV), *args], cwd=self.uv_dir, env=self.env,
                              capture_output=True, text=True, timeout=300, check=False)
        assert done.returncode == 0, done.stderr
        return done

    def ferry(self, *args: str) -> str:
        result = self.run(*args, cwd=self.ferry_dir)
        assert result.code == 0, result.stderr
        return result.stdout

    def both(self, *args: str) -> None:
        self.uv(*args)
        self.ferry(*args)

    def same(self, name: str) -> None:
        theirs = (self.uv_dir / name).read_text(encoding="utf-8")
        mine = (self.ferry_dir / name).read_text(encoding="utf-8")
        assert mine == theirs, f"{name} differs:\n--- uv\n{theirs}\n--- ferry\n{mine}"


@pytest.fixture
def server(local_index: LocalIndex) -> IndexServer:
    _populate(local_index)
    with IndexServer(local_index) as running:
        yield running  # type: ignore[misc]


@pytest.mark.parametrize("name", sorted(BLOCKS))
def test_script_locks_are_uv_s_bytes_and_each_accepts_the_other_s(
    name: str, tmp_path: Path, run: Runner, server: IndexServer
) -> None:
    twins = Twins(tmp_path, run, server.simple_url, BLOCKS[name])
    twins.both("lock", "--script", "s.py")
    twins.same("s.py.lock")
    twins.same("s.py")

    # uv takes ferry's lock as up to date, and ferry takes uv's, neither rewriting it.
    mine = (twins.ferry_dir / "s.py.lock").read_bytes()
    twins.uv_dir, twins.ferry_dir = twins.ferry_dir, twins.uv_dir
    twins.uv("lock", "--script", "s.py", "--locked")
    server.clear_log()
    twins.ferry("lock", "--script", "s.py", "--locked")
    assert server.requests == []  # fresh: no resolution, no network
    assert (twins.uv_dir / "s.py.lock").read_bytes() == mine


def test_add_and_remove_update_a_script_lock_as_uv_does(
    tmp_path: Path, run: Runner, server: IndexServer
) -> None:
    twins = Twins(tmp_path, run, server.simple_url, BLOCKS["basic"])
    twins.both("lock", "--script", "s.py")
    twins.both("add", "--script", "s.py", "dep", "native")
    twins.same("s.py")
    twins.same("s.py.lock")
    twins.both("remove", "--script", "s.py", "lib")
    twins.same("s.py")
    twins.same("s.py.lock")


def test_export_and_tree_of_a_script_print_what_uv_prints(
    tmp_path: Path, run: Runner, server: IndexServer
) -> None:
    twins = Twins(tmp_path, run, server.simple_url, BLOCKS["settings"])
    twins.both("lock", "--script", "s.py")
    for args in (["export"], ["tree"], ["tree", "--universal"], ["tree", "--invert"]):
        theirs = twins.uv(*args, "--script", "s.py", "--frozen").stdout
        mine = twins.ferry(*args, "--script", "s.py", "--frozen")
        assert re.sub(r"\buv\b", "ferry", theirs) == mine, args
