"""Units of the project environment's interpreter decisions (review s8 F1-F4, F8): which
request binds an existing environment, the narrowed search, re-pointing a venv in place, the
site-packages a recreation would delete, and the ignored-VIRTUAL_ENV warning."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from types import SimpleNamespace

import pytest

from ferry.commands import sync as sync_module
from ferry.commands.project_env import (
    Recorded,
    _explicit,
    _unmet,
    _within,
    recorded_of,
    site_dirs_on_disk,
)
from ferry.python.interpreter import introspect
from ferry.python.request import PythonRequest, RequestKind
from ferry.python.venv import create_venv
from ferry.python.venv_repoint import repoint_venv

CPYTHON_311 = Recorded("cpython", (3, 11), "3.11.2")


def test_a_patch_version_binds_only_when_given_explicitly() -> None:
    request = PythonRequest.parse("3.11.7")
    assert _explicit(request, None) == request  # --python
    assert _explicit(request, "FERRY_PYTHON") == request
    from_file = _explicit(request, "/p/.python-version")
    assert from_file is not None and from_file.parts == (3, 11)
    assert _explicit(PythonRequest.parse("any"), None) is None
    name = PythonRequest.parse("python3.11")
    assert name.kind is RequestKind.NAME and _explicit(name, "/p/.python-version") == name


def test_narrowed_request_keeps_the_environments_kind() -> None:
    plain = _within(None, CPYTHON_311, False)
    assert plain is not None and (plain.implementation, plain.parts) == ("cpython", (3, 11))
    patch = _within(PythonRequest.parse("3.11.2"), CPYTHON_311, False)
    assert patch is not None and patch.parts == (3, 11, 2)
    ranged = _within(PythonRequest.parse(">=3.11.5"), CPYTHON_311, False)
    assert ranged is not None and ranged.parts == (3, 11) and ranged.specifier is not None
    assert _within(PythonRequest.parse("3.12"), CPYTHON_311, False) is None
    assert _within(PythonRequest.parse("pypy3.11"), CPYTHON_311, False) is None
    assert _within(PythonRequest.parse("3.11t"), CPYTHON_311, False) is None
    assert _within(None, Recorded("cpython", None, ""), False) is None
    broken = _within(None, CPYTHON_311, None)  # its interpreter gone: build kind unknown
    assert broken is not None and broken.free_threaded is False


def test_recorded_reads_what_creators_write(tmp_path: Path) -> None:
    (tmp_path / "pyvenv.cfg").write_text("home = /usr/bin\nversion = 3.11.2\n", encoding="utf-8")
    assert recorded_of(tmp_path) == Recorded(None, (3, 11), "3.11.2")  # the stdlib's keys
    (tmp_path / "pyvenv.cfg").write_text(
        "home = /x\nimplementation = CPython\nversion_info = 3.12.1\n", encoding="utf-8"
    )
    assert recorded_of(tmp_path) == Recorded("cpython", (3, 12), "3.12.1")
    (tmp_path / "pyvenv.cfg").write_text("home = /x\n", encoding="utf-8")
    assert recorded_of(tmp_path).major_minor is None


def test_site_dirs_on_disk_include_every_layout(tmp_path: Path) -> None:
    for relative in ("lib/python3.11/site-packages", "lib/python3.12/site-packages",
                     "lib/pypy3.10/site-packages", "Lib/site-packages", "lib/python3.13/x"):
        (tmp_path / relative).mkdir(parents=True)
    found = [p.relative_to(tmp_path).as_posix() for p in site_dirs_on_disk(tmp_path)]
    assert found == ["lib/pypy3.10/site-packages", "lib/python3.11/site-packages",
                     "lib/python3.12/site-packages", "Lib/site-packages"]
    assert site_dirs_on_disk(tmp_path / "missing") == []


def _interpreters(python_exe):  # type: ignore[no-untyped-def]
    older, newer = Path("/usr/bin/python3.11"), python_exe("3.11")
    if not older.exists() or os.path.realpath(older) == os.path.realpath(newer):
        pytest.skip("needs two different CPython 3.11 installations")
    return introspect(older, None), introspect(newer, None)


def test_unmet_requests(python_exe) -> None:  # type: ignore[no-untyped-def]
    older, newer = _interpreters(python_exe)
    assert _unmet(older, PythonRequest.parse("3.11"), None) is None
    assert _unmet(older, PythonRequest.parse(str(newer.version)), None) is not None
    assert _unmet(older, PythonRequest.parse("3.12"), None) is not None
    assert _unmet(older, None, None) is None
    from ferry.model.pep440_specifiers import SpecifierSet

    reason = _unmet(older, None, SpecifierSet(f">={newer.version}"))
    assert reason is not None and "requires-python" in reason
    assert _unmet(older, PythonRequest.parse("3.11t"), None) is not None


def test_repoint_keeps_site_packages_and_other_settings(
    tmp_path: Path, python_exe  # type: ignore[no-untyped-def]
) -> None:
    older, newer = _interpreters(python_exe)
    root = create_venv(tmp_path / "env", older, prompt="mine")
    cfg = root / "pyvenv.cfg"
    cfg.write_text(cfg.read_text(encoding="utf-8") + "executable = /old/python3.11\n"
                   "command = /old/python3.11 -m venv env\n", encoding="utf-8")
    site = root / older.venv_layout.purelib
    (site / "foreign.py").write_text("x = 1\n", encoding="utf-8")
    repoint_venv(root, newer)
    values = dict(
        (k.strip(), v.strip())
        for k, _, v in (line.partition("=") for line in cfg.read_text().splitlines())
    )
    assert values["home"] == str(newer.base_executable.parent)
    assert values["version_info"] == str(newer.version)
    assert values["executable"] == os.path.realpath(newer.base_executable)
    assert values["command"] == "/old/python3.11 -m venv env"  # history, left alone
    assert values["prompt"] == "mine"
    assert os.readlink(root / "bin" / "python") == str(newer.base_executable)
    assert os.readlink(root / "bin" / "python3.11") == "python"
    assert (site / "foreign.py").read_text(encoding="utf-8") == "x = 1\n"
    assert introspect(root / "bin" / "python", None).version == newer.version


@pytest.fixture
def warnings(caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(sync_module, "_IGNORED_ACTIVE", set())
    caplog.set_level(logging.WARNING, logger="ferry.commands.sync")
    return caplog


def test_ignored_virtual_env_is_warned_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, warnings  # type: ignore[no-untyped-def]
) -> None:
    monkeypatch.chdir(tmp_path)
    project = SimpleNamespace(environment_path=tmp_path / ".venv")
    monkeypatch.setenv("VIRTUAL_ENV", str(tmp_path / "other"))
    for _ in range(2):
        assert sync_module.environment_root(project, False) == tmp_path / ".venv"  # type: ignore[arg-type]
    assert [r.getMessage() for r in warnings.records] == [
        f"`VIRTUAL_ENV={tmp_path / 'other'}` does not match the project environment path "
        "`.venv` and will be ignored; use `--active` to target the active environment instead"
    ]
    assert sync_module.environment_root(project, True) == tmp_path / "other"  # type: ignore[arg-type]
    assert len(warnings.records) == 1


def test_the_project_environment_itself_is_not_warned_about(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, warnings  # type: ignore[no-untyped-def]
) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    monkeypatch.chdir(tmp_path)
    project = SimpleNamespace(environment_path=tmp_path / "real")
    for value in (str(tmp_path / "link"), "real", ""):
        monkeypatch.setenv("VIRTUAL_ENV", value)
        sync_module.environment_root(project, False)  # type: ignore[arg-type]
    assert warnings.records == []
    outside = SimpleNamespace(environment_path=Path("/elsewhere/.venv"))
    monkeypatch.setenv("VIRTUAL_ENV", "other")
    sync_module.environment_root(outside, False)  # type: ignore[arg-type]
    assert "project environment path `/elsewhere/.venv`" in warnings.records[0].getMessage()


def test_virtualenvs_long_version_is_no_patch_change(
    tmp_path: Path, python_exe  # type: ignore[no-untyped-def]
) -> None:
    from ferry.commands.project_env_inplace import repair_patch_level as _repair_patch_level

    interpreter = introspect(python_exe("3.11"), None)
    cfg = tmp_path / "pyvenv.cfg"
    text = f"home = /x\nversion_info = {interpreter.version}.final.0\n"
    cfg.write_text(text, encoding="utf-8")
    assert _repair_patch_level(tmp_path, interpreter) is None
    assert cfg.read_text(encoding="utf-8") == text
    cfg.write_text("home = /x\nversion_info = 3.11.0\nprompt = p\n", encoding="utf-8")
    line = _repair_patch_level(tmp_path, interpreter)
    assert line is not None and f"to CPython {interpreter.version} at /x (was 3.11.0)" in line
    assert cfg.read_text(encoding="utf-8") == (
        f"home = /x\nversion_info = {interpreter.version}\nprompt = p\n"
    )


def test_another_machine_of_the_same_python_is_never_a_re_point(
    tmp_path: Path, python_exe  # type: ignore[no-untyped-def]
) -> None:
    """Compiled extensions are built for a pointer size, an architecture and a libc: a 32-bit,
    i686 or musl 3.11 cannot take over a 64-bit glibc 3.11's site-packages."""
    from ferry.commands.project_env import _fits
    from ferry.model import value_fields

    current = introspect(python_exe("3.11"), None)
    root = create_venv(tmp_path / "env", current)
    recorded = recorded_of(root)
    elsewhere = value_fields.replace(current, base_executable=Path("/opt/py311/bin/python3.11"))
    assert _fits(root, elsewhere, recorded, current)  # another installation of the same kind
    machine = current.markers["platform_machine"]
    narrow = value_fields.replace(
        elsewhere, pointer_size=32, markers={**current.markers, "platform_machine": "i686"},
        tags=tuple(str(t).replace(machine, "i686") for t in current.tags))
    assert not _fits(root, narrow, recorded, current)
    if not any("manylinux" in str(t) for t in current.tags):
        pytest.skip("not a glibc Linux interpreter")
    musl = value_fields.replace(
        elsewhere, tags=tuple(str(t).replace("manylinux", "musllinux") for t in current.tags))
    assert not _fits(root, musl, recorded, current)
