"""``inspect_unpacked`` screens each name of an unpacked tree once; the rule is still
``member_name_problem``'s, for files at any depth under a suspicious directory."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from tests.unit.test_perf_install import MakeWheel, cached_archive, demo_wheel

from ferry.model.errors import InvalidWheelError
from ferry.wheel.unpacked import inspect_unpacked


@pytest.mark.skipif(os.name == "nt", reason="these names cannot exist on Windows")
@pytest.mark.parametrize(
    ("where", "reason"),
    [
        ("demo/bad\\name.py", "backslash"),
        ("demo/C:/deep/mod.py", "drive-letter"),
        ("demo/ctl\x01/x.py", "control character"),
        ("C:x/mod.py", "drive letter"),
    ],
)
def test_an_unsafe_name_anywhere_in_the_tree_is_refused(
    make_wheel: MakeWheel, tmp_path: Path, where: str, reason: str
) -> None:
    archive = cached_archive(demo_wheel(make_wheel), tmp_path)
    target = archive.joinpath(*where.split("/"))
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("z = 3\n")
    with pytest.raises(InvalidWheelError, match=reason):
        inspect_unpacked(archive)


def test_an_empty_oddly_named_directory_is_not_a_member(
    make_wheel: MakeWheel, tmp_path: Path
) -> None:
    archive = cached_archive(demo_wheel(make_wheel), tmp_path)
    (archive / "demo" / "odd\\dir").mkdir()
    _info, files = inspect_unpacked(archive)
    assert not any("odd" in f for f in files)
