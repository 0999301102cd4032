"""``export``/``tree`` with ``-U``/``-P``, side by side with uv 0.13.8: they re-resolve as
``lock -U`` does and write ``uv.lock`` (uv's do), print what they print from the new lock, and
leave both alone under ``--frozen`` (uv ignores ``-P`` there and refuses ``-U``); with
``--locked`` a ``-P`` that would move a pin fails as a stale lock (exit 1)."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.parity5.parity5_kit import run_uv, seed_index, shape, write_project
from tests.support.index import IndexServer
from tests.support.runner import Runner


@pytest.fixture
def server(index_server: IndexServer) -> IndexServer:
    seed_index(index_server)  # alpha 1.0 and 1.1, beta 1.0 (needs alpha), gamma 2.0
    return index_server


def twins(tmp_path: Path, server: IndexServer, run: Runner) -> tuple[Path, Path]:
    """For each tool, a lock that keeps alpha at 1.0 though 1.1 is there: locked under
    ``alpha<1.1``, then the bound dropped (the next lock keeps the pin it may keep)."""
    ours, theirs = tmp_path / "ferry", tmp_path / "uv"
    for dependencies in (["alpha<1.1", "beta"], ["alpha", "beta"]):
        write_project(ours, server, dependencies)
        write_project(theirs, server, dependencies)
        assert run("lock", cwd=ours).code == run_uv(["lock"], theirs, tmp_path).code == 0
    assert alpha(ours) == alpha(theirs) == "1.0"
    return ours, theirs


def alpha(root: Path) -> str:
    text = (root / "uv.lock").read_text(encoding="utf-8")
    return text.split('name = "alpha"\nversion = "', 1)[1].split('"', 1)[0]


@pytest.mark.parametrize("args", [
    ["export", "--no-hashes", "-U"],
    ["export", "--no-hashes", "--upgrade-package", "alpha"],
    ["export", "--no-hashes", "-P", "beta"],
    ["tree", "--upgrade"],
    ["tree", "-P", "alpha"],
    ["-q", "export", "--no-hashes", "-U"],
    ["export", "--no-hashes", "--frozen", "-P", "alpha"],
    ["tree", "--frozen", "-P", "alpha"],
    ["export", "--no-hashes", "--locked", "-P", "alpha"],
], ids=" ".join)
def test_upgrade_as_uv_does(
    run: Runner, tmp_path: Path, server: IndexServer, args: list[str]
) -> None:
    ours, theirs = twins(tmp_path, server, run)
    mine, uvs = run(*args, cwd=ours), run_uv(args, theirs, tmp_path)
    assert mine.code == uvs.code, (mine.stderr, uvs.stderr)
    assert shape(mine.stdout) == shape(uvs.stdout)
    assert alpha(ours) == alpha(theirs)
    upgrades_alpha = "--frozen" not in args and "--locked" not in args and "beta" not in args
    assert alpha(ours) == ("1.1" if upgrades_alpha else "1.0")
    if mine.code == 0:
        assert ("alpha==1.1" in mine.stdout or "alpha v1.1" in mine.stdout) is upgrades_alpha
    else:  # --locked -P alpha: the lock would change
        assert mine.code == 1
        assert "needs to be updated, but `--locked` was provided" in mine.stderr


def test_the_header_leaves_the_upgrade_flags_out(
    run: Runner, tmp_path: Path, server: IndexServer
) -> None:
    ours, theirs = twins(tmp_path, server, run)
    args = ["export", "-P", "alpha", "--no-hashes", "-o", "out.txt"]
    mine, uvs = run(*args, cwd=ours), run_uv(args, theirs, tmp_path)
    assert mine.code == uvs.code == 0
    assert shape((ours / "out.txt").read_text(encoding="utf-8")) == shape(
        (theirs / "out.txt").read_text(encoding="utf-8"))
    assert "-P" not in (ours / "out.txt").read_text(encoding="utf-8")
