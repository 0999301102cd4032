"""``cache prune --ci`` keeps what a CI cache should carry; ``cache clean PKG`` finds entries that
no name record points at (metadata fetched alone, wheels built from a local tree)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ferry.cache.maintenance import clean, prune
from ferry.cache.package_owners import metadata_name
from ferry.cache.store import Cache


@pytest.fixture
def cache(tmp_path: Path) -> Cache:
    return Cache.from_options(tmp_path / "cache")


def _metadata(name: str, version: str = "1.0") -> dict[str, str]:
    text = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n\nName: not-this\n"
    return {"encoding": "utf-8", "data": text}


def _downloaded_wheel(cache: Cache, name: str) -> str:
    """What installing a pre-built wheel leaves: the file, its unpacked tree, metadata, pointers."""
    filename = f"{name}-1.0-py3-none-any.whl"
    stored = cache.store_file(filename, [f"wheel of {name}".encode()])
    with cache.temp_dir() as work:
        (work / f"{name}.py").write_text("x = 1\n")
        cache.persist_archive(stored.sha256, work)
    cache.write_json("metadata", stored.sha256, _metadata(name))
    cache.record_name(name, "1.0", filename, stored.sha256, f"https://example.invalid/{filename}")
    cache.record_url(f"https://example.invalid/{filename}", stored.sha256)
    return stored.sha256


def _built_from_sdist(cache: Cache, name: str) -> tuple[Path, Path]:
    """An sdist that was downloaded and built: the sdist file and the built wheel."""
    filename = f"{name}-1.0.tar.gz"
    stored = cache.store_file(filename, [f"sdist of {name}".encode()])
    cache.record_name(name, "1.0", filename, stored.sha256, f"https://example.invalid/{filename}")
    entry = cache.bucket("built") / stored.sha256 / "cp312-cp312-linux_x86_64"
    entry.mkdir(parents=True)
    wheel = entry / f"{name}-1.0-py3-none-any.whl"
    wheel.write_bytes(b"built wheel")
    with cache.temp_dir() as work:
        (work / f"{name}.py").write_text("x = 1\n")
        cache.persist_archive("ab" * 32, work)  # the built wheel, unpacked for an install
    return stored.path, wheel


def test_ci_prune_drops_downloaded_wheels_and_keeps_builds(cache: Cache) -> None:
    sha = _downloaded_wheel(cache, "pre")
    sdist, built = _built_from_sdist(cache, "src")
    cache.write_json("index", "idx-1234/pre", {"rows": []})
    environment = cache.bucket("environments") / "build" / "abc"
    environment.mkdir(parents=True)
    (environment / "pyvenv.cfg").write_text("home = /x\n")

    assert prune(cache).removed.files == 0  # a plain prune keeps all of it
    result = prune(cache, ci=True)

    assert result.removed.files > 0
    assert cache.find_file(sha) is None and cache.find_archive(sha) is None
    assert cache.read_json("metadata", sha) is None
    assert [r.filename for r in cache.cached_files("pre")] == []
    assert not list((cache.root / "names-v1").glob("pre/*"))  # its pointer went with it
    assert not any((cache.root / "archives-v1").iterdir())
    assert not (cache.root / "environments-v1" / "build" / "abc").exists()
    # kept: the built wheel, the sdist it came from (and its pointer), the index page
    assert built.is_file() and sdist.is_file()
    assert [r.filename for r in cache.cached_files("src")] == ["src-1.0.tar.gz"]
    assert cache.read_json("index", "idx-1234/pre") == {"rows": []}
    again = prune(cache, ci=True)
    assert again.removed.files == 0


def test_clean_package_finds_metadata_fetched_alone(cache: Cache) -> None:
    # `pip compile` fetched these (PEP 658 / range requests): no file, no name record
    cache.write_json("metadata", "11" * 32, _metadata("Rich", "15.0"))
    cache.write_json("metadata", "22" * 32, _metadata("rich", "14.3"))
    cache.write_json("metadata", "https://example.invalid/r-1.whl", _metadata("rich"))
    cache.write_json("metadata", "33" * 32, _metadata("other"))
    cache.write_json("index", "idx-1234/rich", {"rows": []})

    result = clean(cache, ["RICH"])

    assert result.removed.files == 4 and result.not_found == ()
    assert cache.read_json("metadata", "11" * 32) is None
    assert cache.read_json("metadata", "22" * 32) is None
    assert cache.read_json("metadata", "https://example.invalid/r-1.whl") is None
    assert cache.read_json("metadata", "33" * 32) == _metadata("other")


def test_clean_package_finds_wheels_built_from_a_tree(cache: Cache) -> None:
    entry = cache.bucket("built") / ("tree-" + "44" * 32) / "cp312-cp312-linux_x86_64"
    entry.mkdir(parents=True)
    (entry / "my_proj-0.1-py3-none-any.whl").write_bytes(b"built")
    prepared = cache.bucket("built") / ("tree-" + "55" * 32)
    prepared.mkdir()
    (prepared / "cp312.metadata.json").write_text('{"metadata": "Name: my-proj\\n"}')
    keep = cache.bucket("built") / ("tree-" + "66" * 32) / "cp312"
    keep.mkdir(parents=True)
    (keep / "else-1.0-py3-none-any.whl").write_bytes(b"built")

    assert clean(cache, ["My.Proj"]).removed.files == 2
    assert not entry.parent.exists() and not prepared.exists() and keep.is_dir()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (_metadata("Foo_Bar"), "foo-bar"),
        ({"encoding": "base64", "data": "TmFtZTogWmFw"}, "zap"),  # "Name: Zap"
        ({"encoding": "base64", "data": "not base64!"}, None),
        ({"encoding": "utf-8", "data": "Version: 1\n\nName: body\n"}, None),
        ({"metadata": "name:  spaced \n"}, "spaced"),
        ([], None),
    ],
)
def test_metadata_name(value: object, expected: str | None) -> None:
    assert metadata_name(value) == expected
