"""``run --isolated`` beside uv 0.13.8: an empty environment without a project, and ``--with``
packages that are cached once, not once per run.

uv runs ``run --isolated --no-project CMD`` in a temporary virtual environment made from the
interpreter (so what is installed in that interpreter is not seen) and removes it afterwards.
With ``--with``, uv keeps the packages in a cached environment that names no base — the second
run installs nothing — and runs in an ephemeral layer seeing it and the base; the ``--with``
packages' console scripts run with the layer's python, so they see the project's packages.
``cache prune`` drops ``--with`` overlays whose base is gone (``run --isolated`` used to leave
one per run). All hermetic: wheels in a ``--find-links`` folder, ``--no-index``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest
from tests.e2e.seedkit import uv_executable
from tests.support.runner import ferry_env
from tests.support.wheels import make_wheel

TOOL = b"def main():\n    import basepkg, sys\n    print('tool sees basepkg', basepkg.B)\n"


@pytest.fixture
def wheels(tmp_path: Path) -> Path:
    folder = tmp_path / "wheels"
    folder.mkdir()
    make_wheel(folder, "basepkg", "1.0", files={"basepkg/__init__.py": b"B = 1\n"})
    make_wheel(folder, "tinypkg", "1.0", files={"tinypkg/__init__.py": b"X = 1\n"})
    make_wheel(folder, "toolpkg", "1.0", files={"toolpkg/__init__.py": TOOL},
               entry_points={"console_scripts": {"tool": "toolpkg:main"}})
    return folder


def _tool(tool: str, cwd: Path, args: list[str], home: Path) -> subprocess.CompletedProcess[str]:
    if tool == "uv":
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("UV_", "FERRY_", "VIRTUAL_ENV"))}
        env.update(UV_CACHE_DIR=str(home / "uv-cache"), UV_PYTHON_DOWNLOADS="never",
                   UV_PYTHON_INSTALL_DIR=str(home / "uv-pythons"))
        argv = [uv_executable(), *args]
    else:
        env = ferry_env({"FERRY_CACHE_DIR": str(home / "ferry-cache"), "VIRTUAL_ENV": None})
        argv = [sys.executable, "-m", "ferry", *args]
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, check=False,
                          timeout=180)


def _tools() -> list[str]:
    try:
        uv_executable()
    except pytest.skip.Exception:
        return ["ferry"]
    return ["ferry", "uv"]


def _base_with_marker(tmp_path: Path) -> Path:
    """A venv of the test interpreter holding a module only it has."""
    root = tmp_path / "base"
    venv.EnvBuilder(with_pip=False).create(root)
    site = next(root.glob("lib/python*/site-packages"))
    (site / "only_in_base.py").write_text("HERE = 1\n", encoding="utf-8")
    return root / "bin" / "python"


@pytest.mark.usefixtures("isolated_env")
def test_isolated_without_a_project_is_an_empty_environment(tmp_path: Path) -> None:
    python = _base_with_marker(tmp_path)
    probe = ("import os, sys; print(sys.prefix != sys.base_prefix, "
             "os.environ['VIRTUAL_ENV'] == sys.prefix); import only_in_base")
    for tool in _tools():
        plain = _tool(tool, tmp_path, ["run", "--no-project", "-p", str(python), "python", "-c",
                                       "import only_in_base"], tmp_path)
        assert plain.returncode == 0, (tool, plain.stderr)
        isolated = _tool(tool, tmp_path, ["run", "--isolated", "--no-project", "-p", str(python),
                                          "python", "-c", probe], tmp_path)
        assert isolated.returncode == 1, (tool, isolated.stderr)
        assert isolated.stdout == "True True\n", tool
        assert "No module named 'only_in_base'" in isolated.stderr, tool
    leftovers = list((tmp_path / "ferry-cache" / ".tmp").iterdir())
    assert leftovers == []  # the temporary environment went with the run


@pytest.mark.usefixtures("isolated_env")
def test_isolated_with_reuses_one_cached_environment(tmp_path: Path, wheels: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text(
        '[project]\nname = "project"\nversion = "0.1"\nrequires-python = ">=3.8"\n'
        'dependencies = ["basepkg"]\n[tool.uv]\npackage = false\n', encoding="utf-8")
    index = ["--no-index", "--find-links", str(wheels), "-p", sys.executable]
    for tool in _tools():
        runs = [_tool(tool, project, ["run", "--isolated", *index, "--with", "toolpkg", "tool"],
                      tmp_path) for _ in range(2)]
        for done in runs:
            assert done.returncode == 0, (tool, done.stderr)
            assert done.stdout == "tool sees basepkg 1\n", tool  # the script sees the project
        # the project's packages go into each run's new environment; toolpkg only once
        assert [done.stderr.count("Installed 1 package") for done in runs] == [2, 1], tool
        subprocess.run(["rm", "-rf", str(project / ".venv"), str(project / "uv.lock")],
                       check=True)
    cached = sorted((tmp_path / "ferry-cache").glob("environments-*/run-with/*"))
    assert [p.name.rsplit("-", 1)[0] for p in cached if p.is_dir()] == ["with-layered"]
    # without a project too: one more cached environment (other pins), then none
    outside = tmp_path / "outside"
    outside.mkdir()
    for _ in range(2):
        done = _tool("ferry", outside, ["run", "--isolated", "--no-project", *index, "--with",
                                        "tinypkg", "python", "-c", "import tinypkg"], tmp_path)
        assert done.returncode == 0, done.stderr
    cached = sorted((tmp_path / "ferry-cache").glob("environments-*/run-with/*"))
    assert len([p for p in cached if p.is_dir()]) == 2
    assert list((tmp_path / "ferry-cache" / ".tmp").iterdir()) == []
    done = _tool("ferry", outside, ["cache", "prune"], tmp_path)  # reusable: kept
    assert done.returncode == 0, done.stderr
    assert sorted((tmp_path / "ferry-cache").glob("environments-*/run-with/*")) == cached


@pytest.mark.usefixtures("isolated_env")
def test_prune_removes_overlays_whose_base_is_gone(tmp_path: Path, wheels: Path) -> None:
    index = ["--no-index", "--find-links", str(wheels)]
    bases = {}
    for name in ("kept", "gone"):
        root = tmp_path / name
        venv.EnvBuilder(with_pip=False).create(root)
        bases[name] = root
        done = _tool("ferry", tmp_path, ["run", "--no-project", "-p", str(root / "bin" / "python"),
                                         *index, "--with", "tinypkg", "python", "-c",
                                         "import tinypkg"], tmp_path)
        assert done.returncode == 0, done.stderr
    overlays = sorted((tmp_path / "ferry-cache").glob("environments-*/run-with/with-*"))
    assert len([p for p in overlays if p.is_dir()]) == 2
    subprocess.run(["rm", "-rf", str(bases["gone"])], check=True)
    done = _tool("ferry", tmp_path, ["cache", "prune"], tmp_path)
    assert done.returncode == 0, done.stderr
    left = sorted((tmp_path / "ferry-cache").glob("environments-*/run-with/with-*"))
    assert len(left) == 2  # the kept overlay and its lock file
    pth = next(p for p in left if p.is_dir()).glob("lib/*/site-packages/_ferry_overlay.pth")
    assert str(bases["kept"]) in next(pth).read_text(encoding="utf-8")
