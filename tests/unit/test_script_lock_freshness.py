"""The pure side of script locks (``ferry.project.script_lock``): the block read as a virtual
project, the conversion of its lock, and the freshness check that lets a fresh lock skip
resolution."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from packaging.utils import canonicalize_name

from ferry.model.errors import UserError
from ferry.model.value_fields import replace
from ferry.project.lock_model import (
    Lock,
    LockedPackage,
    LockManifest,
    LockOptions,
    LockRequirement,
    LockSource,
    PackageId,
)
from ferry.project.lockfile import dump_lock, parse_lock
from ferry.project.script_lock import (
    SCRIPT_ROOT,
    as_script_lock,
    script_lock_path,
    script_pyproject,
    script_satisfies,
)

LOCK = """\
version = 1
revision = 5
requires-python = ">=3.10"

[options]
exclude-newer = "2025-01-01T00:00:00Z"

[manifest]
requirements = [
    { name = "colorama", marker = "sys_platform == 'win32'" },
    { name = "lib", specifier = "<2" },
]
constraints = [{ name = "dep", specifier = "<3" }]

[[package]]
name = "lib"
version = "1.0"
source = { registry = "https://example.invalid/simple/" }
"""

BLOCK: dict[str, Any] = {
    "requires-python": ">=3.10",
    "dependencies": ["lib<2", "colorama; sys_platform == 'win32'"],
    "tool": {"uv": {"exclude-newer": "2025-01-01T00:00:00Z",
                    "constraint-dependencies": ["dep<3"]}},
}


def _verdict(block: dict[str, Any], tmp_path: Path) -> str | None:
    pyproject = script_pyproject(block, tmp_path / "s.py")
    return script_satisfies(pyproject, parse_lock(LOCK), None).reason


def test_the_lock_sits_beside_the_script() -> None:
    assert script_lock_path(Path("dir/example.py")) == Path("dir/example.py.lock")


def test_a_lock_matching_the_block_is_fresh(tmp_path: Path) -> None:
    pyproject = script_pyproject(BLOCK, tmp_path / "s.py")
    assert script_satisfies(pyproject, parse_lock(LOCK), None)
    # the marker spelled differently means the same
    same = {**BLOCK, "dependencies": ["lib <2", 'colorama ; sys_platform=="win32"']}
    assert _verdict(same, tmp_path) is None


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"dependencies": ["lib<2"]}, "`colorama ; sys_platform == 'win32'` was removed"),
        ({"dependencies": ["lib", "colorama; sys_platform == 'win32'"]}, "`lib` is new"),
        ({"requires-python": ">=3.11"}, "`requires-python` changed"),
        ({"tool": {"uv": {"constraint-dependencies": ["dep<3"]}}}, "`exclude-newer`"),
        ({"tool": {"uv": {"exclude-newer": "2025-01-01T00:00:00Z"}}}, "the `constraints`"),
    ],
)
def test_a_changed_block_makes_the_lock_stale_and_says_why(
    change: dict[str, Any], reason: str, tmp_path: Path
) -> None:
    found = _verdict({**BLOCK, **change}, tmp_path)
    assert found is not None and reason in found


def test_options_in_force_are_compared_with_the_lock(tmp_path: Path) -> None:
    pyproject = script_pyproject(BLOCK, tmp_path / "s.py")
    flags = LockOptions(resolution_mode="lowest", exclude_newer="2025-01-01T00:00:00Z")
    verdict = script_satisfies(pyproject, parse_lock(LOCK), flags)
    assert not verdict and "resolution mode" in (verdict.reason or "")


def test_a_project_lock_of_the_stand_in_becomes_a_script_lock(tmp_path: Path) -> None:
    pyproject = script_pyproject(BLOCK, tmp_path / "s.py")
    project_lock = parse_lock(LOCK)
    root = LockedPackage(id=PackageId(SCRIPT_ROOT, "0", LockSource("virtual", ".")))
    project_lock = replace(project_lock, packages=(*project_lock.packages, root),
                           manifest=replace(project_lock.manifest, requirements=()))
    converted = as_script_lock(project_lock, pyproject)
    assert dump_lock(converted) == LOCK


def test_relative_sources_stay_relative_to_the_script(tmp_path: Path) -> None:
    block = {"dependencies": ["helper"],
             "tool": {"uv": {"sources": {"helper": {"path": "libs/helper", "editable": True}}}}}
    (tmp_path / "libs" / "helper").mkdir(parents=True)
    pyproject = script_pyproject(block, tmp_path / "s.py")
    lock = as_script_lock(Lock(requires_python=">=3.11"), pyproject)
    helper = canonicalize_name("helper")
    assert lock.manifest == LockManifest(
        requirements=(LockRequirement(name=helper, editable="libs/helper"),))


@pytest.mark.parametrize(
    "block",
    [{"dependencies": "lib"}, {"dependencies": [1]}, {"requires-python": 3},
     {"tool": {"uv": {"exclude-newer": 5}}}],
)
def test_a_malformed_block_is_a_user_error_naming_the_script(
    block: dict[str, Any], tmp_path: Path
) -> None:
    with pytest.raises(UserError) as caught:
        script_pyproject(block, tmp_path / "tool.py")
    assert "tool.py" in caught.value.message
