"""Introspection: every installed interpreter answers, tags match packaging's, answers cached."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import time
from pathlib import Path
from typing import Any

import pytest
from packaging import tags as packaging_tags
from packaging.markers import default_environment

from ferry.cache.store import Cache
from ferry.model.errors import InterpreterNotFoundError
from ferry.python.interpreter import (
    BUCKET,
    Interpreter,
    InterpreterQueryError,
    introspect,
    pyenv_shim_context,
)

PYENV_VERSIONS = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"
VERSIONS = ["3.8", "3.9", "3.10", "3.11", "3.12", "3.13"]
DEV_PACKAGING = Path(packaging_tags.__file__).parents[1]


class FakeStore:
    """The cache's JSON surface, in memory, counting reads and writes."""

    def __init__(self) -> None:
        self.data: dict[tuple[str, str], Any] = {}
        self.reads = 0
        self.writes = 0

    def read_json(self, bucket: str, key: str) -> Any:
        self.reads += 1
        return self.data.get((bucket, key))

    def write_json(self, bucket: str, key: str, value: Any) -> None:
        # Answers only: a venv's answer is also kept as a template (test_venv_template.py).
        self.writes += "venv_template" not in value
        self.data[(bucket, key)] = json.loads(json.dumps(value))


def pyenv_python(minor: str) -> Path:
    candidates = (
        sorted(PYENV_VERSIONS.glob(f"{minor}.*/bin/python3")) if PYENV_VERSIONS.is_dir() else []
    )
    candidates = [c for c in candidates if c.parent.parent.name.count(".") == 2]
    if not candidates:
        pytest.skip(f"no pyenv Python {minor}")
    return candidates[-1]


def reference_tags(executable: Path) -> tuple[list[str], dict[str, str]]:
    """What the dev environment's packaging computes when run inside ``executable``."""
    code = (
        "import sys, json; sys.path.insert(0, sys.argv[1]);"
        "from packaging import tags, markers;"
        "found = [str(t) for t in tags.sys_tags()];"
        "print(json.dumps([found, dict(markers.default_environment())]))"
    )
    done = subprocess.run(
        [str(executable), "-I", "-c", code, str(DEV_PACKAGING)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"the dev packaging does not run on {executable}: {done.stderr[-200:]}")
    found, env = json.loads(done.stdout)
    return found, env


def test_dev_interpreter_matches_packaging_in_process() -> None:
    """The interpreter running the tests: compare with packaging imported right here."""
    found = introspect(Path(sys.executable), None)
    expected = [str(t) for t in packaging_tags.sys_tags()]
    assert set(found.tags) == set(expected)
    assert list(found.tags) == expected
    assert found.markers == dict(default_environment())
    assert found.is_venv == (sys.prefix != sys.base_prefix)
    assert found.prefix == Path(sys.prefix)
    assert found.scheme.purelib == Path(sysconfig.get_paths()["purelib"])
    assert found.executable == Path(os.path.abspath(sys.executable))


@pytest.mark.parametrize("minor", VERSIONS)
def test_every_pyenv_interpreter(minor: str) -> None:
    executable = pyenv_python(minor)
    found = introspect(executable, None)
    assert found.python_version == minor
    assert found.implementation == "cpython" and found.implementation_name == "CPython"
    assert not found.is_venv and found.prefix == executable.parent.parent
    assert found.base_executable.is_file()
    assert (
        found.scheme.purelib
        == executable.parent.parent / "lib" / f"python{minor}" / "site-packages"
    )
    assert found.venv_layout.purelib == Path("lib") / f"python{minor}" / "site-packages"
    assert found.venv_layout.scripts == Path("bin")
    assert found.pointer_size == 64 and not found.gil_disabled
    nodot = minor.replace(".", "")
    assert found.tags[0].startswith(f"cp{nodot}-cp{nodot}-")
    assert f"cp{nodot}-abi3-manylinux2014_x86_64" in found.tags or sys.platform != "linux"
    assert found.tags[-1] == "py30-none-any"
    if minor == "3.8":
        return  # the dev packaging (26.x) no longer imports on 3.8; the checks above stand
    expected, env = reference_tags(executable)
    assert list(found.tags) == expected
    assert found.markers == env


def test_system_python() -> None:
    system = Path("/usr/bin/python3.11")
    if not system.is_file():
        pytest.skip("no system Python 3.11")
    found = introspect(system, None)
    expected, env = reference_tags(system)
    assert list(found.tags) == expected and found.markers == env
    assert found.base_executable == system


def test_venv_interpreter_keeps_its_path_and_finds_its_base(tmp_path: Path) -> None:
    base = pyenv_python("3.8")  # 3.8-3.10 report a base inside the venv: derived from home
    subprocess.run([str(base), "-m", "venv", "--without-pip", str(tmp_path / "v")], check=True)
    python = tmp_path / "v" / "bin" / "python"
    found = introspect(python, None)
    assert found.executable == python  # not resolved to the base
    assert found.is_venv and found.prefix == tmp_path / "v"
    assert found.base_prefix == base.parent.parent
    assert found.base_executable.parent == base.parent
    assert found.scheme.purelib == tmp_path / "v" / "lib" / "python3.8" / "site-packages"


def test_cached_answer_is_reused_without_spawning(monkeypatch: pytest.MonkeyPatch) -> None:
    store = FakeStore()
    first = introspect(Path(sys.executable), store)
    assert store.writes == 1
    assert all(bucket == BUCKET for bucket, _ in store.data)

    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("a cached interpreter must not be run")

    monkeypatch.setattr(subprocess, "run", forbidden)
    again = introspect(Path(sys.executable), store)
    assert again == first and again.markers == first.markers
    assert store.writes == 1


def test_cache_key_follows_the_file(tmp_path: Path) -> None:
    """A replaced interpreter (new mtime/size) is queried again."""
    base = Path(sys.executable).resolve()
    copy = tmp_path / "bin" / "python3"
    copy.parent.mkdir()
    copy.symlink_to(base)
    store = FakeStore()
    introspect(copy, store)
    introspect(copy, store)
    assert store.writes == 1
    copy.unlink()
    other = pyenv_python("3.12")
    copy.symlink_to(other)
    assert introspect(copy, store).python_version == "3.12"
    assert store.writes == 2


def test_cached_lookup_with_the_real_cache_is_fast(tmp_path: Path) -> None:
    cache = Cache.from_options(tmp_path / "cache", False)
    executable = Path(sys.executable)
    introspect(executable, cache)
    runs = []
    for _ in range(20):
        started = time.perf_counter()
        introspect(executable, cache)
        runs.append(time.perf_counter() - started)
    best, median = min(runs), sorted(runs)[len(runs) // 2]
    print(f"cached introspection: best {best * 1000:.3f} ms, median {median * 1000:.3f} ms")
    assert median < 0.005
    assert list((tmp_path / "cache" / "interpreters-v1").glob("*.json"))


def test_damaged_cache_entry_is_a_miss() -> None:
    store = FakeStore()
    introspect(Path(sys.executable), store)
    for key in store.data:
        store.data[key] = {"version": "not a version"}
    found = introspect(Path(sys.executable), store)
    assert found.python_version == f"{sys.version_info[0]}.{sys.version_info[1]}"
    assert store.writes == 2


def test_round_trip_through_json() -> None:
    found = introspect(Path(sys.executable), None)
    assert Interpreter.from_json(found.executable, json.loads(json.dumps(found.to_json()))) == found


def test_missing_executable(tmp_path: Path) -> None:
    with pytest.raises(InterpreterNotFoundError, match="No Python interpreter at"):
        introspect(tmp_path / "nope", None)


def test_failing_executable_is_a_query_error(tmp_path: Path) -> None:
    script = tmp_path / "python3"
    script.write_text("#!/bin/sh\necho broken >&2\nexit 3\n")
    script.chmod(0o755)
    with pytest.raises(InterpreterQueryError) as caught:
        introspect(script, FakeStore())
    assert "exit status 3" in caught.value.message
    assert caught.value.causes == ["broken"]


def test_python2_or_garbage_output_is_a_query_error(tmp_path: Path) -> None:
    script = tmp_path / "python"
    script.write_text("#!/bin/sh\necho 'Python 2.7.18'\n")
    script.chmod(0o755)
    with pytest.raises(InterpreterQueryError, match="unreadable answer"):
        introspect(script, None)


def test_too_old_python_is_refused() -> None:
    old = sorted(PYENV_VERSIONS.glob("3.7.*/bin/python3")) if PYENV_VERSIONS.is_dir() else []
    if not old:
        pytest.skip("no pyenv Python 3.7")
    store = FakeStore()
    with pytest.raises(InterpreterQueryError, match="not supported"):
        introspect(old[-1], store)
    assert store.writes == 1  # remembered: the same file will not be asked again
    with pytest.raises(InterpreterQueryError, match="not supported"):
        introspect(old[-1], store)
    assert store.writes == 1


def test_scripts_other_than_pyenv_shims_are_never_cached(tmp_path: Path) -> None:
    wrapper = tmp_path / "python3"
    wrapper.write_text(f'#!/bin/sh\nexec "{Path(sys.executable)}" "$@"\n')
    wrapper.chmod(0o755)
    store = FakeStore()
    found = introspect(wrapper, store)
    assert found.python_version == f"{sys.version_info[0]}.{sys.version_info[1]}"
    assert store.writes == 0 and store.reads == 0


def test_pyenv_shim_answers_are_keyed_by_pyenv_state(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fake pyenv root whose shim runs whatever ``$PYENV_ROOT/version`` names."""
    py38, py312 = pyenv_python("3.8"), pyenv_python("3.12")
    root = tmp_path / "pyenv"
    (root / "shims").mkdir(parents=True)
    (root / "versions").mkdir()
    (root / "version").write_text(str(py38))
    shim = root / "shims" / "python3"
    shim.write_text('#!/bin/sh\nexec "$(cat "$PYENV_ROOT/version")" "$@"\n')
    shim.chmod(0o755)
    monkeypatch.setenv("PYENV_ROOT", str(root))
    monkeypatch.delenv("PYENV_VERSION", raising=False)
    monkeypatch.chdir(tmp_path)
    assert pyenv_shim_context(shim) is not None
    assert pyenv_shim_context(tmp_path / "python3") is None
    store = FakeStore()
    assert introspect(shim, store).python_version == "3.8"
    assert introspect(shim, store).python_version == "3.8"
    assert store.writes == 1
    (root / "version").write_text(str(py312) + "\n")  # `pyenv global 3.12`
    assert introspect(shim, store).python_version == "3.12"
    assert store.writes == 2
    monkeypatch.setenv("PYENV_VERSION", "3.8")  # a different selection input: a different key
    introspect(shim, store)
    assert store.writes == 3


def test_pyenv_shim_not_found_is_remembered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "pyenv"
    (root / "shims").mkdir(parents=True)
    shim = root / "shims" / "python3.9"
    shim.write_text("#!/bin/sh\necho 'pyenv: python3.9: command not found' >&2\nexit 127\n")
    shim.chmod(0o755)
    monkeypatch.setenv("PYENV_ROOT", str(root))
    store = FakeStore()
    for _ in range(2):
        with pytest.raises(InterpreterQueryError, match="exit status 127"):
            introspect(shim, store)
    assert store.writes == 1
