"""A ``path`` source naming an sdist (or a wheel) is installed as a direct reference, as uv
installs it: a ``direct_url.json`` with the archive's ``file://`` URL and ``(from file://…)``
in the report (ferry once installed the sdist like an index release: s9 review W2, and uv
then reinstalled it)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from tests.support.index import IndexServer
from tests.support.runner import Runner

PYPROJECT = """[project]
name = "app"
version = "0.1.0"
requires-python = ">=3.10"
dependencies = ["sd", "wf"]

[tool.uv.sources]
sd = {{ path = "{sdist}" }}
wf = {{ path = "{wheel}" }}
"""


def test_path_archives_install_as_direct_references(
    tmp_path: Path, run: Runner, index_server: IndexServer,
    make_sdist: Callable[..., Path], make_wheel: Callable[..., Path],
    python_exe: Callable[[str], Path],
) -> None:
    sdist = make_sdist("sd", "1.0", directory=tmp_path / "dist")
    wheel = make_wheel("wf", "1.0", directory=tmp_path / "dist")
    project = tmp_path / "app"
    project.mkdir()
    (project / "pyproject.toml").write_text(
        PYPROJECT.format(sdist=f"../dist/{sdist.name}", wheel=f"../dist/{wheel.name}"),
        encoding="utf-8")
    env = {"FERRY_INDEX_URL": index_server.simple_url}
    python = str(python_exe("3.12"))
    assert run("lock", "--python", python, cwd=project, env=env).code == 0
    synced = run("sync", "--frozen", "--python", python, cwd=project, env=env)
    assert synced.code == 0, synced.stderr
    for name, archive in (("sd", sdist), ("wf", wheel)):
        assert f" + {name}==1.0 (from {archive.resolve().as_uri()})" in synced.stderr
        found = list((project / ".venv").glob(
            f"lib/python*/site-packages/{name}-1.0.dist-info/direct_url.json"))
        assert found, f"{name} has no direct_url.json"
        record = json.loads(found[0].read_text(encoding="utf-8"))
        assert record["url"] == archive.resolve().as_uri()
        assert "archive_info" in record
