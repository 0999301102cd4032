"""A project whose dependencies only its build backend knows (``setup.py``'s
``install_requires``, ``dynamic = ["dependencies"]``): a change there must be locked, as uv
locks it, not only rebuilt into the environment behind the lock's back (s8 late review L8)."""

from __future__ import annotations

from pathlib import Path

from tests.support.index import IndexServer
from tests.support.runner import Runner

T = "2024-01-01T00:00:00Z"

_BACKEND = '''
import os

REQUIRES = {requires!r}


def get_requires_for_build_wheel(config_settings=None):
    return []


get_requires_for_build_editable = get_requires_for_build_wheel


def prepare_metadata_for_build_wheel(directory, config_settings=None):
    os.makedirs(os.path.join(directory, "proj-0.1.0.dist-info"))
    lines = ["Metadata-Version: 2.2", "Name: proj", "Version: 0.1.0"]
    lines += ["Requires-Dist: " + r for r in REQUIRES]
    with open(os.path.join(directory, "proj-0.1.0.dist-info", "METADATA"), "w") as f:
        f.write("\\n".join(lines) + "\\n")
    return "proj-0.1.0.dist-info"


prepare_metadata_for_build_editable = prepare_metadata_for_build_wheel
'''


def _project(root: Path, requires: list[str]) -> Path:
    (root / "_backend").mkdir(parents=True, exist_ok=True)
    (root / "_backend" / "backend.py").write_text(_BACKEND.format(requires=requires),
                                                  encoding="utf-8")
    (root / "pyproject.toml").write_text(
        '[build-system]\nrequires = []\nbuild-backend = "backend"\nbackend-path = ["_backend"]\n'
        '[project]\nname = "proj"\nversion = "0.1.0"\nrequires-python = ">=3.10"\n'
        'dynamic = ["dependencies"]\n', encoding="utf-8")
    return root


def test_a_changed_dynamic_dependency_is_locked(
    run: Runner, tmp_path: Path, index_server: IndexServer
) -> None:
    for name in ("a", "c"):
        index_server.index.add_wheel(name, "1.0", upload_time=T)
    project = _project(tmp_path / "p", ["a"])
    url = index_server.simple_url
    assert run("lock", "--index-url", url, cwd=project).code == 0
    assert 'name = "c"' not in (project / "uv.lock").read_text(encoding="utf-8")

    _project(project, ["a", "c"])  # what setup.py's install_requires gaining `c` amounts to
    locked = run("lock", "--locked", "--index-url", url, cwd=project)
    assert locked.code == 1
    assert "The requirements of `proj` changed: `c` is new" in locked.stderr
    assert run("lock", "--index-url", url, cwd=project).code == 0
    text = (project / "uv.lock").read_text(encoding="utf-8")
    assert 'name = "c"' in text
    assert '{ name = "c" }' in text.split("[package.metadata]")[-1]


def test_an_unchanged_dynamic_project_reuses_its_prepared_metadata(
    run: Runner, tmp_path: Path, index_server: IndexServer
) -> None:
    """The staleness check builds the metadata once per tree: neither a sync's own record
    (``.ferry/``) nor a second run builds again."""
    index_server.index.add_wheel("a", "1.0", upload_time=T)
    project = _project(tmp_path / "p", ["a"])
    url = index_server.simple_url
    synced = run("sync", "--no-install-project", "--index-url", url, cwd=project)
    assert synced.code == 0, synced.stderr
    again = run("sync", "--no-install-project", "-v", "--index-url", url, cwd=project,
                env={"FERRY_NO_FAST_PATH": "1"})
    assert again.code == 0, again.stderr
    assert "prepared earlier" in again.stderr
    assert "Running `prepare_metadata" not in again.stderr
    assert "locking because" not in again.stderr
