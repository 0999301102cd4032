"""The bundled example project, installed editable (its build backend comes from the index)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from tests.support.runner import REPO_ROOT, run_ferry

pytestmark = pytest.mark.network


def test_editable_example_reflects_edits_and_is_reported_editable(tmp_path: Path) -> None:
    project = tmp_path / "hello-ferry"
    shutil.copytree(REPO_ROOT / "examples" / "hello-ferry", project)
    env: dict[str, str | None] = {"FERRY_CACHE_DIR": str(tmp_path / "cache"), "VIRTUAL_ENV": None}

    def ferry(*args: str) -> str:
        result = run_ferry(list(args), cwd=project, env=env, timeout=600)
        assert result.code == 0, result.output
        return result.stdout

    ferry("venv", "-p", sys.executable)
    ferry("pip", "install", "-e", ".")
    script = project / ".venv" / "bin" / "hello-ferry"
    first = subprocess.run([str(script)], capture_output=True, text=True, check=True).stdout
    assert first.startswith("Hello from ferry!")
    module = project / "src" / "hello_ferry" / "__init__.py"
    module.write_text(module.read_text().replace("Hello from ferry!", "Edited in place!"))
    second = subprocess.run([str(script)], capture_output=True, text=True, check=True).stdout
    assert second.startswith("Edited in place!")
    listing = ferry("pip", "list")
    assert "hello-ferry" in listing and str(project) in listing
    assert f"Editable project location: {project}" in ferry("pip", "show", "hello-ferry")
