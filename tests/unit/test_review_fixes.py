"""Regression tests for defects found in review (each failed before its fix)."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from ferry.fs.atomic import atomic_write_bytes, atomic_write_text


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_atomic_write_onto_a_fifo_writes_through_it(tmp_path: Path) -> None:
    """`export -o /dev/null` or `pip compile -o /dev/null` must not replace the device with a
    regular file: a target that is not a regular file is written in place, not renamed over."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []

    def reader() -> None:
        with open(fifo, "rb") as handle:
            received.append(handle.read())

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    atomic_write_text(fifo, "name==1.0\n")
    thread.join(timeout=10)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode), "the named pipe was replaced by a file"
    assert received == [b"name==1.0\n"]
    assert [p.name for p in tmp_path.iterdir()] == ["pipe"], "a temporary file was left behind"


def test_atomic_write_through_a_symlink_to_a_device_keeps_both(tmp_path: Path) -> None:
    """A link to a character device (here the real null device, written harmlessly) stays a link
    and the device stays a device."""
    link = tmp_path / "out.txt"
    link.symlink_to(os.devnull)
    atomic_write_bytes(link, b"discarded\n")
    assert link.is_symlink()
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)


@pytest.mark.parametrize("url", ["git+", "git+https://", "git+/srv/repo", "git+relative/repo"])
def test_a_malformed_git_url_is_a_user_error_not_a_crash(url: str) -> None:
    """`ferry add git+https://` or a `git = "/srv/repo"` source (no scheme) crashed with a
    traceback: GitUrl.parse's ValueError reached the CLI. It is a user error (still a
    ValueError for the callers that test a URL's shape)."""
    from ferry.model.errors import UserError
    from ferry.model.git import GitUrl

    with pytest.raises(UserError) as caught:
        GitUrl.parse(url)
    assert isinstance(caught.value, ValueError)
    assert url in caught.value.message


def test_atomic_write_through_a_symlink_keeps_the_link(tmp_path: Path) -> None:
    """A symlinked pyproject.toml / uv.lock / -o file is written where the link points (as uv's
    writes do); replacing the link with a regular file silently detached it from its target."""
    target = tmp_path / "shared" / "pyproject.toml"
    target.parent.mkdir()
    target.write_text("old\n", encoding="utf-8")
    link = tmp_path / "pyproject.toml"
    link.symlink_to(Path("shared") / "pyproject.toml")
    atomic_write_text(link, "new\n")
    assert link.is_symlink()
    assert target.read_text(encoding="utf-8") == "new\n"
    assert sorted(p.name for p in target.parent.iterdir()) == ["pyproject.toml"]


def test_removing_the_last_source_drops_the_empty_sources_table() -> None:
    """`uv remove` of the only sourced dependency leaves no `[tool.uv.sources]` header behind
    (the expected bytes are uv 0.13.8's); ferry left an empty table."""
    from ferry.project.edit import PyprojectEditor
    from ferry.project.edit_requirement import DependencyTarget

    text = (
        '[project]\nname = "p"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n'
        'dependencies = [\n    "lp",\n]\n\n[tool.uv.sources]\nlp = { path = "lp" }\n\n'
        "[tool.ruff]\nline-length = 100\n"
    )
    editor = PyprojectEditor(text, Path("pyproject.toml"))
    assert editor.remove_dependency("lp", DependencyTarget.project())
    assert editor.remove_source("lp")
    assert editor.dumps() == (
        '[project]\nname = "p"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n'
        "dependencies = []\n\n[tool.ruff]\nline-length = 100\n"
    )
