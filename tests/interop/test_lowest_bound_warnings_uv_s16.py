"""``--resolution lowest`` warnings for requirements without a lower bound, side by side with
uv 0.13.8 (skipped without it): before ``Resolved``, each of the project's own requirements
with none (``lowest`` and ``lowest-direct``); after it, under ``lowest`` only, each package
that nothing requiring it (nor a constraint) bounds from below — a package's extra counting
as a package of its own, a script's direct requirements not counted again. ferry said
nothing.

The lines compared are ``Resolved`` and these warnings, in order (uv sorts both kinds); the
``Using CPython`` line, which ferry prints after the first kind, is left out."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from tests.interop.uv_kit_s14 import uv_run
from tests.support.index import LocalIndex
from tests.support.runner import Result, Runner

from ferry.model.pep440_specifiers import SpecifierSet
from ferry.resolve.diagnostics import has_lower_bound

PROJECT = ('[project]\nname = "demo"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n'
           "dependencies = [{deps}]\n{tail}")
RICH = ('"top", "cc<2", "aa[x]", "bb==1.0.0", "other>=1"',
        '[project.optional-dependencies]\nopt = ["dd!=3"]\n[dependency-groups]\ndev = ["ee"]\n')


def test_lower_bounds() -> None:
    for text in (">=1", ">1", "==1.0", "==1.*", "~=1.2", "===1.0", "<3,>=1"):
        assert has_lower_bound(SpecifierSet(text)), text
    for text in ("", "<2", "<=2", "!=3", "!=1.*"):
        assert not has_lower_bound(SpecifierSet(text)), text


@pytest.fixture
def url(tmp_path: Path) -> str:
    index = LocalIndex(tmp_path / "index")
    for version in ("1.0.0", "2.0.0"):
        index.add_wheel("leaf", version)
        index.add_wheel("mid", version, requires=["leaf"])
        index.add_wheel("top", version, requires=["mid>=1.0", "leaf"])
        index.add_wheel("other", version, requires=["leaf<3"])
        for name in ("aa", "bb", "cc", "dd", "ee"):
            index.add_wheel(name, version, requires=["leaf"], extras={"x": ["mid"]})
    return (tmp_path / "index" / "simple").as_uri()


def lines(result: Result) -> list[str]:
    assert result.code == 0, result.stderr
    return [re.sub(r"( is unpinned)\..*| in [0-9.]+m?s$", r"\1", line)
            for line in result.stderr.splitlines()
            if line.startswith(("Resolved", "warning: The direct", "warning: The transitive"))]


def both(run: Runner, tmp_path: Path, files: dict[str, str], *args: str) -> list[list[str]]:
    shown = []
    for tool in ("ferry", "uv"):
        root = tmp_path / tool / "p"
        root.mkdir(parents=True)
        for name, text in files.items():
            (root / name).write_text(text, encoding="utf-8")
        full = (*args, "--python", sys.executable)
        shown.append(lines(run(*full, cwd=root) if tool == "ferry" else uv_run(root, *full)))
    texts = [(tmp_path / tool / "p" / name).read_text(encoding="utf-8")
             for tool in ("ferry", "uv") for name in ("uv.lock", "s.py.lock")
             if (tmp_path / tool / "p" / name).exists()]
    assert texts[0] == texts[1]
    return shown


def direct(*names: str) -> list[str]:
    return [f"warning: The direct dependency `{n}` is unpinned" for n in names]


def transitive(*names: str) -> list[str]:
    return [f"warning: The transitive dependency `{n}` is unpinned" for n in names]


@pytest.mark.parametrize(("mode", "expected"), [
    ("lowest", [*direct("aa", "cc", "top", "dd", "ee"), "Resolved 10 packages",
                *transitive("aa", "aa", "cc", "dd", "ee", "leaf", "top")]),
    ("lowest-direct", [*direct("aa", "cc", "top", "dd", "ee"), "Resolved 10 packages"]),
    ("highest", ["Resolved 10 packages"]),
])
def test_project(run: Runner, tmp_path: Path, url: str, mode: str, expected: list[str]) -> None:
    files = {"pyproject.toml": PROJECT.format(deps=RICH[0], tail=RICH[1])}
    ours, uvs = both(run, tmp_path, files, "lock", "--index-url", url, "--resolution", mode)
    assert ours == uvs == expected


def test_a_constraint_is_a_bound(run: Runner, tmp_path: Path, url: str) -> None:
    files = {"pyproject.toml": PROJECT.format(
        deps='"top", "other>=1"', tail='[tool.uv]\nconstraint-dependencies = ["leaf>=1"]\n')}
    ours, uvs = both(run, tmp_path, files, "lock", "--index-url", url,
                     "--resolution", "lowest")
    assert ours == uvs == [*direct("top"), "Resolved 5 packages", *transitive("top")]


def test_script(run: Runner, tmp_path: Path, url: str) -> None:
    files = {"s.py": '# /// script\n# requires-python = ">=3.11"\n'
                     '# dependencies = ["top", "other>=1"]\n# ///\n'}
    ours, uvs = both(run, tmp_path, files, "lock", "--script", "s.py", "--index-url", url,
                     "--resolution", "lowest")
    assert ours == uvs == [*direct("top"), "Resolved 4 packages", *transitive("leaf")]
