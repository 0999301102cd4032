"""Sources of one package split by extra that mix an ``index`` with a ``url``: locked as uv
locks them, each tool calling the other's lock fresh (ferry once refused to lock them, and
with uv's lock present every non-frozen command failed: s9 review W3)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
from tests.interop.test_uv_lock_interop import UV, uv_env
from tests.interop.test_workspace_lock import _dists
from tests.interop.test_workspace_member_kinds_s9 import lock_like_uv
from tests.support.index import IndexServer, LocalIndex
from tests.support.runner import Runner

T = "2024-01-01T00:00:00Z"
CUTOFF = "2025-01-01T00:00:00Z"

PYPROJECT = """[project]
name = "app"
version = "0.1.0"
requires-python = ">=3.10"
dependencies = ["dep"]

[project.optional-dependencies]
a = ["lib"]
b = ["lib"]

[tool.uv]
conflicts = [[{{ extra = "a" }}, {{ extra = "b" }}]]

[[tool.uv.index]]
name = "other"
url = "{other}"
explicit = true

[tool.uv.sources]
lib = [
  {{ index = "other", extra = "a" }},
  {{ url = "{url}", extra = "b" }},
]
"""


@contextmanager
def _served(tmp_path: Path) -> Iterator[tuple[str, str, str]]:
    main = LocalIndex(tmp_path / "main")
    main.add_wheel("dep", "1.0", upload_time=T)
    main.add_wheel("lib", "1.0", upload_time=T)
    other = LocalIndex(tmp_path / "other")
    other.add_wheel("lib", "2.0", upload_time=T)
    with ExitStack() as stack:
        served_main = stack.enter_context(IndexServer(main))
        served_other = stack.enter_context(IndexServer(other))
        url = f"{served_main.url}/files/lib-1.0-py3-none-any.whl"
        yield served_main.simple_url, served_other.simple_url, url


def _project(root: Path, other: str, url: str) -> Path:
    root.mkdir(parents=True)
    (root / "pyproject.toml").write_text(PYPROJECT.format(other=other, url=url),
                                         encoding="utf-8")
    return root


def test_mixed_scoped_sources_lock_and_sync(
    tmp_path: Path, run: Runner, python_exe: Callable[[str], Path]
) -> None:
    python = str(python_exe("3.12"))
    with _served(tmp_path) as (main, other, url):
        project = _project(tmp_path / "app", other, url)
        made = run("lock", "--exclude-newer", CUTOFF, "--default-index", main,
                   "--python", python, cwd=project)
        assert made.code == 0, made.stderr
        for extra, version in (("a", "2.0"), ("b", "1.0")):
            synced = run("sync", "--frozen", "--extra", extra, "--python", python,
                         cwd=project)
            assert synced.code == 0, synced.stderr
            assert _dists(project / ".venv") == {"dep": "1.0", "lib": version}


@pytest.mark.skipif(UV is None, reason="uv is not installed")
def test_mixed_scoped_sources_lock_like_uv(
    tmp_path: Path, run: Runner, python_exe: Callable[[str], Path]
) -> None:
    python = python_exe("3.12")
    with _served(tmp_path) as (main, other, url):
        lock_like_uv(run, uv_env_of=uv_env(tmp_path, python),
                     flags=["--exclude-newer", CUTOFF, "--default-index", main],
                     python=python, theirs=_project(tmp_path / "uv", other, url),
                     mine=_project(tmp_path / "ferry", other, url))
