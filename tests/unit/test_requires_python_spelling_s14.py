"""``requires-python`` in the lock is spelled as uv spells it (each expected text below is what
uv 0.13.8 wrote into ``uv.lock`` for the declared text), and a lock is fresh when its
``requires-python`` means what the declaration means once both are spelled so."""

from __future__ import annotations

import pytest

from ferry.model.errors import UsageError
from ferry.model.requires_python import lock_requires_python, same_pythons

UV_WROTE = [
    ("~=3.12", ">=3.12, <4"),
    ("~=3.11", ">=3.11, <4"),
    ("~=3.9.0", "==3.9.*"),
    ("~=3.12.0", "==3.12.*"),
    ("==3.*", ">=3, <4"),
    ("<4,>=3.9", ">=3.9, <4"),
    (">=3.9,>=3.10", ">=3.10"),
    ("!=3.9.1,>=3.8", ">=3.8, !=3.9.1"),
    (">=3.9, <3.14, !=3.11.2", ">=3.9, !=3.11.2, <3.14"),
    (">=3.12,<3.13", "==3.12.*"),
    (">=3.12.0,<3.13", "==3.12.*"),
    (">=3.12,<3.13.0", "==3.12.*"),
    (">=3.10.0", ">=3.10.0"),
    (">=3.8,<=3.12", ">=3.8, <=3.12"),
    (">=3.8,<4.0", ">=3.8, <4.0"),
    (">3.8", ">3.8"),
    ("<3.13", "<3.13"),
    ("==3.12.*", "==3.12.*"),
    ("==3.12.1", "==3.12.1"),
    (">=3.8, !=3.9.*", ">=3.8, !=3.9.*"),
    (">=3.8.0,!=3.9.*", ">=3.8.0, !=3.9.*"),
    # Neighbouring excluded minors stay one `!=` each (uv does not merge them) ...
    (">=3.8,!=3.9.*,!=3.10.*", ">=3.8, !=3.9.*, !=3.10.*"),
    ("!=3.10.*,>=3.8,!=3.9.*", ">=3.8, !=3.9.*, !=3.10.*"),
    (">=3.8,!=3.9.*,!=3.10.*,!=3.11.*", ">=3.8, !=3.9.*, !=3.10.*, !=3.11.*"),
    ("~=3.8, !=3.9.*, !=3.10.*", ">=3.8, !=3.9.*, !=3.10.*, <4"),
    # ... and a hole no specifier can name is left out, as uv leaves it.
    (">=3.8,!=3.9.*,!=3.10.0", ">=3.8"),
    (">=3.8,!=3.9.0.*", ">=3.8"),
]


@pytest.mark.parametrize(("declared", "written"), UV_WROTE)
def test_the_lock_spells_requires_python_as_uv(declared: str, written: str) -> None:
    assert lock_requires_python([("demo", declared)]) == written


@pytest.mark.parametrize(("declared", "written"), UV_WROTE)
def test_a_lock_in_uvs_spelling_is_fresh_for_the_declaration(declared: str, written: str) -> None:
    assert same_pythons(declared, written)


def test_a_lock_for_other_pythons_is_stale() -> None:
    assert not same_pythons("~=3.12", ">=3.12")
    assert not same_pythons(">=3.8,!=3.9.*", ">=3.8")
    assert same_pythons(">=3.10", ">=3.10.0")  # the same Pythons, spelled differently


def test_members_intersect_and_nothing_declared_is_none() -> None:
    assert lock_requires_python([("a", "~=3.10"), ("b", ">=3.11,<3.13")]) == ">=3.11, <3.13"
    assert lock_requires_python([("a", "~=3.12"), ("b", ">=3.12.1")]) == ">=3.12.1, <4"
    assert lock_requires_python([]) is None
    assert lock_requires_python([("a", "")]) is None


def test_members_without_a_common_python_are_a_usage_error() -> None:
    with pytest.raises(UsageError) as raised:
        lock_requires_python([("root", ">=3.12"), ("b", "<3.10"), ("a", "~=3.12")])
    assert raised.value.exit_code == 2
    assert raised.value.message == "Found conflicting Python requirements"
    assert raised.value.causes == ["a: ~=3.12", "b: <3.10", "root: >=3.12"]


def test_a_text_that_does_not_parse_is_left_to_the_pyproject_parser() -> None:
    assert lock_requires_python([("a", ">=3.8"), ("b", ">=three")]) == ">=three"


def test_a_tilde_without_patch_is_warned_about_once(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level("WARNING"):
        lock_requires_python([("tilde-demo", "~=3.12")])
        lock_requires_python([("tilde-demo", "~=3.12")])
        lock_requires_python([("tilde-demo", "~=3.12.0")])
    warned = [r.getMessage() for r in caplog.records if "tilde-demo" in r.getMessage()]
    assert len(warned) == 1
    assert "from 3.12 up to (not including) 4" in warned[0] and "`~=3.12.0`" in warned[0]
