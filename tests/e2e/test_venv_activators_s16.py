"""The activation scripts ``ferry venv`` writes, against uv 0.13.8's: the same files under the
same names in ``bin/``, and the same effect when used (bash and ``activate_this.py`` are run
here; the batch files' commands are compared line for line, since cmd.exe is not)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from tests.e2e.seedkit import uv_executable
from tests.support.runner import ferry_env

BASH = (
    'PS1="$ "; PATH="/usr/bin:/bin"; PYTHONHOME=/nowhere; source "$1/bin/activate"; '
    'echo "$VIRTUAL_ENV|$VIRTUAL_ENV_PROMPT|${PATH%%:*}|$PS1|${PYTHONHOME-unset}"; '
    "type pydoc | head -1; deactivate; "
    'echo "${VIRTUAL_ENV-unset}|${VIRTUAL_ENV_PROMPT-unset}|$PATH|$PS1|$PYTHONHOME"; '
    "type deactivate 2>/dev/null || echo gone"
)
ACTIVATE_THIS = (
    "import os, runpy, sys; runpy.run_path(sys.argv[1]); "
    "print(sys.prefix, os.environ['VIRTUAL_ENV'], os.environ['VIRTUAL_ENV_PROMPT'], "
    "os.environ['PATH'].split(os.pathsep)[0], "
    "[p for p in sys.path if p.endswith('site-packages')][0], sep='|')"
)


def _venv(tool: str, path: Path, args: list[str]) -> Path:
    if tool == "uv":
        env = {k: v for k, v in os.environ.items() if not k.startswith(("UV_", "VIRTUAL_ENV"))}
        env.update(UV_CACHE_DIR=str(path.parent.parent / "uv-cache"), UV_PYTHON_DOWNLOADS="never")
        argv = [uv_executable(), "venv", "-q", *args, str(path)]
    else:
        env = ferry_env()
        argv = [sys.executable, "-m", "ferry", "venv", "-q", *args, str(path)]
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False,
                          timeout=120)
    assert done.returncode == 0, (tool, done.stderr)
    return path


def _pair(tmp_path: Path, python: str, name: str, *args: str) -> dict[str, Path]:
    return {tool: _venv(tool, tmp_path / tool / name, ["--python", python, *args])
            for tool in ("ferry", "uv")}


def _commands(path: Path) -> list[str]:
    """A batch file's lines that do something (no remarks, no blank lines), CRLF kept."""
    lines = path.read_bytes().split(b"\r\n")
    return [line.decode() for line in lines if line.strip() and not line.startswith(b"@REM")]


@pytest.mark.usefixtures("isolated_env")
def test_the_same_files_under_the_same_names(tmp_path: Path, python_exe) -> None:  # type: ignore[no-untyped-def]
    venvs = _pair(tmp_path, str(python_exe("3.12")), "env")
    names = {tool: sorted(p.name for p in (root / "bin").iterdir())
             for tool, root in venvs.items()}
    assert names["ferry"] == names["uv"]
    assert {"activate.ps1", "activate.bat", "deactivate.bat", "pydoc.bat",
            "activate.xsh"} <= set(names["ferry"])
    for name in ("activate.bat", "deactivate.bat", "pydoc.bat"):
        ferry_lines = _commands(venvs["ferry"] / "bin" / name)
        uv_lines = _commands(venvs["uv"] / "bin" / name)
        assert b"\n" not in (venvs["ferry"] / "bin" / name).read_bytes().replace(b"\r\n", b"")
        assert [line.replace(str(tmp_path / "ferry"), "<T>") for line in ferry_lines] == [
            line.replace(str(tmp_path / "uv"), "<T>") for line in uv_lines], name
    # every script carries virtualenv's licence notice, as the MIT licence asks
    for script in (venvs["ferry"] / "bin").iterdir():
        if not script.is_symlink():
            assert "The virtualenv developers" in script.read_text(encoding="utf-8"), script


@pytest.mark.usefixtures("isolated_env")
@pytest.mark.parametrize("args", [(), ("--prompt", "my prompt")])
def test_bash_activation_does_what_uv_does(tmp_path: Path, python_exe, args) -> None:  # type: ignore[no-untyped-def]
    venvs = _pair(tmp_path, str(python_exe("3.12")), "my env", *args)
    shown = {}
    for tool, root in venvs.items():
        done = subprocess.run(["bash", "-c", BASH, "bash", str(root)], capture_output=True,
                              text=True, check=False, env={"HOME": str(tmp_path)})
        assert done.returncode == 0, done.stderr
        shown[tool] = done.stdout.replace(str(root), "<ROOT>")
    assert shown["ferry"] == shown["uv"]
    prompt = args[1] if args else "my env"
    assert shown["ferry"].splitlines()[0] == f"<ROOT>|{prompt}|<ROOT>/bin|({prompt}) $ |unset"


@pytest.mark.usefixtures("isolated_env")
def test_activate_this_does_what_uv_does(tmp_path: Path, python_exe) -> None:  # type: ignore[no-untyped-def]
    python = str(python_exe("3.12"))
    venvs = _pair(tmp_path, python, "env", "--prompt", "p")
    shown = {}
    for tool, root in venvs.items():
        done = subprocess.run([python, "-c", ACTIVATE_THIS, str(root / "bin" / "activate_this.py")],
                              capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr
        shown[tool] = done.stdout.replace(str(root), "<ROOT>")
    assert shown["ferry"] == shown["uv"]
    assert shown["ferry"].strip() == (
        "<ROOT>|<ROOT>|p|<ROOT>/bin|<ROOT>/lib/python3.12/site-packages")


@pytest.mark.usefixtures("isolated_env")
def test_an_awkward_prompt_and_path_stay_literal(tmp_path: Path, python_exe) -> None:  # type: ignore[no-untyped-def]
    """ferry quotes every value for its shell (uv pastes the prompt in as it is, so a quote or
    a ``$`` in it breaks uv's scripts): these show exactly as given."""
    prompt = """it's "$HOME" `x` \\ %PATH%"""
    root = _venv("ferry", tmp_path / "a 'b' $c", ["--python", str(python_exe("3.12")),
                                                 "--prompt", prompt])
    done = subprocess.run(
        ["bash", "-c", 'source "$1/bin/activate" && printf "%s\\n%s\\n" "$VIRTUAL_ENV" '
         '"$VIRTUAL_ENV_PROMPT"', "bash", str(root)],
        capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [str(root), prompt]
    batch = (root / "bin" / "activate.bat").read_bytes().decode("utf-8")
    assert '@set "VIRTUAL_ENV_PROMPT=it\'s $HOME `x` \\ %%PATH%%"\r\n' in batch
