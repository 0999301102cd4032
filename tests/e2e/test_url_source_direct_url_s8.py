"""A ``url`` source is installed as the direct reference it is (PEP 610), as uv installs it.

Before, ``sync`` installed it as if it came from the index: no ``direct_url.json``, no
``(from URL)`` line, ``pip freeze`` showing ``urlpkg==1.5``; uv then reinstalled it, and ferry
reinstalled it back, on every alternation (s8 review, projects F2).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from tests.e2e.seedkit import ok


@pytest.fixture
def project(tmp_path: Path, index_server) -> tuple[Path, str]:  # type: ignore[no-untyped-def]
    index_server.index.add_wheel("urlpkg", "1.5")
    wheel = index_server.simple_url.replace("/simple/", "/files/urlpkg-1.5-py3-none-any.whl")
    root = tmp_path / "proj"
    root.mkdir()
    (root / "pyproject.toml").write_text(
        '[project]\nname = "proj"\nversion = "0.1.0"\nrequires-python = ">=3.8"\n'
        'dependencies = ["urlpkg"]\n\n[tool.uv.sources]\n'
        f'urlpkg = {{ url = "{wheel}" }}\n\n[[tool.uv.index]]\nurl = "{index_server.simple_url}"\n'
        "default = true\n",
        encoding="utf-8",
    )
    return root, wheel


def _dist_info(root: Path) -> Path:
    return next((root / ".venv").glob("lib/python*/site-packages/urlpkg-1.5.dist-info"))


def test_a_url_source_is_recorded_and_said(project: tuple[Path, str], run) -> None:  # type: ignore[no-untyped-def]
    root, wheel = project
    result = ok(run("sync", cwd=root))
    assert f" + urlpkg==1.5 (from {wheel})" in result.stderr
    record = json.loads((_dist_info(root) / "direct_url.json").read_text())
    assert record["url"] == wheel
    assert set(record["archive_info"]["hashes"]) == {"sha256"}
    frozen = ok(run("pip", "freeze", "--python", str(root / ".venv"), cwd=root))
    assert f"urlpkg @ {wheel}" in frozen.stdout
    again = ok(run("sync", cwd=root))
    assert " + " not in again.stderr and " - " not in again.stderr


def test_uv_and_ferry_leave_each_others_install_alone(
    project: tuple[Path, str], run, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    uv = shutil.which("uv") or str(Path(sys.executable).parent / "uv")
    if not Path(uv).exists():
        pytest.skip("uv is not installed")
    root, _ = project
    ok(run("sync", cwd=root))
    env = {"UV_CACHE_DIR": str(tmp_path / "uv-cache"), "UV_NO_PROGRESS": "1",
           "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    done = subprocess.run([uv, "sync", "--frozen"], cwd=root, env=env, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert "urlpkg" not in done.stderr  # nothing to reinstall
