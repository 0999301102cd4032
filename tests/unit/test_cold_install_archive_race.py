"""``cache.archives.find`` racing another process that persists the same archive (E2).

Ten cold installs sharing one cache unpack the same wheels at once. A lookup that read no
manifest because the entry was not there yet, and then saw the entry because another process
had just renamed its complete copy into place, used to call that entry damaged and delete it,
while the other process was linking from it ("Failed to read … RECORD"). So did a lookup that
saw no entry and then, checking again, found the one renamed in meanwhile.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from ferry.cache import archives
from ferry.cache.archives import MANIFEST_NAME, persist


def find(bucket: Path, sha: str, trash: Path) -> Path | None:
    """The entry ``archives.find`` answers with (it also hands over the manifest's files)."""
    found = archives.find(bucket, sha, trash)
    return None if found is None else found[0]


def _complete_entry(tmp_path: Path, sha: str) -> Path:
    """A finished unpacked tree with its manifest, outside the bucket (another process's)."""
    tree = tmp_path / "theirs"
    (tree / "pkg").mkdir(parents=True)
    data = b"VALUE = 1\n"
    (tree / "pkg" / "__init__.py").write_bytes(data)
    files = {"pkg/__init__.py": (len(data), hashlib.sha256(data).hexdigest())}
    archives.write_manifest(tree, sha, files)
    return tree


def _arriving(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sha: str, *, before_answer: bool
) -> tuple[Path, Path]:
    """A bucket whose entry for ``sha`` another process renames in at the first ``exists``
    asked of it: before that call answers (``before_answer``) or just after. Returns the bucket
    and the entry's path."""
    bucket = tmp_path / "archives-v1"
    bucket.mkdir()
    entry = bucket / sha
    theirs = _complete_entry(tmp_path, sha)
    real_exists = Path.exists
    arrived: list[bool] = []

    def exists(self: Path, *args: object, **kwargs: object) -> bool:
        if self != entry or arrived:
            return real_exists(self)
        if before_answer:
            theirs.rename(entry)
        answer = real_exists(self)
        if not before_answer:
            theirs.rename(entry)
        arrived.append(True)
        return answer

    monkeypatch.setattr(Path, "exists", exists)
    return bucket, entry


def test_an_entry_renamed_in_during_the_lookup_is_used_not_discarded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sha = "ab" * 32
    bucket, entry = _arriving(tmp_path, monkeypatch, sha, before_answer=True)
    assert find(bucket, sha, tmp_path / "trash") == entry
    assert (entry / MANIFEST_NAME).is_file()
    assert (entry / "pkg" / "__init__.py").read_bytes() == b"VALUE = 1\n"


def test_an_entry_renamed_in_just_after_the_existence_check_is_left_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lookup saw no manifest and no entry; the other process's rename lands right after.
    That is a miss (this process unpacks its own copy and finds the winner's on persisting),
    never a damaged entry: a second ``exists`` used to see it and delete it unjudged."""
    sha = "ba" * 32
    bucket, entry = _arriving(tmp_path, monkeypatch, sha, before_answer=False)
    assert find(bucket, sha, tmp_path / "trash") is None
    monkeypatch.undo()
    assert (entry / MANIFEST_NAME).is_file(), "the other process's complete entry was deleted"
    assert find(bucket, sha, tmp_path / "trash") == entry


def test_an_entry_without_its_manifest_is_still_discarded(tmp_path: Path) -> None:
    bucket = tmp_path / "archives-v1"
    bucket.mkdir()
    sha = "cd" * 32
    entry = bucket / sha
    (entry / "pkg").mkdir(parents=True)
    (entry / "pkg" / "__init__.py").write_bytes(b"")
    assert find(bucket, sha, tmp_path / "trash") is None
    assert not entry.exists()


def test_a_missing_entry_is_a_plain_miss(tmp_path: Path) -> None:
    bucket = tmp_path / "archives-v1"
    bucket.mkdir()
    assert find(bucket, "ef" * 32, tmp_path / "trash") is None
    assert not (tmp_path / "trash").exists()


def test_persist_then_find(tmp_path: Path) -> None:
    bucket = tmp_path / "archives-v1"
    sha = "12" * 32
    tree = _complete_entry(tmp_path, sha)
    staging = tmp_path / ".tmp" / "stage"
    staging.parent.mkdir()
    entry = persist(bucket, sha, tree, staging)
    assert find(bucket, sha, tmp_path / "trash") == entry
