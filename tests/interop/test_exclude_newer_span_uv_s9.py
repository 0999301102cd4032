"""A relative ``exclude-newer`` (``"1 week"``) cuts the index off that long before now and is
recorded as uv records it, so each tool reads the other's lock as up to date (s9 review R7: the
span was carried into the lock unparsed, never applied, and uv could not read the lock)."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from tests.interop.test_uv_lock_interop import UV, uv, uv_env
from tests.support.index import LocalIndex
from tests.support.runner import Runner

PYPROJECT = """\
[project]
name = "app"
version = "0.1.0"
requires-python = ">=3.10"
dependencies = ["lib"]

[tool.uv]
exclude-newer = "{span}"

[[tool.uv.index]]
url = "{url}"
default = true
"""


def _project(tmp: Path, name: str, span: str) -> Path:
    index = LocalIndex(tmp / "index")
    if not index.projects():
        old = datetime.now(UTC) - timedelta(days=30)
        index.add_wheel("lib", "1.0", upload_time=old)
        index.add_wheel("lib", "2.0", upload_time=datetime.now(UTC) - timedelta(hours=1))
    project = tmp / name
    project.mkdir()
    (project / "pyproject.toml").write_text(
        PYPROJECT.format(span=span, url=index.file_url), encoding="utf-8")
    return project


def test_a_span_cuts_off_recent_uploads(tmp_path: Path, run: Runner, isolated_env: Path) -> None:
    project = _project(tmp_path.resolve(), "p", "1 week")
    result = run("lock", cwd=project)
    assert result.code == 0, result.stderr
    text = (project / "uv.lock").read_text(encoding="utf-8")
    assert '[[package]]\nname = "lib"\nversion = "1.0"\n' in text
    assert ('exclude-newer = "0001-01-01T00:00:00Z" # This has no effect and is included for '
            'backwards compatibility when using relative exclude-newer values.\n'
            'exclude-newer-span = "P1W"\n') in text
    assert run("lock", "--locked", cwd=project).code == 0

    (project / "pyproject.toml").write_text(
        (project / "pyproject.toml").read_text(encoding="utf-8").replace("1 week", "P3D"),
        encoding="utf-8")
    stale = run("lock", "--locked", cwd=project)
    assert stale.code == 1
    assert "The `exclude-newer` span changed (locked: P1W, now: P3D)" in stale.stderr


def test_a_value_uv_cannot_read_is_an_error(tmp_path: Path, run: Runner,
                                             isolated_env: Path) -> None:
    project = _project(tmp_path.resolve(), "p", "1 month")
    result = run("lock", cwd=project)
    assert result.code != 0
    assert "`tool.uv.exclude-newer`: Duration `1 month` uses 'months'" in result.stderr
    assert not (project / "uv.lock").exists()


@pytest.mark.skipif(UV is None, reason="uv is not installed")
def test_span_locks_are_the_same_bytes_as_uvs(tmp_path: Path, run: Runner,
                                              isolated_env: Path) -> None:
    tmp = tmp_path.resolve()
    mine, theirs = _project(tmp, "ferry", "3 days 2 hours"), _project(tmp, "uv", "3 days 2 hours")
    env = uv_env(tmp, Path(sys.executable))
    made = uv(["lock"], theirs, env)
    assert made.returncode == 0, made.stderr
    result = run("lock", cwd=mine)
    assert result.code == 0, result.stderr
    assert (mine / "uv.lock").read_text(encoding="utf-8") == \
        (theirs / "uv.lock").read_text(encoding="utf-8")
    assert uv(["lock", "--locked"], mine, env).returncode == 0
    assert run("lock", "--locked", cwd=theirs).code == 0
