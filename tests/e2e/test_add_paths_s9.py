"""How ``ferry add`` reads PEP 508 direct references and local paths (s9 review F3, F4, F5,
F15): ``name@URL`` without spaces, uv's ``name@../path``, a path with extras, and ``--raw``
with a path (``name @ file:///…`` in the list, no source) — the file compared byte for byte
with uv 0.13.8's where uv is installed. ``--frozen``: only the edit is under test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from tests.e2e.edit_kit import run_uv, uv_binary
from tests.support.runner import Runner

HEAD = """\
[project]
name = "demo"
version = "0.1.0"
requires-python = ">=3.8"
dependencies = []
"""


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """``demo/`` next to ``libs/helper`` and ``libs/Helper_Two`` (extra ``x``)."""
    helper = tmp_path / "libs" / "helper"
    helper.mkdir(parents=True)
    (helper / "pyproject.toml").write_text('[project]\nname = "helper"\nversion = "1.0"\n')
    two = tmp_path / "libs" / "Helper_Two"
    two.mkdir()
    (two / "pyproject.toml").write_text(
        '[project]\nname = "Helper_Two"\nversion = "0.3"\n'
        "[project.optional-dependencies]\nx = []\n"
    )
    root = tmp_path / "demo"
    root.mkdir()
    (root / "pyproject.toml").write_text(HEAD)
    return root


def deps(*lines: str) -> str:
    return HEAD.replace("dependencies = []\n", "dependencies = [\n" + "".join(
        f"    {line},\n" for line in lines) + "]\n")


def source(line: str) -> str:
    return f"\n[tool.uv.sources]\n{line}\n"


WHEEL = "http://127.0.0.1:9/files/helper-1.2.0-py3-none-any.whl"


def cases(libs: Path) -> dict[tuple[str, ...], str]:
    uri = (libs / "helper").as_uri()
    return {
        # F3: PEP 508 allows no space around `@`
        (f"helper@{WHEEL}",): deps('"helper"') + source(f'helper = {{ url = "{WHEEL}" }}'),
        # F3: uv's `name@path` and `name @ path`
        ("helper@../libs/helper",): deps('"helper"')
        + source('helper = { path = "../libs/helper" }'),
        ("helper[a,b] @ ../libs/helper",): deps('"helper[a,b]"')
        + source('helper = { path = "../libs/helper" }'),
        ("helper@../libs/helper ; sys_platform == 'linux'",): deps(
            "\"helper ; sys_platform == 'linux'\""
        ) + source('helper = { path = "../libs/helper" }'),
        # F4: extras after a path
        ("../libs/Helper_Two[x]",): deps('"helper-two[x]"')
        + source('helper-two = { path = "../libs/Helper_Two" }'),
        ("--editable", "../libs/Helper_Two[x]"): deps('"helper-two[x]"')
        + source('helper-two = { path = "../libs/Helper_Two", editable = true }'),
        # F5: --raw keeps a path in the requirement, as a file URL, and writes no source
        ("--raw", "../libs/helper"): deps(f'"helper @ {uri}"'),
        ("--raw", "helper@../libs/helper"): deps(f'"helper @ {uri}"'),
        ("--raw", "../libs/Helper_Two[x]"): deps(
            f'"helper-two[x] @ {(libs / "Helper_Two").as_uri()}"'
        ),
    }


@pytest.mark.parametrize("index", range(9))
def test_direct_references_and_paths_as_uv(
    run: Runner, tmp_path: Path, tree: Path, index: int
) -> None:
    args, expected = list(cases(tmp_path / "libs").items())[index]
    twin = tmp_path / "twin"
    shutil.copytree(tree, twin)
    result = run("add", "--frozen", *args, cwd=tree)
    assert result.code == 0, result.stderr
    written = (tree / "pyproject.toml").read_text()
    assert written == expected
    if uv_binary() is not None:
        peer = run_uv(["add", "--frozen", *args], twin, tmp_path / "uvc")
        assert peer.returncode == 0, peer.stderr
        assert written == (twin / "pyproject.toml").read_text()


def test_raw_requirements_file_with_an_editable_line(
    run: Runner, tmp_path: Path, tree: Path
) -> None:
    """F15: under ``--raw`` an ``-e ./dir`` line is written as ``name @ file:///…`` too."""
    (tree / "req.txt").write_text("leaf>=1.0\n-e ../libs/helper\n")
    result = run("add", "--frozen", "--raw", "-r", "req.txt", cwd=tree)
    assert result.code == 0, result.stderr
    uri = (tmp_path / "libs" / "helper").as_uri()
    assert (tree / "pyproject.toml").read_text() == deps(f'"helper @ {uri}"', '"leaf>=1.0"')


def test_raw_and_editable_conflict(run: Runner, tree: Path) -> None:
    result = run("add", "--frozen", "--raw", "--editable", "../libs/helper", cwd=tree)
    assert result.code == 2
    assert "'--raw' cannot be used with '--editable'" in result.stderr
    assert (tree / "pyproject.toml").read_text() == HEAD
