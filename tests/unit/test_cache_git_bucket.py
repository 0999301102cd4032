"""``cache clean <pkg>`` and ``cache prune`` in the ``git-v0`` bucket (layout of dist/git.py),
on a hand-made bucket: what belongs to a package goes, a shared database stays, and prune drops
only what no command can use."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from ferry.cache.maintenance import clean, prune
from ferry.cache.store import Cache

COMMIT_A, COMMIT_B, COMMIT_C = "a" * 40, "b" * 40, "c" * 40


@pytest.fixture
def cache(tmp_path: Path) -> Cache:
    return Cache.from_options(tmp_path / "cache")


def git(cache: Cache) -> Path:
    return cache.bucket("git")


def database(cache: Cache, key: str) -> Path:
    db = git(cache) / "db" / key
    (db / "objects").mkdir(parents=True)
    (db / "HEAD").write_text("ref: refs/heads/main\n")
    (db.with_name(f"{key}.lock")).touch()
    return db


def checkout(cache: Cache, key: str, commit: str) -> Path:
    tree = git(cache) / "checkouts" / key / commit
    tree.mkdir(parents=True)
    (tree / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    return tree


def built(cache: Cache, key: str, commit: str, name: str) -> tuple[Path, Path, Path]:
    """A wheel built from ``commit`` (in built-v1, unpacked in archives-v1) and its record."""
    tree = hashlib.sha256(f"{name}{commit}".encode()).hexdigest()
    entry = cache.bucket("built") / f"tree-{tree}" / "cp312"
    entry.mkdir(parents=True)
    wheel = entry / f"{name}-1.0-py3-none-any.whl"
    wheel.write_bytes(f"wheel of {name} at {commit}".encode())
    entry.with_name("cp312.metadata.json").write_text('{"metadata": ""}')
    with cache.temp_dir() as work:
        (work / name).mkdir()
        archive = cache.persist_archive(hashlib.sha256(wheel.read_bytes()).hexdigest(), work)
    cache.write_json("git", f"built/{key}/{commit}/sub0/cp312", {"wheel": str(wheel)})
    return cache.json_path("git", f"built/{key}/{commit}/sub0/cp312"), entry, archive


def test_clean_a_package_takes_its_commits_and_a_database_it_alone_used(cache: Cache) -> None:
    solo_db = database(cache, "solo")
    solo_tree = checkout(cache, "solo", COMMIT_A)
    solo_record, solo_entry, solo_archive = built(cache, "solo", COMMIT_A, "gitpkg")
    mono_db = database(cache, "mono")
    mono_tree = checkout(cache, "mono", COMMIT_B)
    mono_record, _, _ = built(cache, "mono", COMMIT_B, "gitpkg")
    other_record, other_entry, other_archive = built(cache, "mono", COMMIT_C, "other")

    result = clean(cache, ["GitPkg"])
    assert result.not_found == ()
    for gone in (solo_record, solo_entry, solo_archive, solo_tree, solo_db, mono_record,
                 mono_tree, solo_db.with_name("solo.lock")):
        assert not gone.exists(), gone
    # `mono` also holds another package: its database and that package's entries stay.
    for kept in (mono_db, other_record, other_entry, other_archive):
        assert kept.exists(), kept


def test_clean_keeps_a_database_with_checkouts_of_unknown_packages(cache: Cache) -> None:
    db = database(cache, "repo")
    checkout(cache, "repo", COMMIT_A)
    read_only = checkout(cache, "repo", COMMIT_B)  # read for metadata, never built
    built(cache, "repo", COMMIT_A, "gitpkg")
    clean(cache, ["gitpkg"])
    assert db.exists() and read_only.exists()
    assert clean(cache, ["gitpkg"]).not_found == ("gitpkg",)


def test_prune_removes_only_what_no_command_can_use(cache: Cache) -> None:
    db = database(cache, "repo")
    tree = checkout(cache, "repo", COMMIT_A)
    record, entry, _ = built(cache, "repo", COMMIT_A, "gitpkg")
    stale, stale_entry, _ = built(cache, "repo", COMMIT_B, "gone")
    (stale_entry / "gone-1.0-py3-none-any.whl").unlink()
    damaged = cache.json_path("git", f"built/repo/{COMMIT_C}/sub0/cp312")
    damaged.parent.mkdir(parents=True)
    damaged.write_text("{not json")
    interrupted = git(cache) / "db" / "half"
    (interrupted / "objects").mkdir(parents=True)
    orphan_lock = git(cache) / "db" / "vanished.lock"
    orphan_lock.touch()
    empty = git(cache) / "checkouts" / "nothing"
    empty.mkdir(parents=True)

    prune(cache)
    for gone in (stale, damaged, interrupted, orphan_lock, empty, stale.parent.parent,
                 damaged.parent.parent):
        assert not gone.exists(), gone
    for kept in (db, db.with_name("repo.lock"), tree, tree / "pyproject.toml", record, entry):
        assert kept.exists(), kept
