"""``unpack_wheel(spread=True)``: the cache's trees, with their parent directories marked
``FS_TOPDIR_FL`` so ext4 places their subdirectories apart. The same files, modes and digests
as without; the marks only on directories holding subdirectories; the same cleanup on failure."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from ferry.model.errors import FilesystemError, InvalidWheelError
from ferry.wheel import unpack as unpack_module
from ferry.wheel.unpack import _parent_dirs, unpack_wheel

MakeWheel = Callable[..., Path]
_TOPDIR = 0x00020000

if sys.platform.startswith("linux"):
    from tests.unit.test_cold_install_placement import _flags
else:  # no such flags: spreading is a quiet no

    def _flags(path: Path) -> int | None:
        return None


FILES = {
    "pkg/__init__.py": "",
    "pkg/sub/deep/m.py": "x = 1\n",
    "pkg/sub/n.py": "y = 2\n",
    "pkg/leaf/data.txt": "data\n",
    "other/o.py": "",
}


def _tree(root: Path) -> dict[str, tuple[bytes, int]]:
    return {
        p.relative_to(root).as_posix(): (p.read_bytes(), p.stat().st_mode & 0o777)
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_parent_dirs_lists_each_directory_with_subdirectories_before_them() -> None:
    names = ["a/b/c.py", "a/d.py", "x.py", "a-b/z/q.py", "e/", "f/g/", "h/i/__pycache__/j.pyc"]
    assert _parent_dirs(names) == ["", "a", "a-b", "f", "h", "h/i"]
    assert _parent_dirs(["top.py"]) == []  # no subdirectory anywhere: nothing to mark
    assert _parent_dirs(["a/b.py"]) == [""]


def test_spread_unpacks_the_same_tree_and_marks_only_parents(
    make_wheel: MakeWheel, tmp_path: Path
) -> None:
    wheel = make_wheel("demo", "1.0", files=FILES, directory=tmp_path / "wheels")
    plain_digests: dict[str, tuple[int, str]] = {}
    spread_digests: dict[str, tuple[int, str]] = {}
    unpack_wheel(wheel, tmp_path / "plain", digests=plain_digests)
    spread = tmp_path / "spread"
    spread.mkdir()  # as the cache makes it: empty, then filled
    info = unpack_wheel(wheel, spread, digests=spread_digests, spread=True)
    assert info.name == "demo"
    assert _tree(spread) == _tree(tmp_path / "plain")
    assert spread_digests == plain_digests
    root_flags = _flags(spread)
    if root_flags is None or not root_flags & _TOPDIR:
        pytest.skip("this filesystem has no FS_TOPDIR_FL")
    for parent in ("pkg", "pkg/sub"):
        flags = _flags(spread / parent)
        assert flags is not None and flags & _TOPDIR, parent
    for leaf in ("pkg/sub/deep", "pkg/leaf", "other", "demo-1.0.dist-info"):
        flags = _flags(spread / leaf)
        assert flags is not None and not flags & _TOPDIR, leaf


def test_a_failure_after_spreading_removes_what_was_made(
    make_wheel: MakeWheel, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wheel = make_wheel("demo", "1.0", files=FILES, directory=tmp_path / "wheels")
    real = unpack_module._extract_member
    calls = [0]

    def failing(*args: object, **kwargs: object) -> tuple[int, str]:
        calls[0] += 1
        if calls[0] == 3:
            raise InvalidWheelError("Invalid wheel `demo`: corrupt member")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(unpack_module, "_extract_member", failing)
    dest = tmp_path / "dest"
    dest.mkdir()
    with pytest.raises(InvalidWheelError, match="corrupt member"):
        unpack_wheel(wheel, dest, spread=True)
    assert list(dest.iterdir()) == []  # the directories made up front went too
    missing = tmp_path / "missing"
    calls[0] = 0
    with pytest.raises(InvalidWheelError):
        unpack_wheel(wheel, missing, spread=True)
    assert not missing.exists()


def test_a_file_and_a_directory_of_one_name_are_refused(
    make_wheel: MakeWheel, tmp_path: Path
) -> None:
    wheel = make_wheel(
        "demo", "1.0", files={"pkg/x": "a file", "pkg/x/y.py": "", "pkg/z/w.py": ""},
        directory=tmp_path / "wheels",
    )
    dest = tmp_path / "dest"
    dest.mkdir()
    with pytest.raises((InvalidWheelError, FilesystemError)):  # as without spreading
        unpack_wheel(wheel, dest, spread=True)
    assert list(dest.iterdir()) == []
    assert os.path.isdir(dest)
