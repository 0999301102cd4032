"""The command line ``ferry export`` writes in its header is spelled as uv 0.13.8 spells its own:
``<tool>`` then every argument as typed — global options before the sub-command included —
joined by single spaces, never shell-quoted (``-o out file.txt``), with ``-q``/``-v``/``-U``/
``-P`` left out as before. Compared side by side with the real uv."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from tests.parity5.parity5_kit import run_uv, seed_index, write_project
from tests.support.index import IndexServer
from tests.support.runner import Runner

from ferry.cli.export import command_line


def test_arguments_are_joined_unquoted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "argv", ["ferry", "--no-cache", "export", "-q", "-o",
                                      "out file.txt", "--no-emit-package", "a&b", "-P", "six"])
    assert command_line() == "ferry --no-cache export -o out file.txt --no-emit-package a&b"


@pytest.fixture
def server(index_server: IndexServer) -> IndexServer:
    seed_index(index_server)
    return index_server


HEADERS = [
    ("export", "-o", "out file.txt"),
    ("--no-cache", "export", "--no-hashes"),
    ("-v", "export", "-q", "--no-annotate"),
    ("-qq", "export"),
    ("export", "--prune=alpha", "--format", "requirements.txt"),
]


@pytest.mark.parametrize("args", HEADERS, ids=" ".join)
def test_header_is_spelled_as_uv_spells_it(
    run: Runner, tmp_path: Path, server: IndexServer, args: tuple[str, ...]
) -> None:
    ours = write_project(tmp_path / "ferry", server, ["beta"])
    theirs = write_project(tmp_path / "uv", server, ["beta"])
    mine = run(*args, cwd=ours)
    uvs = run_uv(list(args), theirs, tmp_path)
    assert (mine.code, uvs.code) == (0, 0), (mine.stderr, uvs.stderr)
    header = mine.stdout.splitlines()[1]
    assert header == uvs.stdout.splitlines()[1].replace("#    uv ", "#    ferry ")
    assert header == "#    ferry " + " ".join(a for a in args if a not in ("-q", "-v"))
    if "-o" in args:
        written = (ours / "out file.txt").read_text(encoding="utf-8").splitlines()[1]
        assert written == header
