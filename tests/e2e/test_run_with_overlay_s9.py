"""``run --with``: the overlay (s9 review R10, R4, R5, R9).

R10: the overlay sees the base environment through ``site.addsitedir``, so the base's ``.pth``
files (the project's editable install) are processed. R4: the ``--with`` requirements are
resolved on every run with this run's index options, and the overlay is keyed by the pins, so
``-f`` directories and new releases count. R5: outside a project the index options are
honoured. R9: without a project, the overlay layers on the environment the command would use
anyway (the active ``VIRTUAL_ENV``)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from tests.e2e.seedkit import installed, ok, write_project
from tests.support.index import IndexServer
from tests.support.runner import Runner
from tests.support.wheels import make_wheel

VERSION = "import {0}; print({0}.__version__)"


@pytest.fixture
def project(tmp_path: Path, index_server: IndexServer) -> Path:
    index_server.index.add_wheel("six", "1.0")
    return write_project(tmp_path / "app", "app", ["six"], requires_python=">=3.8")


def _wheel(directory: Path, name: str, version: str) -> None:
    make_wheel(directory, name, version, files={f"{name}/__init__.py":
                                                f"__version__ = '{version}'\n".encode()})


def test_the_overlay_processes_the_base_environments_pth_files(
    run: Runner, project: Path, index_server: IndexServer, tmp_path: Path
) -> None:
    """As an editable install does, a ``.pth`` in the base names a source directory."""
    index_server.index.add_wheel("toml", "1.0")
    ok(run("sync", "--index-url", index_server.simple_url, cwd=project))
    source = tmp_path / "src"
    (source / "editmod").mkdir(parents=True)
    (source / "editmod" / "__init__.py").write_text("X = 'editable'\n", encoding="utf-8")
    site = next((project / ".venv").glob("lib/python*/site-packages"))
    (site / "_editable_impl_app.pth").write_text(f"{source}\n", encoding="utf-8")
    result = ok(run("run", "--index-url", index_server.simple_url, "--with", "toml", "python",
                    "-c", "import editmod, six, toml; print(editmod.X)", cwd=project))
    assert result.stdout.strip() == "editable"
    assert "toml" not in installed(project / ".venv")


def test_find_links_and_new_releases_are_seen_by_with(
    run: Runner, project: Path, index_server: IndexServer, tmp_path: Path
) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    _wheel(one, "rvtool", "1.0")
    _wheel(two, "rvtool", "2.0")
    base = ("run", "-q", "--index-url", index_server.simple_url, "--with", "rvtool")
    code = ("python", "-c", VERSION.format("rvtool"))
    assert ok(run(*base, "-f", str(one), *code, cwd=project)).stdout.strip() == "1.0"
    assert ok(run(*base, "-f", str(two), *code, cwd=project)).stdout.strip() == "2.0"
    # a new release in the same directory is picked by the next run, as uv resolves each run
    _wheel(one, "rvtool", "1.5")
    assert ok(run(*base, "-f", str(one), *code, cwd=project)).stdout.strip() == "1.5"
    # and the environment of an earlier resolution is reused, not made again
    again = ok(run("run", "--index-url", index_server.simple_url, "--with", "rvtool",
                   "-f", str(two), *code, cwd=project))
    assert again.stdout.strip() == "2.0"
    assert "Installed" not in again.stderr


def test_outside_a_project_with_honours_no_index_and_find_links(
    run: Runner, tmp_path: Path
) -> None:
    links = tmp_path / "links"
    _wheel(links, "rvtiny", "1.0")
    empty = tmp_path / "nowhere"
    empty.mkdir()
    result = ok(run("run", "-q", "--no-index", "-f", str(links), "--with", "rvtiny", "python",
                    "-c", VERSION.format("rvtiny"), cwd=empty))
    assert result.stdout.strip() == "1.0"


def test_without_a_project_with_layers_on_the_active_environment(
    run: Runner, tmp_path: Path
) -> None:
    active = tmp_path / "active"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(active)], check=True)
    site = next(active.glob("lib/python*/site-packages"))
    (site / "activemod.py").write_text("WHERE = 'active'\n", encoding="utf-8")
    links = tmp_path / "links"
    _wheel(links, "rvtiny", "1.0")
    empty = tmp_path / "nowhere"
    empty.mkdir()
    result = ok(run("run", "-q", "--no-index", "-f", str(links), "--with", "rvtiny", "python",
                    "-c", "import activemod, rvtiny; print(activemod.WHERE)",
                    cwd=empty, env={"VIRTUAL_ENV": str(active)}))
    assert result.stdout.strip() == "active"


def test_no_project_with_layers_on_the_directorys_venv(
    run: Runner, project: Path, index_server: IndexServer, tmp_path: Path
) -> None:
    ok(run("sync", "--index-url", index_server.simple_url, cwd=project))
    links = tmp_path / "links"
    _wheel(links, "rvtiny", "1.0")
    result = ok(run("run", "-q", "--no-project", "--no-index", "-f", str(links), "--with",
                    "rvtiny", "python", "-c", "import six, rvtiny; print('both')", cwd=project))
    assert result.stdout.strip() == "both"


def test_with_requirements_file(
    run: Runner, project: Path, index_server: IndexServer, tmp_path: Path
) -> None:
    links = tmp_path / "links"
    _wheel(links, "rvtiny", "1.0")
    (project / "extra.txt").write_text("rvtiny\n", encoding="utf-8")
    result = ok(run("run", "-q", "--index-url", index_server.simple_url, "-f", str(links),
                    "--with-requirements", "extra.txt", "python", "-c",
                    VERSION.format("rvtiny"), cwd=project))
    assert result.stdout.strip() == "1.0"
