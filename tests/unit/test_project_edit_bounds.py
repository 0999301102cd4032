"""``add``'s bounds and ``version``'s bumps: uv's own tables."""

from __future__ import annotations

import pytest

from ferry.commands.version import Bump, bump_version
from ferry.model.errors import UsageError, UserError
from ferry.model.pep440_version import Version
from ferry.project.edit_requirement import bound_for

# uv's crates/uv-configuration/src/add_bounds.rs tests (uv prints ", " between specifiers;
# in pyproject.toml it writes ",").
MAJOR = [
    ("0", ">=0,<0.1"),
    ("0.0", ">=0.0,<0.1"),
    ("0.0.0", ">=0.0.0,<0.1.0"),
    ("0.0.0.0", ">=0.0.0.0,<0.1.0.0"),
    ("0.1", ">=0.1,<0.2"),
    ("0.0.1", ">=0.0.1,<0.0.2"),
    ("0.0.1.1", ">=0.0.1.1,<0.0.2.0"),
    ("0.0.0.1", ">=0.0.0.1,<0.0.0.2"),
    ("1", ">=1,<2"),
    ("1.0.0", ">=1.0.0,<2.0.0"),
    ("1.2", ">=1.2,<2.0"),
    ("1.2.3", ">=1.2.3,<2.0.0"),
    ("1.2.3.4", ">=1.2.3.4,<2.0.0.0"),
    ("1.2.3.4a1.post1", ">=1.2.3.4a1.post1,<2.0.0.0"),
]
MINOR = [
    ("0", ">=0,<0.0.1"),
    ("0.0", ">=0.0,<0.0.1"),
    ("0.0.0", ">=0.0.0,<0.0.1"),
    ("0.0.0.0", ">=0.0.0.0,<0.0.1.0"),
    ("0.1", ">=0.1,<0.1.1"),
    ("0.0.1", ">=0.0.1,<0.0.2"),
    ("0.0.1.1", ">=0.0.1.1,<0.0.2.0"),
    ("0.0.0.1", ">=0.0.0.1,<0.0.0.2"),
    ("1", ">=1,<1.1"),
    ("1.0.0", ">=1.0.0,<1.1.0"),
    ("1.2", ">=1.2,<1.3"),
    ("1.2.3", ">=1.2.3,<1.3.0"),
    ("1.2.3.4", ">=1.2.3.4,<1.3.0.0"),
    ("1.2.3.4a1.post1", ">=1.2.3.4a1.post1,<1.3.0.0"),
]


@pytest.mark.parametrize(("version", "expected"), MAJOR)
def test_major(version: str, expected: str) -> None:
    assert bound_for(Version(version), "major") == expected


@pytest.mark.parametrize(("version", "expected"), MINOR)
def test_minor(version: str, expected: str) -> None:
    assert bound_for(Version(version), "minor") == expected


def test_lower_and_exact() -> None:
    assert bound_for(Version("1.2.3.4a1.post1"), "lower") == ">=1.2.3.4a1.post1"
    assert bound_for(Version("0.0.1"), "exact") == "==0.0.1"


@pytest.mark.parametrize(
    ("old", "bumps", "new"),
    [
        ("0.1.0", ["minor"], "0.2.0"),
        ("0.2", ["minor"], "0.3"),
        ("1.2.3rc1", ["minor"], "1.3.0"),
        ("0.2.0", ["patch", "beta"], "0.2.1b1"),
        ("0.2.1b1", ["beta"], "0.2.1b2"),
        ("0.2.1b2", ["stable"], "0.2.1"),
        ("0.2.1", ["post"], "0.2.1.post1"),
        ("1.0.0", ["major", "dev"], "2.0.0.dev1"),
        ("1.0", ["rc=3", "major"], "2.0rc3"),
        ("1!1.0+local", ["minor"], "1!1.1+local"),
    ],
)
def test_bumps(old: str, bumps: list[str], new: str) -> None:
    assert str(bump_version(Version(old), [Bump.parse(b) for b in bumps])) == new


def test_bumps_that_do_not_increase_are_refused() -> None:
    with pytest.raises(UserError, match="didn't increase the version; when bumping to a dev"):
        bump_version(Version("0.2.1.post1"), [Bump("dev")])
    with pytest.raises(UserError, match="`--bump post` cannot be used with another"):
        bump_version(Version("1.0"), [Bump("post"), Bump("dev")])
    with pytest.raises(UsageError, match="Invalid `--bump` value `huge`"):
        Bump.parse("huge")
