"""The cache root, its buckets, JSON entries and the name/url pointers."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

import pytest

from ferry.cache.store import BUCKETS, Cache, default_cache_root
from ferry.model.errors import FilesystemError, UserError

SHA_A = hashlib.sha256(b"a").hexdigest()


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("FERRY_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))


@pytest.fixture
def cache(tmp_path: Path) -> Cache:
    return Cache.from_options(tmp_path / "cache")


def test_root_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert default_cache_root() == tmp_path / "xdg" / "ferry"
    assert Cache.from_options().root == tmp_path / "xdg" / "ferry"
    monkeypatch.setenv("FERRY_CACHE_DIR", str(tmp_path / "env"))
    assert Cache.from_options().root == tmp_path / "env"
    assert Cache.from_options(tmp_path / "flag").root == tmp_path / "flag"
    monkeypatch.chdir(tmp_path)
    assert Cache.from_options(Path("relative")).root == tmp_path / "relative"


def test_new_root_is_tagged(cache: Cache) -> None:
    assert (cache.root / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172")
    assert (cache.root / ".gitignore").read_text() == "*\n"
    assert (cache.root / ".tmp").is_dir()


def test_no_cache_is_temporary_and_removed(tmp_path: Path) -> None:
    cache = Cache.from_options(tmp_path / "ignored", no_cache=True)
    assert cache.is_temporary and cache.root.is_dir()
    assert not (tmp_path / "ignored").exists()
    cache.close()
    assert not cache.root.exists()
    cache.close()  # idempotent


def test_explicit_unwritable_root_is_an_error(tmp_path: Path) -> None:
    """G2: the path is named, with a hint towards --no-cache."""
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(FilesystemError) as caught:
        Cache.from_options(blocker / "cache")
    assert (
        caught.value.message
        == f"Cache directory `{blocker / 'cache'}` is not writable: Not a directory"
    )
    assert caught.value.hint is not None and "--no-cache" in caught.value.hint
    assert caught.value.exit_code == 2


def test_explicit_read_only_root_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Tests may run as root, for whom permissions do not apply; pretend the check failed.
    monkeypatch.setattr("os.access", lambda *_args: False)
    with pytest.raises(FilesystemError, match="is not writable: permission denied"):
        Cache.from_options(tmp_path / "cache")


def test_default_unwritable_root_falls_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """G3: the default root not writable → a temporary cache and one warning."""
    blocker = tmp_path / "xdg"
    blocker.write_text("not a directory")
    with caplog.at_level(logging.WARNING, logger="ferry"):
        cache = Cache.from_options()
    try:
        assert cache.is_temporary and cache.root.is_dir()
        [record] = caplog.records
        assert record.getMessage().startswith(
            f"cache directory `{blocker / 'ferry'}` is not writable"
        )
        assert record.getMessage().endswith("using a temporary cache")
    finally:
        cache.close()


def test_env_root_counts_as_explicit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("FERRY_CACHE_DIR", str(blocker / "c"))
    with pytest.raises(FilesystemError):
        Cache.from_options()


def test_buckets_are_versioned(cache: Cache) -> None:
    for name in BUCKETS:
        path = cache.bucket(name)
        version = "v0" if name == "git" else "v1"  # git-v0: the layout of dist/git.py
        assert path == cache.root / f"{name}-{version}" and path.is_dir()
    assert set(BUCKETS) == {
        "files", "archives", "index", "metadata", "names", "urls", "interpreters", "built",
        "environments", "git", "toml", "replay",
    }  # fmt: skip
    with pytest.raises(ValueError, match="unknown cache bucket"):
        cache.bucket("files-v1")


def test_temp_dir_is_inside_the_cache_and_removed(cache: Cache) -> None:
    with cache.temp_dir() as work:
        assert work.parent == cache.root / ".tmp"
        (work / "f").write_text("x")
    assert not work.exists()


def test_json_roundtrip_and_keys(cache: Cache) -> None:
    cache.write_json("index", "pypi-3a7f/numpy", {"files": [1, 2]})
    assert cache.read_json("index", "pypi-3a7f/numpy") == {"files": [1, 2]}
    assert (
        cache.json_path("index", "pypi-3a7f/numpy") == cache.root / "index-v1/pypi-3a7f/numpy.json"
    )
    hostile = "../../../etc/passwd"
    path = cache.json_path("metadata", hostile)
    assert path.parent == cache.root / "metadata-v1"
    assert path.name == hashlib.sha256(hostile.encode()).hexdigest() + ".json"
    url = "https://example.invalid/simple/x/"
    assert cache.json_path("index", url).parent == cache.root / "index-v1"
    assert cache.read_json("index", "absent") is None


@pytest.mark.parametrize("damage", [b'{"files": [1, 2', b"\xff\xfe garbage", b""])
def test_damaged_json_is_a_miss_and_removed(
    cache: Cache, damage: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    """G7: a truncated metadata entry is invalidated, not fatal."""
    cache.write_json("metadata", SHA_A, {"name": "a"})
    path = cache.json_path("metadata", SHA_A)
    path.write_bytes(damage)
    with caplog.at_level(logging.DEBUG, logger="ferry"):
        assert cache.read_json("metadata", SHA_A) is None
    assert not path.exists()
    assert any("discarding damaged cache entry" in r.getMessage() for r in caplog.records)
    cache.write_json("metadata", SHA_A, {"name": "a"})
    assert cache.read_json("metadata", SHA_A) == {"name": "a"}


def _store(cache: Cache, filename: str, content: bytes) -> str:
    return cache.store_file(filename, [content]).sha256


def test_name_records(cache: Cache) -> None:
    secret_url = "https://user:s3cret-token@example.invalid/files/a-1.0.tar.gz"
    sha_10 = _store(cache, "a-1.10-py3-none-any.whl", b"wheel 1.10")
    sha_9 = _store(cache, "a-1.9.tar.gz", b"sdist 1.9")
    cache.record_name("A", "1.10", "a-1.10-py3-none-any.whl", sha_10)
    cache.record_name("a", "1.9", "a-1.9.tar.gz", sha_9, secret_url)
    cache.record_name("A", "2.0", "a-2.0.tar.gz", SHA_A)  # its file is not in the store
    files = cache.cached_files("a")
    assert {(f.version, f.filename, f.sha256) for f in files} == {
        ("1.10", "a-1.10-py3-none-any.whl", sha_10),
        ("1.9", "a-1.9.tar.gz", sha_9),
    }
    assert {f.url for f in files} == {None, "https://example.invalid/files/a-1.0.tar.gz"}
    assert cache.cached_versions("A") == ["1.9", "1.10"]
    assert cache.cached_files("b") == []
    on_disk = b"".join(p.read_bytes() for p in cache.bucket("names").rglob("*.json"))
    assert b"s3cret" not in on_disk


def test_name_record_validation(cache: Cache) -> None:
    with pytest.raises(UserError, match="Invalid sha256"):
        cache.record_name("a", "1", "a-1.tar.gz", "../../x")
    with pytest.raises(UserError):
        cache.record_name("a", "1", "../a-1.tar.gz", SHA_A)
    (cache.bucket("names") / "a").mkdir()
    (cache.bucket("names") / "a" / "junk.json").write_text('{"version": 1}')
    assert cache.cached_files("a") == []


def test_url_records_ignore_credentials(cache: Cache) -> None:
    cache.store_file("a.whl", [b"a"])  # a pointer counts only while its file is stored
    cache.record_url("https://user:hunter2@example.invalid/a.whl", SHA_A)
    assert cache.sha_for_url("https://example.invalid/a.whl") == SHA_A
    assert cache.sha_for_url("https://other:pw@example.invalid/a.whl") == SHA_A
    assert cache.sha_for_url("https://example.invalid/b.whl") is None
    assert b"hunter2" not in b"".join(p.read_bytes() for p in cache.bucket("urls").iterdir())


def test_url_pointer_to_another_file_is_a_miss(cache: Cache) -> None:
    """RELIABILITY G7: a damaged pointer never makes one file stand in for another."""
    stored = cache.store_file("b-1.0-py3-none-any.whl", [b"b"])
    cache.record_url("https://example.invalid/a-1.0-py3-none-any.whl", stored.sha256)
    assert cache.sha_for_url("https://example.invalid/a-1.0-py3-none-any.whl") is None
    cache.record_url("https://example.invalid/b-1.0-py3-none-any.whl", stored.sha256)
    assert cache.sha_for_url("https://example.invalid/b-1.0-py3-none-any.whl") == stored.sha256


def test_find_file_discards_damaged_entries(cache: Cache, caplog: pytest.LogCaptureFixture) -> None:
    stored = cache.store_file("a-1.0.tar.gz", [b"content"])
    assert cache.find_file(stored.sha256) == stored.path
    assert cache.find_file(stored.sha256.upper(), "a-1.0.tar.gz") == stored.path
    assert cache.find_file(stored.sha256, "other.tar.gz") is None
    stored.path.write_bytes(b"")  # pip #12361: an empty file under a non-empty digest
    with caplog.at_level(logging.DEBUG, logger="ferry"):
        assert cache.find_file(stored.sha256) is None
    assert not stored.path.exists()
    assert any("discarding damaged cache entry" in r.getMessage() for r in caplog.records)
    assert cache.find_file(SHA_A) is None
    for not_a_digest in ("", "../../etc", "../" + "a" * 61):
        assert cache.find_file(not_a_digest) is None
        assert cache.find_archive(not_a_digest) is None


def test_empty_file_is_a_valid_entry(cache: Cache) -> None:
    stored = cache.store_file("empty.txt", [])
    assert stored.size == 0
    assert cache.find_file(stored.sha256) == stored.path
