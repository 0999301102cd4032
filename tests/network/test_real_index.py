"""Against the real default index (the one pip is configured for): marked `network`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from tests.support.runner import run_ferry

pytestmark = pytest.mark.network


def _env(tmp_path: Path) -> dict[str, str | None]:
    # Keep the machine's index configuration (it is what reaches the index here), isolate the rest.
    return {"FERRY_CACHE_DIR": str(tmp_path / "cache"), "VIRTUAL_ENV": None}


def _ferry(tmp_path: Path, *args: str) -> str:
    result = run_ferry(list(args), cwd=tmp_path, env=_env(tmp_path), timeout=600)
    assert result.code == 0, result.output
    return result.stderr


def test_venv_and_pip_install_from_the_real_index(tmp_path: Path) -> None:
    _ferry(tmp_path, "venv", "--seed", "-p", sys.executable)
    _ferry(tmp_path, "pip", "install", "requests", "rich")
    python = tmp_path / ".venv" / "bin" / "python"
    subprocess.run([str(python), "-c", "import requests, rich"], check=True)
    check = subprocess.run(
        [str(python), "-m", "pip", "check"], capture_output=True, text=True, check=False
    )
    assert check.returncode == 0, check.stdout + check.stderr
    pip_view = json.loads(
        subprocess.run(
            [str(python), "-m", "pip", "list", "--format", "json"],
            capture_output=True, text=True, check=True,
            env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"},
        ).stdout
    )
    ferry_view = json.loads(
        run_ferry(["pip", "list", "--format", "json"], cwd=tmp_path, env=_env(tmp_path)).stdout
    )
    assert {p["name"].lower(): p["version"] for p in pip_view} == {
        p["name"]: p["version"] for p in ferry_view
    }


def test_an_sdist_only_package_builds_and_installs(tmp_path: Path) -> None:
    _ferry(tmp_path, "venv", "-p", sys.executable)
    stderr = _ferry(tmp_path, "pip", "install", "docopt==0.6.2")
    assert "built" in stderr
    python = tmp_path / ".venv" / "bin" / "python"
    out = subprocess.run(
        [str(python), "-W", "ignore", "-c", "import docopt; print(docopt.__version__)"],
        capture_output=True, text=True, check=True,
    )
    assert out.stdout.strip() == "0.6.2"
