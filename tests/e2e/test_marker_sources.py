"""Sources split by marker: ``[tool.uv.sources] name = [{ …, marker = … }, …]``.

The universal lock forks on the markers and takes each fork's package from that fork's source
(two local indexes here, or two source trees); ``sync`` installs the one for this machine. The
exact bytes are compared with uv in ``tests/interop/test_git_lock.py``.
"""

from __future__ import annotations

import sys
import tarfile
import tomllib
from pathlib import Path
from typing import Any

import pytest
from tests.support.index import IndexServer, LocalIndex
from tests.support.runner import Runner
from tests.support.sdists import make_sdist

T = "2024-01-01T00:00:00Z"
HERE = "linux" if sys.platform.startswith("linux") else sys.platform

pytestmark = pytest.mark.skipif(HERE not in ("linux", "darwin"), reason="POSIX platforms only")


def _packages(project: Path, name: str) -> list[dict[str, Any]]:
    data = tomllib.loads((project / "uv.lock").read_text(encoding="utf-8"))
    return [p for p in data["package"] if p["name"] == name]


def _site(project: Path) -> Path:
    (site,) = list(project.glob(".venv/lib/python*/site-packages"))
    return site


def test_indexes_split_by_marker(run: Runner, tmp_path: Path) -> None:
    first, second = LocalIndex(tmp_path / "a"), LocalIndex(tmp_path / "b")
    first.add_wheel("torch", "2.0", files={"torch/flavour.py": "NAME = 'a'\n"}, upload_time=T)
    second.add_wheel("torch", "2.0", files={"torch/flavour.py": "NAME = 'b'\n"}, upload_time=T)
    second.add_wheel("torch", "1.5", upload_time=T)
    with IndexServer(first) as a, IndexServer(second) as b:
        project = tmp_path / "proj"
        project.mkdir()
        (project / "pyproject.toml").write_text(
            '[project]\nname = "proj"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n'
            'dependencies = ["torch"]\n\n'
            f'[[tool.uv.index]]\nname = "a"\nurl = "{a.simple_url}"\nexplicit = true\n\n'
            f'[[tool.uv.index]]\nname = "b"\nurl = "{b.simple_url}"\ndefault = true\n\n'
            "[tool.uv.sources]\ntorch = [\n"
            "  { index = \"a\", marker = \"sys_platform == 'linux'\" },\n"
            "  { index = \"b\", marker = \"sys_platform != 'linux'\" },\n]\n",
            encoding="utf-8",
        )
        result = run("lock", cwd=project)
        assert result.code == 0, result.stderr
        found = {p["source"]["registry"]: p["resolution-markers"]
                 for p in _packages(project, "torch")}
        assert found == {a.simple_url: ["sys_platform == 'linux'"],
                         b.simple_url: ["sys_platform != 'linux'"]}
        own = _packages(project, "proj")[0]
        assert own["metadata"]["requires-dist"] == [
            {"name": "torch", "marker": "sys_platform != 'linux'", "index": b.simple_url},
            {"name": "torch", "marker": "sys_platform == 'linux'", "index": a.simple_url},
        ]
        sync = run("sync", "--frozen", cwd=project)
        assert sync.code == 0, sync.stderr
    flavour = (_site(project) / "torch" / "flavour.py").read_text()
    assert flavour == ("NAME = 'a'\n" if HERE == "linux" else "NAME = 'b'\n")


def _tree(root: Path, name: str, version: str) -> Path:
    sdist = make_sdist(root / "sdists", name, version)
    with tarfile.open(sdist) as archive:
        archive.extractall(root / "trees" / version, filter="data")
    return root / "trees" / version / f"{name}-{version}"


def test_path_sources_split_by_marker_with_the_rest_on_the_index(
    run: Runner, tmp_path: Path, index_server: IndexServer
) -> None:
    index_server.index.add_wheel("helper", "0.5", upload_time=T)
    project = tmp_path / "proj"
    project.mkdir()
    linux = _tree(tmp_path, "helper", "1.0")
    darwin = _tree(tmp_path, "helper", "2.0")
    (project / "pyproject.toml").write_text(
        '[project]\nname = "proj"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n'
        'dependencies = ["helper"]\n\n'
        f'[[tool.uv.index]]\nurl = "{index_server.simple_url}"\ndefault = true\n\n'
        "[tool.uv.sources]\nhelper = [\n"
        f"  {{ path = \"{linux}\", marker = \"sys_platform == 'linux'\" }},\n"
        f"  {{ path = \"{darwin}\", marker = \"sys_platform == 'darwin'\" }},\n]\n",
        encoding="utf-8",
    )
    result = run("lock", cwd=project)
    assert result.code == 0, result.stderr
    versions = {p["version"]: p["resolution-markers"] for p in _packages(project, "helper")}
    assert versions == {
        "0.5": ["sys_platform != 'darwin' and sys_platform != 'linux'"],
        "1.0": ["sys_platform == 'linux'"],
        "2.0": ["sys_platform == 'darwin'"],
    }
    requires = _packages(project, "proj")[0]["metadata"]["requires-dist"]
    assert {"name": "helper", "marker": "sys_platform != 'darwin' and sys_platform != 'linux'"} \
        in requires
    fresh = run("lock", "--locked", "--offline", cwd=project)
    assert fresh.code == 0, fresh.stderr
    sync = run("sync", "--frozen", cwd=project)
    assert sync.code == 0, sync.stderr
    wanted = "1.0" if HERE == "linux" else "2.0"
    assert list(_site(project).glob(f"helper-{wanted}.dist-info"))


def test_several_sources_need_a_marker_each(run: Runner, tmp_path: Path) -> None:
    project = tmp_path / "proj"
    project.mkdir()
    (project / "pyproject.toml").write_text(
        '[project]\nname = "proj"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n'
        'dependencies = ["helper"]\n\n'
        '[tool.uv.sources]\n'
        'helper = [{ path = "a" }, { path = "b", marker = "os_name == \'nt\'" }]\n',
        encoding="utf-8",
    )
    result = run("lock", "--no-index", cwd=project)
    assert result.code != 0
    assert "not every one has a `marker`" in result.stderr
