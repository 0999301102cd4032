"""An install holds its environment's lock while it prepares (links stream in as archives are
ready); building an sdist meanwhile installs the build requirements into a build environment,
from another thread, under that environment's own lock. The two locks must not wait for each
other (a process-wide lock once hung `pip install -e .` of a project with build requirements)."""

from __future__ import annotations

import sys
from pathlib import Path

from tests.support.envs import make_venv
from tests.support.index import IndexServer
from tests.support.runner import Runner


def test_an_sdist_with_build_requirements_installs(
    tmp_path: Path, run: Runner, index_server: IndexServer
) -> None:
    index_server.index.add_wheel("build-helper", "1.0")
    index_server.index.add_sdist("needs-build", "1.0", build_requires=["build-helper"])
    index_server.index.add_wheel("plain", "2.0")
    python = make_venv(tmp_path / "env", sys.executable)
    result = run("pip", "install", "--python", str(python), "--index-url",
                 index_server.simple_url, "needs-build", "plain", timeout=90)
    assert result.code == 0, result.output
    assert " + needs-build==1.0" in result.stderr and " + plain==2.0" in result.stderr
    assert "build-helper" not in result.stderr  # only in the build environment
