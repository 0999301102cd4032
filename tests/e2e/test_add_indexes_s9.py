"""``ferry add --index [NAME=]URL`` / ``--default-index`` against a project that already declares
indexes (s9 review F12, F13): the index named on the command line goes first in
``[[tool.uv.index]]`` (so the package resolves from it), separated by a blank line, and an entry
with the same name or URL is updated and moved rather than ignored — byte for byte as uv 0.13.8
writes it (compared with uv when it is installed)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from tests.e2e.edit_kit import run_uv, uv_binary
from tests.support.index import LocalIndex
from tests.support.runner import Runner

A = "http://127.0.0.1:9/a/"
B = "http://localhost:9/b/"

HEAD = """\
[project]
name = "ix"
version = "0.1.0"
requires-python = ">=3.8"
dependencies = []
"""

TWO = (
    HEAD
    + f"""
[[tool.uv.index]]
name = "mirror"
url = "{A}"  # the mirror

[[tool.uv.index]]
name = "old-default"
url = "{B}"
default = true
"""
)

ONE = HEAD + f'\n[[tool.uv.index]]\nname = "mirror"\nurl = "{A}"\n'

DEPS = 'dependencies = [\n    "six",\n]\n'


def _project(tmp_path: Path, text: str, name: str = "p") -> Path:
    root = tmp_path / name
    root.mkdir()
    (root / "pyproject.toml").write_text(text)
    return root


EXPECTED = {
    # a new index goes first, a blank line after it
    ("one", f"--index={B}"): HEAD.replace("dependencies = []\n", DEPS)
    + f'\n[[tool.uv.index]]\nurl = "{B}"\n\n[[tool.uv.index]]\nname = "mirror"\nurl = "{A}"\n',
    # the same name: the URL is replaced (comment kept), the entry with that URL dropped
    ("two", f"--index=mirror={B}"): HEAD.replace("dependencies = []\n", DEPS)
    + f'\n[[tool.uv.index]]\nname = "mirror"\nurl = "{B}"  # the mirror\n'
    + '\n[tool.uv.sources]\nsix = { index = "mirror" }\n',
    # the same URL as the default: that entry is moved first
    ("two", f"--index={B}"): HEAD.replace("dependencies = []\n", DEPS)
    + f'\n[[tool.uv.index]]\nname = "old-default"\nurl = "{B}"\ndefault = true\n'
    + f'\n[[tool.uv.index]]\nname = "mirror"\nurl = "{A}"  # the mirror\n',
    # --default-index with a declared URL: that entry becomes the only default
    ("two", f"--default-index={A}"): HEAD.replace("dependencies = []\n", DEPS)
    + f'\n[[tool.uv.index]]\nname = "mirror"\nurl = "{A}"  # the mirror\ndefault = true\n',
    # several: in the order given, the default last, all before the declared ones
    ("one", "--index=x=http://localhost:9/x/", "--index=http://localhost:9/y/",
     "--default-index=http://localhost:9/z/"): HEAD.replace("dependencies = []\n", DEPS)
    + '\n[[tool.uv.index]]\nname = "x"\nurl = "http://localhost:9/x/"\n'
    + '\n[[tool.uv.index]]\nurl = "http://localhost:9/y/"\n'
    + '\n[[tool.uv.index]]\nurl = "http://localhost:9/z/"\ndefault = true\n'
    + f'\n[[tool.uv.index]]\nname = "mirror"\nurl = "{A}"\n',
    # --default-index NAME=URL alone pins the package, as a lone --index NAME=URL does
    ("none", "--default-index=d=http://localhost:9/d/"): HEAD.replace("dependencies = []\n", DEPS)
    + '\n[tool.uv.sources]\nsix = { index = "d" }\n'
    + '\n[[tool.uv.index]]\nname = "d"\nurl = "http://localhost:9/d/"\ndefault = true\n',
}

TEMPLATES = {"one": ONE, "two": TWO, "none": HEAD}


@pytest.mark.parametrize("case", list(EXPECTED), ids=lambda c: " ".join(c))
def test_frozen_index_edits_match_uv(
    run: Runner, tmp_path: Path, case: tuple[str, ...]
) -> None:
    template, *flags = case
    root = _project(tmp_path, TEMPLATES[template])
    twin = tmp_path / "twin"
    shutil.copytree(root, twin)
    result = run("add", "--frozen", "six", *flags, cwd=root)
    assert result.code == 0, result.stderr
    written = (root / "pyproject.toml").read_text()
    assert written == EXPECTED[case]
    if uv_binary() is not None:
        peer = run_uv(["add", "--frozen", "six", *flags], twin, tmp_path / "uvc")
        assert peer.returncode == 0, peer.stderr
        assert written == (twin / "pyproject.toml").read_text()


@pytest.mark.parametrize("conflict", ["other", "new"])
def test_a_name_for_a_declared_url_renames_that_entry(
    run: Runner, tmp_path: Path, conflict: str
) -> None:
    """``--index other=URL`` with URL declared under another name: uv renames the entry (ferry
    failed with "`six` is pinned to the index `other`, which is not declared")."""
    url = A if conflict == "other" else B
    root = _project(tmp_path, TWO)
    result = run("add", "--frozen", "six", f"--index={conflict}={url}", cwd=root)
    assert result.code == 0, result.stderr
    text = (root / "pyproject.toml").read_text()
    assert f'name = "{conflict}"\nurl = "{url}"' in text
    assert text.count(url) == 1
    assert f'six = {{ index = "{conflict}" }}' in text
    assert text.index(f'name = "{conflict}"') < text.index("[tool.uv.sources]")


def _old_and_new(tmp_path: Path, name: str) -> tuple[LocalIndex, LocalIndex, Path]:
    """Two indexes with ``leaf`` 1.0.0 and 2.0.0; a project declaring the first as ``name``."""
    old = LocalIndex(tmp_path / "old")
    old.add_wheel("leaf", "1.0.0")
    new = LocalIndex(tmp_path / "new")
    new.add_wheel("leaf", "2.0.0")
    declared = f'\n[[tool.uv.index]]\nname = "{name}"\nurl = "{old.file_url}"\n'
    return old, new, _project(tmp_path, HEAD + declared)


def test_the_package_resolves_from_the_index_just_named(
    run: Runner, tmp_path: Path
) -> None:
    old, new, root = _old_and_new(tmp_path, "old")
    result = run("add", "--no-sync", "leaf", "--index", new.file_url, cwd=root)
    assert result.code == 0, result.stderr
    text = (root / "pyproject.toml").read_text()
    assert '"leaf>=2.0.0"' in text
    # uv writes a `file://` index as its path (s15)
    written = new.file_url.removeprefix("file://")
    assert text.index(f'url = "{written}"') < text.index(old.file_url)
    lock = (root / "uv.lock").read_text()
    assert 'name = "leaf"\nversion = "2.0.0"' in lock


def test_renaming_the_url_of_a_declared_index_locks_from_the_new_url(
    run: Runner, tmp_path: Path
) -> None:
    """``--index mirror=NEW`` when ``mirror`` points elsewhere: the new URL is the one used."""
    old, new, root = _old_and_new(tmp_path, "mirror")
    result = run("add", "--no-sync", "leaf", f"--index=mirror={new.file_url}", cwd=root)
    assert result.code == 0, result.stderr
    text = (root / "pyproject.toml").read_text()
    assert old.file_url not in text
    assert 'name = "leaf"\nversion = "2.0.0"' in (root / "uv.lock").read_text()
