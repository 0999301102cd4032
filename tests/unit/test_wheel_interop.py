"""Real interpreters and real pip: what ferry installs works and is seen, and vice versa."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.support.envs import make_venv

from ferry.fs.link import Linker, LinkMode
from ferry.model.scheme import Scheme
from ferry.wheel import (
    InstalledDist,
    compile_bytecode,
    install_unpacked,
    iter_installed,
    uninstall,
    unpack_wheel,
)

MakeWheel = Callable[..., Path]


def venv_python(venv: Path) -> Path:
    return venv / "bin" / "python"


def venv_scheme(python: Path) -> Scheme:
    """The scheme as the environment's own interpreter computes it (what python/ will do)."""
    code = "import json, sysconfig; print(json.dumps(sysconfig.get_paths()))"
    paths = json.loads(subprocess.run([str(python), "-c", code], capture_output=True,
                                      text=True, check=True).stdout)
    return Scheme(Path(paths["purelib"]), Path(paths["platlib"]), Path(paths["scripts"]),
                  Path(paths["data"]), Path(paths["include"]))


def pip(target: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The dev venv's pip acting on ``target``'s environment (``--python``: it needs no pip)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "VIRTUAL_ENV"))}
    env |= {"PIP_CONFIG_FILE": os.devnull, "PIP_DISABLE_PIP_VERSION_CHECK": "1",
            "PIP_NO_INPUT": "1"}
    return subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(target), *args],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )


def install(archive_of: Path, scheme: Scheme, python: Path, tmp_path: Path, **kw: object) -> None:
    archive = tmp_path / "archives" / archive_of.name
    unpack_wheel(archive_of, archive)
    install_unpacked(archive, scheme, python_executable=python,
                     linker=Linker(LinkMode.HARDLINK), **kw)  # type: ignore[arg-type]


@pytest.mark.slow
def test_pip_and_ferry_see_each_others_installs(make_wheel: MakeWheel, tmp_path: Path) -> None:
    venv = make_venv(tmp_path / "venv", sys.executable)
    python = venv_python(venv)
    scheme = venv_scheme(python)

    pipped = make_wheel(
        "pipped", "1.0", entry_points={"console_scripts": {"pipped-cli": "pipped:main"}},
        data_files={"data/share/pipped/readme.txt": "r"},
    )
    done = pip(python, "install", "--no-index", "--no-deps", str(pipped))
    assert done.returncode == 0, done.stderr
    assert (scheme.scripts / "pipped-cli").exists()

    ferried = make_wheel("ferried", "2.0", requires=["pipped>=1"],
                         entry_points={"console_scripts": {"ferried-cli": "ferried:main"}})
    install(ferried, scheme, python, tmp_path, requested=True,
            direct_url={"url": ferried.as_uri(), "archive_info": {}})

    shown = pip(python, "show", "-f", "ferried")
    assert shown.returncode == 0, shown.stderr
    assert "Name: ferried" in shown.stdout and "Version: 2.0" in shown.stdout
    assert "Requires: pipped" in shown.stdout
    assert "ferried/__init__.py" in shown.stdout

    site_dirs = [scheme.purelib, scheme.platlib]
    found: dict[str, InstalledDist] = {d.name: d for d in iter_installed(site_dirs)}
    assert set(found) == {"ferried", "pipped"}
    assert found["pipped"].installer == "pip" and found["ferried"].installer == "ferry"
    assert found["ferried"].requested and found["ferried"].requires == ["pipped>=1"]

    result = uninstall(found["pipped"], scheme)
    assert scheme.scripts / "pipped-cli" in result.removed
    assert not (scheme.scripts / "pipped-cli").exists()
    assert not (scheme.data / "share/pipped").exists()
    assert not (scheme.purelib / "pipped").exists()

    listed = pip(python, "list", "--format=json")
    assert listed.returncode == 0, listed.stderr
    assert [(d["name"], d["version"]) for d in json.loads(listed.stdout)] == [("ferried", "2.0")]
    imported = subprocess.run([str(python), "-c", "import ferried; print(ferried.__version__)"],
                              capture_output=True, text=True, check=False)
    assert imported.stdout.strip() == "2.0", imported.stderr

    # pip can uninstall what ferry installed: it reads ferry's RECORD, scripts included
    removed = pip(python, "uninstall", "-y", "ferried")
    assert removed.returncode == 0, removed.stderr
    assert not (scheme.scripts / "ferried-cli").exists()
    assert not (scheme.purelib / "ferried").exists()
    assert iter_installed(site_dirs) == []


@pytest.mark.parametrize("where", ["plain", "with space", "x" * 120])
def test_scripts_run_with_the_target_interpreter(
    make_wheel: MakeWheel, tmp_path: Path, python_exe: Callable[[str], Path], where: str
) -> None:
    python312 = python_exe("3.12")
    venv = make_venv(tmp_path / where / "venv", python312)
    python = venv_python(venv)
    scheme = venv_scheme(python)
    wheel = make_wheel(
        "demo", "1.0",
        files={"demo/__init__.py": "import sys\n"
               "def main():\n    print('cli', sys.version_info[:2], sys.argv[1:])\n"
               "def gui():\n    print('gui')\n    return 3\n"},
        entry_points={"console_scripts": {"demo-cli": "demo:main"},
                      "gui_scripts": {"demo-gui": "demo:gui"}},
        data_files={"scripts/raw-tool": "#!python\nimport sys\nprint('raw', sys.prefix)\n"},
    )
    install(wheel, scheme, python, tmp_path)
    long_or_spaced = " " in str(python) or len(str(python)) > 125
    first = (scheme.scripts / "demo-cli").read_text().splitlines()[0]
    assert first == ("#!/bin/sh" if long_or_spaced else f"#!{python}")

    cli = subprocess.run([str(scheme.scripts / "demo-cli"), "arg"], capture_output=True,
                         text=True, check=False)
    assert cli.stdout.strip() == "cli (3, 12) ['arg']", cli.stderr
    gui = subprocess.run([str(scheme.scripts / "demo-gui")], capture_output=True, text=True,
                         check=False)
    assert (gui.returncode, gui.stdout.strip()) == (3, "gui")
    raw = subprocess.run([str(scheme.scripts / "raw-tool")], capture_output=True, text=True,
                         check=False)
    assert raw.stdout.strip() == f"raw {venv}", raw.stderr


def test_compile_then_uninstall_leaves_no_bytecode(
    make_wheel: MakeWheel, tmp_path: Path, python_exe: Callable[[str], Path],
    caplog: pytest.LogCaptureFixture,
) -> None:
    python312 = python_exe("3.12")
    venv = make_venv(tmp_path / "venv", python312)
    scheme = venv_scheme(venv_python(venv))
    wheel = make_wheel("demo", "1.0", files={
        "demo/__init__.py": "X = 1\n",
        "demo/sub/mod.py": "Y = 2\n",
        "demo/py2_only.py": "print 'python 2'\n",
    })
    install(wheel, scheme, venv_python(venv), tmp_path)
    (dist,) = iter_installed([scheme.purelib])
    sources = [scheme.purelib / p for p in ("demo/__init__.py", "demo/sub/mod.py",
                                             "demo/py2_only.py")]
    with caplog.at_level(logging.WARNING, logger="ferry.wheel"):
        compile_bytecode(sources, venv_python(venv))
    assert (scheme.purelib / "demo/__pycache__/__init__.cpython-312.pyc").is_file()
    assert (scheme.purelib / "demo/sub/__pycache__/mod.cpython-312.pyc").is_file()
    assert "py2_only.py" in caplog.text  # logged, not raised

    uninstall(dist, scheme)
    assert not (scheme.purelib / "demo").exists()
    assert iter_installed([scheme.purelib]) == []


def test_compile_with_a_missing_interpreter_only_warns(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    source = tmp_path / "m.py"
    source.write_text("X = 1\n")
    with caplog.at_level(logging.WARNING, logger="ferry.wheel"):
        compile_bytecode([source], tmp_path / "no-such-python")
    assert "Could not compile" in caplog.text
    compile_bytecode([tmp_path / "not-python.txt"], tmp_path / "no-such-python")  # nothing to do


def test_compile_a_whole_directory(
    tmp_path: Path, python_exe: Callable[[str], Path]
) -> None:
    python312 = python_exe("3.12")
    site = tmp_path / "site"
    (site / "pkg/sub").mkdir(parents=True)
    (site / "pkg/__init__.py").write_text("")
    (site / "pkg/sub/m.py").write_text("Z = 3\n")
    (site / "pkg/data.txt").write_text("not python")
    compile_bytecode([site, tmp_path / "missing-dir"], python312)
    assert (site / "pkg/__pycache__/__init__.cpython-312.pyc").is_file()
    assert (site / "pkg/sub/__pycache__/m.cpython-312.pyc").is_file()
