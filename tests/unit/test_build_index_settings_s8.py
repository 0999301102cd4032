"""Isolated builds take their requirements from the project's indexes, in uv's order."""

from __future__ import annotations

from pathlib import Path

import pytest

from ferry.commands.lock_indexes import build_index_settings, search_list
from ferry.project.pyproject import parse_pyproject

PYPROJECT = """
[project]
name = "app"
version = "1"

[[tool.uv.index]]
name = "private"
url = "https://private.example/simple/"
default = true

[[tool.uv.index]]
name = "mirror"
url = "https://mirror.example/simple/"

[[tool.uv.index]]
name = "pinned-only"
url = "https://pinned.example/simple/"
explicit = true
"""


@pytest.fixture(autouse=True)
def _no_index_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("FERRY_INDEX_URL", "UV_INDEX_URL", "UV_DEFAULT_INDEX", "FERRY_EXTRA_INDEX_URL",
                "UV_EXTRA_INDEX_URL", "UV_INDEX", "FERRY_FIND_LINKS", "UV_FIND_LINKS",
                "PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS"):
        monkeypatch.delenv(key, raising=False)


def test_the_projects_default_index_is_the_builds_default(tmp_path: Path) -> None:
    pyproject = parse_pyproject(PYPROJECT, tmp_path / "pyproject.toml")
    settings = build_index_settings(pyproject, index_url=None, extra_index_urls=(),
                                    find_links=(), no_index=False)
    assert settings.index_url == "https://private.example/simple/"
    assert settings.extra_index_urls == ("https://mirror.example/simple/",)  # explicit: never
    assert (*settings.extra_index_urls, settings.index_url) == search_list(
        pyproject, index_url=None, extra_index_urls=())


def test_the_command_line_still_wins(tmp_path: Path) -> None:
    pyproject = parse_pyproject(PYPROJECT, tmp_path / "pyproject.toml")
    settings = build_index_settings(pyproject, index_url="https://cli.example/simple/",
                                    extra_index_urls=("https://extra.example/simple/",),
                                    find_links=("/wheels",), no_index=False,
                                    index_strategy="unsafe-best-match")
    assert settings.index_url == "https://cli.example/simple/"
    assert settings.extra_index_urls == ("https://extra.example/simple/",
                                         "https://mirror.example/simple/")
    assert settings.find_links == ("/wheels",)
    assert settings.strategy == "unsafe-best-match"
    nothing = build_index_settings(pyproject, index_url=None, extra_index_urls=(),
                                   find_links=("/wheels",), no_index=True)
    assert nothing.no_index and nothing.find_links == ("/wheels",)
