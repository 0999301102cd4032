"""RELIABILITY.md section B: hostile or broken wheels, installed through ``ferry pip install``.

Each refused wheel is served by a local index; the install must fail with exit 1 naming the
wheel and the member, create no file inside or outside the environment, leave the cache
consistent, and succeed once the index serves a sound wheel under the same name and version.
"""

from __future__ import annotations

import os
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from tests.reliability.invariants import EXIT_INPUT, Guard
from tests.support.index import LocalIndex
from tests.support.runner import Result, Runner
from tests.support.zipfiles import ZipMember

Install = Callable[..., Result]
MakeGuard = Callable[..., Guard]


def _strays(tmp_path: Path, name: str) -> list[Path]:
    """Files called ``name`` anywhere under tmp_path except the index and the wheel factory."""
    allowed = (tmp_path / "index", tmp_path / "wheels")
    found = []
    for current, _dirs, files in os.walk(tmp_path):
        if any(Path(current).is_relative_to(a) for a in allowed):
            continue
        found += [Path(current) / f for f in files if f == name]
    return found


def _refused(
    tmp_path: Path,
    local_index: LocalIndex,
    venv: Path,
    guard: MakeGuard,
    pip_install: Install,
    knobs: dict[str, Any],
    mentions: tuple[str, ...] = (),
    stray: str | None = None,
    name: str = "victim",
) -> Result:
    """Serve a wheel built with ``knobs``; the install must be refused, then recover."""
    entry = local_index.add_wheel(name, "1.0", **knobs)
    g = guard(venv=venv)
    result = pip_install(name, index=local_index.file_url)
    g.failed(result, code=EXIT_INPUT, mentions=(entry.filename, *mentions))
    if stray is not None:
        assert not _strays(tmp_path, stray), "a hostile member was written"
    assert not any((tmp_path / "cache" / ".tmp").iterdir()), "temporary files left in the cache"
    # the cause fixed: the index now serves a sound wheel of the same name and version
    local_index.remove(entry.filename)
    local_index.add_wheel(name, "1.0")
    g.recovered(pip_install(name, index=local_index.file_url))
    return result


@pytest.fixture
def refused(
    tmp_path: Path, local_index: LocalIndex, venv: Path, guard: MakeGuard, pip_install: Install
) -> Callable[..., Result]:
    def check(knobs: dict[str, Any], *mentions: str, stray: str | None = None) -> Result:
        return _refused(
            tmp_path, local_index, venv, guard, pip_install, knobs, mentions, stray=stray
        )

    return check


def test_B1_parent_traversal_member_is_refused(refused: Callable[..., Result]) -> None:
    result = refused({"extra_members": [("../../evil.py", b"owned = 1\n")]}, "../../evil.py",
                     stray="evil.py")
    assert "`..`" in result.stderr


@pytest.mark.parametrize(
    "member",
    ["/abs/evil", "C:\\evil", "\\\\server\\share\\x", "..\\evil", "victim/../../x", "C:evil"],
)
def test_B2_absolute_prefixed_and_escaping_members_are_refused(
    refused: Callable[..., Result], member: str
) -> None:
    refused({"extra_members": [(member, b"owned = 1\n")]})


@pytest.mark.parametrize(
    ("member", "shown"),
    [("victim/nul\0.py", "\\x00"), ("victim/new\nline.py", "\\n"), ("victim/bell\x07.py", "\\x07"),
     ("", "")],
    ids=["nul", "newline", "control", "empty"],
)
def test_B3_control_characters_and_empty_names_are_refused(
    refused: Callable[..., Result], member: str, shown: str
) -> None:
    extra = ZipMember(member, b"x = 1\n") if member == "" else (member, b"x = 1\n")
    result = refused({"extra_members": [extra]}, shown)
    assert "control character" in result.stderr or "empty name" in result.stderr
    assert "\0" not in result.output


def test_B4_symlink_member_is_never_followed(
    refused: Callable[..., Result], tmp_path: Path
) -> None:
    outside = tmp_path / "outside-target.txt"
    outside.write_text("precious\n")
    result = refused({"symlink_member": ("victim/link", str(outside))}, "victim/link")
    assert "symbolic link" in result.stderr
    assert outside.read_text() == "precious\n"


@pytest.mark.parametrize("member", ["unknownscheme/f", "scripts/../../f"])
def test_B5_bad_data_schemes_are_refused(refused: Callable[..., Result], member: str) -> None:
    refused({"data_files": {member: b"x"}}, member.split("/")[0])


@pytest.mark.parametrize("script", ["../../outside", "..", "."])
def test_B6_entry_point_path_traversal_is_refused(
    refused: Callable[..., Result], tmp_path: Path, script: str
) -> None:
    refused({"entry_points": {"console_scripts": {script: "victim:main"}}}, script,
            stray="outside")


def test_B7_record_hash_mismatch_warns_by_default(
    local_index: LocalIndex, venv: Path, pip_install: Install, env_snapshot: Callable[..., Any]
) -> None:
    local_index.add_wheel("victim", "1.0", bad_record_hash_for="victim/__init__.py")
    result = pip_install("victim", index=local_index.file_url)
    assert result.code == 0, result.output
    assert "didn't match RECORD" in result.stderr and "victim/__init__.py" in result.stderr
    assert "warning" in result.stderr.lower()
    assert env_snapshot(venv)["dists"] == {"victim": "1.0"}


def test_B7_record_hash_mismatch_is_an_error_in_hash_checking_mode(
    tmp_path: Path, local_index: LocalIndex, venv: Path, guard: MakeGuard, pip_install: Install
) -> None:
    entry = local_index.add_wheel("victim", "1.0", bad_record_hash_for="victim/__init__.py")
    requirements = tmp_path / "requirements.txt"
    requirements.write_text(f"victim==1.0 --hash=sha256:{entry.sha256}\n")
    g = guard(venv=venv)
    result = pip_install("-r", str(requirements), "--require-hashes", index=local_index.file_url)
    g.failed(result, code=EXIT_INPUT, mentions=("didn't match RECORD", "victim/__init__.py"))


def test_B8_record_is_rewritten_to_the_actual_files(
    local_index: LocalIndex, venv: Path, run: Runner, pip_install: Install,
    env_snapshot: Callable[..., Any],
) -> None:
    before = env_snapshot(venv)
    local_index.add_wheel(
        "victim", "1.0",
        files={"victim/__init__.py": "", "victim/unlisted.py": "x = 1\n"},
        record_overrides={"victim/unlisted.py": None, "victim/missing.py": ""},
    )
    result = pip_install("victim", index=local_index.file_url)
    assert result.code == 0, result.output
    assert "victim/unlisted.py" in result.stderr and "victim/missing.py" in result.stderr
    site = next(venv.glob("lib/python*/site-packages"))
    record = (site / "victim-1.0.dist-info" / "RECORD").read_text()
    assert "victim/unlisted.py," in record
    assert "victim/missing.py" not in record
    assert (site / "victim" / "unlisted.py").is_file()
    removed = run("pip", "uninstall", "-p", str(venv), "victim")
    assert removed.code == 0, removed.output
    assert env_snapshot(venv) == before, "uninstall did not remove exactly what was installed"


def test_B9_duplicate_member_is_refused(refused: Callable[..., Result]) -> None:
    result = refused({"duplicate_member": ("victim/__init__.py", b"evil = 1\n")},
                     "victim/__init__.py")
    assert "more than once" in result.stderr


def test_B9_local_header_mismatch_is_refused(refused: Callable[..., Result]) -> None:
    result = refused({"header_mismatch": ("victim/__init__.py", "victim/__evil__.py")},
                     "victim/__init__.py")
    assert "local header" in result.stderr


def test_B9_data_after_the_end_record_is_refused(refused: Callable[..., Result]) -> None:
    result = refused({"trailing_data": b"PK\x03\x04 smuggled"})
    assert "after its end record" in result.stderr


def test_B10_uninstall_skips_record_entries_outside_the_environment(
    tmp_path: Path, local_index: LocalIndex, venv: Path, run: Runner, pip_install: Install,
    env_snapshot: Callable[..., Any],
) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("precious\n")
    before = env_snapshot(venv)
    local_index.add_wheel("victim", "1.0")
    assert pip_install("victim", index=local_index.file_url).code == 0
    site = next(venv.glob("lib/python*/site-packages"))
    record = site / "victim-1.0.dist-info" / "RECORD"
    depth = len(site.relative_to(tmp_path).parts)
    escape = "../" * depth + "outside.txt"
    record.write_text(record.read_text() + f"{escape},,\n")
    result = run("pip", "uninstall", "-p", str(venv), "victim")
    assert result.code == 0, result.output
    assert "outside.txt" in result.stderr and "warning" in result.stderr.lower()
    assert outside.read_text() == "precious\n"
    assert env_snapshot(venv) == before
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("override", "word"), [({"Name": "other"}, "name"), ({"Version": "2.0"}, "version")]
)
def test_B11_metadata_that_contradicts_the_filename_is_refused(
    refused: Callable[..., Result], override: dict[str, str], word: str
) -> None:
    # refused by the resolver (the index's METADATA contradicts the filename) or by the
    # installer's wheel check; either way the wheel is named and nothing is installed
    result = refused({"metadata_overrides": override})
    text = result.stderr.lower()
    assert f"mismatched {word}" in text or "inconsistent metadata" in text


def test_B12_incompatible_wheel_version_is_refused(refused: Callable[..., Result]) -> None:
    result = refused({"wheel_version": "2.0"})
    assert "Incompatible Wheel-Version" in result.stderr


def test_B13_bytecode_in_the_wheel_is_skipped_with_a_warning(
    local_index: LocalIndex, venv: Path, pip_install: Install
) -> None:
    local_index.add_wheel(
        "victim", "1.0",
        files={"victim/__init__.py": "", "victim/__pycache__/x.cpython-311.pyc": b"\0\0bad"},
    )
    result = pip_install("victim", index=local_index.file_url)
    assert result.code == 0, result.output
    assert "__pycache__/x.cpython-311.pyc" in result.stderr
    assert "warning" in result.stderr.lower()
    site = next(venv.glob("lib/python*/site-packages"))
    assert not (site / "victim" / "__pycache__" / "x.cpython-311.pyc").exists()
    assert "x.cpython-311.pyc" not in (site / "victim-1.0.dist-info" / "RECORD").read_text()


def _claim_size(wheel: Path, member: str, size: int) -> None:
    """Rewrite ``member``'s uncompressed size in both ZIP headers (the CRC stays the real one):
    a bomb that lies consistently, so only the size rules can stop it."""
    data = bytearray(wheel.read_bytes())
    with zipfile.ZipFile(wheel) as zf:
        info = zf.getinfo(member)
    struct.pack_into("<I", data, info.header_offset + 22, size)
    raw = member.encode()
    central = data.rfind(b"PK\x01\x02", 0, data.rfind(raw))
    struct.pack_into("<I", data, central + 24, size)
    wheel.write_bytes(bytes(data))


def test_B14_zip_bomb_is_stopped_before_it_fills_the_disk(
    tmp_path: Path, local_index: LocalIndex, venv: Path, guard: MakeGuard, pip_install: Install,
    make_wheel: Callable[..., Path],
) -> None:
    wheel = make_wheel("victim", "1.0", bomb_member=("victim/big.bin", 4 * 1024 * 1024))
    _claim_size(wheel, "victim/big.bin", 4000 * 1024 * 1024)
    entry = local_index.add(wheel)
    g = guard(venv=venv)
    result = pip_install("victim", index=local_index.file_url)
    g.failed(result, code=EXIT_INPUT, mentions=(entry.filename, "victim/big.bin", "zip bomb"))
    assert not any((tmp_path / "cache" / ".tmp").iterdir()), "temporary files left in the cache"
    local_index.remove(entry.filename)
    local_index.add_wheel("victim", "1.0")
    g.recovered(pip_install("victim", index=local_index.file_url))
