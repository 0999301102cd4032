"""An ``index = …`` source applies to the requirements the workspace declares, as uv applies it.

A package that is only a transitive dependency is looked up on the ordinary indexes even when
``[tool.uv.sources]`` pins it to an explicit index, and a member's own source applies to that
member's requirements only (ferry once pinned every name with an index source wherever it
appeared in the graph, and ignored the index sources members declare: s9 review W9).
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
from tests.interop.test_uv_lock_interop import UV, uv_env
from tests.interop.test_workspace_member_kinds_s9 import lock_like_uv
from tests.support.index import IndexServer, LocalIndex
from tests.support.runner import Runner

T = "2024-01-01T00:00:00Z"
CUTOFF = "2025-01-01T00:00:00Z"

ROOT = """[tool.uv.workspace]
members = ["m1", "m2"]

[[tool.uv.index]]
name = "other"
url = "{other}"
explicit = true

[tool.uv.sources]
trans = {{ index = "other" }}
"""

M1 = """[project]
name = "m1"
version = "0.1.0"
requires-python = ">=3.10"
dependencies = ["top", "shared"]
"""

M2 = """[project]
name = "m2"
version = "0.1.0"
requires-python = ">=3.10"
dependencies = ["direct"]

[tool.uv.sources]
direct = { index = "other" }
shared = { index = "other" }
"""


@contextmanager
def _indexes(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """The default index (1.0 of everything, ``top`` needing ``trans``) and the explicit one
    (2.0 of the same names: a wrongly pinned name resolves to 2.0 from it)."""
    main = LocalIndex(tmp_path / "main")
    main.add_wheel("top", "1.0", requires=["trans"], upload_time=T)
    other = LocalIndex(tmp_path / "other")
    for name in ("trans", "shared", "direct"):
        main.add_wheel(name, "1.0", upload_time=T)
        other.add_wheel(name, "2.0", upload_time=T)
    with ExitStack() as stack:
        yield (stack.enter_context(IndexServer(main)).simple_url,
               stack.enter_context(IndexServer(other)).simple_url)


def _workspace(root: Path, other: str) -> Path:
    for directory, text in ((root, ROOT.format(other=other)), (root / "m1", M1),
                            (root / "m2", M2)):
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "pyproject.toml").write_text(text, encoding="utf-8")
    return root


def _registries(lock: Path) -> dict[str, tuple[str, str]]:
    data = tomllib.loads(lock.read_text(encoding="utf-8"))
    return {p["name"]: (p["version"], p["source"].get("registry", ""))
            for p in data["package"] if "registry" in p["source"]}


def test_index_sources_pin_declared_requirements_only(tmp_path: Path, run: Runner) -> None:
    with _indexes(tmp_path) as (main, other):
        root = _workspace(tmp_path / "ws", other)
        made = run("lock", "--exclude-newer", CUTOFF, "--default-index", main, cwd=root)
        assert made.code == 0, made.stderr
        assert _registries(root / "uv.lock") == {
            "top": ("1.0", main), "trans": ("1.0", main), "shared": ("1.0", main),
            "direct": ("2.0", other)}
        kept = run("lock", "--locked", "--exclude-newer", CUTOFF, "--default-index", main,
                   cwd=root)
        assert kept.code == 0, kept.stderr


@pytest.mark.skipif(UV is None, reason="uv is not installed")
def test_index_sources_lock_like_uv(
    tmp_path: Path, run: Runner, python_exe: Callable[[str], Path]
) -> None:
    python = python_exe("3.12")
    env = uv_env(tmp_path, python)
    with _indexes(tmp_path) as (main, other):
        flags = ["--exclude-newer", CUTOFF, "--default-index", main]
        theirs = _workspace(tmp_path / "uv-ws", other)
        mine = _workspace(tmp_path / "ferry-ws", other)
        lock_like_uv(run, uv_env_of=env, flags=flags, python=python, theirs=theirs, mine=mine)
