"""Markers spelled as uv spells them in uv.lock, and compared by meaning."""

from __future__ import annotations

import pytest

from ferry.project.markers import canonical_marker, conjoin_extra, markers_equivalent

# Pairs (as written in a pyproject, as uv 0.13.8 wrote it in requires-dist).
UV_SPELLINGS = [
    ("python_version >= '3.12'", "python_full_version >= '3.12'"),
    ("python_version < '3.12'", "python_full_version < '3.12'"),
    ("python_version == '3.11'", "python_full_version == '3.11.*'"),
    (
        "python_version > '3.9' and sys_platform != 'win32'",
        "python_full_version >= '3.10' and sys_platform != 'win32'",
    ),
    (
        "python_version <= '3.10' or platform_machine == 'x86_64'",
        "python_full_version < '3.11' or platform_machine == 'x86_64'",
    ),
    (
        "implementation_name == 'cpython' and os_name == 'posix'"
        " and python_full_version >= '3.9.1'",
        "python_full_version >= '3.9.1' and implementation_name == 'cpython'"
        " and os_name == 'posix'",
    ),
    ("'linux' in sys_platform", "'linux' in sys_platform"),
    (
        "sys_platform == 'win32' or sys_platform == 'darwin'",
        "sys_platform == 'darwin' or sys_platform == 'win32'",
    ),
    (
        'sys_platform == "win32" and platform_machine == "AMD64"',
        "platform_machine == 'AMD64' and sys_platform == 'win32'",
    ),
    ("'3.12' > python_version", "python_full_version < '3.12'"),
]


@pytest.mark.parametrize(("written", "uv"), UV_SPELLINGS)
def test_canonical_spelling_matches_uv(written: str, uv: str) -> None:
    assert canonical_marker(written) == uv
    assert markers_equivalent(written, uv)


@pytest.mark.parametrize(
    ("marker", "extra", "uv"),
    [
        (None, "Fast", "extra == 'fast'"),
        ('sys_platform == "win32"', "cli", "sys_platform == 'win32' and extra == 'cli'"),
        (
            "sys_platform == 'win32' or sys_platform == 'darwin'",
            "Dev",
            "(sys_platform == 'darwin' and extra == 'dev')"
            " or (sys_platform == 'win32' and extra == 'dev')",
        ),
    ],
)
def test_conjoin_extra(marker: str | None, extra: str, uv: str) -> None:
    assert conjoin_extra(marker, extra) == uv


@pytest.mark.parametrize(
    ("first", "second", "same"),
    [
        ("python_version > '3.11'", "python_full_version > '3.11'", False),  # 3.11.1 differs
        ("python_version > '3.11'", "python_full_version >= '3.12'", True),
        ("extra == 'cli'", "extra == 'fast'", False),
        ("extra == 'CLI'", "extra == 'cli'", True),
        (
            "sys_platform == 'linux' and extra == 'a'",
            "extra == 'a' and sys_platform == 'linux'",
            True,
        ),
        ("sys_platform == 'linux'", "sys_platform == 'linux' or sys_platform == 'darwin'", False),
        (None, "", True),
        (None, "sys_platform == 'linux'", False),
        (
            "python_full_version >= '3.8' and python_full_version < '3.9'",
            "python_full_version == '3.8.*'",
            True,
        ),
        ("platform_machine == 'x86_64'", "platform_machine == 'X86_64'", False),
        (
            "os_name == 'nt' and os_name != 'nt'",
            "sys_platform == 'nope' and sys_platform != 'nope'",
            True,
        ),
    ],
)
def test_markers_equivalent(first: str | None, second: str | None, same: bool) -> None:
    assert markers_equivalent(first, second) is same
    assert markers_equivalent(second, first) is same
