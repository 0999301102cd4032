"""Which environment ``ferry pip …`` acts on: --python, VIRTUAL_ENV, .venv upwards, --system."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from ferry.model.errors import UserError
from ferry.python.interpreter import introspect
from ferry.python.target import NO_ENVIRONMENT, find_target_environment
from ferry.python.venv import create_venv


class FakeStore:
    def __init__(self) -> None:
        self.data: dict[tuple[str, str], Any] = {}

    def read_json(self, bucket: str, key: str) -> Any:
        return self.data.get((bucket, key))

    def write_json(self, bucket: str, key: str, value: Any) -> None:
        self.data[(bucket, key)] = json.loads(json.dumps(value))


STORE = FakeStore()
BASE = introspect(Path(sys.executable), STORE)


@pytest.fixture
def clean(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("VIRTUAL_ENV", "FERRY_PYTHON"):
        monkeypatch.delenv(name, raising=False)
    system_bin = tmp_path / "system-bin"
    system_bin.mkdir()
    (system_bin / "python3").symlink_to(BASE.base_executable)
    monkeypatch.setenv("PATH", str(system_bin))
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path / "no-pyenv"))
    work = tmp_path / "work"
    work.mkdir()
    return work


def test_no_environment_is_an_error_with_advice(clean: Path) -> None:
    with pytest.raises(UserError) as caught:
        find_target_environment(STORE, python=None, system=False, directory=clean)
    assert caught.value.message == NO_ENVIRONMENT
    assert "ferry venv" in NO_ENVIRONMENT and "--system" in NO_ENVIRONMENT


def test_dot_venv_in_a_parent(clean: Path) -> None:
    venv = create_venv(clean / ".venv", BASE)
    nested = clean / "a" / "b"
    nested.mkdir(parents=True)
    environment = find_target_environment(STORE, python=None, system=False, directory=nested)
    assert environment.root == venv
    assert environment.is_venv
    assert environment.python == venv / "bin" / "python"
    assert environment.site_packages == venv / BASE.venv_layout.purelib
    assert environment.site_dirs == (environment.site_packages,)


def test_virtual_env_beats_dot_venv(
    clean: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    create_venv(clean / ".venv", BASE)
    active = create_venv(tmp_path / "active", BASE)
    monkeypatch.setenv("VIRTUAL_ENV", str(active))
    environment = find_target_environment(STORE, python=None, system=False, directory=clean)
    assert environment.root == active


def test_python_option_forms(clean: Path, tmp_path: Path) -> None:
    venv = create_venv(tmp_path / "env", BASE)
    by_dir = find_target_environment(STORE, python=str(venv), system=False, directory=clean)
    assert by_dir.root == venv and by_dir.is_venv
    by_exe = find_target_environment(
        STORE, python=str(venv / "bin" / "python"), system=False, directory=clean
    )
    assert by_exe.root == venv
    system = find_target_environment(
        STORE, python=str(BASE.base_executable), system=False, directory=clean
    )
    assert not system.is_venv and system.root == BASE.base_prefix
    by_version = find_target_environment(
        STORE, python=BASE.python_version, system=False, directory=clean
    )
    assert by_version.interpreter.version == BASE.version


def test_system_skips_virtual_environments(
    clean: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    active = create_venv(tmp_path / "active", BASE)
    create_venv(clean / ".venv", BASE)
    monkeypatch.setenv("VIRTUAL_ENV", str(active))
    monkeypatch.setenv("PATH", os.pathsep.join([str(active / "bin"), os.environ["PATH"]]))
    environment = find_target_environment(STORE, python=None, system=True, directory=clean)
    assert not environment.is_venv
    assert environment.interpreter.executable == tmp_path / "system-bin" / "python3"


def test_broken_venv_says_how_to_recreate(clean: Path) -> None:
    venv = create_venv(clean / ".venv", BASE)
    (venv / "bin" / "python").unlink()
    (venv / "bin" / "python").symlink_to(clean / "gone" / "python3")
    with pytest.raises(UserError) as caught:
        find_target_environment(STORE, python=None, system=False, directory=clean)
    assert "broken" in caught.value.message
    assert caught.value.hint is not None and "--clear" in caught.value.hint


def test_python_pointing_at_a_plain_directory(clean: Path) -> None:
    with pytest.raises(UserError, match="neither a virtual environment"):
        find_target_environment(STORE, python=str(clean), system=False, directory=clean)
