"""uv 0.13.8's deprecation warning for the legacy ``[tool.uv] dev-dependencies`` table, said by
ferry with the same words at the same moments: once per command, first, on every project command
(a no-op ``sync``/``run`` included, which ferry's fast path would otherwise answer silently),
naming each member that uses it in member-name order, each path as seen from the working
directory; never under ``-q``, never for a virtual workspace root. Side by side with real uv."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.parity5.parity5_kit import run_uv, seed_index
from tests.support.index import IndexServer
from tests.support.runner import Result, Runner

PREFIX = "warning: The `tool.uv.dev-dependencies` field"
SUFFIX = ("is deprecated and will be removed in a future release; use `dependency-groups.dev` "
          "instead")


@pytest.fixture
def server(index_server: IndexServer) -> IndexServer:
    seed_index(index_server)
    return index_server


def project(root: Path, server: IndexServer, name: str, *, dev: str | None = '["gamma"]',
            extra: str = "", with_project: bool = True) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    text = (f'[project]\nname = "{name}"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n'
            'dependencies = ["alpha"]\n\n' if with_project else "")
    if dev is not None:
        text += f"[tool.uv]\ndev-dependencies = {dev}\n\n"
    text += extra + f'[[tool.uv.index]]\nurl = "{server.simple_url}"\ndefault = true\n'
    (root / "pyproject.toml").write_text(text, encoding="utf-8")
    return root


def warnings(result: Result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith(PREFIX)]


SEQUENCE = [
    ("lock",),
    ("lock", "-q"),
    ("sync",),
    ("sync",),  # a no-op: ferry's fast path must not answer it silently
    ("run", "python", "-c", "pass"),
    ("run", "python", "-c", "pass"),
    ("export", "--no-hashes"),
    ("tree",),
    ("add", "beta"),
    ("remove", "beta"),
    ("version",),
    ("lock", "--check"),
    ("sync", "--frozen", "-qq"),
]


def test_every_project_command_warns_once_as_uv_does(
    run: Runner, tmp_path: Path, server: IndexServer
) -> None:
    ours = project(tmp_path / "ferry", server, "demo")
    theirs = project(tmp_path / "uv", server, "demo")
    expected = f"{PREFIX} (used in `pyproject.toml`) {SUFFIX}"
    for args in SEQUENCE:
        mine = run(*args, cwd=ours)
        uvs = run_uv(list(args), theirs, tmp_path)
        assert (mine.code, uvs.code) == (0, 0), (args, mine.stderr, uvs.stderr)
        assert warnings(mine) == warnings(uvs), args
        quiet = any(a.startswith("-q") for a in args)
        assert warnings(mine) == ([] if quiet else [expected]), args
        if not quiet:  # said first, before any other line
            assert mine.stderr.startswith(PREFIX), (args, mine.stderr)


@pytest.mark.parametrize("dev", ["[]", None])
def test_an_empty_table_warns_and_none_does_not(
    run: Runner, tmp_path: Path, server: IndexServer, dev: str | None
) -> None:
    ours = project(tmp_path / "ferry", server, "demo", dev=dev)
    theirs = project(tmp_path / "uv", server, "demo", dev=dev)
    mine, uvs = run("lock", cwd=ours), run_uv(["lock"], theirs, tmp_path)
    assert (mine.code, uvs.code) == (0, 0)
    assert warnings(mine) == warnings(uvs) == ([] if dev is None else [
        f"{PREFIX} (used in `pyproject.toml`) {SUFFIX}"])


def workspace(root: Path, server: IndexServer, *, virtual: bool) -> Path:
    """A root (``a0``, or virtual) and a member ``zz`` in ``pkgs/m``, both with the table: the
    member's directory sorts first, its name last."""
    members = '[tool.uv.workspace]\nmembers = ["pkgs/*"]\n\n'
    project(root, server, "a0", extra=members, with_project=not virtual)
    member = project(root / "pkgs" / "m", server, "zz")
    (member / "pyproject.toml").write_text(
        (member / "pyproject.toml").read_text(encoding="utf-8")
        + '\n[build-system]\nrequires = []\nbuild-backend = "be"\nbackend-path = ["."]\n',
        encoding="utf-8")
    (member / "be.py").write_text("", encoding="utf-8")
    return root


@pytest.mark.parametrize("virtual", [False, True], ids=["project-root", "virtual-root"])
def test_workspace_members_in_name_order_from_anywhere(
    run: Runner, tmp_path: Path, server: IndexServer, virtual: bool
) -> None:
    ours = workspace(tmp_path / "ferry", server, virtual=virtual)
    theirs = workspace(tmp_path / "uv", server, virtual=virtual)
    where = [(("lock",), Path()), (("lock",), Path("pkgs/m"))]
    for args, sub in where:
        mine = run(*args, cwd=ours / sub)
        uvs = run_uv(list(args), theirs / sub, tmp_path)
        assert (mine.code, uvs.code) == (0, 0), (mine.stderr, uvs.stderr)
        assert [w.replace(str(ours), "ROOT") for w in warnings(mine)] == [
            w.replace(str(theirs), "ROOT") for w in warnings(uvs)]
        assert len(warnings(mine)) == 1
    # from outside the project: paths relative to the working directory
    mine = run("lock", "--project", "ferry", cwd=tmp_path)
    uvs = run_uv(["lock", "--project", "uv"], tmp_path, tmp_path)
    assert [w.replace("`ferry/", "`X/") for w in warnings(mine)] == [
        w.replace("`uv/", "`X/") for w in warnings(uvs)]
    used = "`X/pkgs/m/pyproject.toml`" if virtual else (
        "`X/pyproject.toml`, `X/pkgs/m/pyproject.toml`")
    assert warnings(mine)[0].replace("`ferry/", "`X/") == f"{PREFIX} (used in {used}) {SUFFIX}"
