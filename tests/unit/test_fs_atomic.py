"""Atomic writes: a reader (or the next run after ``kill -9``) sees the old or the new content."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ferry.fs.atomic import (
    atomic_write_bytes,
    atomic_write_text,
    remove_tree,
    rename_dir_into_place,
    write_entry,
)
from ferry.model.errors import FilesystemError

SRC = Path(__file__).resolve().parents[2] / "src"
SIZE = 4 * 1024 * 1024

WRITER = f"""
import sys
from pathlib import Path
from ferry.fs.atomic import atomic_write_bytes
target = Path(sys.argv[1])
payloads = [b"a" * {SIZE}, b"b" * {SIZE}]
print("ready", flush=True)
i = 0
while True:
    atomic_write_bytes(target, payloads[i % 2], durable=False)
    i += 1
"""


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH")]))
    return env


def test_write_creates_parents_and_replaces(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "file.txt"
    atomic_write_text(target, "one\n")
    atomic_write_text(target, "two\r\n")
    assert target.read_bytes() == b"two\r\n"
    assert sorted(p.name for p in target.parent.iterdir()) == ["file.txt"]


def test_existing_permissions_are_kept(tmp_path: Path) -> None:
    target = tmp_path / "secret.toml"
    target.write_text("old")
    target.chmod(0o600)
    atomic_write_bytes(target, b"new")
    assert target.stat().st_mode & 0o777 == 0o600


def test_new_file_follows_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        atomic_write_bytes(tmp_path / "f", b"x")
    finally:
        os.umask(old)
    assert (tmp_path / "f").stat().st_mode & 0o777 == 0o644


@pytest.mark.parametrize("failing", ["fsync", "replace"])
def test_failure_keeps_old_content_and_leaves_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    target = tmp_path / "uv.lock"
    target.write_text("old")

    def boom(*_args: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    if failing == "fsync":
        monkeypatch.setattr(os, "fsync", boom)
    else:
        monkeypatch.setattr(Path, "replace", boom)
    with pytest.raises(FilesystemError) as caught:
        atomic_write_text(target, "new")
    assert "No space left on device" in caught.value.message
    assert str(target) in caught.value.message
    assert caught.value.hint and "free some space" in caught.value.hint
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["uv.lock"]


@pytest.mark.parametrize("failing", ["write", "replace"])
def test_a_cache_entry_that_fails_leaves_the_old_one_and_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    entry = tmp_path / "pages" / "a.json"
    write_entry(entry, b"old")  # its directory made on first need
    old = os.umask(0o022)
    try:
        write_entry(tmp_path / "pages" / "b.json", b"x" * 100_000)
    finally:
        os.umask(old)
    assert (tmp_path / "pages" / "b.json").read_bytes() == b"x" * 100_000
    assert (tmp_path / "pages" / "b.json").stat().st_mode & 0o777 == 0o644

    def boom(*_args: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os if failing == "write" else Path, failing, boom)
    with pytest.raises(FilesystemError) as caught:
        write_entry(entry, b"new")
    assert str(entry) in caught.value.message and "No space left" in caught.value.message
    assert entry.read_bytes() == b"old"
    assert sorted(p.name for p in entry.parent.iterdir()) == ["a.json", "b.json"]


def test_kill_during_writes_leaves_old_or_new(tmp_path: Path) -> None:
    """SIGKILL a process that rewrites a 4 MiB file in a loop: never a torn file (F7)."""
    target = tmp_path / "pyproject.toml"
    target.write_bytes(b"a" * SIZE)
    for delay in (0.02, 0.05, 0.09, 0.13, 0.2):
        proc = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(target)], stdout=subprocess.PIPE, env=_env()
        )
        assert proc.stdout is not None
        assert proc.stdout.readline() == b"ready\n"
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
        data = target.read_bytes()
        assert len(data) == SIZE
        assert data in (b"a" * SIZE, b"b" * SIZE)
        # A killed write leaves at most a hidden temporary sibling, never the target half-done.
        for leftover in tmp_path.iterdir():
            assert leftover == target or (
                leftover.name.startswith(".pyproject.toml.") and leftover.name.endswith(".tmp")
            )


def test_rename_dir_into_place_first_wins(tmp_path: Path) -> None:
    first, second = tmp_path / "t1", tmp_path / "t2"
    for directory, text in ((first, "first"), (second, "second")):
        (directory / "sub").mkdir(parents=True)
        (directory / "sub" / "f").write_text(text)
    final = tmp_path / "bucket" / "entry"
    assert rename_dir_into_place(first, final) is True
    assert rename_dir_into_place(second, final) is False
    assert (final / "sub" / "f").read_text() == "first"
    assert not first.exists() and not second.exists()


def test_rename_dir_into_place_lost_race_after_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The winner renames between our existence check and our rename: ENOTEMPTY → False."""
    final = tmp_path / "entry"
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    (tmp / "f").write_text("mine")

    def racing_rename(self: Path, target: Path) -> Path:
        target.mkdir()
        (target / "f").write_text("theirs")
        raise OSError(errno.ENOTEMPTY, os.strerror(errno.ENOTEMPTY))

    monkeypatch.setattr(Path, "rename", racing_rename)
    assert rename_dir_into_place(tmp, final) is False
    assert not tmp.exists()
    assert (final / "f").read_text() == "theirs"


def test_remove_tree_handles_read_only_entries(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    (tree / "ro").mkdir(parents=True)
    (tree / "ro" / "f").write_text("x")
    (tree / "ro" / "f").chmod(0o444)
    (tree / "ro").chmod(0o555)
    remove_tree(tree)
    assert not tree.exists()
    remove_tree(tree)  # absent is fine
    single = tmp_path / "single"
    single.write_text("x")
    remove_tree(single)
    assert not single.exists()
