"""The prompt ``ferry run`` gives the environments it makes, side by side with uv 0.13.8: a PEP 723
script's environment is named after the script's file (``prompt = tool.py`` in pyvenv.cfg, and
in the activation scripts), ``run --isolated``'s throw-away project environment gets none (the
project's own ``.venv`` gets the project's name: tests/e2e/test_environment_prompt_s15.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from tests.e2e.seedkit import uv_executable
from tests.support.runner import ferry_env

SHOW = "import sys; print(open(sys.prefix + '/pyvenv.cfg').read())"
SCRIPT = f"# /// script\n# requires-python = '>=3.8'\n# dependencies = []\n# ///\n{SHOW}\n"


def _run(tool: str, cwd: Path, args: list[str], python: str) -> subprocess.CompletedProcess[str]:
    if tool == "uv":
        env = {k: v for k, v in os.environ.items() if not k.startswith(("UV_", "VIRTUAL_ENV"))}
        env.update(UV_CACHE_DIR=str(cwd.parent / "uv-cache"), UV_PYTHON_DOWNLOADS="never",
                   UV_PYTHON=python)
        argv = [uv_executable(), "run", "--offline", *args]
    else:
        env = ferry_env({"FERRY_PYTHON": python})
        argv = [sys.executable, "-m", "ferry", "run", "--offline", *args]
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, check=False,
                          timeout=120)


def _prompt(output: str) -> str | None:
    for line in output.splitlines():
        key, _, value = line.partition("=")
        if key.strip() == "prompt":
            return value.strip()
    return None


@pytest.mark.usefixtures("isolated_env")
def test_script_and_isolated_environments(tmp_path: Path, python_exe) -> None:  # type: ignore[no-untyped-def]
    python = str(python_exe("3.12"))
    seen: dict[str, list[str | None]] = {}
    for tool in ("ferry", "uv"):
        root = tmp_path / tool
        root.mkdir()
        (root / "my tool.py").write_text(SCRIPT, encoding="utf-8")
        (root / "pyproject.toml").write_text(
            '[project]\nname = "App"\nversion = "0.1"\nrequires-python = ">=3.8"\n'
            "dependencies = []\n", encoding="utf-8")
        script = _run(tool, root, ["my tool.py"], python)
        isolated = _run(tool, root, ["--isolated", "python", "-c", SHOW], python)
        own = _run(tool, root, ["python", "-c", SHOW], python)
        for done in (script, isolated, own):
            assert done.returncode == 0, (tool, done.stderr)
        seen[tool] = [_prompt(script.stdout), _prompt(isolated.stdout), _prompt(own.stdout)]
    assert seen["ferry"] == ["my tool.py", None, "app"]
    assert seen["uv"] == seen["ferry"]


@pytest.mark.usefixtures("isolated_env")
def test_the_script_environment_activates_with_its_name(tmp_path: Path, python_exe) -> None:  # type: ignore[no-untyped-def]
    python = str(python_exe("3.12"))
    (tmp_path / "tool.py").write_text(
        SCRIPT.replace(SHOW, "import sys; print(sys.prefix)"), encoding="utf-8")
    done = _run("ferry", tmp_path, ["tool.py"], python)
    assert done.returncode == 0, done.stderr
    activate = Path(done.stdout.strip()) / "bin" / "activate"
    shown = subprocess.run(["bash", "-c", f'source "{activate}" && echo "$VIRTUAL_ENV_PROMPT"'],
                           capture_output=True, text=True, check=True)
    assert shown.stdout.strip() == "tool.py"
