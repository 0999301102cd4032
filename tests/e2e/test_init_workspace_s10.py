"""``ferry init PATH`` inside a workspace or a plain project joins it, as ``uv init`` does (s9
review F18): the path goes to the root's ``members`` (formatting and comments kept, uv's layout),
a plain project gets ``[tool.uv.workspace]``, a path a ``members`` glob already names or an
``exclude`` glob leaves out is left alone with uv's message, and ``--no-workspace`` skips it all.
The expected bytes are uv 0.13.8's; where uv is installed the same commands are run through it
and compared byte for byte."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from tests.e2e.edit_kit import uv_binary
from tests.e2e.test_init import NO_GIT
from tests.support.runner import Runner

FLAGS = ["--vcs", "none", "-p", "3.12"]
MEMBER_A = '[project]\nname = "a"\nversion = "0.1.0"\nrequires-python = ">=3.12"\n'
ROOT = (
    '[project]\nname = "root"\nversion = "0.1.0"\nrequires-python = ">=3.12"\n'
    "dependencies = []\n"
)
WORKSPACE = ROOT + '\n[tool.uv.workspace]\nmembers = ["packages/a"]  # members\n'
GLOBS = ROOT + '\n[tool.uv.workspace]\nmembers = ["packages/*"]\nexclude = ["packages/x*"]\n'


def _tree(root: Path, pyproject: str) -> Path:
    (root / "packages" / "a").mkdir(parents=True)
    (root / "packages" / "a" / "pyproject.toml").write_text(MEMBER_A)
    (root / "pyproject.toml").write_text(pyproject)
    return root


CASES = [
    pytest.param(
        WORKSPACE, ".", ["packages/b"],
        ROOT + '\n[tool.uv.workspace]\nmembers = [\n    "packages/a",\n    "packages/b",\n]'
        "  # members\n",
        "Adding `b` as member of workspace `{root}`",
        id="workspace",
    ),
    pytest.param(
        WORKSPACE, "packages/a", ["sub", "--lib"],
        ROOT + '\n[tool.uv.workspace]\nmembers = [\n    "packages/a",\n    "packages/a/sub",\n]'
        "  # members\n",
        "Adding `sub` as member of workspace `{root}`",
        id="inside-a-member",
    ),
    pytest.param(
        ROOT.replace("\n", "\r\n"), ".", ["sub", "--bare"],
        ROOT + '\n[tool.uv.workspace]\nmembers = [\n    "sub",\n]\n',
        "Adding `sub` as member of workspace `{root}`",
        id="plain-project",
    ),
    pytest.param(
        GLOBS, ".", ["packages/b"], GLOBS,
        "Project `b` is already a member of workspace `{root}`",
        id="glob-member",
    ),
    pytest.param(
        GLOBS, ".", ["packages/xb"], GLOBS,
        "Project `xb` is excluded by workspace `{root}`",
        id="excluded",
    ),
    pytest.param(WORKSPACE, ".", ["--no-workspace", "packages/b"], WORKSPACE, None,
                 id="no-workspace"),
]


@pytest.mark.parametrize(("root_text", "where", "args", "expected", "message"), CASES)
def test_init_joins_the_workspace(
    run: Runner, tmp_path: Path, root_text: str, where: str, args: list[str],
    expected: str, message: str | None,
) -> None:
    root = _tree(tmp_path / "ws", root_text)
    result = run("init", *FLAGS, *args, cwd=root / where, env=NO_GIT)
    assert result.code == 0, result.stderr
    lines = result.stderr.splitlines()
    assert lines[-1].startswith("Initialized project")
    assert lines[:-1] == ([message.format(root=root)] if message else [])
    assert (root / "pyproject.toml").read_bytes() == expected.encode()


@pytest.mark.parametrize(("root_text", "where", "args", "expected", "message"), CASES)
def test_same_bytes_and_words_as_uv(
    run: Runner, tmp_path: Path, root_text: str, where: str, args: list[str],
    expected: str, message: str | None,
) -> None:
    uv = uv_binary()
    if uv is None:
        pytest.skip("uv is not installed")
    ours, theirs = _tree(tmp_path / "ours", root_text), _tree(tmp_path / "theirs", root_text)
    mine = run("init", *FLAGS, *args, cwd=ours / where, env=NO_GIT)
    done = subprocess.run(
        [uv, "init", "--no-config", "--offline", *FLAGS, *args], cwd=theirs / where,
        capture_output=True, text=True, check=False,
        env={**os.environ, "UV_CACHE_DIR": str(tmp_path / "uvc"), **NO_GIT},
    )
    assert (mine.code, done.returncode) == (0, 0), done.stderr
    assert (ours / "pyproject.toml").read_bytes() == (theirs / "pyproject.toml").read_bytes()
    assert mine.stderr.replace(str(ours), "R") == done.stderr.replace(str(theirs), "R")


def test_the_new_member_is_locked_with_the_workspace(run: Runner, tmp_path: Path) -> None:
    root = _tree(tmp_path / "ws", WORKSPACE)
    assert run("init", *FLAGS, "packages/b", cwd=root, env=NO_GIT).code == 0
    locked = run("lock", "--offline", cwd=root)
    assert locked.code == 0, locked.stderr
    assert 'name = "b"' in (root / "uv.lock").read_text()
