"""Installing a warm cache hit from its manifest (``PreparedDist.listing``).

The cache's lookup reads an archive's manifest and checks every file it lists with ``lstat``;
the installer then describes the tree from that listing instead of walking it and decoding the
manifest again. The result must be byte-for-byte what the walking path gives, the RECORD checks
(B7) must still bite, and anything the listing cannot vouch for by itself (a symlink, a name the
walk would screen, a malformed digest) sends the install back to the walk.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from packaging.utils import canonicalize_name
from tests.unit.test_cold_install_tree import _rich_wheel, _tree
from tests.unit.test_perf_install import scheme_in

from ferry.cache.store import Cache, CachedFile
from ferry.dist.prepare import PreparedDist, Preparer
from ferry.fs.link import Linker, LinkMode
from ferry.model.dist import FileRef, Hashes, PinnedDist
from ferry.model.errors import InvalidWheelError
from ferry.model.pep440_version import Version
from ferry.wheel import install
from ferry.wheel.install import install_unpacked
from ferry.wheel.unpacked import listed_tree

MakeWheel = Callable[..., Path]
PYTHON = Path("/opt/py/bin/python3")


def _pin(wheel: Path) -> PinnedDist:
    sha = hashlib.sha256(wheel.read_bytes()).hexdigest()
    name, version = wheel.name.split("-")[:2]
    return PinnedDist(
        canonicalize_name(name),
        Version(version),
        FileRef(wheel.name, f"https://example.invalid/{wheel.name}", Hashes.of(sha256=sha)),
    )


def _warm_hit(cache: Cache, wheel: Path) -> PreparedDist:
    """Prepare ``wheel`` twice: the first unpacks it, the second finds it in the cache."""

    class Served:
        def download(self, file: FileRef) -> CachedFile:
            return cache.store_file(file.filename, [wheel.read_bytes()])

    preparer = Preparer(cache, Served())
    preparer.prepare([_pin(wheel)])
    prepared, _ = preparer.prepare([_pin(wheel)])
    return prepared[0]


def _no_walk(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(archive_dir: Path) -> object:
        raise AssertionError("the listing describes the tree: no walk")

    monkeypatch.setattr(install, "inspect_unpacked", refuse)


def _install(prepared: PreparedDist, root: Path, **kw: Any) -> None:
    install_unpacked(prepared.archive, scheme_in(root), python_executable=PYTHON,
                     linker=Linker(LinkMode.COPY), **kw)


def test_a_warm_hit_installs_the_same_from_its_listing_without_a_walk(
    make_wheel: MakeWheel, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    prepared = _warm_hit(Cache(tmp_path / "cache"), _rich_wheel(make_wheel))
    assert prepared.tree is None and prepared.listing is not None
    _install(prepared, tmp_path / "walked")
    _no_walk(monkeypatch)
    _install(prepared, tmp_path / "listed", listing=prepared.listing)
    assert _tree(tmp_path / "listed") == _tree(tmp_path / "walked")
    assert "rich_pkg/sub/d.txt" in _tree(tmp_path / "listed/lib/python3.12/site-packages")


def test_the_record_check_still_bites_with_a_listing(
    make_wheel: MakeWheel, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wheel = _rich_wheel(make_wheel, bad_record_hash_for="rich_pkg/__init__.py")
    prepared = _warm_hit(Cache(tmp_path / "cache"), wheel)
    _no_walk(monkeypatch)
    with pytest.raises(InvalidWheelError, match="didn't match RECORD"):
        _install(prepared, tmp_path / "env", strict_record=True, listing=prepared.listing)
    assert not list((tmp_path / "env").rglob("*.py"))  # nothing of it left behind


def test_a_file_added_to_the_entry_by_hand_is_not_installed(
    make_wheel: MakeWheel, tmp_path: Path
) -> None:
    prepared = _warm_hit(Cache(tmp_path / "cache"), _rich_wheel(make_wheel))
    (prepared.archive / "rich_pkg" / "planted.py").write_text("import os\n")
    _install(prepared, tmp_path / "env", listing=prepared.listing)
    installed = _tree(tmp_path / "env/lib/python3.12/site-packages")
    assert "rich_pkg/__init__.py" in installed
    assert "rich_pkg/planted.py" not in installed


def _listing(prepared: PreparedDist) -> dict[str, Any]:
    assert prepared.listing is not None
    return {member: dict(item) for member, item in prepared.listing.items()}


@pytest.mark.parametrize(
    "member",
    ["rich_pkg//x.py", "rich_pkg/./x.py", "rich_pkg/../x.py", "/abs.py", "rich_pkg/x\\y.py",
     "C:evil.py", "rich_pkg/\x01.py", ".ferry-other", "rich_pkg/dir/"],
)
def test_a_name_the_walk_would_screen_sends_the_install_back_to_the_walk(
    make_wheel: MakeWheel, tmp_path: Path, member: str
) -> None:
    prepared = _warm_hit(Cache(tmp_path / "cache"), _rich_wheel(make_wheel))
    listing = _listing(prepared)
    listing[member] = {"size": 1, "sha256": "0" * 64}
    assert listed_tree(prepared.archive, listing) is None


@pytest.mark.parametrize(
    "item",
    [{"size": 1, "sha256": "0" * 64, "symlink": "elsewhere"}, {"size": 1, "sha256": "zz" * 32},
     {"size": True, "sha256": "0" * 64}, {"size": -1, "sha256": "0" * 64},
     {"size": 1, "sha256": "0" * 63}, {"size": 1}, "not a mapping"],
)
def test_an_item_the_listing_cannot_vouch_for_sends_the_install_back_to_the_walk(
    make_wheel: MakeWheel, tmp_path: Path, item: object
) -> None:
    prepared = _warm_hit(Cache(tmp_path / "cache"), _rich_wheel(make_wheel))
    listing = _listing(prepared)
    listing["rich_pkg/__init__.py"] = item
    assert listed_tree(prepared.archive, listing) is None
    assert listed_tree(prepared.archive, {}) is None
    # and the install still succeeds, by the walk
    _install(prepared, tmp_path / "env", listing=listing)
    assert "rich_pkg/__init__.py" in _tree(tmp_path / "env/lib/python3.12/site-packages")


def test_bytecode_listed_in_the_manifest_is_left_out_as_the_walk_leaves_it(
    make_wheel: MakeWheel, tmp_path: Path
) -> None:
    prepared = _warm_hit(Cache(tmp_path / "cache"), _rich_wheel(make_wheel))
    listing = _listing(prepared)
    listing["rich_pkg/__pycache__/x.cpython-311.pyc"] = {"size": 1, "sha256": "0" * 64}
    tree = listed_tree(prepared.archive, listing)
    assert tree is not None
    assert "rich_pkg/__pycache__/x.cpython-311.pyc" not in tree.files
    assert tree.files == sorted(tree.files)
    manifest = json.loads((prepared.archive / ".ferry-manifest.json").read_text())
    assert set(tree.files) == set(manifest["files"])
