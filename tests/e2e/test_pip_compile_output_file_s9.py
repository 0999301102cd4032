"""``pip compile -o FILE`` reads FILE for the versions to keep; a line it cannot read is an error,
as in uv, and FILE is left as it was (s9 review: every pin was dropped and FILE rewritten)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from tests.support.index import LocalIndex
from tests.support.runner import Runner


@pytest.mark.parametrize("bad", ["garbage line ===", "lib==1.0 --hash=sha256:abc"])
def test_an_unreadable_output_file_is_an_error_and_kept(
    run: Runner, local_index: LocalIndex, tmp_path: Path, bad: str
) -> None:
    local_index.add_wheel("lib", "1.0")
    local_index.add_wheel("lib", "2.0")
    (tmp_path / "requirements.in").write_text("lib\n")
    output = tmp_path / "requirements.txt"
    output.write_text(f"{bad}\nlib==1.0\n")
    result = run("pip", "compile", "-p", sys.executable, "--index-url", local_index.file_url,
                 "requirements.in", "-o", "requirements.txt", cwd=tmp_path)
    assert result.code == 1
    assert "requirements.txt:1:" in result.stderr
    assert "is the output file, read for the versions to keep" in result.stderr
    assert output.read_text() == f"{bad}\nlib==1.0\n"

    upgraded = run("pip", "compile", "-p", sys.executable, "--index-url", local_index.file_url,
                   "requirements.in", "-o", "requirements.txt", "--upgrade", cwd=tmp_path)
    assert upgraded.code == 0, upgraded.stderr
    assert "lib==2.0" in output.read_text()


def test_a_universal_output_file_keeps_each_forks_pin(
    run: Runner, local_index: LocalIndex, tmp_path: Path
) -> None:
    """Re-running ``--universal -o FILE`` on its own output changes nothing: each pin is
    preferred where its marker holds (the first pin per name steered every fork before)."""
    local_index.add_wheel("lib", "1.0", requires_python=">=3.8")
    local_index.add_wheel("lib", "2.0", requires_python=">=3.9.0")
    (tmp_path / "requirements.in").write_text("lib\n")
    args = ("pip", "compile", "--universal", "--python-version", "3.8", "--index-url",
            local_index.file_url, "requirements.in", "-o", "requirements.txt", "--no-header")
    first = run(*args, cwd=tmp_path)
    assert first.code == 0, first.stderr
    text = (tmp_path / "requirements.txt").read_text()
    assert "lib==1.0 ; python_full_version < '3.9'" in text
    assert "lib==2.0 ; python_full_version >= '3.9'" in text
    again = run(*args, cwd=tmp_path)
    assert again.code == 0, again.stderr
    assert (tmp_path / "requirements.txt").read_text() == text


def test_a_pin_whose_marker_is_false_here_is_no_preference(
    run: Runner, local_index: LocalIndex, tmp_path: Path
) -> None:
    local_index.add_wheel("lib", "1.0")
    local_index.add_wheel("lib", "2.0")
    (tmp_path / "requirements.in").write_text("lib\n")
    (tmp_path / "requirements.txt").write_text("lib==1.0 ; sys_platform == 'win32'\n")
    result = run("pip", "compile", "-p", sys.executable, "--index-url", local_index.file_url,
                 "requirements.in", "-o", "requirements.txt", cwd=tmp_path)
    assert result.code == 0, result.stderr
    assert "lib==2.0" in (tmp_path / "requirements.txt").read_text()
