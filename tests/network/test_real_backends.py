"""Real build backends fetched from the index: hatchling, flit-core and setuptools."""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

import pytest
from tests.support.runner import run_ferry

pytestmark = pytest.mark.network

BACKENDS = {
    "hatchling": ('requires = ["hatchling"]\nbuild-backend = "hatchling.build"\n', "src"),
    "flit-core": ('requires = ["flit_core>=3.4"]\nbuild-backend = "flit_core.buildapi"\n', ""),
    "setuptools": ('requires = ["setuptools>=61"]\nbuild-backend = "setuptools.build_meta"\n', ""),
}


@pytest.mark.parametrize("backend", sorted(BACKENDS))
def test_ferry_build_with_a_real_backend(backend: str, tmp_path: Path) -> None:
    system, layout = BACKENDS[backend]
    project = tmp_path / "proj"
    package = (project / layout if layout else project) / "demo_pkg"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text('"""A demo."""\n__version__ = "1.2.3"\n')
    (project / "pyproject.toml").write_text(
        '[project]\nname = "demo-pkg"\nversion = "1.2.3"\ndescription = "demo"\n'
        f"\n[build-system]\n{system}"
    )
    env: dict[str, str | None] = {"FERRY_CACHE_DIR": str(tmp_path / "cache"), "VIRTUAL_ENV": None}
    result = run_ferry(["build", "-p", sys.executable], cwd=project, env=env, timeout=600)
    assert result.code == 0, result.output
    wheels = list((project / "dist").glob("demo_pkg-1.2.3-*.whl"))
    assert len(wheels) == 1 and list((project / "dist").glob("demo_pkg-1.2.3.tar.gz"))
    assert "demo_pkg/__init__.py" in zipfile.ZipFile(wheels[0]).namelist()
