"""``--index NAME=URL`` on the command line of a project command, where the project declares
an ``[[tool.uv.index]]`` of that name: uv 0.13.8 lets the command line's take its place — the
package pinned to the name (``[tool.uv.sources]``) comes from the command line's URL, the
project's entry is no longer searched at all, and the command line's is an ordinary index
(not ``explicit``, though the project's was; not the default, unless given as
``--default-index NAME=URL``). ferry fetched ``mine=file:///…`` as a URL and failed.

Each case runs ferry, then the real uv (skipped without it), on twins of one project and
compares the locks byte for byte and what ``--locked`` says of them."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from tests.interop.uv_kit_s14 import uv_run
from tests.support.index import LocalIndex
from tests.support.runner import Result, Runner

from ferry.commands.index_names import (
    named_on_command_line,
    plain_url,
    split_named,
    with_named_indexes,
)
from ferry.project.pyproject import parse_pyproject

PROJECT = """\
[project]
name = "app"
version = "0.1.0"
requires-python = ">=3.11"
dependencies = [{deps}]

[[tool.uv.index]]
name = "mine"
url = "{first}"
explicit = true

[[tool.uv.index]]
name = "fallback"
url = "{fallback}"
default = true

[tool.uv.sources]
lib = {{ index = "mine" }}
"""


def test_split_named() -> None:
    assert split_named("mine=file:///srv/i/simple") == ("mine", "file:///srv/i/simple")
    assert split_named("my.idx_2=https://example.invalid/simple") == (
        "my.idx_2", "https://example.invalid/simple")
    assert split_named("https://example.invalid/simple?a=b") == (
        None, "https://example.invalid/simple?a=b")
    assert split_named("./dir=x/simple") == (None, "./dir=x/simple")
    assert split_named("=https://example.invalid") == (None, "=https://example.invalid")
    assert plain_url("mine=../idx") == "../idx"


def test_the_command_line_takes_the_project_entry_of_its_name(tmp_path: Path) -> None:
    text = PROJECT.format(deps='"lib"', first="https://a.invalid/simple",
                          fallback="https://e.invalid/simple")
    pyproject = parse_pyproject(text, tmp_path / "pyproject.toml")
    named = with_named_indexes(pyproject, "fallback=https://d.invalid/simple",
                               ["other", "mine=https://b.invalid/simple"])
    assert [(i.name, i.url, i.explicit, i.default) for i in named.tool.indexes] == [
        ("mine", "https://b.invalid/simple", False, False),
        ("fallback", "https://d.invalid/simple", False, True),
    ]
    assert with_named_indexes(pyproject, None, ["https://c.invalid/simple"]) is pyproject
    relative = named_on_command_line(None, ["mine=idx/simple"])
    assert relative[0].url == (Path.cwd() / "idx" / "simple").as_uri()


@pytest.fixture
def indexes(tmp_path: Path) -> dict[str, str]:
    """``a`` (the project's ``mine``: lib 1, dep 1, onlya), ``b`` (the command line's: lib 2,
    dep 2) and ``e`` (the project's default: dep 3, onlye)."""
    made: dict[str, str] = {}
    for key, wheels in {"a": [("lib", "1.0.0"), ("dep", "1.0.0"), ("onlya", "1.0.0")],
                        "b": [("lib", "2.0.0"), ("dep", "2.0.0")],
                        "e": [("dep", "3.0.0"), ("onlye", "1.0.0")]}.items():
        index = LocalIndex(tmp_path / "indexes" / key)
        for name, version in wheels:
            index.add_wheel(name, version)
        made[key] = (tmp_path / "indexes" / key / "simple").as_uri()
    return made


def twins(tmp_path: Path, indexes: dict[str, str], deps: str = '"lib", "dep"') -> list[Path]:
    roots = [tmp_path / "ours", tmp_path / "theirs"]
    for root in roots:
        (root / "sub").mkdir(parents=True)
        (root / "pyproject.toml").write_text(
            PROJECT.format(deps=deps, first=indexes["a"], fallback=indexes["e"]),
            encoding="utf-8")
    return roots


def both(run: Runner, roots: list[Path], *args: str, cwd: str = "") -> tuple[Result, Result]:
    args = (*args, "--python", sys.executable)
    return run(*args, cwd=roots[0] / cwd), uv_run(roots[1] / cwd, *args)


def same_locks(roots: list[Path]) -> str:
    ours, theirs = ((root / "uv.lock").read_text(encoding="utf-8") for root in roots)
    assert ours == theirs
    return ours


def test_lock_with_a_named_index(run: Runner, tmp_path: Path, indexes: dict[str, str]) -> None:
    roots = twins(tmp_path, indexes)
    flag = f"mine={indexes['b']}"
    mine, theirs = both(run, roots, "lock", "--index", flag)
    assert (mine.code, theirs.code) == (0, 0), mine.stderr + theirs.stderr
    lock = same_locks(roots)
    # the pinned lib and the unpinned dep both from the command line's (ordinary) index
    assert f'{{ name = "lib", index = "{indexes["b"]}" }}' in lock
    assert 'version = "2.0.0"' in lock and 'version = "3.0.0"' not in lock
    for done in both(run, roots, "lock", "--locked", "--index", flag):
        assert done.code == 0, done.stderr
    for done in both(run, roots, "lock", "--locked"):  # the project's `mine` again: stale
        assert done.code == 1 and "needs to be updated" in done.stderr
    both(run, roots, "lock")
    assert 'version = "2.0.0"' not in same_locks(roots)


def test_a_relative_path_from_a_subdirectory(
    run: Runner, tmp_path: Path, indexes: dict[str, str]
) -> None:
    roots = twins(tmp_path, indexes)
    relative = Path("../../indexes/b/simple")  # from <twin>/sub
    mine, theirs = both(run, roots, "lock", "--index", f"mine={relative}", cwd="sub")
    assert (mine.code, theirs.code) == (0, 0), mine.stderr + theirs.stderr
    lock = same_locks(roots)
    assert 'registry = "../indexes/b/simple"' in lock


def test_default_index_by_name(run: Runner, tmp_path: Path, indexes: dict[str, str]) -> None:
    roots = twins(tmp_path, indexes)
    mine, theirs = both(run, roots, "lock", "--default-index", f"fallback={indexes['b']}")
    assert (mine.code, theirs.code) == (0, 0), mine.stderr + theirs.stderr
    lock = same_locks(roots)
    assert 'version = "3.0.0"' not in lock  # the project's default (e) is not searched


def test_the_project_entry_is_not_searched_any_more(
    run: Runner, tmp_path: Path, indexes: dict[str, str]
) -> None:
    """``onlya`` lives on the project's ``mine`` (made ordinary here, so it is searched):
    named on the command line, that index is gone, and both tools fail to find it."""
    roots = twins(tmp_path, indexes, deps='"dep", "onlya"')
    for root in roots:
        path = root / "pyproject.toml"
        path.write_text(path.read_text(encoding="utf-8").replace("explicit = true", ""),
                        encoding="utf-8")
    for done in both(run, roots, "lock"):
        assert done.code == 0, done.stderr
    for done in both(run, roots, "lock", "--index", f"mine={indexes['b']}", "--upgrade"):
        assert done.code == 1 and "onlya" in done.stderr, done.stderr
