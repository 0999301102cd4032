"""``ferry add`` edits found wrong by the s9 review, each compared with what uv 0.13.8 writes
(byte for byte against uv itself where it is installed): the bound of a package added next to a
same-name entry under another marker (F1), ``-r`` files with ``--hash`` lines (F14).
Packages come from a file:// index built in tmp_path."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from tests.e2e.edit_kit import fill_index, run_uv, uv_binary
from tests.e2e.test_add_requirements import PYPROJECT
from tests.support.index import LocalIndex
from tests.support.runner import Runner


@pytest.fixture
def index(local_index: LocalIndex) -> LocalIndex:
    return fill_index(local_index)


def make_project(tmp_path: Path, index: LocalIndex, dependencies: str) -> Path:
    root = tmp_path / "demo"
    root.mkdir()
    text = PYPROJECT.format(url=index.file_url).replace("dependencies = []\n", dependencies)
    (root / "pyproject.toml").write_text(text)
    return root


def add_both(
    run: Runner, tmp_path: Path, root: Path, *args: str
) -> tuple[str, str | None]:
    """Run ``ferry add ARGS`` in ``root`` and ``uv add ARGS`` in a twin; both pyproject texts
    (None for uv when it is not installed). The lock files are compared too."""
    twin = tmp_path / "twin"
    shutil.copytree(root, twin)
    result = run("add", *args, cwd=root)
    assert result.code == 0, result.stderr
    ours = (root / "pyproject.toml").read_text()
    if uv_binary() is None:
        return ours, None
    peer = run_uv(["add", *args], twin, tmp_path / "uvc")
    assert peer.returncode == 0, peer.stderr
    if (twin / "uv.lock").exists():
        assert (root / "uv.lock").read_text() == (twin / "uv.lock").read_text()
    return ours, (twin / "pyproject.toml").read_text()


MARKED = """dependencies = [
    "idna>=2",
    "leaf>=1.0 ; python_version >= '3.8'",
]
"""


@pytest.mark.parametrize(
    ("request_", "written"),
    [
        ("leaf", '    "leaf>=1.4.2",\n    "leaf>=1.0 ; python_version >= \'3.8\'",\n'),
        (
            "leaf; sys_platform=='linux'",
            "    \"leaf>=1.0 ; python_version >= '3.8'\",\n"
            "    \"leaf>=1.4.2 ; sys_platform == 'linux'\",\n",
        ),
    ],
)
def test_same_name_under_another_marker_gets_its_bound(
    run: Runner, tmp_path: Path, index: LocalIndex, request_: str, written: str
) -> None:
    """F1: the new entry is another entry (its marker differs); it gets the locked bound."""
    index.add_wheel("idna", "3.0")
    root = make_project(tmp_path, index, MARKED)
    ours, uv = add_both(run, tmp_path, root, "--no-sync", request_)
    assert "    \"idna>=2\",\n" + written + "]" in ours
    if uv is not None:
        assert ours == uv


@pytest.mark.parametrize(
    ("before", "args", "after"),
    [
        (  # F10: an include-group table does not make the list unsorted; strings stay sorted
            '[dependency-groups]\ntest = ["toml", {include-group = "lint"}]\nlint = []\n',
            ("--group", "test", "leaf"),
            '[dependency-groups]\ntest = [\n    "leaf",\n    "toml",\n'
            '    {include-group = "lint"},\n]\nlint = []\n',
        ),
        (  # F20: uv's order compares the text before the first `><=~!@`, then the rest
            "dependencies = [\"leaf>=1.0\", \"Six\","
            " 'tool [cli] >= 1.0 ; python_version >= \"3.8\"']\n",
            ("tool>=2.0",),
            'dependencies = [\n    "leaf>=1.0",\n    "Six",\n    "tool>=2.0",\n'
            "    'tool [cli] >= 1.0 ; python_version >= \"3.8\"',\n]\n",
        ),
    ],
)
def test_sorted_insertion_as_uv(
    run: Runner, tmp_path: Path, index: LocalIndex, before: str, args: tuple[str, ...],
    after: str,
) -> None:
    root = make_project(tmp_path, index, before if before.startswith("dep") else
                        "dependencies = []\n\n" + before)
    ours, uv = add_both(run, tmp_path, root, "--frozen", *args)
    assert after in ours
    if uv is not None:
        assert ours == uv


def test_requirements_file_hashes_are_ignored(
    run: Runner, tmp_path: Path, index: LocalIndex
) -> None:
    """F14: a `--hash` on one line does not turn on hash-checking mode: `add` writes no hashes,
    so it checks none (uv does the same); the file is added as if the hashes were not there."""
    root = make_project(tmp_path, index, "dependencies = []\n")
    helper = tmp_path / "helper"
    helper.mkdir()
    (helper / "pyproject.toml").write_text('[project]\nname = "helper"\nversion = "1.0"\n')
    digest = "0" * 64
    (root / "requirements.txt").write_text(
        "top>=0.3  # inline\n"
        "-e ../helper\n"
        f"leaf>=1.0 --hash=sha256:{digest}\n"
    )
    ours, uv = add_both(run, tmp_path, root, "--no-sync", "-r", "requirements.txt")
    assert '    "leaf>=1.0",\n    "top>=0.3",\n' in ours
    assert 'helper = { path = "../helper", editable = true }' in ours
    assert digest not in ours
    if uv is not None:
        assert ours == uv
