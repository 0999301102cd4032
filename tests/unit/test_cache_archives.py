"""Unpacked archives: complete when visible, manifest first, races and kills harmless (E2, F2)."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from ferry.cache.archives import MANIFEST_NAME, read_manifest
from ferry.cache.store import Cache
from ferry.cache.verify import verify

SRC = Path(__file__).resolve().parents[2] / "src"
SHA = hashlib.sha256(b"demo wheel").hexdigest()


@pytest.fixture
def cache(tmp_path: Path) -> Cache:
    return Cache.from_options(tmp_path / "cache")


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH")]))
    return env


def unpack_into(directory: Path, marker: str) -> None:
    (directory / "demo").mkdir()
    (directory / "demo" / "__init__.py").write_text(f"who = {marker!r}\n")
    (directory / "demo-1.0.dist-info").mkdir()
    (directory / "demo-1.0.dist-info" / "RECORD").write_text("")


def test_persist_writes_the_manifest_and_moves_into_place(cache: Cache) -> None:
    assert cache.find_archive(SHA) is None
    with cache.temp_dir() as work:
        unpack_into(work, "one")
        entry = cache.persist_archive(SHA, work)
        assert not work.exists()
    assert entry == cache.root / "archives-v1" / SHA
    assert cache.find_archive(SHA) == entry
    document = json.loads((entry / MANIFEST_NAME).read_text())
    assert document["version"] == 1 and document["sha256"] == SHA
    init = b"who = 'one'\n"
    assert document["files"] == {
        "demo-1.0.dist-info/RECORD": {"size": 0, "sha256": hashlib.sha256(b"").hexdigest()},
        "demo/__init__.py": {"size": len(init), "sha256": hashlib.sha256(init).hexdigest()},
    }
    manifest = read_manifest(entry)
    assert manifest is not None and set(manifest) == set(document["files"])
    assert list(cache.tmp_root.iterdir()) == []


def test_second_persist_loses_the_race_harmlessly(cache: Cache) -> None:
    with cache.temp_dir() as first:
        unpack_into(first, "first")
        winner = cache.persist_archive(SHA, first)
    with cache.temp_dir() as second:
        unpack_into(second, "second")
        loser = cache.persist_archive(SHA, second)
        assert not second.exists()
    assert loser == winner
    assert (winner / "demo" / "__init__.py").read_text() == "who = 'first'\n"
    assert list(cache.tmp_root.iterdir()) == []


def test_persist_from_outside_the_cache(cache: Cache, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    unpack_into(outside, "outside")
    entry = cache.persist_archive(SHA, outside)
    assert (entry / "demo" / "__init__.py").read_text() == "who = 'outside'\n"
    assert not outside.exists()


def test_persist_across_devices_copies_first(
    cache: Cache, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A temp dir on another filesystem is copied into the cache, then renamed."""
    outside = tmp_path / "other-fs"
    outside.mkdir()
    unpack_into(outside, "moved")
    real_stat = Path.stat

    def other_device(self: Path, **kwargs: bool) -> os.stat_result:
        result = real_stat(self, **kwargs)
        if self == outside:
            values = list(result)
            values[2] = result.st_dev + 1  # st_dev
            return os.stat_result(values)
        return result

    monkeypatch.setattr(Path, "stat", other_device)
    entry = cache.persist_archive(SHA, outside)
    monkeypatch.undo()
    assert (entry / "demo" / "__init__.py").read_text() == "who = 'moved'\n"
    assert not outside.exists()
    assert list(cache.tmp_root.iterdir()) == []
    assert verify(cache).damaged == ()


def test_entry_without_manifest_is_discarded(cache: Cache) -> None:
    broken = cache.bucket("archives") / SHA
    (broken / "demo").mkdir(parents=True)
    (broken / "demo" / "__init__.py").write_text("")
    assert cache.find_archive(SHA) is None
    assert not broken.exists()
    assert list(cache.tmp_root.iterdir()) == []


PERSISTER = f"""
import sys
from pathlib import Path
from ferry.cache.store import Cache
cache = Cache.from_options(Path(sys.argv[1]))
with cache.shared(), cache.temp_dir() as work:
    for i in range(50):
        (work / "pkg" / str(i)).mkdir(parents=True)
        (work / "pkg" / str(i) / "mod.py").write_text("x = %d\\n" % i * 50)
    print(cache.persist_archive("{SHA}", work))
"""


def test_parallel_persists_of_one_archive(tmp_path: Path) -> None:
    """E2: several processes unpack the same wheel; one entry, complete, no leftovers."""
    root = tmp_path / "cache"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", PERSISTER, str(root)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=_env(),
        )
        for _ in range(6)
    ]
    outputs = [proc.communicate(timeout=60) for proc in procs]
    for proc, (_out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err.decode()
    assert {out.decode().strip() for out, _ in outputs} == {str(root / "archives-v1" / SHA)}
    cache = Cache.from_options(root)
    result = verify(cache)
    assert result.damaged == () and result.checked == 1 and result.orphans == 0
    manifest = read_manifest(root / "archives-v1" / SHA)
    assert manifest is not None and len(manifest) == 50


SLOW_UNPACKER = f"""
import sys, time
from pathlib import Path
from ferry.cache.store import Cache
cache = Cache.from_options(Path(sys.argv[1]))
with cache.shared(), cache.temp_dir() as work:
    (work / "demo").mkdir()
    print("extracting", flush=True)
    for i in range(1000):
        (work / "demo" / f"m{{i}}.py").write_text("x = 1\\n")
        time.sleep(0.01)
    cache.persist_archive("{SHA}", work)
"""


def test_kill_during_extraction_leaves_no_visible_entry(tmp_path: Path) -> None:
    """F2: SIGKILL mid-extraction → no entry, one orphan that verify ignores, retry works."""
    root = tmp_path / "cache"
    proc = subprocess.Popen(
        [sys.executable, "-c", SLOW_UNPACKER, str(root)], stdout=subprocess.PIPE, env=_env()
    )
    assert proc.stdout is not None
    assert proc.stdout.readline() == b"extracting\n"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    proc.stdout.close()
    cache = Cache.from_options(root)
    assert cache.find_archive(SHA) is None
    result = verify(cache)
    assert result.damaged == () and result.orphans == 1
    with cache.shared(), cache.temp_dir() as work:
        unpack_into(work, "retry")
        cache.persist_archive(SHA, work)
    assert cache.find_archive(SHA) is not None
