"""``ferry lock --index`` with the odd spellings of an index on disk, side by side with uv
0.13.8 (skipped without it): ``file:/abs`` (no authority), ``file:////abs``, ``file://localhost``,
``..``/``.``/``//`` inside a ``file:`` URL, a fragment, a trailing slash. uv reads every one of
them as the ``file:///`` URL of the normalised path (its trailing slash kept) and names that
path as the lock's ``registry``; ferry refused ``file:/abs`` (it took it for a relative path)
and wrote the others' paths unnormalised. A relative path that does not start with ``./`` or
``../`` gets uv's warning (it could be read as an index name).

Each case locks twins of one project with both tools and compares the locks byte for byte,
then holds each tool's ``--locked`` to the other's lock."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from tests.interop.uv_kit_s14 import uv_run
from tests.support.index import LocalIndex
from tests.support.runner import Runner

from ferry.commands.index_names import plain_url

AMBIGUOUS = ("warning: Relative paths passed to `--index` or `--default-index` should be "
             "disambiguated from index names (use `./idx/simple/`). Support for ambiguous "
             "values will be removed in the future")


def test_plain_url_spellings() -> None:
    assert plain_url("file:/srv/i/simple/") == "file:///srv/i/simple/"
    assert plain_url("file:////srv/i/simple") == "file:///srv/i/simple"
    assert plain_url("file://localhost/srv/my%20i/simple") == "file:///srv/my%20i/simple"
    assert plain_url("file:///srv//x/../i/./simple/#frag") == "file:///srv/i/simple/"
    assert plain_url("mine=file:/srv/i") == "file:///srv/i"
    assert plain_url("file:relative/simple") == "file:relative/simple"  # refused later, as uv
    assert plain_url("file://server/share") == "file://server/share"
    assert plain_url("../idx/simple") == "../idx/simple"
    assert plain_url("https://example.invalid/a/../simple") == "https://example.invalid/a/../simple"


@pytest.fixture
def twins(tmp_path: Path) -> list[Path]:
    """Two copies of a project needing ``lib``, each with the index as ``idx`` inside it (a
    directory with a space beside it too)."""
    roots = [tmp_path / "ours", tmp_path / "theirs"]
    for root in roots:
        for name in ("idx", "my idx"):
            LocalIndex(root / name).add_wheel("lib", "1.0.0")
        (root / "pyproject.toml").write_text(
            '[project]\nname = "app"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n'
            'dependencies = ["lib"]\n', encoding="utf-8")
    return roots


SPELLINGS = [
    ("--index", "file:{root}/idx/simple/", "{root}/idx/simple/"),
    ("--index", "file://{root}/./idx//simple", "{root}/idx/simple"),
    ("--index", "file:{root}/../{name}/idx/simple/", "{root}/idx/simple/"),
    ("--index", "file:///{root}/idx/simple", "{root}/idx/simple"),  # file:////abs
    ("--index", "file://localhost{root}/my%20idx/simple/#frag", "{root}/my idx/simple/"),
    ("--index", "mine=file:{root}/idx/simple", "{root}/idx/simple"),
    ("--index", "idx/simple/", "idx/simple"),
    ("--index", "./idx/simple", "idx/simple"),
    ("--default-index", "file:{root}/idx/simple", "{root}/idx/simple"),
]


@pytest.mark.parametrize(("flag", "given", "registry"), SPELLINGS)
def test_lock_names_the_index_as_uv_does(
    run: Runner, twins: list[Path], flag: str, given: str, registry: str
) -> None:
    texts, outputs = [], []
    for root, tool in zip(twins, ("ferry", "uv"), strict=True):
        value = given.format(root=root, name=root.name)
        args = ("lock", flag, value, "--python", sys.executable)
        done = run(*args, cwd=root) if tool == "ferry" else uv_run(root, *args)
        assert done.code == 0, done.stderr
        outputs.append([line for line in done.stderr.splitlines() if "Relative" in line])
        texts.append((root / "uv.lock").read_text(encoding="utf-8"))
        assert f'registry = "{registry.format(root=root)}"' in texts[-1]
    assert texts[0].replace(str(twins[0]), "<root>") == texts[1].replace(str(twins[1]), "<root>")
    assert outputs[0] == outputs[1] == ([AMBIGUOUS] if given == "idx/simple/" else [])
    # each tool finds the other's lock up to date (same directory: the locks are swapped)
    for root, other in zip(twins, reversed(texts), strict=True):
        (root / "uv.lock").write_text(other.replace(str(twins[1] if root == twins[0]
                                                          else twins[0]), str(root)),
                                      encoding="utf-8")
    value = given.format(root=twins[0], name=twins[0].name)
    mine = run("lock", "--locked", flag, value, "--python", sys.executable, cwd=twins[0])
    assert mine.code == 0, mine.stderr
    value = given.format(root=twins[1], name=twins[1].name)
    theirs = uv_run(twins[1], "lock", "--locked", flag, value, "--python", sys.executable)
    assert theirs.code == 0, theirs.stderr
