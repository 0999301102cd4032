"""``ferry lock`` end to end: a subprocess against a loopback index, as a user runs it."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest
from tests.support.index import IndexServer
from tests.support.runner import Result, Runner

T = "2024-01-01T00:00:00Z"


def write_project(root: Path, dependencies: list[str], extra: str = "",
                  requires_python: str = ">=3.9") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    deps = ", ".join(f'"{d}"' for d in dependencies)
    (root / "pyproject.toml").write_text(
        f'[project]\nname = "proj"\nversion = "0.1.0"\nrequires-python = "{requires_python}"\n'
        f"dependencies = [{deps}]\n{extra}",
        encoding="utf-8",
    )
    return root


def lock(run: Runner, project: Path, server: IndexServer, *args: str) -> Result:
    return run("lock", "--index-url", server.simple_url, *args, cwd=project)


def packages(project: Path) -> dict[str, list[str]]:
    data: dict[str, Any] = tomllib.loads((project / "uv.lock").read_text(encoding="utf-8"))
    found: dict[str, list[str]] = {}
    for package in data["package"]:
        found.setdefault(package["name"], []).append(package.get("version", ""))
    return found


@pytest.fixture
def project(tmp_path: Path, index_server: IndexServer) -> Path:
    index = index_server.index
    index.add_wheel("lib", "1.0", upload_time=T)
    index.add_wheel("lib", "2.0", requires=["dep; sys_platform == 'win32'"], upload_time=T)
    index.add_wheel("dep", "1.0", upload_time=T)
    index.add_wheel("colorama", "0.4", upload_time=T)
    return write_project(tmp_path / "proj", ["lib", "colorama; sys_platform == 'win32'"])


def test_lock_writes_a_uv_lock(run: Runner, project: Path, index_server: IndexServer) -> None:
    result = lock(run, project, index_server)
    assert result.code == 0, result.stderr
    assert "Resolved 4 packages in " in result.stderr
    assert result.stdout == ""
    text = (project / "uv.lock").read_text(encoding="utf-8")
    assert text.startswith('version = 1\nrevision = 5\nrequires-python = ">=3.9"\n')
    assert f'source = {{ registry = "{index_server.simple_url}" }}' in text
    assert '{ name = "colorama", marker = "sys_platform == \'win32\'" },' in text
    assert '{ name = "dep", marker = "sys_platform == \'win32\'" },' in text
    assert packages(project) == {"colorama": ["0.4"], "dep": ["1.0"], "lib": ["2.0"],
                                 "proj": ["0.1.0"]}


def test_locking_is_deterministic(run: Runner, project: Path, index_server: IndexServer) -> None:
    assert lock(run, project, index_server).code == 0
    first = (project / "uv.lock").read_bytes()
    (project / "uv.lock").unlink()
    assert lock(run, project, index_server, "--no-cache").code == 0
    assert (project / "uv.lock").read_bytes() == first


def test_a_fresh_lock_is_kept_without_any_request(
    run: Runner, project: Path, index_server: IndexServer
) -> None:
    assert lock(run, project, index_server).code == 0
    before = (project / "uv.lock").stat().st_mtime_ns
    index_server.clear_log()
    result = lock(run, project, index_server)
    assert result.code == 0, result.stderr
    assert "Resolved 4 packages in " in result.stderr
    assert index_server.count() == 0
    assert (project / "uv.lock").stat().st_mtime_ns == before


def test_locked_fails_when_the_lock_is_stale(
    run: Runner, project: Path, index_server: IndexServer
) -> None:
    assert lock(run, project, index_server).code == 0
    before = (project / "uv.lock").read_bytes()
    write_project(project, ["lib", "dep"])
    result = lock(run, project, index_server, "--locked")
    assert result.code == 1
    assert result.stderr.split("\n", 2)[1].startswith("Resolved 3 packages in ")  # as uv
    assert result.stderr.split("\n", 2)[2].startswith(  # after `Using CPython …`, `Resolved`
        "error: The lockfile at `uv.lock` needs to be updated, but `--locked` was provided.\n"
        "hint: "), result.stderr
    assert "; to update the lockfile, run `ferry lock`.\n" in result.stderr
    assert "Caused by" not in result.stderr
    assert "Traceback" not in result.stderr
    assert (project / "uv.lock").read_bytes() == before
    # Up to date: --locked passes.
    assert lock(run, project, index_server).code == 0
    assert lock(run, project, index_server, "--locked").code == 0


def test_frozen_uses_the_lock_as_it_is(
    run: Runner, project: Path, index_server: IndexServer
) -> None:
    missing = lock(run, project, index_server, "--frozen")
    assert missing.code == 1
    assert "Unable to find lockfile at `uv.lock`" in missing.stderr
    assert lock(run, project, index_server).code == 0
    before = (project / "uv.lock").read_bytes()
    write_project(project, ["lib", "dep"])
    index_server.clear_log()
    result = lock(run, project, index_server, "--frozen")
    assert result.code == 0, result.stderr
    assert index_server.count() == 0
    assert (project / "uv.lock").read_bytes() == before


def test_relock_keeps_versions_and_upgrade_package_lifts_them(
    run: Runner, tmp_path: Path, index_server: IndexServer
) -> None:
    index = index_server.index
    index.add_wheel("lib", "1.0", upload_time=T)
    index.add_wheel("other", "1.0", upload_time=T)
    project = write_project(tmp_path / "p", ["lib"])
    assert lock(run, project, index_server).code == 0
    index.add_wheel("lib", "2.0", upload_time=T)
    write_project(project, ["lib", "other"])
    result = lock(run, project, index_server)
    assert result.code == 0, result.stderr
    assert "Added other v1.0" in result.stderr
    assert packages(project)["lib"] == ["1.0"]
    upgraded = lock(run, project, index_server, "--upgrade-package", "lib")
    assert upgraded.code == 0, upgraded.stderr
    assert "Updated lib v1.0 -> v2.0" in upgraded.stderr
    assert packages(project)["lib"] == ["2.0"]
    write_project(project, ["lib"])
    removed = lock(run, project, index_server)
    assert "Removed other v1.0" in removed.stderr


def test_markers_fork_the_resolution(
    run: Runner, tmp_path: Path, index_server: IndexServer
) -> None:
    index = index_server.index
    index.add_wheel("lib", "1.0", upload_time=T)
    index.add_wheel("lib", "2.0", upload_time=T)
    index.add_wheel("new", "1.0", upload_time=T)
    index.add_wheel("new", "2.0", requires_python=">=3.11", upload_time=T)
    project = write_project(tmp_path / "p", [
        "lib<2; python_version < '3.10'", "lib>=2; python_version >= '3.10'", "new"])
    result = lock(run, project, index_server)
    assert result.code == 0, result.stderr
    text = (project / "uv.lock").read_text(encoding="utf-8")
    assert ('resolution-markers = [\n    "python_full_version >= \'3.11\'",\n'
            '    "python_full_version == \'3.10.*\'",\n'
            '    "python_full_version < \'3.10\'",\n]\n') in text
    assert packages(project) == {"lib": ["1.0", "2.0"], "new": ["1.0", "2.0"], "proj": ["0.1.0"]}
    assert ('{ name = "new", version = "2.0", source = { registry = "'
            f'{index_server.simple_url}" }}, marker = "python_full_version >= \'3.11\'" }}') in text


def test_requires_python_filters_versions(
    run: Runner, tmp_path: Path, index_server: IndexServer
) -> None:
    index = index_server.index
    index.add_wheel("lib", "1.0", upload_time=T)
    index.add_wheel("lib", "2.0", requires_python=">=3.10", upload_time=T)
    project = write_project(tmp_path / "p", ["lib"], requires_python=">=3.8,<3.10")
    assert lock(run, project, index_server).code == 0
    assert packages(project)["lib"] == ["1.0"]


def test_conflicting_extras(run: Runner, tmp_path: Path, index_server: IndexServer) -> None:
    index = index_server.index
    index.add_wheel("lib", "1.0", upload_time=T)
    index.add_wheel("lib", "2.0", upload_time=T)
    extra = ('[project.optional-dependencies]\none = ["lib==1.0"]\ntwo = ["lib==2.0"]\n'
             '[tool.uv]\nconflicts = [[{ extra = "one" }, { extra = "two" }]]\n')
    project = write_project(tmp_path / "p", [], extra, requires_python=">=3.12")
    result = lock(run, project, index_server)
    assert result.code == 0, result.stderr
    text = (project / "uv.lock").read_text(encoding="utf-8")
    assert ('conflicts = [[\n    { package = "proj", extra = "one" },\n'
            '    { package = "proj", extra = "two" },\n]]\n') in text
    assert packages(project)["lib"] == ["1.0", "2.0"]
    without = write_project(tmp_path / "q", [], extra.split("[tool.uv]")[0],
                            requires_python=">=3.12")
    failed = lock(run, without, index_server)
    assert failed.code == 1
    assert "No solution found" in failed.stderr


def test_exclude_newer(run: Runner, tmp_path: Path, index_server: IndexServer) -> None:
    index = index_server.index
    index.add_wheel("lib", "1.0", upload_time="2023-01-01T00:00:00Z")
    index.add_wheel("lib", "2.0", upload_time="2024-06-01T00:00:00Z")
    project = write_project(tmp_path / "p", ["lib"])
    result = lock(run, project, index_server, "--exclude-newer", "2024-01-01T00:00:00Z")
    assert result.code == 0, result.stderr
    assert packages(project)["lib"] == ["1.0"]
    text = (project / "uv.lock").read_text(encoding="utf-8")
    assert '[options]\nexclude-newer = "2024-01-01T00:00:00Z"\n' in text
    # A different cut-off makes the lock stale.
    assert lock(run, project, index_server, "--locked").code == 1


def test_offline_without_cache_fails_clearly(
    run: Runner, project: Path, index_server: IndexServer
) -> None:
    result = run("--offline", "lock", "--index-url", index_server.simple_url, cwd=project)
    assert result.code != 0
    assert "Traceback" not in result.stderr
    assert "offline" in result.stderr.lower()
    assert not (project / "uv.lock").exists()


def test_no_project_is_a_clear_error(run: Runner, tmp_path: Path) -> None:
    result = run("lock", cwd=tmp_path)
    assert result.code == 1
    assert "No `pyproject.toml` found" in result.stderr


def test_the_project_referring_to_its_own_extras(
    run: Runner, tmp_path: Path, index_server: IndexServer
) -> None:
    index = index_server.index
    for name in ("a", "b", "c"):
        index.add_wheel(name, "1.0", upload_time=T)
    extra = ('[project.optional-dependencies]\nx = ["a"]\ny = ["b; sys_platform == \'linux\'"]\n'
             'all = ["proj[x,y]"]\n[dependency-groups]\ndev = ["proj[x]"]\n')
    project = write_project(tmp_path / "p", ["c"], extra, requires_python=">=3.10")
    result = lock(run, project, index_server)
    assert result.code == 0, result.stderr
    text = (project / "uv.lock").read_text(encoding="utf-8")
    # As uv: an extra naming the project's own extras lists their requirements; a group keeps
    # an edge to the project.
    assert ('all = [\n    { name = "a" },\n'
            '    { name = "b", marker = "sys_platform == \'linux\'" },\n]\n') in text
    assert '[package.dev-dependencies]\ndev = [\n    { name = "proj", extra = ["x"] },\n]\n' in text


_BACKEND = '''
import os

METADATA = ("Metadata-Version: 2.2\\nName: proj\\nVersion: 0.1.0\\nRequires-Dist: a>=1\\n"
            "Requires-Dist: b; extra == 'x'\\nProvides-Extra: x\\n")


def get_requires_for_build_wheel(config_settings=None):
    return []


get_requires_for_build_editable = get_requires_for_build_wheel


def prepare_metadata_for_build_wheel(directory, config_settings=None):
    os.makedirs(os.path.join(directory, "proj-0.1.0.dist-info"))
    with open(os.path.join(directory, "proj-0.1.0.dist-info", "METADATA"), "w") as f:
        f.write(METADATA)
    return "proj-0.1.0.dist-info"


prepare_metadata_for_build_editable = prepare_metadata_for_build_wheel
'''


def test_dynamic_dependencies_come_from_a_build_of_the_project(
    run: Runner, tmp_path: Path, index_server: IndexServer
) -> None:
    index = index_server.index
    for name in ("a", "b"):
        index.add_wheel(name, "1.0", upload_time=T)
    project = tmp_path / "p"
    (project / "_backend").mkdir(parents=True)
    (project / "_backend" / "backend.py").write_text(_BACKEND, encoding="utf-8")
    (project / "pyproject.toml").write_text(
        '[build-system]\nrequires = []\nbuild-backend = "backend"\nbackend-path = ["_backend"]\n'
        '[project]\nname = "proj"\nversion = "0.1.0"\nrequires-python = ">=3.10"\n'
        'dynamic = ["dependencies", "optional-dependencies"]\n', encoding="utf-8")
    result = lock(run, project, index_server)
    assert result.code == 0, result.stderr
    text = (project / "uv.lock").read_text(encoding="utf-8")
    assert '[package.optional-dependencies]\nx = [\n    { name = "b" },\n]\n' in text
    assert ('requires-dist = [\n    { name = "a", specifier = ">=1" },\n'
            '    { name = "b", marker = "extra == \'x\'" },\n]\nprovides-extras = ["x"]\n') in text
    assert lock(run, project, index_server, "--locked").code == 0
