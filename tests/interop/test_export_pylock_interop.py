"""``export --format pylock.toml`` (PEP 751): ferry writes what uv 0.13.8 writes from one lock.

Both tools lock a twin of the same project against the same loopback index (the locks must be
the same bytes), then export pylock.toml from their own lock; the exports must be the same bytes
but for the tool's name in the header and ``created-by``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from tests.support.index import IndexServer, LocalIndex
from tests.support.peers import find_uv

T = "2024-01-01T00:00:00Z"
UV = find_uv()
pytestmark = pytest.mark.skipif(UV is None, reason="uv is not installed")
FERRY = [sys.executable, "-m", "ferry"]

PYPROJECT = """\
[project]
name = "app"
version = "0.1.0"
requires-python = ">=3.9"
dependencies = ["lib<2; python_version < '3.10'", "lib>=2; python_version >= '3.10'", "extra"]

[[tool.uv.index]]
url = "{url}"
default = true
"""


@pytest.fixture
def server(local_index: LocalIndex) -> IndexServer:
    local_index.add_wheel("lib", "1.0", upload_time=T)
    local_index.add_wheel("lib", "2.0", requires=["dep; sys_platform == 'win32'"], upload_time=T)
    local_index.add_wheel("dep", "1.0", upload_time=T)
    local_index.add_wheel("extra", "3.0", upload_time=T)
    with IndexServer(local_index) as running:
        yield running  # type: ignore[misc]


def _neutral(text: str, tool: str) -> str:
    return text.replace(f"by {tool} via", "by TOOL via").replace(
        f"#    {tool} export", "#    TOOL export").replace(
        f'created-by = "{tool}"', 'created-by = "TOOL"')


def test_pylock_export_is_uv_s(tmp_path: Path, server: IndexServer) -> None:
    assert server.simple_url.endswith("/")  # the case uv keeps and ferry once trimmed
    env = {k: v for k, v in os.environ.items() if not k.startswith(("UV_", "PIP_", "FERRY_"))}
    env.update(UV_CACHE_DIR=str(tmp_path / "uv-cache"), FERRY_CACHE_DIR=str(tmp_path / "cache"),
               UV_PYTHON=sys.executable, UV_PYTHON_DOWNLOADS="never", UV_NO_PROGRESS="1",
               XDG_CONFIG_HOME=str(tmp_path / "config"))
    exports = {}
    locks = {}
    for tool, argv in (("uv", [str(UV)]), ("ferry", FERRY)):
        project = tmp_path / tool
        project.mkdir()
        (project / "pyproject.toml").write_text(PYPROJECT.format(url=server.simple_url))
        for args in (["lock"], ["export", "--frozen", "--format", "pylock.toml",
                                "-o", "pylock.toml"]):
            done = subprocess.run([*argv, *args], cwd=project, env=env, capture_output=True,
                                  text=True, timeout=300, check=False)
            assert done.returncode == 0, done.stderr
        locks[tool] = (project / "uv.lock").read_text()
        exports[tool] = _neutral((project / "pylock.toml").read_text(), tool)
    assert locks["ferry"] == locks["uv"]
    assert f'index = "{server.simple_url}"' in exports["uv"]
    assert exports["ferry"] == exports["uv"]
