"""Shared by the parity5 tests: a tiny project on a loopback index, and the real uv run beside
ferry on it (skipped when uv is absent) with both outputs normalised to one shape."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from tests.support.index import IndexServer
from tests.support.peers import find_uv
from tests.support.runner import Result, filter_output

UV = find_uv()
T = "2024-01-01T00:00:00Z"


def seed_index(server: IndexServer) -> None:
    index = server.index
    for name, version, requires in (("alpha", "1.0", ()), ("alpha", "1.1", ()),
                                    ("beta", "1.0", ("alpha",)), ("gamma", "2.0", ())):
        index.add_wheel(name, version, requires=list(requires), upload_time=T)


def write_project(root: Path, server: IndexServer, dependencies: list[str]) -> Path:
    """A project whose default index (in ``[tool.uv]``, so uv and ferry both read it) is
    ``server``."""
    root.mkdir(parents=True, exist_ok=True)
    deps = ", ".join(f'"{d}"' for d in dependencies)
    (root / "pyproject.toml").write_text(
        f'[project]\nname = "demo"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n'
        f"dependencies = [{deps}]\n\n"
        f'[[tool.uv.index]]\nurl = "{server.simple_url}"\ndefault = true\n',
        encoding="utf-8",
    )
    return root


def run_uv(
    args: list[str], cwd: Path, tmp_path: Path, env: dict[str, str | None] | None = None
) -> Result:
    """The real uv, isolated like ferry's runner: its own cache and config home, this test's
    interpreter; a None value in ``env`` removes that variable."""
    if UV is None:
        pytest.skip("uv is not installed beside the test interpreter")
    merged = {k: v for k, v in os.environ.items()
              if not k.startswith(("UV_", "PIP_", "FERRY_", "VIRTUAL_ENV"))}
    merged.update(UV_CACHE_DIR=str(tmp_path / "uv-cache"), UV_PYTHON=sys.executable,
                  UV_PYTHON_DOWNLOADS="never", UV_NO_PROGRESS="1", COLUMNS="1000",
                  XDG_CONFIG_HOME=str(tmp_path / "uv-config"))
    for name, value in (env or {}).items():
        if value is None:
            merged.pop(name, None)
        else:
            merged[name] = value
    done = subprocess.run([UV, *args], cwd=cwd, env=merged, capture_output=True, text=True,
                          timeout=120, check=False)
    return Result(done.returncode, done.stdout, done.stderr)


def shape(text: str, paths: dict[str, Path | str] | None = None) -> str:
    """Output with what legitimately differs between the tools taken out: timings, the tool's
    name, its variable prefix and the ``Using … interpreter`` line (the interpreter found may
    differ)."""
    text = filter_output(text, paths)
    text = re.sub(r"^Using \S+ \S+ interpreter at: .*\n", "", text, flags=re.MULTILINE)
    return text.replace("uv ", "TOOL ").replace("ferry ", "TOOL ").replace(
        "UV_", "TOOL_").replace("FERRY_", "TOOL_")
