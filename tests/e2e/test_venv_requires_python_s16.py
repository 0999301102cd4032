"""``ferry venv`` picks its interpreter in a project as ``uv venv`` 0.13.8 does, side by side.

Without ``--python``, uv asks for the nearest ``.python-version`` between the working directory
and the workspace root (one above the root is not read), else the workspace's
``requires-python`` (the members' intersection); ``--no-project`` reads neither. An explicit
request or a ``.python-version`` outside requires-python is used all the same, with a warning
naming the declarations that exclude it. Every case runs with PATH holding several pyenv
Pythons (skipped where one is absent), and ferry is run twice: the second run goes through the
lean path (``ferry.commands.venv_fast``) once the first has left the parsed pyproject.toml in
the cache, and must say the same.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from tests.e2e.seedkit import uv_executable
from tests.support.runner import ferry_env

PYENV = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"
VERSIONS = {"3.9": "3.9.18", "3.10": "3.10.13", "3.12": "3.12.1", "3.13": "3.13.0"}


def _bin(minor: str) -> Path:
    found = sorted(PYENV.glob(f"{minor}.*/bin/python{minor}"))
    if not found:
        pytest.skip(f"no pyenv Python {minor}")
    return found[-1].parent


@pytest.fixture
def search_path() -> str:
    """PATH: 3.12, 3.10, 3.13, 3.9 in that order, then the system's directories."""
    dirs = [_bin(minor) for minor in ("3.12", "3.10", "3.13", "3.9")]
    return os.pathsep.join([*map(str, dirs), "/usr/bin", "/bin"])


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _project(path: Path, name: str, requires: str | None, workspace: str = "") -> None:
    line = f'requires-python = "{requires}"\n' if requires else ""
    _write(path / "pyproject.toml",
           f'[project]\nname = "{name}"\nversion = "0.1"\n{line}{workspace}')


def _venv(tool: str, cwd: Path, args: list[str], search_path: str, home: Path,
          ) -> tuple[int, str]:
    """``tool venv ARGS`` in ``cwd``: exit code and stderr, the ``Activate with`` line and
    uv's pointer to ``uv python pin`` (ferry has no such command) left out."""
    if tool == "uv":
        env = {k: v for k, v in os.environ.items() if not k.startswith(("UV_", "FERRY_"))}
        env.update(UV_CACHE_DIR=str(home / "uv-cache"), UV_PYTHON_DOWNLOADS="never",
                   UV_PYTHON_INSTALL_DIR=str(home / "uv-pythons"), PATH=search_path)
        argv = [uv_executable(), "venv", *args]
    else:
        env = ferry_env({"PATH": search_path, "FERRY_CACHE_DIR": str(home / "ferry-cache")})
        argv = [sys.executable, "-m", "ferry", "venv", *args]
    env.pop("VIRTUAL_ENV", None)
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True,
                          check=False, timeout=120)
    lines = [_named(line) for line in done.stderr.splitlines()
             if not line.startswith("Activate with")]
    text = "\n".join(lines).replace(
        "Use `uv python pin` to update the `.python-version` file",
        "Update the `.python-version` file")
    for created in (cwd / ".venv", cwd / "out", cwd / "ws" / ".venv"):
        subprocess.run(["rm", "-rf", str(created)], check=True)
    return done.returncode, text


def _named(line: str) -> str:
    """For a request without a version uv 0.13.8 names ``bin/python`` where ferry's discovery
    (not ``venv``'s business) names ``bin/python3``, the same binary: one spelling here."""
    if line.startswith("Using ") and line.endswith("/bin/python"):
        return line + "3"
    return line


def _side_by_side(cwd: Path, args: list[str], search_path: str, home: Path,
                  expected: str | None = None) -> str:
    if not (home / "ferry-cache" / "CACHEDIR.TAG").exists():  # parsed TOML is kept in a cache
        _venv("ferry", home, ["--no-project", "out"], search_path, home)  # that exists already
    first = _venv("ferry", cwd, args, search_path, home)
    second = _venv("ferry", cwd, args, search_path, home)  # the lean path, where it applies
    assert first == second, (args, first, second)
    assert first[0] == 0, first
    if expected is not None:
        assert expected in first[1], first[1]
    try:
        uv = _venv("uv", cwd, args, search_path, home)
    except pytest.skip.Exception:
        return first[1]
    assert uv == first, (cwd, args, uv, first)
    return first[1]


def _using(minor: str) -> str:
    return f"Using CPython {VERSIONS[minor]} interpreter at: {_bin(minor)}/"


@pytest.mark.usefixtures("isolated_env")
def test_requires_python_chooses_from_root_member_and_below(
    tmp_path: Path, search_path: str
) -> None:
    ws = tmp_path / "ws"
    _project(ws, "root", ">=3.10", '[tool.uv.workspace]\nmembers = ["m"]\n')
    _project(ws / "m", "m", ">=3.9,<3.11")
    single = tmp_path / "single"
    _project(single, "single", ">=3.13")
    (single / "sub").mkdir()
    home = tmp_path
    # the intersection (==3.10.*) passes over 3.12, first on PATH; the member reads it too
    _side_by_side(ws, [], search_path, home, _using("3.10"))
    _side_by_side(ws / "m", [], search_path, home, _using("3.10"))
    _side_by_side(single, [], search_path, home, _using("3.13"))
    _side_by_side(single / "sub", [], search_path, home, _using("3.13"))
    _side_by_side(single, ["out"], search_path, home, _using("3.13"))
    # --no-project: the first interpreter on PATH, whatever the project says
    out = _side_by_side(single, ["--no-project"], search_path, home)
    assert "CPython 3.12.1" in out


@pytest.mark.usefixtures("isolated_env")
def test_an_explicit_request_outside_requires_python_warns(
    tmp_path: Path, search_path: str
) -> None:
    single = tmp_path / "single"
    _project(single, "single", ">=3.13")
    out = _side_by_side(single, ["-p", "3.10"], search_path, tmp_path, _using("3.10"))
    assert out.splitlines()[1] == (
        "warning: The requested interpreter resolved to Python 3.10.13, which is incompatible "
        "with the project's Python requirement: `>=3.13` (from `project.requires-python`)")
    assert out.splitlines()[2] == "Creating virtual environment at: .venv"
    ws = tmp_path / "ws"
    _project(ws, "root", ">=3.10", '[tool.uv.workspace]\nmembers = ["m", "n"]\n')
    _project(ws / "m", "m", "<3.11 , >= 3.9")
    _project(ws / "n", "n", ">=3.9")
    out = _side_by_side(ws / "n", ["-p", "3.12"], search_path, tmp_path)
    assert ("incompatible with the project's Python requirement: `==3.10.*` "
            "(from workspace member `m`'s `project.requires-python`).") in out
    out = _side_by_side(ws, ["-p", "3.13"], search_path, tmp_path)
    assert "(from workspace member `m`'s" in out
    (ws / "n" / "pyproject.toml").write_text(
        '[project]\nname = "n"\nversion = "0.1"\nrequires-python = "~=3.10.0"\n',
        encoding="utf-8")
    out = _side_by_side(ws, ["-p", "3.9"], search_path, tmp_path)
    assert out.splitlines()[1:5] == [
        "warning: The requested interpreter resolved to Python 3.9.18, which is incompatible "
        "with the project's Python requirement: `==3.10.*`.",
        "The following `requires-python` declarations do not permit this version:",
        "- n: ~=3.10.0",
        "- root: >=3.10",
    ]


@pytest.mark.usefixtures("isolated_env")
def test_python_version_file_within_the_workspace_only(tmp_path: Path, search_path: str) -> None:
    ws = tmp_path / "ws"
    _project(ws, "root", ">=3.13", '[tool.uv.workspace]\nmembers = ["m"]\n')
    _project(ws / "m", "m", ">=3.9")
    _write(tmp_path / ".python-version", "3.10\n")  # above the workspace root: not read
    _side_by_side(ws, [], search_path, tmp_path, _using("3.13"))
    # ... unless there is no project
    _side_by_side(ws, ["--no-project"], search_path, tmp_path, _using("3.10"))
    _write(ws / ".python-version", "# pinned\n3.12\n3.13\n")
    out = _side_by_side(ws, [], search_path, tmp_path, _using("3.12"))
    assert out.splitlines()[1:3] == [
        "warning: The Python request from `.python-version` resolved to Python 3.12.1, which is "
        "incompatible with the project's Python requirement: `>=3.13` (from workspace member "
        "`root`'s `project.requires-python`).",
        "Update the `.python-version` file to a compatible version",
    ]
    out = _side_by_side(ws / "m", [], search_path, tmp_path, _using("3.12"))
    assert f"The Python request from `{ws / '.python-version'}`" in out
    out = _side_by_side(tmp_path, ["--project", "ws"], search_path, tmp_path, _using("3.12"))
    assert "The Python request from `ws/.python-version`" in out
