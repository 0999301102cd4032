"""The ``uv add`` options ferry lacked (s9 review F2): ``--extra``, ``-U``/``--upgrade``,
``-P``/``--upgrade-package``, ``--resolution``, ``--prerelease``, ``--no-install-project`` and
``--active``, each shown to change what is written, locked or installed. Packages come from a
file:// index built in tmp_path."""

from __future__ import annotations

import sys
import tarfile
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.e2e.edit_kit import fill_index
from tests.e2e.test_add_requirements import PYPROJECT
from tests.support.index import LocalIndex
from tests.support.runner import Runner


@pytest.fixture
def index(local_index: LocalIndex) -> LocalIndex:
    return fill_index(local_index)


@pytest.fixture
def project(tmp_path: Path, index: LocalIndex) -> Path:
    root = tmp_path / "demo"
    root.mkdir()
    (root / "pyproject.toml").write_text(PYPROJECT.format(url=index.file_url))
    return root


def dependencies(root: Path) -> str:
    text = (root / "pyproject.toml").read_text()
    return text.split("dependencies = ", 1)[1].split("\n]", 1)[0]


def locked_version(root: Path, name: str) -> str:
    lock = (root / "uv.lock").read_text()
    return lock.split(f'name = "{name}"\nversion = "', 1)[1].split('"', 1)[0]


def test_extra_goes_on_every_package_added(run: Runner, project: Path) -> None:
    result = run("add", "--no-sync", "tool", "--extra", "cli", cwd=project)
    assert result.code == 0, result.stderr
    assert '"tool[cli]>=2.0.0"' in dependencies(project)
    assert 'name = "leaf"' in (project / "uv.lock").read_text()  # the extra's dependency


def test_resolution_lowest(run: Runner, project: Path) -> None:
    result = run("add", "--no-sync", "leaf", "--resolution", "lowest", cwd=project)
    assert result.code == 0, result.stderr
    assert '"leaf>=1.0.0"' in dependencies(project)


def test_prerelease_allow(run: Runner, project: Path, index: LocalIndex) -> None:
    index.add_wheel("leaf", "2.0.0a1")
    result = run("add", "--no-sync", "leaf", "--prerelease", "allow", cwd=project)
    assert result.code == 0, result.stderr
    assert '"leaf>=2.0.0a1"' in dependencies(project)


@pytest.mark.parametrize("flags", [[], ["-P", "leaf"], ["--upgrade-package", "leaf"], ["-U"]])
def test_upgrade_lets_a_locked_package_move(
    run: Runner, project: Path, flags: list[str]
) -> None:
    first = run("add", "--no-sync", "leaf", "--resolution", "lowest", cwd=project)
    assert first.code == 0, first.stderr
    assert locked_version(project, "leaf") == "1.0.0"
    result = run("add", "--no-sync", "top", *flags, cwd=project)
    assert result.code == 0, result.stderr
    # without a flag too: the lock was made with `--resolution lowest`, so this (highest)
    # resolution ignores its versions, as uv 0.13.8 does ("Ignoring existing lockfile due to
    # change in resolution mode")
    assert locked_version(project, "leaf") == "1.4.2"


@pytest.mark.parametrize("flags", [[], ["-P", "leaf"], ["-U"]])
def test_a_locked_version_stays_unless_an_upgrade_is_asked_for(
    run: Runner, project: Path, index: LocalIndex, flags: list[str]
) -> None:
    first = run("add", "--no-sync", "leaf", cwd=project)
    assert first.code == 0, first.stderr
    locked = locked_version(project, "leaf")
    index.add_wheel("leaf", "9.0.0")
    result = run("add", "--no-sync", "top", *flags, cwd=project)
    assert result.code == 0, result.stderr
    assert locked_version(project, "leaf") == ("9.0.0" if flags else locked)


def _packaged(make_sdist: Callable[..., Path], tmp_path: Path, index: LocalIndex) -> Path:
    """A project with an in-tree build backend (no build requirement to download)."""
    sdist = make_sdist("proj", "1.0", directory=tmp_path / "sdists")
    with tarfile.open(sdist) as tar:
        tar.extractall(tmp_path, filter="data")
    root = tmp_path / sdist.name.removesuffix(".tar.gz")
    text = (root / "pyproject.toml").read_text()
    (root / "pyproject.toml").write_text(text + PYPROJECT.split("\n\n", 1)[1].format(
        url=index.file_url))
    return root


@pytest.mark.parametrize("skip", [False, True])
def test_no_install_project(
    run: Runner, tmp_path: Path, index: LocalIndex, make_sdist: Callable[..., Path], skip: bool
) -> None:
    root = _packaged(make_sdist, tmp_path, index)
    flags = ["--no-install-project"] if skip else []
    result = run("add", "leaf", "-p", sys.executable, *flags, cwd=root)
    assert result.code == 0, result.stderr
    site = next((root / ".venv" / "lib").glob("python3*/site-packages"))
    names = {p.name.split("-")[0] for p in site.glob("*.dist-info")}
    assert "leaf" in names
    assert ("proj" in names) is not skip


def test_active_syncs_the_activated_environment(
    run: Runner, tmp_path: Path, project: Path
) -> None:
    other = tmp_path / "other-env"
    made = run("venv", str(other), "-p", sys.executable, cwd=tmp_path)
    assert made.code == 0, made.stderr
    result = run("add", "leaf", "--active", "-p", sys.executable, cwd=project,
                 env={"VIRTUAL_ENV": str(other)})
    assert result.code == 0, result.stderr
    assert list(other.glob("lib/python3*/site-packages/leaf-1.4.2.dist-info"))
    assert not (project / ".venv").exists()
