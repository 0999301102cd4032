"""Shared steps of the seed-report tests: projects on a loopback index, locks, environments."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from tests.support.runner import Result

UPLOAD_TIME = "2024-01-01T00:00:00Z"


def uv_executable() -> str:
    found = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
    if found is None:
        pytest.skip("uv is not installed")
    return found


def write_project(
    root: Path,
    name: str,
    dependencies: list[str],
    *,
    version: str = "0.1.0",
    requires_python: str = ">=3.8",
    extra: str = "",
) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    deps = "".join(f'    "{d}",\n' for d in dependencies)
    (root / "pyproject.toml").write_text(
        f'[project]\nname = "{name}"\nversion = "{version}"\n'
        f'requires-python = "{requires_python}"\ndependencies = [\n{deps}]\n{extra}',
        encoding="utf-8",
    )
    return root


def uv_lock(project: Path, index_url: str, python: Path | None = None) -> None:
    """Lock with the real uv: the seed reports start from a lock uv wrote."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("UV_", "VIRTUAL_ENV"))}
    env["UV_CACHE_DIR"] = str(project.parent / "uv-cache")
    command = [uv_executable(), "lock", "--no-config", "--index-url", index_url, "-q"]
    if python is not None:
        command += ["--python", str(python)]
    subprocess.run(command, cwd=project, env=env, check=True, capture_output=True, text=True)


def ok(result: Result) -> Result:
    assert result.code == 0, result.output
    return result


def installed(venv: Path) -> dict[str, str]:
    """name → version of every distribution in a venv, read from its dist-info folders."""
    found: dict[str, str] = {}
    for site in venv.glob("lib/python*/site-packages"):
        for entry in site.glob("*.dist-info"):
            name, _, version = entry.name[: -len(".dist-info")].partition("-")
            found[name.replace("_", "-").lower()] = version
    return found
