"""Installing from the cache reads no file twice: RECORD digests come from the cache manifest.

``install_unpacked`` used to hash every file of the wheel at every install. An archive persisted
by the cache carries ``.ferry-manifest.json`` (every file's sha256 and size, written once); the
installer now builds RECORD from it, and checks the wheel's RECORD against it (B7/B8), without
opening the files. These tests pin that down functionally (no timing): with a manifest no file
is hashed, the result is the same RECORD, and every B7/B8 outcome is unchanged; without a usable
manifest the installer hashes as before. The manifest is written by ``ferry.cache.archives``
itself, so a change of its format shows up here.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import ferry.wheel.install as wheel_install
from ferry.cache.archives import MANIFEST_NAME, write_manifest
from ferry.fs.link import Linker, LinkMode
from ferry.model.errors import InvalidWheelError
from ferry.model.scheme import Scheme
from ferry.wheel import InstalledDist, install_unpacked, unpack_wheel
from ferry.wheel.unpacked import inspect_unpacked

MakeWheel = Callable[..., Path]
PYTHON = Path("/opt/py/bin/python3")


def scheme_in(root: Path) -> Scheme:
    lib = root / "lib/python3.12/site-packages"
    return Scheme(purelib=lib, platlib=lib, scripts=root / "bin", data=root,
                  headers=root / "include/site/python3.12/demo")


def cached_archive(wheel: Path, tmp_path: Path, *, manifest: bool = True) -> Path:
    """``wheel`` unpacked as the cache keeps it: with the manifest the cache writes."""
    dest = tmp_path / "archives" / wheel.name
    unpack_wheel(wheel, dest)
    if manifest:
        write_manifest(dest, hashlib.sha256(wheel.read_bytes()).hexdigest())
    return dest


def install(archive: Path, root: Path, **kw: Any) -> InstalledDist:
    return install_unpacked(archive, scheme_in(root), python_executable=PYTHON,
                            linker=Linker(LinkMode.HARDLINK), **kw)


def record_rows(dist: InstalledDist) -> dict[str, tuple[str, str]]:
    text = (dist.dist_info / "RECORD").read_text()
    return {row[0]: (row[1], row[2]) for row in csv.reader(io.StringIO(text))}


def assert_record_matches_files(dist: InstalledDist) -> None:
    for path, (digest, size) in record_rows(dist).items():
        if path.endswith("/RECORD"):
            continue
        data = (dist.site_dir / path).resolve().read_bytes()
        expected = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        assert (digest, size) == (f"sha256={expected}", str(len(data))), path


@pytest.fixture
def no_hashing(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Record (and allow) every file the installer hashes."""
    hashed: list[Path] = []
    real = wheel_install.hash_file

    def spy(path: Path, algorithm: str = "sha256") -> tuple[str, int]:
        hashed.append(path)
        return real(path, algorithm)

    monkeypatch.setattr(wheel_install, "hash_file", spy)
    return hashed


def demo_wheel(make_wheel: MakeWheel, **kw: Any) -> Path:
    kw.setdefault("files", {"demo/__init__.py": "x = 1\n", "demo/sub/mod.py": "y = 2\n"})
    return make_wheel(
        "demo", "1.0",
        data_files={"scripts/tool": "#!python\nprint(1)\n", "data/share/demo.txt": "d"},
        entry_points={"console_scripts": {"demo-cli": "demo:main"}},
        **kw,
    )


def test_a_cached_archive_installs_without_hashing_a_file(
    make_wheel: MakeWheel, tmp_path: Path, no_hashing: list[Path]
) -> None:
    archive = cached_archive(demo_wheel(make_wheel), tmp_path)
    dist = install(archive, tmp_path / "env")
    assert no_hashing == []
    assert_record_matches_files(dist)


def test_the_record_is_the_same_with_and_without_the_manifest(
    make_wheel: MakeWheel, tmp_path: Path, no_hashing: list[Path]
) -> None:
    wheel = demo_wheel(make_wheel)
    fast = install(cached_archive(wheel, tmp_path / "a"), tmp_path / "env1")
    assert no_hashing == []
    slow = install(cached_archive(wheel, tmp_path / "b", manifest=False), tmp_path / "env2")
    assert no_hashing  # without a manifest every file is hashed, as before
    assert record_rows(fast) == record_rows(slow)


def test_b7_mismatch_is_still_found_from_the_manifest(
    make_wheel: MakeWheel, tmp_path: Path, no_hashing: list[Path],
    caplog: pytest.LogCaptureFixture,
) -> None:
    wheel = demo_wheel(make_wheel, bad_record_hash_for="demo/__init__.py")
    archive = cached_archive(wheel, tmp_path)
    with pytest.raises(InvalidWheelError, match=r"hash of `demo/__init__\.py` didn.t match"):
        install(archive, tmp_path / "strict", strict_record=True)
    assert not (tmp_path / "strict").exists() or not any((tmp_path / "strict").rglob("*.py"))
    with caplog.at_level(logging.WARNING, logger="ferry.wheel"):
        dist = install(archive, tmp_path / "env")
    assert "hash of `demo/__init__.py` didn't match RECORD" in caplog.text
    assert no_hashing == []
    assert_record_matches_files(dist)


def test_b8_gaps_are_repaired_from_the_manifest(
    make_wheel: MakeWheel, tmp_path: Path, no_hashing: list[Path],
    caplog: pytest.LogCaptureFixture,
) -> None:
    wheel = demo_wheel(
        make_wheel,
        files={"demo/__init__.py": "", "demo/unlisted.py": "u"},
        record_overrides={"demo/unlisted.py": None, "demo/ghost.py": ""},
    )
    with caplog.at_level(logging.WARNING, logger="ferry.wheel"):
        dist = install(cached_archive(wheel, tmp_path), tmp_path / "env")
    assert "`demo/unlisted.py` is not listed in RECORD" in caplog.text
    assert "`demo/ghost.py`, which the wheel does not contain" in caplog.text
    assert "demo/unlisted.py" in record_rows(dist) and "demo/ghost.py" not in record_rows(dist)
    assert no_hashing == []
    assert_record_matches_files(dist)


@pytest.mark.parametrize(
    "damage",
    ["not json", "other version", "entry missing", "bad digest", "negative size", "a list"],
)
def test_an_unusable_manifest_means_hashing_as_before(
    make_wheel: MakeWheel, tmp_path: Path, no_hashing: list[Path], damage: str
) -> None:
    archive = cached_archive(demo_wheel(make_wheel), tmp_path)
    path = archive / MANIFEST_NAME
    document = json.loads(path.read_text())
    if damage == "not json":
        path.write_text("{")
    elif damage == "a list":
        path.write_text("[]")
    else:
        if damage == "other version":
            document["version"] = 99
        elif damage == "entry missing":
            del document["files"]["demo/sub/mod.py"]
        elif damage == "bad digest":
            document["files"]["demo/sub/mod.py"]["sha256"] = "zz" * 32
        elif damage == "negative size":
            document["files"]["demo/sub/mod.py"]["size"] = -1
        path.write_text(json.dumps(document))
    dist = install(archive, tmp_path / "env")
    assert no_hashing  # fell back to reading the files
    assert_record_matches_files(dist)


def test_the_manifest_never_adds_files(make_wheel: MakeWheel, tmp_path: Path) -> None:
    """Files come from walking the tree; an entry only the manifest names is not installed."""
    archive = cached_archive(demo_wheel(make_wheel), tmp_path)
    path = archive / MANIFEST_NAME
    document = json.loads(path.read_text())
    document["files"]["demo/phantom.py"] = {"size": 0, "sha256": hashlib.sha256().hexdigest()}
    path.write_text(json.dumps(document))
    dist = install(archive, tmp_path / "env")
    assert "demo/phantom.py" not in record_rows(dist)
    assert not (dist.site_dir / "demo/phantom.py").exists()


def test_walking_an_archive_lists_files_only_and_skips_bookkeeping(
    make_wheel: MakeWheel, tmp_path: Path
) -> None:
    archive = cached_archive(demo_wheel(make_wheel), tmp_path)
    info, files = inspect_unpacked(archive)
    assert MANIFEST_NAME not in files
    assert files == sorted(files)
    assert set(files) == {m for m in info.members if not m.endswith("/")}
    assert "demo/sub/mod.py" in files and "demo/sub" not in files


def test_installing_over_a_file_in_an_existing_directory_still_stashes_it(
    make_wheel: MakeWheel, tmp_path: Path
) -> None:
    """Only directories the install created skip the existence check."""
    root = tmp_path / "env"
    site = scheme_in(root).purelib
    (site / "demo").mkdir(parents=True)
    (site / "demo/__init__.py").write_text("someone else's\n")
    archive = cached_archive(demo_wheel(make_wheel), tmp_path)

    class Failing:
        def __init__(self) -> None:
            self.inner, self.calls = Linker(LinkMode.HARDLINK), 0

        def link(self, src: Path, dst: Path) -> None:
            self.calls += 1
            if self.calls == 3:
                raise OSError(28, "No space left on device")
            self.inner.link(src, dst)

    with pytest.raises(Exception, match="No space left"):
        install_unpacked(archive, scheme_in(root), python_executable=PYTHON, linker=Failing())
    assert (site / "demo/__init__.py").read_text() == "someone else's\n"
    assert not (site / "demo/sub").exists()
