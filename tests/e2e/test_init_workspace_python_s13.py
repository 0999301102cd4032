"""``ferry init PATH`` in a workspace takes the workspace's ``requires-python``, as uv 0.13.8
does: without ``--python``, the new member's is the intersection of the members' (the root's
included when it is a project), spelled as uv spells a range, and the ``.python-version`` pins
the first interpreter that satisfies it. ``--python``, FERRY_PYTHON or a ``.python-version``
above still decide (and the workspace's own ``.python-version`` means no pin in the member);
``--no-workspace`` takes nothing. The expected texts were measured with uv 0.13.8; where uv is
installed the ``--bare`` cases are also run through it and compared (``--bare`` needs no
interpreter when the workspace has a ``requires-python``)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.e2e.edit_kit import uv_binary
from tests.e2e.test_init import NO_GIT
from tests.support.runner import Runner

from ferry.model.pep440_specifiers import SpecifierSet
from ferry.model.version_sets import specifier_versions

PROJECT = '[project]\nname = "{name}"\nversion = "0.1.0"\n{python}dependencies = []\n'
MEMBERS = '\n[tool.uv.workspace]\nmembers = ["packages/*"]\n'
HERE = f"{sys.version_info.major}.{sys.version_info.minor}"


def _python_line(requires: str | None) -> str:
    return f'requires-python = "{requires}"\n' if requires is not None else ""


def _workspace(root: Path, requires: str | None, *, members: dict[str, str] | None = None,
               tail: str = MEMBERS, virtual: bool = False) -> Path:
    root.mkdir(parents=True)
    head = "" if virtual else PROJECT.format(name="root", python=_python_line(requires))
    (root / "pyproject.toml").write_text(head + tail, encoding="utf-8")
    for name, member_requires in (members or {}).items():
        (root / "packages" / name).mkdir(parents=True)
        (root / "packages" / name / "pyproject.toml").write_text(
            PROJECT.format(name=name, python=_python_line(member_requires)), encoding="utf-8")
    return root


def _requires_python(member: Path) -> str | None:
    for line in (member / "pyproject.toml").read_text(encoding="utf-8").splitlines():
        if line.startswith("requires-python = "):
            return line.split(" = ", 1)[1].strip('"')
    return None


def _pin(member: Path) -> str | None:
    path = member / ".python-version"
    return path.read_text(encoding="utf-8").strip() if path.exists() else None


SPELLED = [  # the root's requires-python -> the new member's, as uv 0.13.8 writes it
    (">=3.11", ">=3.11"),
    ("~=3.12", ">=3.12, <4"),
    (">=3.10,<3.13", ">=3.10, <3.13"),
    (">=3.11,<3.12", "==3.11.*"),
    (">=3.11.0,<3.12", "==3.11.*"),
    ("==3.11.*", "==3.11.*"),
    ("~=3.11.2", ">=3.11.2, <3.12"),
    (">=3.10,!=3.11.*,<3.13", ">=3.10, !=3.11.*, <3.13"),
    ("<3.13,>=3.10,!=3.11.*", ">=3.10, !=3.11.*, <3.13"),
    ("!=3.11.4,>=3.10", ">=3.10, !=3.11.4"),
    (">=3.10,<3.14,!=3.12.1,!=3.11.*", ">=3.10, !=3.11.*, !=3.12.1, <3.14"),
    (">=3,<3.1", "==3.0.*"),
    ("==3.*", ">=3, <4"),
    ("==3.12", "==3.12"),
    ("===3.12.1", "==3.12.1"),
    (">3.10", ">3.10"),
    ("<=3.12", "<=3.12"),
    ("<3.12,>3.11.1", ">3.11.1, <3.12"),
    (">=3.10.0", ">=3.10.0"),
    (">=3.10,<4.0", ">=3.10, <4.0"),
    ("!=3.11.*", "!=3.11.*"),
]


@pytest.mark.parametrize(("declared", "written"), SPELLED)
def test_uv_spelling(declared: str, written: str) -> None:
    """``uv_spelling`` alone; a bound is spelled as the pyproject wrote it."""
    from ferry.model.requires_python import uv_spelling

    assert uv_spelling(specifier_versions(SpecifierSet(declared))) == written


@pytest.mark.parametrize(("declared", "written"), SPELLED[:8])
def test_member_takes_the_roots_requires_python(
    run: Runner, tmp_path: Path, declared: str, written: str
) -> None:
    root = _workspace(tmp_path / "ws", declared)
    result = run("init", "--vcs", "none", "--bare", "packages/m", cwd=root, env=NO_GIT)
    assert result.code == 0, result.stderr
    assert _requires_python(root / "packages" / "m") == written
    assert _pin(root / "packages" / "m") is None


@pytest.mark.parametrize(
    ("root_requires", "members", "virtual", "written"),
    [
        (">=3.10", {"old": ">=3.11"}, False, ">=3.11"),
        (">=3.10", {"old": ">=3.11,<3.13"}, False, ">=3.11, <3.13"),
        (None, {"old": ">=3.11"}, False, ">=3.11"),
        (None, {"old": ">=3.11", "other": "<3.13", "loose": None}, True, ">=3.11, <3.13"),
    ],
    ids=["tighter-member", "member-range", "root-without", "virtual-root"],
)
def test_intersection_of_the_members(
    run: Runner, tmp_path: Path, root_requires: str | None, members: dict[str, str | None],
    virtual: bool, written: str,
) -> None:
    root = _workspace(tmp_path / "ws", root_requires, virtual=virtual,
                      members={k: v for k, v in members.items() if v is not None})
    for name, value in members.items():
        if value is None:
            _workspace_member_without(root, name)
    result = run("init", "--vcs", "none", "--bare", "packages/m", cwd=root, env=NO_GIT)
    assert result.code == 0, result.stderr
    assert _requires_python(root / "packages" / "m") == written


def _workspace_member_without(root: Path, name: str) -> None:
    (root / "packages" / name).mkdir(parents=True)
    (root / "packages" / name / "pyproject.toml").write_text(
        PROJECT.format(name=name, python=""), encoding="utf-8")


@pytest.mark.parametrize(
    "tail",
    [MEMBERS + 'exclude = ["packages/m"]\n', ""],
    ids=["excluded", "plain-project-above"],
)
def test_excluded_or_plain_parent_still_inherits(run: Runner, tmp_path: Path, tail: str) -> None:
    """uv reads the workspace before deciding membership, and a plain project above counts."""
    root = _workspace(tmp_path / "ws", "~=3.11", tail=tail)
    result = run("init", "--vcs", "none", "--bare", "packages/m", cwd=root, env=NO_GIT)
    assert result.code == 0, result.stderr
    assert _requires_python(root / "packages" / "m") == ">=3.11, <4"


def test_python_flag_and_no_workspace_take_nothing(run: Runner, tmp_path: Path) -> None:
    root = _workspace(tmp_path / "ws", "==3.0.*")
    asked = run("init", "--vcs", "none", "--bare", "-p", "3.10", "packages/a", cwd=root,
                env=NO_GIT)
    assert asked.code == 0, asked.stderr
    assert _requires_python(root / "packages" / "a") == ">=3.10"
    alone = run("init", "--vcs", "none", "--bare", "--no-workspace", "-p", sys.executable,
                "packages/b", cwd=root, env=NO_GIT)
    assert alone.code == 0, alone.stderr
    assert _requires_python(root / "packages" / "b") == f">={HERE}"


def test_pin_is_an_interpreter_the_workspace_admits(
    run: Runner, tmp_path: Path, python_exe: Callable[[str], Path]
) -> None:
    """``<3.11`` with a 3.12 first on PATH: the pin is 3.10, the first that satisfies it."""
    newer, older = python_exe("3.12"), python_exe("3.10")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python3").symlink_to(newer)
    (bin_dir / "python3.10").symlink_to(older)
    root = _workspace(tmp_path / "ws", "<3.11")
    env = {**NO_GIT, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    result = run("init", "--vcs", "none", "packages/m", cwd=root, env=env)
    assert result.code == 0, result.stderr
    assert _requires_python(root / "packages" / "m") == "<3.11"
    assert _pin(root / "packages" / "m") == "3.10"


def test_workspace_python_version_decides_and_is_not_copied(
    run: Runner, tmp_path: Path
) -> None:
    """A ``.python-version`` in the workspace is a request (as ``--python``) and already pins
    the member: uv writes ``>=`` that version and no ``.python-version`` beside the member."""
    root = _workspace(tmp_path / "ws", "==3.0.*")
    (root / ".python-version").write_text(sys.executable + "\n", encoding="utf-8")
    result = run("init", "--vcs", "none", "packages/m", cwd=root, env=NO_GIT)
    assert result.code == 0, result.stderr
    assert _requires_python(root / "packages" / "m") == f">={HERE}"
    assert _pin(root / "packages" / "m") is None


def test_members_without_a_common_python_are_refused(run: Runner, tmp_path: Path) -> None:
    root = _workspace(tmp_path / "ws", "<3.11", members={"old": ">=3.12"})
    result = run("init", "--vcs", "none", "--bare", "packages/m", cwd=root, env=NO_GIT)
    assert result.code == 2, result.stderr  # uv's usage exit: the files contradict each other
    assert result.stderr.startswith("error: Found conflicting Python requirements")
    assert "old: >=3.12" in result.stderr and "root: <3.11" in result.stderr
    assert not (root / "packages" / "m" / "pyproject.toml").exists()


@pytest.mark.skipif(uv_binary() is None, reason="uv is not installed")
@pytest.mark.parametrize(("declared", "written"), SPELLED[:12])
def test_same_bytes_as_uv(run: Runner, tmp_path: Path, declared: str, written: str) -> None:
    uv = uv_binary()
    assert uv is not None
    ours = _workspace(tmp_path / "ours", declared)
    theirs = _workspace(tmp_path / "theirs", declared)
    mine = run("init", "--vcs", "none", "--bare", "packages/m", cwd=ours, env=NO_GIT)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("UV_", "FERRY_"))}
    done = subprocess.run(
        [uv, "init", "--no-config", "--offline", "--vcs", "none", "--bare", "packages/m"],
        cwd=theirs, capture_output=True, text=True, check=False,
        env={**env, "UV_CACHE_DIR": str(tmp_path / "uvc"), "UV_PYTHON_DOWNLOADS": "never",
             **NO_GIT},
    )
    assert (mine.code, done.returncode) == (0, 0), done.stderr
    member = Path("packages") / "m" / "pyproject.toml"
    assert (ours / member).read_bytes() == (theirs / member).read_bytes()
    assert _requires_python(ours / "packages" / "m") == written
