"""The workspace root's dependency groups under ``sync --package``, as uv 0.13.8 selects them
(s9 review W1; the expected sets are what ``uv sync --frozen`` installs on the same lock, and
the uv comparison runs when uv is installed).

- one member ``X``: ``--group G`` / ``--only-group G`` / ``--all-groups`` take the root's ``G``
  when ``X`` has no group ``G``; the root's default groups stay out;
- several members of a virtual root: the root's groups come along, its defaults included;
- several members of a packaged root (the root not among them): the root's groups stay out.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.e2e.workspace_kit import make_workspace, populate
from tests.support.envs import snapshot_env
from tests.support.index import IndexServer
from tests.support.peers import find_uv
from tests.support.runner import Runner

UV = find_uv()

VIRTUAL_ROOT = """[tool.uv.workspace]
members = ["packages/*"]
exclude = ["packages/skip*"]

[tool.uv.sources]
lib-b = { workspace = true }

[dependency-groups]
dev = ["lib"]
"""

CASES = [
    ("packaged", ("--package", "lib-b", "--group", "dev"), {"dep", "lib-b", "tool"}),
    ("packaged", ("--package", "lib-b", "--all-groups"), {"dep", "lib-b", "tool"}),
    ("packaged", ("--package", "lib-b", "--only-group", "dev"), {"tool"}),
    ("packaged", ("--package", "lib-b",), {"dep", "lib-b"}),
    ("packaged", ("--package", "lib-b", "--package", "tool-only"), {"dep", "gamma", "lib-b"}),
    ("virtual", ("--package", "lib-b", "--package", "tool-only"),
     {"dep", "gamma", "lib", "lib-b"}),
    ("virtual", ("--package", "lib-b", "--package", "tool-only", "--no-default-groups"),
     {"dep", "gamma", "lib-b"}),
    ("virtual", ("--package", "lib-a", "--group", "dev"), {"dep", "lib", "lib-a", "lib-b"}),
    ("virtual", ("--package", "lib-a", "--all-groups"),
     {"dep", "lib", "lib-a", "lib-b", "tool"}),
    ("virtual", ("--package", "lib-a",), {"dep", "lib-a", "lib-b"}),
]


def _workspace(root: Path, kind: str) -> Path:
    make_workspace(root)
    if kind == "virtual":
        (root / "pyproject.toml").write_text(VIRTUAL_ROOT, encoding="utf-8")
    return root


def _installed(root: Path) -> set[str]:
    return set(snapshot_env(root / ".venv")["dists"])


@pytest.mark.parametrize(("kind", "flags", "expected"), CASES)
def test_sync_package_with_root_groups(
    tmp_path: Path, run: Runner, index_server: IndexServer, python_exe: Callable[[str], Path],
    kind: str, flags: tuple[str, ...], expected: set[str],
) -> None:
    populate(index_server.index)
    python = python_exe("3.12")
    env = {"FERRY_INDEX_URL": index_server.simple_url}
    root = _workspace(tmp_path / "ws", kind)
    assert run("lock", "--python", str(python), cwd=root, env=env).code == 0
    result = run("sync", "--frozen", "--python", str(python), *flags, cwd=root, env=env)
    assert result.code == 0, result.stderr
    assert _installed(root) == expected
    if UV is None:
        return
    theirs = subprocess.run(
        [UV, "sync", "--frozen", "--python", str(python), *flags],
        cwd=root, env={"UV_CACHE_DIR": str(tmp_path / "uvc"), "UV_PYTHON_DOWNLOADS": "never",
                       "PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
                       "UV_PROJECT_ENVIRONMENT": str(tmp_path / "uv-venv")},
        capture_output=True, text=True, check=False, timeout=300)
    assert theirs.returncode == 0, theirs.stderr
    assert set(snapshot_env(tmp_path / "uv-venv")["dists"]) == expected
