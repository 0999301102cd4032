"""A local project whose ``pyproject.toml`` changed since it was installed is built again.

Its installed metadata (``Requires-Dist``, entry points) comes from that file: after ``ferry add
dep`` the project's own ``Requires-Dist`` lacked ``dep`` until something else reinstalled it
(s8 review, projects F7). uv rebuilds on a change of its cache keys; so does ferry.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest
from tests.e2e.seedkit import ok
from tests.e2e.test_run_installs_project_s8d import packaged_project


@pytest.fixture
def project(tmp_path: Path, index_server, run) -> Path:  # type: ignore[no-untyped-def]
    index_server.index.add_wheel("lib", "1.0")
    index_server.index.add_wheel("other", "1.0")
    root = packaged_project(tmp_path, index_server.simple_url, requires=["lib"])
    ok(run("sync", cwd=root))
    return root


def _requires(root: Path) -> str:
    return subprocess.run(
        [str(root / ".venv" / "bin" / "python"), "-c",
         "import importlib.metadata as m; print(sorted(m.requires('app') or []))"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()


def _installed_earlier(root: Path) -> None:
    """As if the install were a while ago (file systems with coarse timestamps)."""
    record = next((root / ".venv").glob("lib/python*/site-packages/app-0.1.0.dist-info/RECORD"))
    earlier = time.time() - 10
    os.utime(record, (earlier, earlier))


def test_add_rebuilds_the_project_with_its_new_requirement(
    project: Path, run  # type: ignore[no-untyped-def]
) -> None:
    assert "other" not in _requires(project)
    # The suite's in-tree backend copies PKG-INFO as the metadata: give it what a real backend
    # would read from the edited pyproject.toml. A build is what brings it in.
    pkg_info = project / "PKG-INFO"
    pkg_info.write_text(pkg_info.read_text().replace("Requires-Dist: lib", "Requires-Dist: lib\n"
                                                     "Requires-Dist: other", 1))
    _installed_earlier(project)
    result = ok(run("add", "other", cwd=project))
    assert " ~ app==0.1.0" in result.stderr
    assert "other" in _requires(project)


def test_an_edit_the_lock_does_not_see_rebuilds_it_once(
    project: Path, run  # type: ignore[no-untyped-def]
) -> None:
    _installed_earlier(project)
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + "\n# a comment, as good as a new entry point\n")
    result = ok(run("sync", cwd=project))
    assert " ~ app==0.1.0" in result.stderr
    again = ok(run("sync", cwd=project, env={"FERRY_NO_FAST_PATH": "1"}))
    assert " ~ " not in again.stderr and " + " not in again.stderr


def test_an_unchanged_project_is_left_alone(project: Path, run) -> None:  # type: ignore[no-untyped-def]
    result = ok(run("sync", cwd=project, env={"FERRY_NO_FAST_PATH": "1"}))
    assert " ~ " not in result.stderr and " + " not in result.stderr
