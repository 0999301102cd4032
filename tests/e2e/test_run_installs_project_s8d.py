"""`ferry run` after `sync --no-install-project` installs the project (s8 F7).

`run` reuses what the environment was last synced with (extras, groups: seed uv#14610), but the
flags that leave the project out or install it otherwise (`--no-install-project`,
`--no-install-workspace`, `--no-editable`) shape one sync, such as a Docker dependencies layer;
remembered, they left every later `run` without the project, silently. uv's `run` installs it.
"""

from __future__ import annotations

import tarfile
from pathlib import Path
from typing import Any

import pytest
from tests.e2e.seedkit import installed, ok
from tests.support.sdists import make_sdist

IMPORT = ("python", "-c", "import app, lib; print(app.__name__, lib.__name__)")


def packaged_project(tmp_path: Path, index_url: str, **sdist: Any) -> Path:
    """The source tree of a `make_sdist` project (offline in-tree backend; ``sdist``: its
    arguments) whose default index is ``index_url``."""
    made = make_sdist(tmp_path / "made", "app", "0.1.0", requires_python=">=3.9", **sdist)
    with tarfile.open(made) as archive:
        archive.extractall(tmp_path / "src", filter="data")
    root = tmp_path / "src" / "app-0.1.0"
    pyproject = root / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text() + f'\n[[tool.uv.index]]\nurl = "{index_url}"\ndefault = true\n',
        encoding="utf-8",
    )
    return root


@pytest.fixture
def project(tmp_path: Path, index_server, run) -> Path:  # type: ignore[no-untyped-def]
    """A packaged project with an extra, locked by ferry."""
    index_server.index.add_wheel("lib", "1.0")
    index_server.index.add_wheel("extra-lib", "1.0")
    root = packaged_project(tmp_path, index_server.simple_url, requires=["lib"],
                            extras={"more": ["extra-lib"]})
    ok(run("lock", cwd=root))
    return root


@pytest.mark.parametrize("flag", ["--no-install-project", "--no-install-workspace"])
def test_run_installs_the_project_left_out_by_the_last_sync(
    project: Path, run, flag: str  # type: ignore[no-untyped-def]
) -> None:
    ok(run("sync", "--frozen", flag, cwd=project))
    assert "app" not in installed(project / ".venv")
    result = ok(run("run", "--frozen", *IMPORT, cwd=project))
    assert result.stdout.strip() == "app lib"
    assert " + app==0.1.0" in result.stderr
    assert "--no-sync" in result.stderr  # the change is announced, with the way to avoid it
    assert "app" in installed(project / ".venv")
    again = ok(run("run", "--frozen", *IMPORT, cwd=project))
    assert " + " not in again.stderr and " - " not in again.stderr


def test_the_extras_stay_remembered(project: Path, run) -> None:  # type: ignore[no-untyped-def]
    ok(run("sync", "--frozen", "--no-install-project", "--extra", "more", cwd=project))
    result = ok(run("run", "--frozen", *IMPORT, cwd=project))
    assert result.stdout.strip() == "app lib"
    assert installed(project / ".venv").keys() >= {"app", "lib", "extra-lib"}
    assert " - extra-lib" not in result.stderr


def test_run_given_the_flag_keeps_the_project_out_and_the_extras_in(
    project: Path, run  # type: ignore[no-untyped-def]
) -> None:
    ok(run("sync", "--frozen", "--no-install-project", "--extra", "more", cwd=project))
    result = ok(run("run", "--frozen", "--no-install-project", "python", "-c",
                    "import lib, extra_lib", cwd=project))
    assert " + app" not in result.stderr and " - extra-lib" not in result.stderr
    assert installed(project / ".venv").keys() == {"lib", "extra-lib"}


def test_add_installs_the_project_left_out_by_the_last_sync(
    project: Path, index_server, run  # type: ignore[no-untyped-def]
) -> None:
    """``add``/``remove`` sync with the remembered extras too, and, like ``run``, without the
    layering flag of the last sync: the project is installed, as uv's ``add`` does."""
    index_server.index.add_wheel("other", "1.0")
    ok(run("sync", "--frozen", "--no-install-project", "--extra", "more", cwd=project))
    result = ok(run("add", "other", cwd=project))
    assert " + app==0.1.0" in result.stderr
    assert installed(project / ".venv").keys() >= {"app", "lib", "extra-lib", "other"}
