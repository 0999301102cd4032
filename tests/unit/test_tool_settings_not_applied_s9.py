"""uv settings ferry does not act on are said as warnings, never ignored silently; settings it
does not need (uv's own interpreter downloads and version) pass quietly."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from ferry.project.pyproject import read_pyproject

HEAD = '[project]\nname = "app"\nversion = "0.1.0"\n\n[tool.uv]\n'


@pytest.mark.parametrize("setting", [
    'config-settings = { editable_mode = "compat" }',
    'no-build-isolation-package = ["x"]',
    'cache-dir = "/tmp/elsewhere"',
    "managed = false",
])
def test_unapplied_settings_are_warned_about(tmp_path: Path, setting: str,
                                             caplog: pytest.LogCaptureFixture) -> None:
    (tmp_path / "pyproject.toml").write_text(HEAD + setting + "\n")
    with caplog.at_level(logging.WARNING):
        read_pyproject(tmp_path / "pyproject.toml")
    key = setting.split(" ")[0]
    assert f"`tool.uv.{key}` in `" in caplog.text
    assert "pyproject.toml` is not supported by ferry and is ignored" in caplog.text


def test_settings_about_uvs_own_downloads_pass_quietly(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "pyproject.toml").write_text(
        HEAD + 'python-downloads = "never"\npython-preference = "only-system"\n'
        'required-version = ">=0.5"\n')
    with caplog.at_level(logging.WARNING):
        read_pyproject(tmp_path / "pyproject.toml")
    assert not caplog.records
