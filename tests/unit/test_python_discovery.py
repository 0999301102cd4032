"""Interpreter discovery in uv's order, on a fake PATH of links to the machine's real interpreters.

Every test controls PATH, PYENV_ROOT, VIRTUAL_ENV and FERRY_PYTHON, so the machine's own setup
(pyenv shims, an activated venv) cannot leak in; interpreters that are not installed skip.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from ferry.model.errors import InterpreterNotFoundError
from ferry.model.pep440_specifiers import SpecifierSet
from ferry.python.discovery import find_all, find_interpreter
from ferry.python.request import PythonRequest

PYENV_VERSIONS = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"


class FakeStore:
    def __init__(self) -> None:
        self.data: dict[tuple[str, str], Any] = {}

    def read_json(self, bucket: str, key: str) -> Any:
        return self.data.get((bucket, key))

    def write_json(self, bucket: str, key: str, value: Any) -> None:
        self.data[(bucket, key)] = json.loads(json.dumps(value))


def real_python(minor: str) -> Path | None:
    if not PYENV_VERSIONS.is_dir():
        return None
    found = [
        p
        for p in sorted(PYENV_VERSIONS.glob(f"{minor}.*/bin/python{minor}"))
        if p.parent.parent.name.count(".") == 2
    ]
    return found[-1] if found else None


def need(*minors: str) -> None:
    missing = [m for m in minors if real_python(m) is None]
    if missing:
        pytest.skip(f"needs pyenv Python {', '.join(missing)}")


class World:
    """Directories of links to real interpreters, shared by the module (so each is queried once)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.store = FakeStore()
        self.pyenv = root / "pyenv"
        (self.pyenv / "versions").mkdir(parents=True)
        for minor in ("3.9", "3.10"):
            real = real_python(minor)
            if real is not None:
                target = self.pyenv / "versions" / real.parent.parent.name / "bin"
                target.mkdir(parents=True)
                (target / "python3").symlink_to(real)

    def bin(self, name: str, links: dict[str, str]) -> Path:
        """A PATH directory ``name`` with ``{"python3": "3.11", …}`` links."""
        folder = self.root / name
        if folder.exists():
            return folder
        folder.mkdir()
        for link, minor in links.items():
            real = real_python(minor)
            if real is None:
                pytest.skip(f"needs pyenv Python {minor}")
            (folder / link).symlink_to(real)
        return folder

    def shim_dir(self) -> Path:
        """Scripts that fail like pyenv shims for an inactive version."""
        folder = self.root / "shims"
        if not folder.exists():
            folder.mkdir()
            for name in ("python3.12", "python3", "python"):
                shim = folder / name
                shim.write_text(
                    f"#!/bin/sh\necho 'pyenv: {name}: command not found' >&2\nexit 127\n"
                )
                shim.chmod(0o755)
        return folder


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return World(tmp_path_factory.mktemp("discovery"))


@pytest.fixture
def env(world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A clean environment: no FERRY_PYTHON/VIRTUAL_ENV, the fake pyenv, an empty PATH.
    Returns a working directory without ``.python-version`` or ``.venv``."""
    for name in ("FERRY_PYTHON", "VIRTUAL_ENV", "PYENV_VERSION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PYENV_ROOT", str(world.pyenv))
    monkeypatch.setenv("PATH", "")
    work = tmp_path / "work"
    work.mkdir()
    return work


def set_path(monkeypatch: pytest.MonkeyPatch, *folders: Path) -> None:
    monkeypatch.setenv("PATH", os.pathsep.join(str(f) for f in folders))


def find(world: World, text: str | None, directory: Path, **kwargs: Any) -> Path:
    request = PythonRequest.parse(text) if text is not None else None
    return find_interpreter(request, world.store, directory=directory, **kwargs).executable


def test_first_python3_on_path_without_a_request(
    world: World, env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a = world.bin("a", {"python3": "3.11"})
    b = world.bin("b", {"python3": "3.12", "python3.12": "3.12"})
    set_path(monkeypatch, a, b)
    assert find(world, None, env) == a / "python3"
    set_path(monkeypatch, b, a)
    assert find(world, None, env) == b / "python3"


def test_minor_request_takes_the_first_directory_that_has_it(
    world: World, env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a = world.bin("a", {"python3": "3.11"})
    b = world.bin("b", {"python3": "3.12", "python3.12": "3.12"})
    c = world.bin("c", {"python3.12": "3.12", "python3.13": "3.13"})
    set_path(monkeypatch, a, c, b)
    assert find(world, "3.12", env) == c / "python3.12"
    # PATH order beats the more specific name, as in uv: a's python3 is 3.11 already.
    d = world.bin("d", {"python3.11": "3.11"})
    set_path(monkeypatch, a, d)
    assert find(world, "3.11", env) == a / "python3"


def test_ranges_look_at_versioned_names_newest_first(
    world: World, env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a = world.bin("a", {"python3": "3.11"})
    c = world.bin("c", {"python3.12": "3.12", "python3.13": "3.13"})
    set_path(monkeypatch, a, c)
    assert find(world, ">=3.12", env) == c / "python3.13"
    assert find(world, ">=3.12,<3.13", env) == c / "python3.12"
    assert find(world, "cpython3.12", env) == c / "python3.12"


def test_failing_shims_are_skipped(
    world: World, env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    b = world.bin("b", {"python3": "3.12", "python3.12": "3.12"})
    set_path(monkeypatch, world.shim_dir(), b)
    assert find(world, "3.12", env) == b / "python3.12"
    assert find(world, None, env) == b / "python3"


def test_pyenv_installs_after_path(
    world: World, env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    need("3.9")
    a = world.bin("a", {"python3": "3.11"})
    set_path(monkeypatch, a)
    found = find(world, "3.9", env)
    assert found.is_relative_to(world.pyenv / "versions")
    assert found.name == "python3"


def test_ferry_python_and_python_version_file(
    world: World, env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    need("3.9", "3.10")
    a = world.bin("a", {"python3": "3.11"})
    set_path(monkeypatch, a)
    nested = env / "src" / "pkg"
    nested.mkdir(parents=True)
    assert find(world, None, nested) == a / "python3"
    (env / ".python-version").write_text("3.10\n")
    assert "3.10." in str(find(world, None, nested))
    monkeypatch.setenv("FERRY_PYTHON", "3.9")  # the variable beats the file
    assert "3.9." in str(find(world, None, nested))
    assert find(world, "3.11", nested) == a / "python3"  # an explicit request beats both


def test_requires_python_filters(world: World, env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    a = world.bin("a", {"python3": "3.11"})
    c = world.bin("c", {"python3.12": "3.12", "python3.13": "3.13"})
    set_path(monkeypatch, a, c)
    assert find(world, None, env, requires_python=SpecifierSet(">=3.12,<3.13")) == c / "python3.12"


def test_virtual_env_then_dot_venv(
    world: World, env: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    need("3.8", "3.13")
    a = world.bin("a", {"python3": "3.11"})
    set_path(monkeypatch, a)
    project = env / "project"
    (project / "sub").mkdir(parents=True)
    dot_venv = project / ".venv"
    subprocess.run(
        [str(real_python("3.13")), "-m", "venv", "--without-pip", str(dot_venv)], check=True
    )
    active = tmp_path / "active"
    subprocess.run(
        [str(real_python("3.8")), "-m", "venv", "--without-pip", str(active)], check=True
    )

    assert find(world, None, project / "sub") == dot_venv / "bin" / "python"
    monkeypatch.setenv("VIRTUAL_ENV", str(active))
    assert find(world, None, project / "sub") == active / "bin" / "python"
    # A request the active venv does not satisfy moves on to .venv.
    assert find(world, "3.13", project / "sub") == dot_venv / "bin" / "python"
    # ferry venv / --system: no virtual environments, not even an activated one on PATH.
    set_path(monkeypatch, active / "bin", a)
    assert find(world, None, project / "sub", allow_venvs=False) == a / "python3"


def test_path_and_name_requests(
    world: World, env: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    need("3.12")
    b = world.bin("b", {"python3": "3.12", "python3.12": "3.12"})
    set_path(monkeypatch, b)
    assert find(world, str(b / "python3"), env) == b / "python3"
    assert find(world, "python3.12", env) == b / "python3.12"
    venv = tmp_path / "v"
    subprocess.run([str(real_python("3.12")), "-m", "venv", "--without-pip", str(venv)], check=True)
    found = find_interpreter(PythonRequest.parse(str(venv)), world.store, directory=env)
    assert found.is_venv and found.prefix == venv
    with pytest.raises(InterpreterNotFoundError, match="No Python interpreter at"):
        find(world, str(tmp_path / "missing" / "python"), env)
    with pytest.raises(InterpreterNotFoundError, match=r"python3\.99"):
        find(world, "python3.99", env)
    with pytest.raises(InterpreterNotFoundError, match="incompatible with the project's Python "
                       r"requirement: `<3\.12`"):
        find(world, str(b / "python3"), env, requires_python=SpecifierSet("<3.12"))


def test_not_found_lists_what_was_found(
    world: World, env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a = world.bin("a", {"python3": "3.11"})
    set_path(monkeypatch, world.shim_dir(), a)
    with pytest.raises(InterpreterNotFoundError) as caught:
        find(world, "3.42", env)
    error = caught.value
    assert "Python 3.42" in error.message
    assert "found CPython 3.11" in "\n".join(error.causes)
    assert str(a / "python3") in "\n".join(error.causes)
    assert error.hint and "--python" in error.hint
    (env / ".python-version").write_text("3.41\n")
    with pytest.raises(InterpreterNotFoundError, match=r"\.python-version"):
        find(world, None, env)


def test_find_all_lists_each_binary_once(
    world: World, env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a = world.bin("a", {"python3": "3.11"})
    b = world.bin("b", {"python3": "3.12", "python3.12": "3.12"})
    set_path(monkeypatch, world.shim_dir(), a, b)
    found = find_all(world.store, directory=env)
    versions = [i.python_version for i in found]
    assert versions[:2] == ["3.11", "3.12"]
    assert len({i.sys_executable.resolve() for i in found}) == len(found)
