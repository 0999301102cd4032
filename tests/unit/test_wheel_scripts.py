"""The small pieces: shebangs, entry_points.txt, RECORD parsing and rendering, name rules."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import pytest

from ferry.wheel._paths import Enclosure, entry_point_name_problem, member_name_problem
from ferry.wheel.record import (
    RecordEntry,
    RecordError,
    entry_for_bytes,
    hash_file,
    parse_record,
    render_record,
)
from ferry.wheel.scripts import (
    EntryPointError,
    parse_entry_points,
    render_launcher,
    rewrite_python_shebang,
    shebang,
)


def test_shebang_plain_spaced_and_long() -> None:
    assert shebang("/usr/bin/python3") == b"#!/usr/bin/python3"
    spaced = shebang("/opt/my env/bin/python")
    assert spaced == b"#!/bin/sh\n'''exec' '/opt/my env/bin/python' \"$0\" \"$@\"\n' '''"
    long_path = "/" + "x" * 130 + "/python"
    assert shebang(long_path).startswith(b"#!/bin/sh\n'''exec' /xxx")


def test_python_shebang_rewrite() -> None:
    assert rewrite_python_shebang(b"#!python\nprint(1)\n", "/p") == b"#!/p\nprint(1)\n"
    assert rewrite_python_shebang(b"#!pythonw -E\r\nx\n", "/p") == b"#!/p\nx\n"
    assert rewrite_python_shebang(b"#!python", "/p") == b"#!/p\n"
    assert rewrite_python_shebang(b"#!/bin/sh\necho\n", "/p") is None
    assert rewrite_python_shebang(b"", "/p") is None


def test_entry_points_parsed_and_validated() -> None:
    text = (
        "[console_scripts]\nTool = pkg.cli:main.run [extra1]\n"
        "[gui_scripts]\ntool-gui=pkg:gui\n"
        "[other.group]\nignored = anything goes here\n"
    )
    scripts = parse_entry_points(text)
    assert [(s.name, s.module, s.attr, s.section) for s in scripts] == [
        ("Tool", "pkg.cli", "main.run", "console"),
        ("tool-gui", "pkg", "gui", "gui"),
    ]
    for bad in ("[console_scripts]\nx = pkg:1abc\n", "[console_scripts]\nx = a b:c\n",
                "[console_scripts]\n../x = a:b\n", "not an ini file"):
        with pytest.raises(EntryPointError):
            parse_entry_points(bad)


def test_launcher_content() -> None:
    scripts = parse_entry_points("[console_scripts]\nrun = pkg.mod:Main.start\n")
    name, data = render_launcher(scripts[0], "/venv/bin/python")
    assert name == "run"
    assert data.startswith(b"#!/venv/bin/python\n")
    assert b"from pkg.mod import Main" in data and b"sys.exit(Main.start())" in data
    compile(data.split(b"\n", 1)[1], "run", "exec")  # valid Python after the shebang


def test_record_parse_and_render(tmp_path: Path) -> None:
    text = 'a/b.py,sha256=abc,12\n"c,d.txt",,\n\nx.dist-info/RECORD,,\n'
    assert parse_record(text) == [
        RecordEntry("a/b.py", "sha256", "abc", 12),
        RecordEntry("c,d.txt"),
        RecordEntry("x.dist-info/RECORD"),
    ]
    for bad in ("a,sha256=x,notanumber\n", "a,nohash,1\n", "a,b,c,d\n", ",sha256=x,1\n"):
        with pytest.raises(RecordError):
            parse_record(bad)
    entries = [entry_for_bytes("z.py", b"zz"), RecordEntry("c,d.txt", "sha256", "q", 1)]
    rendered = render_record(entries, "x.dist-info/RECORD").decode()
    assert rendered.splitlines() == [
        '"c,d.txt",sha256=q,1',
        "z.py,sha256=" + base64.urlsafe_b64encode(hashlib.sha256(b"zz").digest())
        .rstrip(b"=").decode() + ",2",
        "x.dist-info/RECORD,,",
    ]
    file = tmp_path / "f"
    file.write_bytes(b"zz")
    assert hash_file(file) == (entries[0].digest, 2)


@pytest.mark.parametrize("name", ["pkg/mod.py", "pkg/", "a.dist-info/METADATA", "ünï/cödé.py"])
def test_member_names_accepted(name: str) -> None:
    assert member_name_problem(name) is None


@pytest.mark.parametrize(
    "name", ["", "/x", "C:x", "a\\b", "a/../b", "../a", "a//b", "./a", "a/\x00", "a/\x7f",
             ".ferry-manifest.json", "pkg/c:/x"],
)
def test_member_names_refused(name: str) -> None:
    assert member_name_problem(name) is not None


def test_entry_point_names() -> None:
    assert entry_point_name_problem("black") is None
    assert entry_point_name_problem("pip3.12") is None
    for bad in ("", ".", "..", "a/b", "a\\b", "x\ny", "C:evil"):
        assert entry_point_name_problem(bad) is not None


def test_enclosure(tmp_path: Path) -> None:
    root = tmp_path / "env"
    (root / "lib").mkdir(parents=True)
    enclosure = Enclosure([root, tmp_path / "bin"])
    assert enclosure.contains(str(root / "lib/x.py"))
    assert enclosure.contains(str(tmp_path / "bin/tool"))
    assert not enclosure.contains(str(root))
    assert not enclosure.contains(str(tmp_path / "env-sibling/x"))
    assert not enclosure.contains(str(tmp_path / "other/x"))
    (root / "lib/escape").symlink_to(tmp_path)
    assert not enclosure.contains(str(root / "lib/escape/x"))
