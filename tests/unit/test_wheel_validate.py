"""validate_wheel / unpack_wheel against RELIABILITY.md section B: hostile wheels never land."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from tests.support.zipfiles import ZipMember, write_zip

from ferry.model.errors import FilesystemError, InvalidWheelError
from ferry.model.pep440_version import Version
from ferry.wheel import _zip as zipchecks
from ferry.wheel import unpack_wheel, validate_wheel

MakeWheel = Callable[..., Path]


def tree(root: Path) -> set[str]:
    """Every path under ``root`` (relative), to prove that nothing was written."""
    return {p.relative_to(root).as_posix() for p in root.rglob("*")}


def test_valid_wheel_is_described(make_wheel: MakeWheel) -> None:
    wheel = make_wheel(
        "Demo.Pkg", "1.0.post1",
        entry_points={"console_scripts": {"demo": "demo_pkg.cli:main"}},
        data_files={"scripts/tool": "#!python\n", "headers/demo.h": ""},
    )
    info = validate_wheel(wheel, expected_name="demo-pkg", expected_version="1.0.post1")
    assert info.name == "demo-pkg"
    assert info.version == Version("1.0.post1")
    assert info.dist_info == "demo_pkg-1.0.post1.dist-info"
    assert info.data_dir == "demo_pkg-1.0.post1.data"
    assert info.root_is_purelib is True
    assert {str(t) for t in info.tags} == {"py3-none-any"}
    assert "demo_pkg-1.0.post1.data/scripts/tool" in info.members
    assert [(s.name, s.module, s.attr, s.section) for s in info.scripts] == [
        ("demo", "demo_pkg.cli", "main", "console")
    ]


def test_platlib_wheel(make_wheel: MakeWheel) -> None:
    wheel = make_wheel("native", "2.0", tag="cp312-cp312-linux_x86_64")
    info = validate_wheel(wheel)
    assert info.root_is_purelib is False
    assert {str(t) for t in info.tags} == {"cp312-cp312-linux_x86_64"}


HOSTILE: dict[str, tuple[dict[str, Any], str]] = {
    # id: (make_wheel knobs, text the error must contain)
    "B1-dotdot": ({"extra_members": [("../../evil.py", b"x")]}, "../../evil.py"),
    "B2-absolute": ({"extra_members": [("/abs/evil", b"x")]}, "absolute"),
    "B2-drive": ({"extra_members": [("C:/evil", b"x")]}, "drive letter"),
    "B2-drive-backslash": ({"extra_members": [("C:\\evil", b"x")]}, "C:\\evil"),
    "B2-unc": ({"extra_members": [("\\\\server\\share\\x", b"x")]}, "backslash"),
    "B2-backslash-dotdot": ({"extra_members": [("..\\evil", b"x")]}, "backslash"),
    "B2-inner-dotdot": ({"extra_members": [("pkg/../../x", b"x")]}, "pkg/../../x"),
    "B2-dot": ({"extra_members": [("pkg/./x", b"x")]}, "`.` path component"),
    "B3-nul": ({"extra_members": [(b"pkg/evil\x00.py", b"x")]}, "control character"),
    "B3-newline": ({"extra_members": [("pkg/evil\n.py", b"x")]}, "pkg/evil\\n.py"),
    "B3-empty": ({"extra_members": [("", b"x")]}, "empty name"),
    "B4-symlink": ({"symlink_member": ("pkg/link", "/etc/passwd")}, "symbolic link"),
    "B5-unknown-scheme": ({"data_files": {"unknownscheme/f": b""}}, "unknown `.data` scheme"),
    "B5-data-dotdot": ({"data_files": {"scripts/../../f": b""}}, "`..`"),
    "B5-other-data-dir": ({"extra_members": [("other-1.0.data/purelib/x", b"")]}, "other"),
    "B6-ep-traversal": (
        {"entry_points": {"console_scripts": {"../../outside": "pkg:main"}}},
        "path separator",
    ),
    "B6-ep-dotdot": ({"entry_points": {"gui_scripts": {"..": "pkg:main"}}}, "`..`"),
    "B6-ep-dot": ({"entry_points": {"console_scripts": {".": "pkg:main"}}}, "`.`"),
    "B6-ep-injection": (
        {"entry_points": {"console_scripts": {"x": "os:system('rm -rf /')"}}},
        "module:callable",
    ),
    "B6-ep-no-callable": ({"entry_points": {"console_scripts": {"x": "pkg"}}}, "callable"),
    "B9-duplicate": ({"duplicate_member": ("a/__init__.py", b"other")}, "more than once"),
    "B9-header-mismatch": (
        {"header_mismatch": ("a/__init__.py", "a/__init__.pz")},
        "local header",
    ),
    "B9-trailing-data": ({"trailing_data": b"garbage after the end"}, "after its end record"),
    "B11-name": ({"metadata_overrides": {"Name": "b"}}, "mismatched name"),
    "B11-version": ({"metadata_overrides": {"Version": "2.0"}}, "mismatched version"),
    "B12-wheel-version": ({"wheel_version": "2.0"}, "Incompatible Wheel-Version"),
    "no-record": ({"omit_record": True}, "RECORD` is missing"),
    "reserved-name": ({"extra_members": [(".ferry-manifest.json", b"{}")]}, "reserves"),
    "two-dist-infos": ({"extra_members": [("b-1.0.dist-info/METADATA", b"")]}, "more than one"),
}


@pytest.mark.parametrize("knobs,expected", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_wheel_is_refused_and_nothing_written(
    make_wheel: MakeWheel, tmp_path: Path, knobs: dict[str, Any], expected: str
) -> None:
    wheel = make_wheel("a", "1.0", **knobs)
    with pytest.raises(InvalidWheelError) as caught:
        validate_wheel(wheel)
    message = str(caught.value)
    assert wheel.name in message
    assert expected in message

    before = tree(tmp_path)
    dest = tmp_path / "unpacked"
    with pytest.raises(InvalidWheelError):
        unpack_wheel(wheel, dest)
    assert tree(tmp_path) == before  # nothing inside the target, nothing outside it


def test_an_archive_level_refusal_says_nothing_was_installed(make_wheel: MakeWheel) -> None:
    wheel = make_wheel("a", "1.0", trailing_data=b"garbage after the end")
    with pytest.raises(InvalidWheelError, match="after its end record") as caught:
        validate_wheel(wheel)
    assert caught.value.hint is not None and "nothing was installed" in caught.value.hint


def test_bytes_before_the_first_member_are_refused(make_wheel: MakeWheel) -> None:
    wheel = make_wheel("a", "1.0")
    wheel.write_bytes(b"MZ self-extracting stub" + wheel.read_bytes())
    with pytest.raises(InvalidWheelError, match="before the first member"):
        validate_wheel(wheel)


def test_not_a_zip_and_bad_filename(tmp_path: Path) -> None:
    junk = tmp_path / "a-1.0-py3-none-any.whl"
    junk.write_bytes(b"not a zip at all")
    with pytest.raises(InvalidWheelError, match="not a valid ZIP"):
        validate_wheel(junk)
    with pytest.raises(InvalidWheelError, match="Invalid wheel filename"):
        validate_wheel(tmp_path / "nonsense.whl")


def test_expected_name_and_version_are_enforced(make_wheel: MakeWheel) -> None:
    wheel = make_wheel("a", "1.0")
    with pytest.raises(InvalidWheelError, match="mismatched name"):
        validate_wheel(wheel, expected_name="b")
    with pytest.raises(InvalidWheelError, match="mismatched version"):
        validate_wheel(wheel, expected_version="1.1")
    assert validate_wheel(wheel, expected_name="A", expected_version="1.0.0").name == "a"


def test_zip_bomb_is_stopped_by_the_size_limit(make_wheel: MakeWheel, tmp_path: Path) -> None:
    wheel = make_wheel("a", "1.0", bomb_member=("a/big.bin", 64 * 1024 * 1024))
    with pytest.raises(InvalidWheelError, match=r"a/big\.bin.*(limit|ratio)"):
        validate_wheel(wheel, max_size=8 * 1024 * 1024)
    dest = tmp_path / "out"
    with pytest.raises(InvalidWheelError):
        unpack_wheel(wheel, dest, max_size=8 * 1024 * 1024)
    assert not dest.exists()


def test_honest_highly_compressed_member_is_accepted(make_wheel: MakeWheel) -> None:
    # One repeated byte deflates to about 1030:1, the most deflate can do; the ratio rule must
    # not refuse that (only a central directory claiming more is lying).
    wheel = make_wheel("a", "1.0", bomb_member=("a/zeros.bin", 16 * 1024 * 1024))
    info = validate_wheel(wheel)  # honest and under the default limit: accepted
    assert "a/zeros.bin" in info.members


def test_extraction_budget_stops_a_lying_central_directory(
    make_wheel: MakeWheel, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Defence in depth: even if the declared sizes passed, bytes written are counted."""
    wheel = make_wheel("a", "1.0", bomb_member=("a/big.bin", 4 * 1024 * 1024))
    monkeypatch.setattr("ferry.wheel.validate.check_sizes", lambda infos, limit: None)
    dest = tmp_path / "out"
    with pytest.raises(InvalidWheelError, match="past the size limit"):
        unpack_wheel(wheel, dest, max_size=1024 * 1024)
    assert not dest.exists()


def test_unpack_extracts_members_with_modes(make_wheel: MakeWheel, tmp_path: Path) -> None:
    wheel = make_wheel(
        "a", "1.0",
        files={"a/__init__.py": "", "a/run.sh": "#!/bin/sh\n"},
        data_files={"scripts/tool": "#!python\nprint(1)\n", "data/share/a.txt": "x"},
    )
    dest = tmp_path / "out"
    info = unpack_wheel(wheel, dest)
    assert sorted(tree(dest) - {"a", "a-1.0.data", "a-1.0.data/scripts", "a-1.0.data/data",
                                "a-1.0.data/data/share", "a-1.0.dist-info"}) == sorted(
        m for m in info.members if not m.endswith("/")
    )
    assert (dest / "a-1.0.data/scripts/tool").stat().st_mode & 0o111
    assert not (dest / "a/__init__.py").stat().st_mode & 0o111
    assert stat.S_ISREG((dest / "a-1.0.data/data/share/a.txt").stat().st_mode)


def test_executable_bit_from_the_zip_is_kept(tmp_path: Path, make_wheel: MakeWheel) -> None:
    base = make_wheel("a", "1.0")
    members = [ZipMember("a/tool.sh", b"#!/bin/sh\n", mode=stat.S_IFREG | 0o755)]
    wheel = make_wheel("a", "1.0", directory=tmp_path / "x", extra_members=members)
    dest = tmp_path / "out"
    unpack_wheel(wheel, dest)
    assert os.access(dest / "a/tool.sh", os.X_OK)
    assert base.exists()


def test_pycache_members_are_skipped_with_a_warning(
    make_wheel: MakeWheel, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    wheel = make_wheel(
        "a", "1.0", files={"a/__init__.py": "", "a/__pycache__/x.cpython-312.pyc": b"\0"}
    )
    dest = tmp_path / "out"
    with caplog.at_level(logging.WARNING, logger="ferry.wheel"):
        unpack_wheel(wheel, dest)
    assert not (dest / "a/__pycache__").exists()
    assert "a/__pycache__/x.cpython-312.pyc" in caplog.text


def test_case_collision_on_a_case_insensitive_disk_is_an_error(
    make_wheel: MakeWheel, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wheel = make_wheel("a", "1.0", files={"a/X.py": "1", "a/x.py": "2"})
    real_open = os.open

    def insensitive_open(file: Any, flags: int, *args: Any, **kwargs: Any) -> Any:
        if flags & os.O_EXCL and str(file).endswith("a/x.py"):
            raise FileExistsError(17, "exists", str(file))
        return real_open(file, flags, *args, **kwargs)

    monkeypatch.setattr("os.open", insensitive_open)
    with pytest.raises(InvalidWheelError, match="collides"):
        unpack_wheel(wheel, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_hand_written_zip_with_local_name_differential(tmp_path: Path) -> None:
    """The raw writer bypasses make_wheel entirely: the check must not rely on it."""
    good = [
        ZipMember("a/__init__.py", b"", local_name="a/__init__.pyc"),
        ZipMember("a-1.0.dist-info/METADATA", b"Name: a\nVersion: 1.0\n"),
    ]
    wheel = write_zip(tmp_path / "a-1.0-py3-none-any.whl", good)
    with pytest.raises(InvalidWheelError, match=r"a/__init__\.py.*local header"):
        validate_wheel(wheel)


def test_ratio_rule_itself() -> None:
    import zipfile

    info = zipfile.ZipInfo("a/bomb")
    info.compress_type = zipfile.ZIP_DEFLATED
    info.file_size, info.compress_size = 10 * 1024**3, 1024
    with pytest.raises(zipchecks.ZipProblem, match="ratio"):
        zipchecks.check_sizes([info], limit=100 * 1024**3)
    info.compress_type = zipfile.ZIP_STORED
    with pytest.raises(zipchecks.ZipProblem, match="stored"):
        zipchecks.check_sizes([info], limit=100 * 1024**3)


def test_unpack_refuses_a_non_empty_destination(make_wheel: MakeWheel, tmp_path: Path) -> None:
    wheel = make_wheel("a", "1.0")
    dest = tmp_path / "busy"
    dest.mkdir()
    (dest / "a").mkdir()
    (dest / "a/__init__.py").write_text("someone else's")
    with pytest.raises(FilesystemError, match="not an empty directory"):
        unpack_wheel(wheel, dest)
    assert (dest / "a/__init__.py").read_text() == "someone else's"
    empty = tmp_path / "empty"
    empty.mkdir()
    assert unpack_wheel(wheel, empty).name == "a"
