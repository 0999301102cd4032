"""Where the project environment is: ``FERRY_PROJECT_ENVIRONMENT``, else
``UV_PROJECT_ENVIRONMENT`` (as uv 0.13.8 reads it), else ``.venv`` (s9 review R11.5).

The full path (:func:`ferry.project.discovery.project_environment_path`) and the no-op fast path
(:func:`ferry.commands.fastpath.environment_root`, ``os.path`` only) must give one answer for
every value: a difference would make the fast path look for its record in another directory."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ferry.commands.fastpath import environment_root
from ferry.project.discovery import environment_variable, project_environment_path

# (FERRY_PROJECT_ENVIRONMENT, UV_PROJECT_ENVIRONMENT, expected path relative to the root or
# absolute with {tmp}, the variable that decided)
CASES = [
    (None, None, ".venv", None),
    ("", "", ".venv", None),
    (None, "envx", "envx", "UV_PROJECT_ENVIRONMENT"),
    (None, "envs/dev/", "envs/dev", "UV_PROJECT_ENVIRONMENT"),
    (None, "../outside", "../outside", "UV_PROJECT_ENVIRONMENT"),
    (None, "{tmp}/abs", "{tmp}/abs", "UV_PROJECT_ENVIRONMENT"),
    # uv takes the value as given: no `~` expansion, no stripping (a directory named " ")
    (None, "~/env", "~/env", "UV_PROJECT_ENVIRONMENT"),
    (None, " ", " ", "UV_PROJECT_ENVIRONMENT"),
    # ferry's own variable wins, and is read as ferry always read it
    ("fenv", "envx", "fenv", "FERRY_PROJECT_ENVIRONMENT"),
    ("{tmp}/fabs", "envx", "{tmp}/fabs", "FERRY_PROJECT_ENVIRONMENT"),
    (" fenv ", None, "fenv", "FERRY_PROJECT_ENVIRONMENT"),
    ("~/fenv", None, "{home}/fenv", "FERRY_PROJECT_ENVIRONMENT"),
    # an empty (or blank) FERRY_ value is no value: UV_ decides
    ("", "envx", "envx", "UV_PROJECT_ENVIRONMENT"),
    ("  ", "envx", "envx", "UV_PROJECT_ENVIRONMENT"),
]


@pytest.mark.parametrize(("ferry", "uv", "expected", "decided_by"), CASES)
def test_both_paths_agree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    ferry: str | None, uv: str | None, expected: str, decided_by: str | None,
) -> None:
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    for name, value in (("FERRY_PROJECT_ENVIRONMENT", ferry), ("UV_PROJECT_ENVIRONMENT", uv)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value.format(tmp=tmp_path))
    root = tmp_path / "ws"
    wanted = Path(expected.format(tmp=tmp_path, home=home))
    if not wanted.is_absolute():
        wanted = root / wanted
    assert environment_variable() == decided_by
    assert project_environment_path(root) == wanted
    assert os.path.normpath(environment_root(str(root))) == os.path.normpath(wanted)
