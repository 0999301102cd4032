"""Installing straight from what unpacking learned (``PreparedDist.tree``).

A freshly unpacked archive is installed without walking its tree or reading its metadata and
manifest back; the result must be byte-for-byte what the walking path gives, the RECORD checks
(B7) must still bite, and an entry another process persisted first is walked as usual.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest
from packaging.utils import canonicalize_name
from tests.unit.test_perf_install import scheme_in

from ferry.cache.store import Cache, CachedFile
from ferry.dist.prepare import PreparedDist, Preparer
from ferry.fs.link import Linker, LinkMode
from ferry.model.dist import FileRef, Hashes, PinnedDist
from ferry.model.errors import InvalidWheelError
from ferry.model.pep440_version import Version
from ferry.wheel import install
from ferry.wheel.install import install_unpacked
from ferry.wheel.unpack import unpack_wheel

MakeWheel = Callable[..., Path]
PYTHON = Path("/opt/py/bin/python3")


def _prepare(cache: Cache, wheel: Path) -> PreparedDist:
    sha = hashlib.sha256(wheel.read_bytes()).hexdigest()
    name, version = wheel.name.split("-")[:2]

    class Served:
        def download(self, file: FileRef) -> CachedFile:
            return cache.store_file(file.filename, [wheel.read_bytes()])

    pin = PinnedDist(
        canonicalize_name(name),
        Version(version),
        FileRef(wheel.name, f"https://example.invalid/{wheel.name}", Hashes.of(sha256=sha)),
    )
    prepared, _ = Preparer(cache, Served()).prepare([pin])
    return prepared[0]


def _tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _rich_wheel(make_wheel: MakeWheel, **kw: object) -> Path:
    return make_wheel(
        "rich_pkg",
        "1.0",
        files={"rich_pkg/__init__.py": "def main():\n    pass\n", "rich_pkg/sub/d.txt": "x"},
        data_files={"scripts/tool": b"#!python\nprint(1)\n", "data/share/f.txt": b"f"},
        entry_points={"console_scripts": {"rich-tool": "rich_pkg:main"}},
        **kw,
    )


def test_a_fresh_archive_installs_the_same_without_being_walked(
    make_wheel: MakeWheel, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = Cache(tmp_path / "cache")
    prepared = _prepare(cache, _rich_wheel(make_wheel))
    assert prepared.tree is not None
    walked = scheme_in(tmp_path / "walked")
    install_unpacked(prepared.archive, walked, python_executable=PYTHON,
                     linker=Linker(LinkMode.COPY))

    def no_walk(archive_dir: Path) -> object:
        raise AssertionError("the tree was handed over: no walk")

    monkeypatch.setattr(install, "inspect_unpacked", no_walk)
    handed = scheme_in(tmp_path / "handed")
    install_unpacked(prepared.archive, handed, python_executable=PYTHON,
                     linker=Linker(LinkMode.COPY), tree=prepared.tree)
    assert _tree(tmp_path / "handed") == _tree(tmp_path / "walked")


def test_the_record_check_still_bites_with_a_handed_tree(
    make_wheel: MakeWheel, tmp_path: Path
) -> None:
    cache = Cache(tmp_path / "cache")
    wheel = _rich_wheel(make_wheel, bad_record_hash_for="rich_pkg/__init__.py")
    prepared = _prepare(cache, wheel)
    assert prepared.tree is not None
    with pytest.raises(InvalidWheelError, match="didn't match RECORD"):
        install_unpacked(prepared.archive, scheme_in(tmp_path / "env"), python_executable=PYTHON,
                         linker=Linker(LinkMode.COPY), strict_record=True, tree=prepared.tree)


def test_an_entry_persisted_first_by_someone_else_is_not_described(
    make_wheel: MakeWheel, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = Cache(tmp_path / "cache")
    wheel = _rich_wheel(make_wheel)
    sha = hashlib.sha256(wheel.read_bytes()).hexdigest()
    real_persist = Cache.persist_archive

    def someone_else_first(
        self: Cache, sha256: str, tmp_dir: Path, files: object = None
    ) -> Path:
        theirs = tmp_path / "theirs"
        written: dict[str, tuple[int, str]] = {}
        unpack_wheel(wheel, theirs, digests=written)
        real_persist(self, sha256, theirs, written)  # their complete copy wins the rename
        return real_persist(self, sha256, tmp_dir, files)  # type: ignore[arg-type]

    monkeypatch.setattr(Cache, "persist_archive", someone_else_first)
    prepared = _prepare(cache, wheel)
    assert prepared.archive == cache.root / "archives-v1" / sha
    assert prepared.tree is None  # their tree: walked at install, as any cache hit
