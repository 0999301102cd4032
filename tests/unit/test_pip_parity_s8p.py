"""Units behind the s8 pip-interface fixes: pip's versioned launcher for the target Python."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.support.wheels import make_wheel

from ferry.fs.link import Linker, LinkMode
from ferry.model.scheme import Scheme
from ferry.wheel.install import install_unpacked
from ferry.wheel.scripts import EntryPointScript, scheme_python_version, with_versioned_pip
from ferry.wheel.unpack import unpack_wheel


def _console(*names: str) -> list[EntryPointScript]:
    return [EntryPointScript(name, "pkg", name.replace(".", "_"), "console") for name in names]


def _names(scripts: list[EntryPointScript]) -> list[str]:
    return sorted(s.name for s in scripts)


@pytest.mark.parametrize(
    ("declared", "expected"),
    [
        # what uv 0.13.8 writes for a 3.12 target, whatever the distribution is called
        (("pip", "pip3"), ["pip", "pip3", "pip3.12"]),
        (("pip3.7",), []),
        (("pip3", "pip3.7"), ["pip3", "pip3.12"]),
        (("pip", "pip3.7"), ["pip"]),
        (("pip3.7", "pip4.1", "pip2.7", "pip3"), ["pip2.7", "pip3", "pip3.12", "pip4.1"]),
        (("pip", "pip-tool", "pip2"), ["pip", "pip-tool", "pip2"]),
    ],
)
def test_versioned_pip_launchers_follow_uv(declared: tuple[str, ...], expected: list[str]) -> None:
    assert _names(with_versioned_pip(_console(*declared), (3, 12))) == expected


def test_the_versioned_launcher_runs_what_pip3_runs() -> None:
    scripts = [*_console("pip3.7"), EntryPointScript("pip3", "pip.main", "cli", "console")]
    (added,) = [s for s in with_versioned_pip(scripts, (3, 8)) if s.name == "pip3.8"]
    assert (added.module, added.attr) == ("pip.main", "cli")


def test_gui_scripts_and_an_unknown_version_are_left_alone() -> None:
    gui = [EntryPointScript("pip3.7", "pkg", "main", "gui")]
    assert with_versioned_pip(gui, (3, 12)) == gui
    declared = _console("pip3", "pip3.7")
    assert with_versioned_pip(declared, None) == declared


def test_scheme_python_version(tmp_path: Path) -> None:
    python = tmp_path / "env" / "bin" / "python"
    assert scheme_python_version(Path("/x/lib/python3.12/site-packages"), python) == (3, 12)
    assert scheme_python_version(Path("/x/lib/python3.13t/site-packages"), python) == (3, 13)
    assert scheme_python_version(Path("/usr/local/lib/python3.11/dist-packages"), python) == (
        3, 11)
    assert scheme_python_version(Path("/x/lib/pypy3.10/site-packages"), python) == (3, 10)
    windows_like = tmp_path / "env" / "Lib" / "site-packages"
    assert scheme_python_version(windows_like, python) is None
    (tmp_path / "env").mkdir()
    (tmp_path / "env" / "pyvenv.cfg").write_text("home = /x\nversion_info = 3.9.18\n")
    assert scheme_python_version(windows_like, python) == (3, 9)


@pytest.mark.parametrize("minor", [8, 12])
def test_installing_pip_writes_pip3_minor_of_the_target(tmp_path: Path, minor: int) -> None:
    wheel = make_wheel(tmp_path / "wheels", "pip", "99.0", entry_points={
        "console_scripts": {"pip": "pip:main", "pip3": "pip:main", "pip3.11": "pip:main"}})
    archive = tmp_path / "archive"
    unpack_wheel(wheel, archive)
    root = tmp_path / "env"
    lib = root / f"lib/python3.{minor}/site-packages"
    scheme = Scheme(purelib=lib, platlib=lib, scripts=root / "bin", data=root,
                    headers=root / "include")
    installed = install_unpacked(archive, scheme, python_executable=root / "bin" / "python",
                                 linker=Linker(LinkMode.COPY))
    assert sorted(p.name for p in (root / "bin").iterdir()) == ["pip", "pip3", f"pip3.{minor}"]
    record = (installed.dist_info / "RECORD").read_text()
    assert f"../../../bin/pip3.{minor}," in record and "bin/pip3.11," not in record
