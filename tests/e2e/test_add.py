"""``ferry add`` end to end: the edit, the bound, the lock, the sync — and nothing left behind
when it fails. Packages come from a file:// index built in tmp_path."""

from __future__ import annotations

import subprocess
import sys
import tarfile
import tomllib
from pathlib import Path
from typing import Any

import pytest
from tests.support.index import LocalIndex
from tests.support.runner import Runner, ferry_env

PYPROJECT = """\
# The demo project.
[project]
name = "demo"
version = "0.1.0"
requires-python = ">=3.8"
dependencies = []  # nothing yet

[tool.black]
line-length = 99
"""


@pytest.fixture
def index(local_index: LocalIndex) -> LocalIndex:
    local_index.add_wheel("leaf", "1.0.0")
    local_index.add_wheel("leaf", "1.4.2")
    local_index.add_wheel("top", "0.3.1", requires=["leaf>=1.0"])
    local_index.add_wheel("tool", "2.0.0", extras={"cli": ["leaf"]})
    return local_index


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "demo"
    root.mkdir()
    (root / "pyproject.toml").write_text(PYPROJECT)
    return root


def add(run: Runner, project: Path, index: LocalIndex, *args: str):  # type: ignore[no-untyped-def]
    return run("add", "--index-url", index.file_url, *args, cwd=project)


def data(project: Path) -> dict[str, object]:
    return tomllib.loads((project / "pyproject.toml").read_text())


def installed(project: Path) -> set[str]:
    site = next((project / ".venv" / "lib").glob("python3*/site-packages"))
    return {p.name.removesuffix(".dist-info").replace("-", "==") for p in site.glob("*.dist-info")}


def test_add_writes_the_locked_version_as_a_bound_then_locks_and_syncs(
    run: Runner, project: Path, index: LocalIndex
) -> None:
    result = add(run, project, index, "top")
    assert result.code == 0, result.stderr
    text = (project / "pyproject.toml").read_text()
    assert text == PYPROJECT.replace(
        "dependencies = []  # nothing yet", 'dependencies = [\n    "top>=0.3.1",\n]  # nothing yet'
    )
    lock = (project / "uv.lock").read_text()
    assert 'name = "top"\nversion = "0.3.1"' in lock
    assert '{ name = "top", specifier = ">=0.3.1" }' in lock  # the second lock saw the bound
    assert installed(project) == {"top==0.3.1", "leaf==1.4.2"}
    lines = result.stderr.splitlines()
    assert lines[0] == (  # as uv says it
        "warning: Indexes specified via `--index-url` will not be persisted to the "
        "`pyproject.toml` file; use `--default-index` instead."
    )
    # uv creates the environment before it locks (s9 review F21)
    assert lines[1].startswith("Using CPython ")
    assert lines[2] == "Creating virtual environment at: .venv"
    assert lines[3].startswith("Resolved 3 packages in ")
    assert lines[-2:] == [" + leaf==1.4.2", " + top==0.3.1"]


@pytest.mark.parametrize(
    ("flags", "written"),
    [
        (["--bounds", "major"], "leaf>=1.4.2,<2.0.0"),
        (["--bounds", "minor"], "leaf>=1.4.2,<1.5.0"),
        (["--bounds", "exact"], "leaf==1.4.2"),
        (["--raw"], "leaf"),
    ],
)
def test_bounds(
    run: Runner, project: Path, index: LocalIndex, flags: list[str], written: str
) -> None:
    result = add(run, project, index, "leaf", "--no-sync", *flags)
    assert result.code == 0, result.stderr
    assert data(project)["project"]["dependencies"] == [written]  # type: ignore[index]


def test_a_given_version_is_kept_as_written(run: Runner, project: Path, index: LocalIndex) -> None:
    result = add(run, project, index, "leaf>=1.0,<1.2", "--no-sync")
    assert result.code == 0, result.stderr
    assert data(project)["project"]["dependencies"] == ["leaf>=1.0,<1.2"]  # type: ignore[index]
    assert 'name = "leaf"\nversion = "1.0.0"' in (project / "uv.lock").read_text()
    assert not (project / ".venv").exists()  # --no-sync


def test_groups_extras_and_dev(run: Runner, project: Path, index: LocalIndex) -> None:
    assert add(run, project, index, "--dev", "leaf").code == 0
    assert add(run, project, index, "--group", "lint", "top", "--no-sync").code == 0
    assert add(run, project, index, "--optional", "cli", "tool[cli]", "--no-sync").code == 0
    content = data(project)
    assert content["dependency-groups"] == {"dev": ["leaf>=1.4.2"], "lint": ["top>=0.3.1"]}
    assert content["project"]["optional-dependencies"] == {"cli": ["tool[cli]>=2.0.0"]}  # type: ignore[index]
    assert "leaf==1.4.2" in installed(project)  # dev is a default group


def test_unknown_package_leaves_pyproject_and_lock_byte_for_byte(
    run: Runner, project: Path, index: LocalIndex
) -> None:
    assert add(run, project, index, "leaf", "--no-sync").code == 0
    before = {name: (project / name).read_bytes() for name in ("pyproject.toml", "uv.lock")}
    result = add(run, project, index, "no-such-package")
    assert result.code == 1
    assert "no-such-package" in result.stderr
    assert "Traceback" not in result.stderr
    assert {name: (project / name).read_bytes() for name in before} == before


def test_unsatisfiable_leaves_everything_as_it_was(
    run: Runner, project: Path, index: LocalIndex
) -> None:
    before = (project / "pyproject.toml").read_bytes()
    result = add(run, project, index, "leaf>=9")
    assert result.code == 1
    assert (project / "pyproject.toml").read_bytes() == before
    assert not (project / "uv.lock").exists()


def test_frozen_edits_only(run: Runner, project: Path, index: LocalIndex) -> None:
    result = run(
        "add", "--frozen", "top", "other @ https://example.invalid/other-1.0.tar.gz", cwd=project
    )
    assert result.code == 0, result.stderr
    assert result.stderr == ""
    content = data(project)
    assert content["project"]["dependencies"] == ["other", "top"]  # type: ignore[index]
    assert content["tool"]["uv"]["sources"] == {  # type: ignore[index]
        "other": {"url": "https://example.invalid/other-1.0.tar.gz"}
    }
    assert not (project / "uv.lock").exists()
    assert not (project / ".venv").exists()
    assert (project / ".ferry" / ".gitignore").read_text() == "*\n"


def test_local_directory_becomes_a_path_source(run: Runner, project: Path, tmp_path: Path) -> None:
    helper = tmp_path / "helper"
    helper.mkdir()
    (helper / "pyproject.toml").write_text('[project]\nname = "Helper_Lib"\nversion = "1.0"\n')
    result = run("add", "--frozen", "--editable", "../helper", cwd=project)
    assert result.code == 0, result.stderr
    content = data(project)
    assert content["project"]["dependencies"] == ["helper-lib"]  # type: ignore[index]
    assert content["tool"]["uv"]["sources"] == {  # type: ignore[index]
        "helper-lib": {"path": "../helper", "editable": True}
    }
    missing = run("add", "--frozen", "./nowhere", cwd=project)
    assert missing.code == 1
    assert "Distribution not found at" in missing.stderr


def test_named_index_is_recorded_and_pins_the_package(
    run: Runner, project: Path, index: LocalIndex
) -> None:
    result = run("add", "--index", f"mirror={index.file_url}", "leaf", "--no-sync", cwd=project)
    assert result.code == 0, result.stderr
    content = data(project)
    # uv writes a `file://` index as its path (s15)
    written = index.file_url.removeprefix("file://")
    assert content["tool"]["uv"]["index"] == [{"name": "mirror", "url": written}]  # type: ignore[index]
    assert content["tool"]["uv"]["sources"] == {"leaf": {"index": "mirror"}}  # type: ignore[index]
    assert content["project"]["dependencies"] == ["leaf>=1.4.2"]  # type: ignore[index]


def test_concurrent_edits_are_serialised(project: Path, isolated_env: Path) -> None:
    """Two `ferry add` at once: the project lock makes the second see the first's edit."""
    names = [f"pkg{i}" for i in range(6)]
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "ferry", "add", "--frozen", name],
            cwd=project,
            env=ferry_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for name in names
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
    assert sorted(data(project)["project"]["dependencies"]) == names  # type: ignore[index]


def test_usage_errors(run: Runner, project: Path) -> None:
    both = run("add", "--dev", "--group", "x", "leaf", "--frozen", cwd=project)
    assert both.code == 1
    assert "only one of `--dev`, `--group` and `--optional`" in both.stderr
    editable = run("add", "--frozen", "--editable", "leaf", cwd=project)
    assert editable.code == 1
    assert "`--editable` needs a local directory" in editable.stderr
    # A git URL without a name is fetched to read its name (as uv): here it cannot be.
    nameless = run("add", "--frozen", "git+https://example.invalid/repo.git", cwd=project)
    assert nameless.code == 2
    assert "Failed to fetch `https://example.invalid/repo.git`" in nameless.stderr


def test_editable_directory_is_locked_and_installed_editable(
    run: Runner, project: Path, index: LocalIndex, tmp_path: Path, make_sdist: Any
) -> None:
    sdist = make_sdist("helper-lib", "1.0", directory=tmp_path / "sdists")
    with tarfile.open(sdist) as archive:
        archive.extractall(tmp_path, filter="data")
    result = add(run, project, index, "--editable", "../helper_lib-1.0")
    assert result.code == 0, result.stderr
    assert data(project)["tool"]["uv"]["sources"] == {  # type: ignore[index]
        "helper-lib": {"path": "../helper_lib-1.0", "editable": True}
    }
    assert 'source = { editable = "../helper_lib-1.0" }' in (project / "uv.lock").read_text()
    assert result.stderr.splitlines()[-1].startswith(" + helper-lib==1.0 (from file://")
    site = next((project / ".venv" / "lib").glob("python3*/site-packages"))
    assert list(site.glob("*.pth"))  # editable: a path hook, not a copy
