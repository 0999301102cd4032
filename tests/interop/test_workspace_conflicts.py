"""Workspace conflicts across members, locked by uv 0.13.8 and by ferry: the same bytes, each
tool's lock fresh for the other, and ``sync --frozen`` installing the same for every selection
(and refusing the same ones with the same words).

Two workspaces on the workspace kit's loopback index, with ``engine`` 1.0 and 2.0 added (what
the conflicting lists pin) and ``shared`` (depends on ``engine``, so flags reach below members):

- *extras*: ``member-a[cpu]`` against ``member-b[gpu]``; ``member-c`` depends on
  ``member-a[cpu]`` (an edge that activates a conflicting extra);
- *groups*: the group ``dev`` of ``member-a`` against ``member-b[gpu]``, and the root's extra
  ``x`` against ``member-b``'s group ``lint``, declared partly in a member's pyproject.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from packaging.utils import canonicalize_name
from tests.e2e.workspace_kit import _member as write_member
from tests.interop.test_uv_lock_interop import UV, uv
from tests.interop.workspace_interop_kit import served_index
from tests.support.envs import snapshot_env
from tests.support.index import LocalIndex
from tests.support.runner import Runner

pytestmark = pytest.mark.skipif(UV is None, reason="uv is not installed")

T = "2024-01-01T00:00:00Z"
CUTOFF = "2025-01-01T00:00:00Z"
HEAD = '[project]\nname = "{name}"\nversion = "1.0.0"\nrequires-python = ">=3.12"\n'
SOURCES = '\n[tool.uv.sources]\nmember-a = { workspace = true }\n'


def _populate(index: LocalIndex) -> None:
    for name, version, requires in (("engine", "1.0", ()), ("engine", "2.0", ("dep",)),
                                    ("dep", "1.0", ()), ("lib", "1.0", ()), ("lib", "2.0", ()),
                                    ("shared", "1.0", ("engine",))):
        index.add_wheel(name, version, requires=list(requires), upload_time=T)


@dataclass(frozen=True)
class Case:
    files: dict[str, tuple[str, str]]
    """directory -> (pyproject text, project name; "" for a root without [project])"""
    allowed: tuple[tuple[str, ...], ...]
    refused: tuple[tuple[tuple[str, ...], str], ...]


EXTRAS = Case(
    {
        ".": ('[tool.uv.workspace]\nmembers = ["packages/*"]\n\n[tool.uv]\nconflicts = ['
              '[{ package = "member-a", extra = "cpu" }, '
              '{ package = "member-b", extra = "gpu" }]]\n', ""),
        "packages/member-a": (HEAD.format(name="member-a") + 'dependencies = ["lib"]\n\n'
                              '[project.optional-dependencies]\n'
                              'cpu = ["engine==1.0", "shared"]\n', "member-a"),
        "packages/member-b": (HEAD.format(name="member-b") + 'dependencies = []\n\n'
                              '[project.optional-dependencies]\n'
                              'gpu = ["engine==2.0", "shared"]\n', "member-b"),
        "packages/member-c": (HEAD.format(name="member-c")
                              + 'dependencies = ["member-a[cpu]", "shared"]\n' + SOURCES,
                              "member-c"),
    },
    allowed=(
        ("--all-packages",),
        ("--all-packages", "--extra", "cpu"),
        ("--package", "member-b", "--extra", "gpu"),
        ("--package", "member-a", "--extra", "cpu"),
        ("--package", "member-c"),
    ),
    refused=(
        (("--all-packages", "--all-extras"),
         "Extras `cpu` and `gpu` are incompatible with the declared conflicts: "
         "{`member-a[cpu]`, `member-b[gpu]`}"),
        (("--all-packages", "--extra", "gpu"),
         "Found conflicting extras `member-a[cpu]` and `member-b[gpu]` enabled simultaneously"),
    ),
)

GROUPS = Case(
    {
        ".": (HEAD.format(name="app") + 'dependencies = ["lib"]\n\n'
              '[project.optional-dependencies]\nx = ["lib==1.0"]\n\n'
              '[dependency-groups]\ndev = ["shared"]\n\n'
              '[tool.uv.workspace]\nmembers = ["packages/*"]\n\n[tool.uv]\nconflicts = ['
              '[{ package = "member-a", group = "dev" }, '
              '{ package = "member-b", extra = "gpu" }]]\n', "app"),
        "packages/member-a": (HEAD.format(name="member-a") + 'dependencies = []\n\n'
                              '[dependency-groups]\ndev = ["engine==1.0", "shared"]\n',
                              "member-a"),
        "packages/member-b": (HEAD.format(name="member-b") + 'dependencies = []\n\n'
                              '[project.optional-dependencies]\n'
                              'gpu = ["engine==2.0", "shared"]\n\n'
                              '[dependency-groups]\nlint = ["lib==2.0"]\n\n'
                              '[tool.uv]\nconflicts = [[{ group = "lint" }, '
                              '{ package = "app", extra = "x" }]]\n', "member-b"),
    },
    allowed=(
        ("--all-packages",),
        ("--all-packages", "--no-default-groups", "--extra", "gpu"),
        ("--package", "member-b", "--extra", "gpu", "--group", "lint"),
        ("--extra", "x"),
        ("--package", "member-a"),
    ),
    refused=(
        (("--all-packages", "--extra", "gpu"),
         "Group `dev` (enabled by default) and extra `gpu` are incompatible with the declared "
         "conflicts: {`member-a:dev`, `member-b[gpu]`}"),
        (("--all-packages", "--no-default-groups", "--extra", "x", "--group", "lint"),
         "Extra `x` and group `lint` are incompatible with the declared conflicts: "
         "{`app[x]`, `member-b:lint`}"),
    ),
)


def _write(root: Path, case: Case) -> Path:
    for directory, (text, name) in case.files.items():
        # members with a [project] are packages (built by the test suite's in-tree backend)
        write_member(root / directory, text, packaged=bool(name) and directory != ".",
                     name=name, version="1.0.0")
    return root


def _dists(venv: Path) -> dict[str, str]:
    return {canonicalize_name(n): v for n, v in snapshot_env(venv)["dists"].items()}


@pytest.mark.parametrize("case", [EXTRAS, GROUPS], ids=["extras", "groups"])
def test_cross_member_conflicts_lock_and_sync_like_uv(
    case: Case, tmp_path: Path, run: Runner, python_exe: Callable[[str], Path]
) -> None:
    python = python_exe("3.12")
    with served_index(tmp_path, python, _populate) as (server, env):
        url = server.simple_url
        theirs = _write(tmp_path / "uv-ws", case)
        mine = _write(tmp_path / "ferry-ws", case)
        lock = ["lock", "--exclude-newer", CUTOFF, "--default-index", url]
        made = uv(lock, theirs, env)
        assert made.returncode == 0, made.stderr
        ours = run(*lock, "--python", str(python), cwd=mine)
        assert ours.code == 0, ours.stderr

        uv_text = (theirs / "uv.lock").read_text(encoding="utf-8")
        ferry_text = (mine / "uv.lock").read_text(encoding="utf-8")
        assert "extra == 'extra-8-member-" in uv_text  # the case exercises conflict markers
        diff = "\n".join(difflib.unified_diff(uv_text.splitlines(), ferry_text.splitlines(),
                                              "uv", "ferry", lineterm="", n=1))
        assert uv_text == ferry_text, diff

        checked = uv([*lock, "--locked"], mine, env)
        assert checked.returncode == 0, checked.stderr
        kept = run("-v", *lock, "--locked", cwd=theirs)
        assert kept.code == 0, kept.stderr
        assert "satisfies pyproject.toml" in kept.stderr

        for selection in case.allowed:
            synced = uv(["sync", "--frozen", *selection], theirs, env)
            assert synced.returncode == 0, (selection, synced.stderr)
            ours_synced = run("sync", "--frozen", *selection, "--python", str(python), cwd=mine)
            assert ours_synced.code == 0, (selection, ours_synced.stderr)
            assert _dists(mine / ".venv") == _dists(theirs / ".venv"), selection

        for selection, message in case.refused:
            refused = uv(["sync", "--frozen", *selection], theirs, env)
            # uv wraps long messages at the terminal's width
            assert refused.returncode != 0, (selection, refused.stderr)
            assert f"error: {message}" in " ".join(refused.stderr.split()), refused.stderr
            ours_refused = run("sync", "--frozen", *selection, "--python", str(python),
                               cwd=mine)
            # the same exit code as uv's (2: a usage error)
            assert ours_refused.code == refused.returncode, (selection, ours_refused.stderr)
            assert f"error: {message}" in ours_refused.stderr, ours_refused.stderr
