"""``ferry venv --seed`` installs what uv's does: pip, plus setuptools and wheel before 3.12."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from tests.support.index import LocalIndex


@pytest.fixture
def seed_index(local_index: LocalIndex) -> LocalIndex:
    for name, version in (("pip", "25.0"), ("setuptools", "80.0"), ("wheel", "0.45.0")):
        local_index.add_wheel(name, version)
    local_index.add_wheel("pip", "25.1rc1")  # a pre-release is never seeded
    return local_index


@pytest.mark.parametrize(
    ("version", "seeded"),
    [
        ("3.11", {"pip": "25.0", "setuptools": "80.0", "wheel": "0.45.0"}),
        ("3.12", {"pip": "25.0"}),
    ],
)
def test_seed_installs_what_uv_seeds(
    run: Callable[..., object],
    seed_index: LocalIndex,
    python_exe: Callable[[str], Path],
    env_snapshot: Callable[[Path], dict[str, dict[str, str]]],
    tmp_path: Path,
    version: str,
    seeded: dict[str, str],
) -> None:
    python = python_exe(version)
    result = run("venv", "--seed", "-p", str(python), "env",
                 env={"FERRY_INDEX_URL": seed_index.file_url})
    assert result.code == 0, result.stderr  # type: ignore[attr-defined]
    assert env_snapshot(tmp_path / "env")["dists"] == seeded
    for name, pinned in seeded.items():
        assert f" + {name}=={pinned}" in result.stderr  # type: ignore[attr-defined]
