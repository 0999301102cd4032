"""Seed report uv#13727: Docker rebuilds downloaded every dependency again after only the
project's version changed, and nothing in the output showed the cache mount was not working.

ferry's recipe (README, "Docker"): a dependencies layer (`sync --frozen --no-install-project`)
before the project layer, the cache on a cache mount, FERRY_LINK_MODE=copy. These tests replay
the recipe's commands outside Docker: two "builds" that share nothing but the cache directory.
"""

from __future__ import annotations

import shutil
import tarfile
from pathlib import Path

import pytest
from tests.e2e.seedkit import installed, ok, uv_lock
from tests.support.sdists import make_sdist

DEPS = ("sync", "--frozen", "--no-install-project", "--no-dev")
PROJECT = ("sync", "--frozen", "--no-dev")


@pytest.fixture
def template(tmp_path: Path, index_server, python_exe) -> Path:  # type: ignore[no-untyped-def]
    """A packaged project (with an offline in-tree build backend) and its lock."""
    index_server.index.add_wheel("lib", "1.0.0", requires=["helper"])
    index_server.index.add_wheel("helper", "2.0.0")
    sdist = make_sdist(tmp_path / "made", "app", "0.1.0", requires=["lib"], requires_python=">=3.9")
    with tarfile.open(sdist) as archive:
        archive.extractall(tmp_path / "src", filter="data")
    root = tmp_path / "src" / "app-0.1.0"
    (root / ".python-version").write_text("3.12\n", encoding="utf-8")
    uv_lock(root, index_server.simple_url, python_exe("3.12"))
    index_server.clear_log()
    return root


def _build(template: Path, where: Path, run, env: dict[str, str]) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """The recipe: copy the manifest and lock, sync dependencies, copy the rest, sync."""
    where.mkdir()
    for name in ("pyproject.toml", "uv.lock", ".python-version"):
        shutil.copy2(template / name, where / name)
    deps = ok(run(*DEPS, cwd=where, env=env))
    shutil.copytree(template, where, dirs_exist_ok=True)
    project = ok(run(*PROJECT, cwd=where, env=env))
    return deps.stderr, project.stderr


def test_second_build_downloads_nothing(
    template: Path, tmp_path: Path, run, index_server  # type: ignore[no-untyped-def]
) -> None:
    env = {"FERRY_CACHE_DIR": str(tmp_path / "mounted-cache"), "FERRY_LINK_MODE": "copy"}
    _build(template, tmp_path / "build1", run, env)
    assert len(index_server.file_downloads()) == 2
    index_server.clear_log()
    second, project = _build(template, tmp_path / "build2", run, env)
    assert index_server.file_downloads() == []
    assert "2 from cache, 0 downloaded" in second
    assert installed(tmp_path / "build2" / ".venv") == {
        "app": "0.1.0", "helper": "2.0.0", "lib": "1.0.0",
    }
    assert " + app==0.1.0" in project


def test_a_cold_cache_is_obvious_without_verbose(
    template: Path, tmp_path: Path, run  # type: ignore[no-untyped-def]
) -> None:
    cache = tmp_path / "not-mounted"
    env = {"FERRY_CACHE_DIR": str(cache), "FERRY_LINK_MODE": "copy"}
    stderr, _ = _build(template, tmp_path / "build", run, env)
    prepared = next(line for line in stderr.splitlines() if line.startswith("Prepared"))
    assert "0 from cache, 2 downloaded" in prepared
    assert str(cache) in prepared


def test_version_bump_leaves_the_dependency_layer_untouched(
    template: Path, tmp_path: Path, run, index_server  # type: ignore[no-untyped-def]
) -> None:
    env = {"FERRY_CACHE_DIR": str(tmp_path / "cache"), "FERRY_LINK_MODE": "copy"}
    build = tmp_path / "build"
    _build(template, build, run, env)
    index_server.clear_log()
    for name in ("pyproject.toml", "PKG-INFO"):
        path = build / name
        path.write_text(path.read_text().replace("0.1.0", "0.2.0"), encoding="utf-8")
    result = ok(run(*DEPS, cwd=build, env=env))
    assert " + " not in result.stderr and " - " not in result.stderr
    assert index_server.requests == []
    upgraded = ok(run(*PROJECT, cwd=build, env=env))
    assert " + app==0.2.0" in upgraded.stderr


def test_a_version_bump_changes_one_line_of_the_lock(
    template: Path, tmp_path: Path, run, index_server  # type: ignore[no-untyped-def]
) -> None:
    project = tmp_path / "relock"
    shutil.copytree(template, project)
    pyproject = project / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text()
        + f'\n[[tool.uv.index]]\nurl = "{index_server.simple_url}"\ndefault = true\n',
        encoding="utf-8",
    )
    ok(run("lock", cwd=project))
    before = (project / "uv.lock").read_text().splitlines()
    pyproject.write_text(pyproject.read_text().replace('"0.1.0"', '"0.2.0"'), encoding="utf-8")
    ok(run("lock", cwd=project))
    after = (project / "uv.lock").read_text().splitlines()
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    assert changed == [('version = "0.1.0"', 'version = "0.2.0"')]
