"""``ferry lock`` on an index whose wheels fit only some of the lock's environments.

A universal lock serves every Python the project supports, but an index (or a mirror, like the
benchmark's) may hold one ``cp311`` Linux wheel per release. As uv does, such a wheel is a
candidate for every fork and gives the release's metadata; the sdist beside it is recorded, never
built. Only a release without any wheel is built for its metadata — once, whatever the forks.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from tests.support.index import IndexServer
from tests.support.runner import Runner

T = "2024-01-01T00:00:00Z"
LINUX_311 = "cp311-cp311-manylinux_2_17_x86_64"
# Splits the lock at Python 3.13: the upper fork starts above every wheel's Python.
FORKING = ["lib<2; python_version < '3.13'", "lib>=2; python_version >= '3.13'"]


def locked(run: Runner, tmp_path: Path, server: IndexServer, deps: list[str]) -> dict[str, Any]:
    project = tmp_path / "proj"
    project.mkdir()
    quoted = ", ".join(f'"{d}"' for d in deps)
    (project / "pyproject.toml").write_text(
        f'[project]\nname = "proj"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n'
        f"dependencies = [{quoted}]\n", encoding="utf-8")
    result = run("lock", "--index-url", server.simple_url, cwd=project)
    assert result.code == 0, result.stderr
    data: dict[str, Any] = tomllib.loads((project / "uv.lock").read_text(encoding="utf-8"))
    assert len(data["resolution-markers"]) == 2
    return data


def package(data: dict[str, Any], name: str) -> dict[str, Any]:
    return next(p for p in data["package"] if p["name"] == name)


def files(entry: dict[str, Any]) -> list[str]:
    urls = [w["url"] for w in entry.get("wheels", [])]
    if "sdist" in entry:
        urls.append(entry["sdist"]["url"])
    return [u.rsplit("/", 1)[-1] for u in urls]


def add_lib(server: IndexServer) -> None:
    server.index.add_wheel("lib", "1.0", upload_time=T)
    server.index.add_wheel("lib", "2.0", upload_time=T)


def test_a_wheel_for_one_python_is_used_and_the_sdist_never_built(
    run: Runner, tmp_path: Path, index_server: IndexServer
) -> None:
    add_lib(index_server)
    wheel = index_server.index.add_wheel("native", "1.0", tag=LINUX_311, requires=["dep"],
                                         upload_time=T)
    sdist = index_server.index.add_sdist("native", "1.0", requires=["dep"],
                                         build_backend="failing", upload_time=T)
    index_server.index.add_wheel("dep", "1.0", upload_time=T)
    data = locked(run, tmp_path, index_server, ["native", *FORKING])
    native = package(data, "native")
    assert files(native) == [wheel.filename, sdist.filename]
    assert native["dependencies"] == [{"name": "dep"}]
    assert index_server.file_downloads(sdist.filename) == []


def test_wheels_only_for_an_older_python_lock_without_any_sdist(
    run: Runner, tmp_path: Path, index_server: IndexServer
) -> None:
    add_lib(index_server)
    wheel = index_server.index.add_wheel("native", "1.0", tag=LINUX_311, upload_time=T)
    data = locked(run, tmp_path, index_server, ["native", *FORKING])
    assert files(package(data, "native")) == [wheel.filename]


def test_a_wheel_below_requires_python_gives_metadata_and_only_the_sdist_is_locked(
    run: Runner, tmp_path: Path, index_server: IndexServer
) -> None:
    add_lib(index_server)
    index_server.index.add_wheel("native", "1.0", tag="cp310-cp310-manylinux_2_17_x86_64",
                                 upload_time=T)
    sdist = index_server.index.add_sdist("native", "1.0", build_backend="failing",
                                         upload_time=T)
    data = locked(run, tmp_path, index_server, ["native", *FORKING])
    assert files(package(data, "native")) == [sdist.filename]
    assert index_server.file_downloads(sdist.filename) == []


def test_a_release_without_wheels_is_built_once_for_all_forks(
    run: Runner, tmp_path: Path, index_server: IndexServer
) -> None:
    add_lib(index_server)
    sdist = index_server.index.add_sdist("pure", "1.0", requires=["dep>=1"], upload_time=T)
    index_server.index.add_wheel("dep", "1.0", upload_time=T)
    data = locked(run, tmp_path, index_server, ["pure", *FORKING])
    pure = package(data, "pure")
    assert files(pure) == [sdist.filename]
    assert pure["dependencies"] == [{"name": "dep"}]
    assert len(index_server.file_downloads(sdist.filename)) == 1
