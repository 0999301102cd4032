"""The lean ``ferry venv`` path inside a project (``ferry.commands.venv_interpreter``).

It reads the project from the parsed copy the full path left in the cache, evaluates
requires-python itself for plain releases, and hands everything else to the full path."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from pathlib import Path

import pytest
from tests.support.runner import ferry_env

from ferry.commands import venv_interpreter as lean
from ferry.fs import toml_memo
from ferry.model.pep440_specifiers import SpecifierSet

SPECIFIERS = [
    ">=3.10", ">3.10", "<3.12", "<=3.12", "==3.11.*", "!=3.11.*", "==3.11", "!=3.11.2",
    "~=3.11.0", "~=3.10.4", ">=3.9, <3.12", "<3.13,>=3.10.2", "==3.*", ">= 3.10 , != 3.11.*",
    "==3.11.2", ">3.11.0", "<=3.11.0",
]
VERSIONS = ["3.8.18", "3.9.0", "3.10.2", "3.10.13", "3.11.0", "3.11", "3.11.2", "3.12.1",
            "3.13.0", "4.0"]


@pytest.mark.parametrize(("specifiers", "version"), list(itertools.product(SPECIFIERS, VERSIONS)))
def test_allows_agrees_with_the_specifier_sets(specifiers: str, version: str) -> None:
    assert lean.allows(specifiers, version) == SpecifierSet(specifiers).contains(
        version, prereleases=True)


@pytest.mark.parametrize(("specifiers", "version"), [
    ("~=3.12", "3.12.1"),  # the full path warns about a two-number ~=
    ("===3.12.1", "3.12.1"), (">=3.10", "3.13.0rc1"), (">=3.10,", "3.12.1"), ("3.12", "3.12.1"),
    (">=3.10.*", "3.12.1"), (">=3.1O", "3.12.1"),
])
def test_allows_leaves_the_rest_to_the_full_path(specifiers: str, version: str) -> None:
    with pytest.raises(lean.Fallback):
        lean.allows(specifiers, version)


def test_the_memo_folder_is_the_memos() -> None:
    assert lean.TOML_MEMO_DIR == toml_memo.BUCKET_DIR


def _full_venv(cwd: Path, cache: Path, python: str) -> None:
    """The full path, twice: the first makes the cache, the second keeps the parsed TOML."""
    env = ferry_env({"FERRY_CACHE_DIR": str(cache), "FERRY_NO_FAST_PATH": "1"})
    for args in (["--no-project", str(cwd.parent / "warm")], []):
        _run_venv(cwd, env, python, args)


def _run_venv(cwd: Path, env: dict[str, str], python: str, args: list[str]) -> None:
    subprocess.run([sys.executable, "-m", "ferry", "venv", "-q", "--python", python, *args],
                   cwd=cwd,
                   env=env, check=True, capture_output=True, timeout=120)
    subprocess.run(["rm", "-rf", str(cwd / ".venv"), str(cwd.parent / "warm")], check=True)


@pytest.mark.usefixtures("isolated_env")
def test_a_project_read_from_the_memo(tmp_path: Path) -> None:
    project = tmp_path / "p"
    (project / "sub").mkdir(parents=True)
    text = '[project]\nname = "p"\nversion = "0.1"\nrequires-python = ">=3.10, <3.13"\n'
    (project / "pyproject.toml").write_text(text, encoding="utf-8")
    cache = tmp_path / "cache"
    root = str(cache)
    with pytest.raises(lean.Fallback):  # no cache yet: the full path reads the project
        lean.project_of(str(project / "sub"), root)
    _full_venv(project, cache, sys.executable)
    root = lean.cache_root(root)
    assert lean.project_of(str(project / "sub"), root) == (str(project), ">=3.10, <3.13")
    assert lean.project_of(str(tmp_path), root) == (None, None)
    # an edit the memo has not seen, a workspace, a warning: the full path's
    (project / "pyproject.toml").write_text(text + "# edited\n", encoding="utf-8")
    with pytest.raises(lean.Fallback):
        lean.project_of(str(project), root)
    (project / "pyproject.toml").write_text(text + "[tool.uv.workspace]\n", encoding="utf-8")
    with pytest.raises(lean.Fallback):
        lean.project_of(str(project), root)


@pytest.mark.usefixtures("isolated_env")
def test_an_interpreter_outside_requires_python_is_the_full_paths(tmp_path: Path) -> None:
    project = tmp_path / "p"
    project.mkdir()
    major_minor = f"{sys.version_info[0]}.{sys.version_info[1]}"
    (project / "pyproject.toml").write_text(
        f'[project]\nname = "p"\nversion = "0.1"\nrequires-python = ">{major_minor}.9999"\n',
        encoding="utf-8")
    cache = tmp_path / "cache"
    _full_venv(project, cache, sys.executable)
    root = lean.cache_root(str(cache))
    with pytest.raises(lean.Fallback):  # it warns there
        lean.cached_interpreter(sys.executable, str(project), root)
    os.remove(project / "pyproject.toml")
    record = lean.cached_interpreter(sys.executable, str(project), root)
    assert record["sys_executable"] == sys.executable
