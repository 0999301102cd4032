"""``ferry init --bare`` combined with a kind, and the kinds that exclude each other (s9 review
F17): ``--bare`` is its own flag, as in uv (it combines with ``--lib``/``--app``/``--package``/
``--script`` in either order), and ``--app``/``--lib``/``--script`` clash with uv's message and
exit code 2. Compared file for file with uv 0.13.8 where it is installed (the build backend
aside: ferry's default is hatchling, a documented difference)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.e2e.edit_kit import uv_binary
from tests.e2e.test_init import NO_GIT, files_of
from tests.support.runner import Runner

COMMON = ["--vcs", "none", "--author-from", "none", "--python", "3.12"]


def _uv_init(tmp_path: Path, args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(uv_binary()), "init", "--no-config", "--offline", *args],
        cwd=tmp_path, capture_output=True, text=True, check=False,
        env={**os.environ, "UV_CACHE_DIR": str(tmp_path / "uv-cache"), **NO_GIT},
    )


@pytest.mark.parametrize(
    ("flags", "packaged"),
    [
        (["--bare", "--lib"], True),
        (["--lib", "--bare"], True),
        (["--bare", "--app"], False),
        (["--bare", "--app", "--package"], True),
        (["--bare", "--package"], True),
    ],
)
def test_bare_keeps_the_kind(
    run: Runner, tmp_path: Path, flags: list[str], packaged: bool
) -> None:
    result = run("init", *COMMON, *flags, "ours", env=NO_GIT)
    assert result.code == 0, result.stderr
    ours = files_of(tmp_path / "ours")
    assert list(ours) == ["pyproject.toml"]
    text = ours["pyproject.toml"]
    assert ("[build-system]" in text) is packaged
    assert "readme" not in text and "[project.scripts]" not in text
    if uv_binary() is not None:
        done = _uv_init(tmp_path, [*COMMON, *flags, "theirs"])
        assert done.returncode == 0, done.stderr
        theirs = files_of(tmp_path / "theirs")
        assert list(theirs) == ["pyproject.toml"]
        head = theirs["pyproject.toml"].split("[build-system]")[0].replace("theirs", "ours")
        assert text.split("[build-system]")[0] == head


def test_bare_script_is_the_block_alone(
    run: Runner, tmp_path: Path, python_exe: Callable[[str], Path]
) -> None:
    python = str(python_exe("3.12"))
    result = run("init", "--bare", "--script", "s.py", "--python", python, cwd=tmp_path)
    assert result.code == 0, result.stderr
    text = (tmp_path / "s.py").read_text()
    assert text == '# /// script\n# requires-python = ">=3.12"\n# dependencies = []\n# ///\n'
    if uv_binary() is not None:
        done = _uv_init(tmp_path, ["--bare", "--script", "u.py", "--python", python])
        assert done.returncode == 0, done.stderr
        assert (tmp_path / "u.py").read_text() == text


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--app", "--lib"], "the argument '--app' cannot be used with '--lib'"),
        (["--lib", "--app"], "the argument '--lib' cannot be used with '--app'"),
        (["--lib", "--script"], "the argument '--lib' cannot be used with '--script'"),
        (["--app", "--script"], "the argument '--app' cannot be used with '--script'"),
        (["--bare", "--lib", "--no-package"],
         "the argument '--lib' cannot be used with '--no-package'"),
    ],
)
def test_kinds_exclude_each_other(
    run: Runner, tmp_path: Path, flags: list[str], message: str
) -> None:
    result = run("init", *flags, "x.py" if "--script" in flags else "x", cwd=tmp_path)
    assert result.code == 2
    assert f"error: {message}" in result.stderr
    assert not (tmp_path / "x").exists() and not (tmp_path / "x.py").exists()
    if uv_binary() is not None:
        done = _uv_init(tmp_path, [*flags, "y"])
        assert done.returncode == 2
        assert f"error: {message}" in done.stderr
