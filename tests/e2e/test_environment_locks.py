"""The locks around an environment: per environment between threads, and the project's
environment-creation lock between processes.

An install holds its environment's lock while it prepares (links stream in as archives are
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


def test_sync_works_where_the_project_cannot_hold_its_lock(
    tmp_path: Path, run: Runner, index_server: IndexServer
) -> None:
    """The environment-creation lock lives in <project>/.ferry/; a checkout that cannot hold it
    (read-only, or here: `.ferry` is a file) still syncs, unserialised, as before."""
    index_server.index.add_wheel("plain", "2.0")
    project = tmp_path / "proj"
    project.mkdir()
    (project / "pyproject.toml").write_text(
        '[project]\nname = "proj"\nversion = "0.1.0"\nrequires-python = ">=3.8"\n'
        'dependencies = ["plain"]\n\n'
        f'[[tool.uv.index]]\nurl = "{index_server.simple_url}"\ndefault = true\n'
        '[tool.uv]\npackage = false\n'
    )
    assert run("lock", cwd=project).code == 0
    (project / ".ferry").write_text("not a directory\n")
    env = {"FERRY_PROJECT_ENVIRONMENT": str(tmp_path / "env"), "FERRY_PYTHON": sys.executable}
    result = run("sync", "--frozen", "-v", cwd=project, env=env)
    assert result.code == 0, result.output
    assert " + plain==2.0" in result.stderr
    assert "without the project's lock" in result.stderr
