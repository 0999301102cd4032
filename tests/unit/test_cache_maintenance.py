"""clean, prune and verify: they remove exactly what they should, and wait for running commands."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from ferry.cache.maintenance import ORPHAN_AGE, Removed, clean, measure, prune
from ferry.cache.store import Cache
from ferry.cache.verify import verify
from ferry.model.errors import SurroundingsError
from ferry.model.names import canonicalize_name

SRC = Path(__file__).resolve().parents[2] / "src"


@dataclass
class Project:
    name: str
    sha: str
    file: Path
    archive: Path


@pytest.fixture
def cache(tmp_path: Path) -> Cache:
    return Cache.from_options(tmp_path / "cache")


def add_project(cache: Cache, name: str, version: str = "1.0") -> Project:
    """What installing ``name`` leaves in the cache: file, archive, metadata, pointers, index."""
    filename = f"{name}-{version}-py3-none-any.whl"
    stored = cache.store_file(filename, [f"wheel of {name}".encode()])
    with cache.temp_dir() as work:
        (work / name).mkdir()
        (work / name / "__init__.py").write_text(f"name = {name!r}\n")
        archive = cache.persist_archive(stored.sha256, work)
    cache.write_json("metadata", stored.sha256, {"name": name})
    cache.record_name(name, version, filename, stored.sha256, f"https://example.invalid/{filename}")
    cache.record_url(f"https://example.invalid/{filename}", stored.sha256)
    # Index pages are keyed ending with the normalized name (the convention clean relies on).
    cache.write_json("index", f"idx-1234/{canonicalize_name(name)}", {"files": [filename]})
    return Project(name, stored.sha256, stored.path, archive)


def entry_files(cache: Cache) -> set[Path]:
    control = {".lock", "CACHEDIR.TAG", ".gitignore"}
    return {p for p in cache.root.rglob("*") if p.is_file() and p.name not in control}


def age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


# -- clean ---------------------------------------------------------------------------------------


def test_clean_everything(cache: Cache) -> None:
    add_project(cache, "a")
    add_project(cache, "b")
    expected = Removed()
    for path in entry_files(cache):
        expected += measure(path)
    result = clean(cache)
    assert result.removed == expected and result.removed.files == 14
    assert entry_files(cache) == set()
    assert sorted(p.name for p in cache.root.iterdir()) == [".gitignore", ".lock", "CACHEDIR.TAG"]
    again = add_project(cache, "a")  # the cache works straight after
    assert cache.find_archive(again.sha) == again.archive


def test_clean_one_package(cache: Cache) -> None:
    a = add_project(cache, "a")
    b = add_project(cache, "Other_Pkg")
    before_b = {p for p in entry_files(cache) if "other" in str(p).lower() or b.sha in str(p)}
    result = clean(cache, ["A", "nosuch"])
    assert result.not_found == ("nosuch",)
    assert result.removed.files == 7
    assert not a.file.exists() and not a.archive.exists()
    assert cache.read_json("metadata", a.sha) is None
    assert cache.sha_for_url(f"https://example.invalid/{a.file.name}") is None
    assert cache.read_json("index", "idx-1234/a") is None
    assert cache.cached_files("a") == []
    # The other project is untouched.
    assert b.file.exists() and cache.find_archive(b.sha) == b.archive
    assert cache.read_json("index", "idx-1234/other-pkg") is not None
    assert [f.sha256 for f in cache.cached_files("other-pkg")] == [b.sha]
    assert before_b <= entry_files(cache)


HOLDER = """
import sys
from pathlib import Path
from ferry.cache.store import Cache
with Cache.from_options(Path(sys.argv[1])).shared():
    print("using the cache", flush=True)
    sys.stdin.read()
"""


@pytest.fixture
def running_command(cache: Cache) -> Iterator[subprocess.Popen[bytes]]:
    """Another ferry process using the cache (holding its shared lock)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH")]))
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(cache.root)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=env,
    )
    assert proc.stdout is not None and proc.stdin is not None
    assert proc.stdout.readline() == b"using the cache\n"
    yield proc
    proc.stdin.close()
    proc.stdout.close()
    proc.wait(timeout=10)


def test_clean_and_prune_wait_for_running_commands(
    cache: Cache, running_command: subprocess.Popen[bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    """E3: never remove an entry in use; time out with the lock message instead."""
    project = add_project(cache, "a")
    before = entry_files(cache)
    monkeypatch.setenv("FERRY_LOCK_TIMEOUT", "0.2")
    for operation in (lambda: clean(cache), lambda: clean(cache, ["a"]), lambda: prune(cache)):
        with pytest.raises(SurroundingsError, match="waiting for lock on `cache`"):
            operation()
    with pytest.raises(SurroundingsError):
        verify(cache, repair=True)
    assert entry_files(cache) == before
    assert verify(cache).damaged == ()  # read-only verify shares the cache
    assert cache.find_archive(project.sha) == project.archive


# -- prune ---------------------------------------------------------------------------------------


def test_prune_removes_only_what_nothing_can_use(cache: Cache) -> None:
    kept = add_project(cache, "kept")
    gone = add_project(cache, "gone")
    keep_set = {kept.file, *(p for p in kept.archive.rglob("*") if p.is_file())}

    old_tmp = cache.tmp_root / "work-old"
    (old_tmp / "sub").mkdir(parents=True)
    (old_tmp / "sub" / "f").write_text("partial")
    age(old_tmp, ORPHAN_AGE + 60)
    fresh_tmp = cache.tmp_root / "work-fresh"  # may belong to a command that just started
    fresh_tmp.mkdir()

    gone.file.unlink()  # the download is gone; its archive (and pointers) stay usable
    empty = cache.store_file("empty-1.0.tar.gz", [b"x"])
    empty.path.write_bytes(b"")  # damaged: empty under a non-empty digest
    no_manifest = cache.bucket("archives") / ("f" * 64)
    (no_manifest / "pkg").mkdir(parents=True)
    (no_manifest / "pkg" / "m.py").write_text("")
    ghost_sha = hashlib.sha256(b"ghost").hexdigest()
    cache.record_name("ghost", "1.0", "ghost-1.0.tar.gz", ghost_sha)
    cache.record_url("https://example.invalid/ghost", ghost_sha)
    garbled = cache.json_path("interpreters", "python3.12")
    garbled.parent.mkdir(parents=True, exist_ok=True)
    garbled.write_text('{"version": ')
    stale_sibling = cache.bucket("index") / ".page.json.1a2b.tmp"
    stale_sibling.write_text("{")
    age(stale_sibling, ORPHAN_AGE + 60)

    result = prune(cache)

    assert not old_tmp.exists() and fresh_tmp.exists()
    assert not empty.path.exists() and not empty.path.parent.exists()
    assert not no_manifest.exists()
    assert cache.cached_files("ghost") == [] and not (cache.bucket("names") / "ghost").exists()
    assert cache.sha_for_url("https://example.invalid/ghost") is None
    assert not garbled.exists() and not stale_sibling.exists()
    # Complete entries survive, including the archive whose download is gone.
    assert keep_set <= entry_files(cache)
    assert cache.find_archive(gone.sha) == gone.archive
    assert cache.read_json("metadata", kept.sha) == {"name": "kept"}
    assert [f.filename for f in cache.cached_files("kept")] == [kept.file.name]
    # old temp, empty file, manifest-less archive, 2 ghost pointers, garbled JSON, stale sibling
    assert result.removed.files == 7
    assert prune(cache).removed == Removed()
    assert verify(cache).damaged == ()


# -- verify --------------------------------------------------------------------------------------


def test_verify_finds_and_repairs_damage(cache: Cache) -> None:
    """G7/G8: drift in files, archives and JSON is found; repair removes exactly those."""
    a = add_project(cache, "a")
    b = add_project(cache, "b")
    c = add_project(cache, "c")
    healthy = verify(cache)
    assert healthy.damaged == () and healthy.remaining == 0
    assert healthy.checked == 3 * 2 + 3 * 4  # files + archives, then JSON entries

    a.file.write_bytes(b"tampered")  # content no longer matches its digest
    (b.archive / "b" / "__init__.py").write_text("edited through a hardlink\n")
    (b.archive / "b" / "extra.py").write_text("")
    (c.archive / "c" / "__init__.py").unlink()
    cache.json_path("metadata", c.sha).write_text("{")
    (cache.tmp_root / "work-orphan").mkdir()

    found = verify(cache)
    reasons = {d.path: d.reason for d in found.damaged}
    tampered = hashlib.sha256(b"tampered").hexdigest()
    assert reasons == {
        a.file: f"content does not match its sha256 (computed {tampered})",
        b.archive: "`b/__init__.py` changed; unexpected `b/extra.py`",
        c.archive: "missing `c/__init__.py`",
        cache.json_path("metadata", c.sha): "not valid JSON (truncated or garbled)",
    }
    assert found.remaining == 4 and found.orphans == 1
    assert a.file.exists()  # verify alone changes nothing

    repaired = verify(cache, repair=True)
    assert repaired.remaining == 0 and len(repaired.damaged) == 4
    assert not a.file.exists() and not b.archive.exists() and not c.archive.exists()
    assert b.file.exists() and c.file.exists()
    after = verify(cache)
    assert after.damaged == () and after.orphans == 1
    assert cache.find_archive(b.sha) is None  # fetched again on next use


def test_verify_flags_a_missing_manifest(cache: Cache) -> None:
    project = add_project(cache, "a")
    (project.archive / ".ferry-manifest.json").unlink()
    [damage] = verify(cache).damaged
    assert damage.path == project.archive
    assert damage.reason == "missing or unreadable manifest (incomplete entry)"
