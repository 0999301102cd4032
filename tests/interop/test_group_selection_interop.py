"""Dependency-group selection flags install what uv 0.13.8 installs from the same lock.

``--no-group G`` (and ``--no-dev``, its ``dev`` spelling) wins over the default groups, ``--group``
and ``--all-groups``; ``--no-dev`` leaves the other default groups in. One lock (ferry's), two
twin environments, each flag set synced ``--frozen`` by uv and by ferry; installed names compared.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from tests.interop.test_uv_lock_interop import UV, uv, uv_env
from tests.support.envs import snapshot_env
from tests.support.index import IndexServer
from tests.support.runner import Runner

T = "2024-01-01T00:00:00Z"
pytestmark = pytest.mark.skipif(UV is None, reason="uv is not installed")

PYPROJECT = """\
[project]
name = "app"
version = "0.1.0"
requires-python = ">=3.8"
dependencies = ["core"]

[dependency-groups]
dev = ["devtool"]
lint = ["linter"]
docs = ["docgen"]

[tool.uv]
package = false
default-groups = ["dev", "lint"]

[[tool.uv.index]]
url = "{url}"
default = true
"""

FLAG_SETS = [
    (),
    ("--no-dev",),
    ("--all-groups", "--no-dev"),
    ("--group", "dev", "--no-group", "dev"),
    ("--no-group", "lint", "--group", "docs"),
    ("--all-groups", "--no-group", "docs", "--no-group", "lint"),
    ("--no-default-groups", "--group", "docs"),
    ("--only-group", "docs"),
]


@pytest.fixture
def project(tmp_path: Path, index_server: IndexServer, run: Runner) -> Path:
    for name in ("core", "devtool", "linter", "docgen"):
        index_server.index.add_wheel(name, "1.0", upload_time=T)
    root = tmp_path / "app"
    root.mkdir()
    (root / "pyproject.toml").write_text(PYPROJECT.format(url=index_server.simple_url))
    result = run("lock", cwd=root)
    assert result.code == 0, result.stderr
    return root


@pytest.mark.parametrize("flags", FLAG_SETS, ids=lambda f: " ".join(f) or "defaults")
def test_group_flags_install_what_uv_installs(
    project: Path, tmp_path: Path, run: Runner, flags: tuple[str, ...]
) -> None:
    twins = {}
    for tool in ("uv", "ferry"):
        twin = tmp_path / tool
        twin.mkdir()
        for name in ("pyproject.toml", "uv.lock"):
            (twin / name).write_bytes((project / name).read_bytes())
        twins[tool] = twin
    done = uv(["sync", "--frozen", "--python", sys.executable, *flags], twins["uv"],
              uv_env(tmp_path, Path(sys.executable)))
    assert done.returncode == 0, done.stderr
    result = run("sync", "--frozen", "-p", sys.executable, *flags, cwd=twins["ferry"])
    assert result.code == 0, result.stderr
    theirs = set(snapshot_env(twins["uv"] / ".venv")["dists"])
    mine = set(snapshot_env(twins["ferry"] / ".venv")["dists"])
    assert mine == theirs


@pytest.mark.parametrize("flags", FLAG_SETS, ids=lambda f: " ".join(f) or "defaults")
def test_group_flags_export_what_uv_exports(
    project: Path, tmp_path: Path, run: Runner, flags: tuple[str, ...]
) -> None:
    args = ["export", "--frozen", "--no-hashes", "--no-header", "--no-annotate", *flags]
    done = uv(args, project, uv_env(tmp_path, Path(sys.executable)))
    assert done.returncode == 0, done.stderr
    result = run(*args, cwd=project)
    assert result.code == 0, result.stderr
    assert result.stdout == done.stdout
