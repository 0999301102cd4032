"""``[tool.uv] dependency-metadata`` is refused by ``ferry lock`` with a clear error rather than
ignored (ignoring it wrote a lock without the dependencies it declares: s9 review W4)."""

from __future__ import annotations

from pathlib import Path

from tests.support.index import IndexServer
from tests.support.runner import Runner

PYPROJECT = """[project]
name = "app"
version = "0.1.0"
requires-python = ">=3.10"
dependencies = ["lib"]

[tool.uv]
dependency-metadata = [
    { name = "lib", version = "1.0", requires-dist = ["dep"] },
]
"""


def test_dependency_metadata_is_refused(
    tmp_path: Path, run: Runner, index_server: IndexServer
) -> None:
    index_server.index.add_wheel("lib", "1.0")
    index_server.index.add_wheel("dep", "1.0")
    (tmp_path / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    result = run("lock", cwd=tmp_path, env={"FERRY_INDEX_URL": index_server.simple_url})
    assert result.code == 1
    assert "`[tool.uv] dependency-metadata`" in result.stderr
    assert "--frozen" in result.stderr
    assert not (tmp_path / "uv.lock").exists()
