"""Index strategy ``unsafe-first-match``: every index is searched for a name, but versions are
taken from the first index that has one that fits; a later index is used only when none of the
earlier one's do (a range it cannot meet, a Python it cannot serve).

Two loopback indexes: ``first`` (an extra index, so searched first) and ``second`` (the
default). The expected pins were observed with uv 0.13.8 on the same indexes; the project lock
is compared with uv's byte for byte when uv is installed.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.support.index import IndexServer, LocalIndex
from tests.support.peers import find_uv
from tests.support.runner import Runner

UV = find_uv()
T = "2024-01-01T00:00:00Z"


@pytest.fixture
def indexes(tmp_path: Path) -> Iterator[tuple[IndexServer, IndexServer]]:
    first, second = LocalIndex(tmp_path / "first"), LocalIndex(tmp_path / "second")
    first.add_wheel("pkg", "1.0", requires=["dep"], upload_time=T)
    first.add_wheel("dep", "1.0", upload_time=T)
    first.add_wheel("newpy", "3.0", requires_python=">=3.99", upload_time=T)
    second.add_wheel("pkg", "1.5", upload_time=T)
    second.add_wheel("pkg", "2.0", upload_time=T)
    second.add_wheel("dep", "3.0", upload_time=T)
    second.add_wheel("newpy", "1.0", upload_time=T)
    second.add_wheel("other", "1.0", upload_time=T)
    with IndexServer(first) as a, IndexServer(second) as b:
        yield a, b


def _compile(
    run: Runner, indexes: tuple[IndexServer, IndexServer], strategy: str, requirement: str
) -> dict[str, str]:
    first, second = indexes
    result = run("pip", "compile", "-", "--python-version", "3.12", "--no-header",
                 "--no-annotate", "--index-url", second.simple_url,
                 "--extra-index-url", first.simple_url, "--index-strategy", strategy,
                 input=requirement + "\n")
    assert result.code == 0, result.stderr
    return dict(line.split("==") for line in result.stdout.splitlines())


@pytest.mark.parametrize(
    ("requirement", "expected"),
    [
        ("pkg", {"pkg": "1.0", "dep": "1.0"}),  # the first index has a pkg: its newest
        ("pkg>=2", {"pkg": "2.0"}),  # none of the first index's fits: the next index's
        ("pkg>1,<2", {"pkg": "1.5"}),
        ("newpy", {"newpy": "1.0"}),  # the first index's only version needs Python 3.99
        ("dep", {"dep": "1.0"}),
        ("other", {"other": "1.0"}),  # only on the second index
    ],
)
def test_versions_come_from_the_first_index_that_fits(
    run: Runner, indexes: tuple[IndexServer, IndexServer], requirement: str,
    expected: dict[str, str]
) -> None:
    assert _compile(run, indexes, "unsafe-first-match", requirement) == expected


def test_the_other_strategies_still_differ(
    run: Runner, indexes: tuple[IndexServer, IndexServer]
) -> None:
    assert _compile(run, indexes, "unsafe-best-match", "pkg") == {"pkg": "2.0"}
    assert _compile(run, indexes, "first-index", "pkg") == {"pkg": "1.0", "dep": "1.0"}
    first, second = indexes
    refused = run("pip", "compile", "-", "--python-version", "3.12", "--index-url",
                  second.simple_url, "--extra-index-url", first.simple_url, input="pkg>=2\n")
    assert refused.code == 1  # first-index never looks past the first index that has pkg


def test_pip_install_takes_the_first_index_version(
    run: Runner, indexes: tuple[IndexServer, IndexServer], tmp_path: Path
) -> None:
    first, second = indexes
    assert run("venv", "-p", sys.executable, str(tmp_path / "env")).code == 0
    result = run("pip", "install", "-p", str(tmp_path / "env"), "pkg", "other",
                 "--index-url", second.simple_url, "--extra-index-url", first.simple_url,
                 "--index-strategy", "unsafe-first-match")
    assert result.code == 0, result.stderr
    assert " + pkg==1.0\n" in result.stderr and " + dep==1.0\n" in result.stderr
    assert " + other==1.0\n" in result.stderr


def _project(directory: Path, first: IndexServer, second: IndexServer) -> Path:
    directory.mkdir()
    (directory / "pyproject.toml").write_text(
        '[project]\nname = "proj"\nversion = "0.1"\nrequires-python = ">=3.11"\n'
        'dependencies = ["pkg", "newpy", "other"]\n\n'
        '[tool.uv]\nindex-strategy = "unsafe-first-match"\n\n'
        f'[[tool.uv.index]]\nname = "a"\nurl = "{first.simple_url}"\n\n'
        f'[[tool.uv.index]]\nname = "b"\nurl = "{second.simple_url}"\ndefault = true\n',
        encoding="utf-8",
    )
    return directory


def test_a_project_lock_records_each_version_with_its_index(
    run: Runner, indexes: tuple[IndexServer, IndexServer], tmp_path: Path
) -> None:
    first, second = indexes
    project = _project(tmp_path / "ferry", first, second)
    result = run("lock", "-p", sys.executable, cwd=project)
    assert result.code == 0, result.stderr
    lock = tomllib.loads((project / "uv.lock").read_text(encoding="utf-8"))
    found = {(p["name"], p["version"]): p["source"].get("registry") for p in lock["package"]}
    assert found == {
        ("dep", "1.0"): first.simple_url,
        ("pkg", "1.0"): first.simple_url,
        # the universal lock forks: 3.0 where Python reaches 3.99, the next index's below
        ("newpy", "3.0"): first.simple_url,
        ("newpy", "1.0"): second.simple_url,
        ("other", "1.0"): second.simple_url,
        ("proj", "0.1"): None,
    }
    if UV is None:
        return
    twin = _project(tmp_path / "uv", first, second)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("UV_", "PIP_", "FERRY_", "VIRTUAL_ENV"))}
    # No UV_NO_CONFIG: it would ignore the project's [tool.uv] too. A fresh HOME instead.
    env.update(UV_CACHE_DIR=str(tmp_path / "uv-cache"), UV_PYTHON_DOWNLOADS="never",
               HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / "config"))
    done = subprocess.run([UV, "lock", "-q", "-p", sys.executable], cwd=twin, env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert (twin / "uv.lock").read_text() == (project / "uv.lock").read_text()


@pytest.fixture
def shared_version(tmp_path: Path) -> Iterator[tuple[IndexServer, IndexServer]]:
    """foo 2.0 on both indexes, the second's file better for the target (a more specific wheel
    tag, or a wheel where the first has only an sdist); foo 3.0 on the second only."""
    first, second = LocalIndex(tmp_path / "first"), LocalIndex(tmp_path / "second")
    first.add_wheel("foo", "2.0", upload_time=T)
    first.add_sdist("bar", "2.0", upload_time=T)
    for name in ("foo", "bar"):
        second.add_wheel(name, "2.0", tag="py312-none-any", upload_time=T)
        second.add_wheel(name, "3.0", upload_time=T)
    with IndexServer(first) as a, IndexServer(second) as b:
        yield a, b


def test_a_version_on_the_first_index_is_taken_from_it_even_if_a_later_file_is_better(
    run: Runner, shared_version: tuple[IndexServer, IndexServer]
) -> None:
    """uv 0.13.8 answers foo==2.0 and bar==2.0 (from the first index). ferry ranked a version
    by its best file over all indexes, so 2.0 counted as the second index's and 3.0 won."""
    assert _compile(run, shared_version, "unsafe-first-match", "foo") == {"foo": "2.0"}
    assert _compile(run, shared_version, "unsafe-first-match", "bar") == {"bar": "2.0"}


def test_a_lock_takes_a_shared_version_from_the_first_index(
    run: Runner, shared_version: tuple[IndexServer, IndexServer], tmp_path: Path
) -> None:
    first, second = shared_version
    project = tmp_path / "proj"
    project.mkdir()
    (project / "pyproject.toml").write_text(
        '[project]\nname = "proj"\nversion = "0.1"\nrequires-python = ">=3.11"\n'
        'dependencies = ["bar"]\n\n[tool.uv]\nindex-strategy = "unsafe-first-match"\n\n'
        f'[[tool.uv.index]]\nname = "a"\nurl = "{first.simple_url}"\n\n'
        f'[[tool.uv.index]]\nname = "b"\nurl = "{second.simple_url}"\ndefault = true\n',
        encoding="utf-8",
    )
    result = run("lock", "-p", sys.executable, cwd=project)
    assert result.code == 0, result.stderr
    lock = tomllib.loads((project / "uv.lock").read_text(encoding="utf-8"))
    found = {(p["name"], p["version"]): p["source"].get("registry") for p in lock["package"]}
    assert found == {("bar", "2.0"): first.simple_url, ("proj", "0.1"): None}
