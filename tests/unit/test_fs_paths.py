"""safe_join: every name that could leave the target on some platform is refused (B1-B3)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ferry.fs.paths import safe_filename, safe_join
from ferry.model.errors import InvalidWheelError

HOSTILE = [
    ("", "is empty"),
    ("../../evil.py", "escapes the target directory"),
    ("..", "escapes the target directory"),
    ("pkg/../../x", "escapes the target directory"),
    ("a/b/../../../x", "escapes the target directory"),
    ("/abs/evil", "is absolute"),
    ("//server/share/x", "is absolute"),
    ("C:\\evil", "contains a backslash"),
    ("C:evil", "starts with a drive letter"),
    ("c:/windows/x", "starts with a drive letter"),
    ("\\\\server\\share\\x", "contains a backslash"),
    ("..\\evil", "contains a backslash"),
    ("pkg\\..\\..\\evil", "contains a backslash"),
    ("pkg/\x00evil", "contains a control character"),
    ("pkg/evil\n.py", "contains a newline"),
    ("pkg/\x1b[31m.py", "contains a control character"),
    ("pkg/\x7f", "contains a control character"),
    ("pkg//x", "has an empty path component"),
    ("a:b", "starts with a drive letter"),  # drive-relative on Windows
    ("./", "names no file"),
    ("pkg/..", "names no file"),
]


@pytest.mark.parametrize(("name", "reason"), HOSTILE)
def test_hostile_names_are_refused(tmp_path: Path, name: str, reason: str) -> None:
    with pytest.raises(InvalidWheelError) as caught:
        safe_join(tmp_path, name)
    assert caught.value.message.startswith(f"Unsafe path {name!r}: it ")
    if reason != "contains a newline":
        assert reason in caught.value.message
    else:
        assert "control character" in caught.value.message
    assert "\n" not in caught.value.message  # the name is shown escaped


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("pkg/__init__.py", "pkg/__init__.py"),
        ("pkg/", "pkg"),
        ("./pkg/./a.py", "pkg/a.py"),
        ("pkg/sub/../b.py", "pkg/b.py"),
        ("pkg-1.0.data/scripts/tool", "pkg-1.0.data/scripts/tool"),
        ("名前/ファイル.py", "名前/ファイル.py"),
        ("pkg/a:b", "pkg/a:b"),  # a colon past the start is a plain POSIX name
        ("..a/b..", "..a/b.."),
    ],
)
def test_safe_names_are_joined(tmp_path: Path, name: str, expected: str) -> None:
    assert safe_join(tmp_path, name) == tmp_path / expected


@given(st.text(max_size=40))
def test_result_never_leaves_base(name: str) -> None:
    base = Path("/base/dir")
    try:
        joined = safe_join(base, name)
    except InvalidWheelError:
        return
    assert joined.is_relative_to(base) and joined != base
    assert ".." not in joined.relative_to(base).parts


def test_safe_filename() -> None:
    assert safe_filename("a-1.0-py3-none-any.whl") == "a-1.0-py3-none-any.whl"
    for bad in ("a/b.whl", "../a.whl", "./a.whl", "", "a\\b.whl"):
        with pytest.raises(InvalidWheelError):
            safe_filename(bad)
