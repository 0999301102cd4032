"""Parsed TOML remembered in the cache (ferry.fs.toml_memo): an entry answers only for the exact
text it was parsed from, a warm command does not import tomllib, and prune drops what is stale."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from tests.support.index import LocalIndex
from tests.support.runner import Result, ferry_env

from ferry.cache.store import BUCKETS
from ferry.fs import toml_memo
from ferry.project.toml_read import load_toml


@pytest.fixture
def memo_root(tmp_path: Path) -> Iterator[Path]:
    root = tmp_path / "cache"
    (root / ".tmp").mkdir(parents=True)
    toml_memo.remember_in(str(root))
    yield root
    toml_memo.remember_in(None)


def test_the_bucket_is_the_cache_layers(memo_root: Path) -> None:
    assert BUCKETS["toml"] == toml_memo.BUCKET_DIR


def test_same_text_is_answered_from_the_memo(memo_root: Path, tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    text = '[project]\nname = "a"\nversion = "1"\ndependencies = ["b>=1", "c"]\n[x]\nf = 1.5\n'
    path.write_text(text)
    first = load_toml(text, path, "pyproject.toml")
    entries = list((memo_root / "toml-v1").iterdir())
    assert len(entries) == 1 and json.loads(entries[0].read_text())["text"] == text
    assert toml_memo.recall(str(path), text) == first
    assert load_toml(text, path, "pyproject.toml") == first


def test_other_text_or_path_is_a_miss(memo_root: Path, tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    load_toml('a = "1"\n', path, "x")
    assert toml_memo.recall(str(path), 'a = "2"\n') is None
    assert toml_memo.recall(str(tmp_path / "other.toml"), 'a = "1"\n') is None
    # the new text replaces the entry: one per file
    assert load_toml('a = "2"\n', path, "x") == {"a": "2"}
    assert len(list((memo_root / "toml-v1").iterdir())) == 1
    assert toml_memo.recall(str(path), 'a = "2"\n') == {"a": "2"}


def test_dates_are_not_remembered(memo_root: Path, tmp_path: Path) -> None:
    path = tmp_path / "dated.toml"
    assert load_toml("when = 2024-01-02\n", path, "x") == {"when": date(2024, 1, 2)}
    assert not (memo_root / "toml-v1").exists()


def test_without_a_cache_nothing_is_written(tmp_path: Path) -> None:
    toml_memo.remember_in(None)
    path = tmp_path / "pyproject.toml"
    assert load_toml('a = 1\n', path, "x") == {"a": 1}
    assert toml_memo.recall(str(path), 'a = 1\n') is None


def test_a_damaged_entry_is_a_miss(memo_root: Path, tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    load_toml('a = 1\n', path, "x")
    (entry,) = (memo_root / "toml-v1").iterdir()
    entry.write_text('{"path": ')
    assert toml_memo.recall(str(path), 'a = 1\n') is None
    assert load_toml('a = 1\n', path, "x") == {"a": 1}  # parsed again, and remembered again
    assert toml_memo.recall(str(path), 'a = 1\n') == {"a": 1}


def test_an_unwritable_cache_is_no_error(tmp_path: Path) -> None:
    toml_memo.remember_in(str(tmp_path / "missing-cache"))
    try:
        assert load_toml('a = 1\n', tmp_path / "p.toml", "x") == {"a": 1}
    finally:
        toml_memo.remember_in(None)


def test_stale_entries(memo_root: Path, tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text('a = 1\n')
    load_toml(path.read_text(), path, "x")
    (entry,) = (memo_root / "toml-v1").iterdir()
    assert not toml_memo.is_stale(entry)
    path.write_text('a = 2\n')
    assert toml_memo.is_stale(entry)
    path.unlink()
    assert toml_memo.is_stale(entry)


# `python -m ferry`, listing the modules loaded at the end.
_DRIVER = """
import atexit, runpy, sys
out, args = sys.argv[1], sys.argv[2:]
atexit.register(lambda: open(out, "w").write("\\n".join(sorted(sys.modules))))
sys.argv = ["ferry", *args]
runpy.run_module("ferry", run_name="__main__")
"""


def _modules(args: list[str], cwd: Path, env: dict[str, str | None]) -> set[str]:
    out = cwd.parent / "modules.txt"
    done = subprocess.run([sys.executable, "-c", _DRIVER, str(out), *args], cwd=cwd,
                          env=ferry_env(env), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return set(out.read_text().split())


def test_a_warm_lock_does_not_import_tomllib_and_sees_every_edit(
    tmp_path: Path, local_index: LocalIndex, run: Callable[..., Result], tmp_cache: Path
) -> None:
    local_index.add_wheel("alpha", "1.0")
    local_index.add_wheel("beta", "2.0")
    project = tmp_path / "proj"
    project.mkdir()
    pyproject = project / "pyproject.toml"
    pyproject.write_text('[project]\nname = "proj"\nversion = "0.1.0"\n'
                         'requires-python = ">=3.8"\ndependencies = ["alpha"]\n')
    env: dict[str, str | None] = {"FERRY_INDEX_URL": local_index.file_url,
                                  "FERRY_PYTHON": sys.executable}
    assert run("lock", cwd=project, env=env).code == 0  # prepares the cache
    (project / "uv.lock").unlink()
    assert run("lock", cwd=project, env=env).code == 0  # remembers the parsed pyproject.toml
    first = (project / "uv.lock").read_text()
    (project / "uv.lock").unlink()
    modules = _modules(["lock"], project, env)
    assert "tomllib" not in modules
    assert (project / "uv.lock").read_text() == first
    # an edit is read, not recalled
    pyproject.write_text(pyproject.read_text().replace('["alpha"]', '["alpha", "beta"]'))
    assert run("lock", cwd=project, env=env).code == 0
    assert 'name = "beta"' in (project / "uv.lock").read_text()
    # the project is gone: prune drops its entries
    assert list((tmp_cache / "toml-v1").iterdir())
    for path in project.iterdir():
        path.unlink()
    project.rmdir()
    assert run("cache", "prune", env=env).code == 0
    assert list((tmp_cache / "toml-v1").iterdir()) == []


def test_no_cache_writes_no_memo(
    tmp_path: Path, local_index: LocalIndex, run: Callable[..., Result], tmp_cache: Path
) -> None:
    local_index.add_wheel("alpha", "1.0")
    project = tmp_path / "proj"
    project.mkdir()
    (project / "pyproject.toml").write_text(
        '[project]\nname = "proj"\nversion = "0.1.0"\ndependencies = ["alpha"]\n')
    env: dict[str, str | None] = {"FERRY_INDEX_URL": local_index.file_url,
                                  "FERRY_PYTHON": sys.executable}
    for _ in range(2):  # the second run finds a prepared cache and remembers
        assert run("lock", cwd=project, env=env).code == 0
        (project / "uv.lock").unlink()
    for entry in (tmp_cache / "toml-v1").iterdir():
        entry.unlink()
    assert run("lock", "--no-cache", cwd=project, env=env).code == 0
    assert list((tmp_cache / "toml-v1").iterdir()) == []


def test_credentials_never_reach_the_cache(memo_root: Path, tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    text = '[[tool.uv.index]]\nname = "corp"\nurl = "https://user:s3cret@corp.example/simple"\n'
    assert load_toml(text, path, "x")["tool"]["uv"]["index"][0]["name"] == "corp"
    assert not (memo_root / "toml-v1").exists()
    assert load_toml('author = "a@b.example"\n', path, "x") == {"author": "a@b.example"}
    assert toml_memo.recall(str(path), 'author = "a@b.example"\n') is not None
