"""write_lock, uv's upload-time format, and string encoding as a property."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ferry.project.lock_write import lock_upload_time
from ferry.project.lockfile import read_lock, write_lock
from ferry.project.toml_encode import toml_key, toml_string

GOLDEN = Path(__file__).resolve().parents[1] / "data" / "lockfiles"


# Inputs an index may send, and what uv 0.13.8 wrote for them (checked against real locks).
@pytest.mark.parametrize(
    ("index_value", "uv_value"),
    [
        ("2023-05-27T11:12:46.688123Z", "2023-05-27T11:12:46.688Z"),
        ("2024-02-01T00:00:00Z", "2024-02-01T00:00:00Z"),
        ("2022-03-04T05:06:07.5Z", "2022-03-04T05:06:07.5Z"),
        ("2024-03-04T05:06:07.25Z", "2024-03-04T05:06:07.25Z"),
        ("2021-12-31T23:59:59.999999Z", "2021-12-31T23:59:59.999Z"),
        ("2024-01-15T10:20:30.120+02:00", "2024-01-15T08:20:30.12Z"),
        ("2024-01-15T10:20:30.000Z", "2024-01-15T10:20:30Z"),
        ("2024-01-15T10:20:30.1234567Z", "2024-01-15T10:20:30.123Z"),
    ],
)
def test_upload_time_like_uv(index_value: str, uv_value: str) -> None:
    assert lock_upload_time(index_value) == uv_value


def test_write_lock_skips_identical_content(tmp_path: Path) -> None:
    lock = read_lock(GOLDEN / "extras" / "uv.lock")
    target = tmp_path / "uv.lock"
    assert write_lock(target, lock) is True
    assert target.read_bytes() == (GOLDEN / "extras" / "uv.lock").read_bytes()
    os.utime(target, (1_000_000, 1_000_000))
    assert write_lock(target, lock) is False
    assert target.stat().st_mtime == 1_000_000
    other = read_lock(GOLDEN / "simple" / "uv.lock")
    assert write_lock(target, other) is True
    assert read_lock(target) == other
    assert [p.name for p in tmp_path.iterdir()] == ["uv.lock"]  # no temporary file left


@given(st.text())
def test_any_string_survives_toml(value: str) -> None:
    encoded = toml_string(value)
    assert tomllib.loads(f"k = {encoded}")["k"] == value


@given(st.text())
def test_any_key_survives_toml(key: str) -> None:
    encoded = toml_key(key)
    assert tomllib.loads(f"{encoded} = 1") == {key: 1}
