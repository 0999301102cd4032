"""``ferry tree``: the same drawing as ``uv tree`` on the golden locks, and ``--outdated``.

The matrix runs ferry in-process (fast) against uv as a subprocess on copies of
tests/data/lockfiles; the command-line tests run ferry as the user does.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.support.index import LocalIndex
from tests.support.runner import Runner

from ferry.commands.export import GroupSelection, LockSettings
from ferry.commands.tree import TreeRequest, tree_project
from ferry.model.settings import GlobalOptions

GOLDEN = Path(__file__).resolve().parents[1] / "data" / "lockfiles"
CASES = sorted(p.name for p in GOLDEN.iterdir() if (p / "uv.lock").is_file())
UV = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
needs_uv = pytest.mark.skipif(UV is None, reason="uv is not installed")

# (uv flags, TreeRequest changes)
FLAG_SETS: list[tuple[list[str], dict[str, object]]] = [
    ([], {}),
    (["--invert"], {"invert": True}),
    (["--all-groups", "--depth", "1"], {"all_groups": True, "depth": 1}),
    (["--package", "beta"], {"packages": ("beta",)}),
    (["--invert", "--no-dev"], {"invert": True, "no_dev": True}),
    (["--only-group", "dev"], {"only_groups": ("dev",)}),
    (["--no-dedupe", "--prune", "beta"], {"no_dedupe": True, "prune": ("beta",)}),
    (
        ["--invert", "--depth", "1", "--all-groups"],
        {"invert": True, "depth": 1, "all_groups": True},
    ),
    (["--depth", "0"], {"depth": 0}),
]
_SELECTION = {"all_groups", "no_dev", "only_groups", "groups"}


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One copy of the golden projects and one cache for the whole module: trees only read."""
    root = tmp_path_factory.mktemp("golden")
    for case in CASES:
        shutil.copytree(GOLDEN / case, root / case)
    return root


def uv_tree(project: Path, flags: list[str], tmp_path: Path) -> str:
    assert UV is not None
    env = {k: v for k, v in os.environ.items() if not k.startswith(("UV_", "PIP_"))}
    env.update(UV_CACHE_DIR=str(tmp_path / "uv-cache"), UV_PYTHON_DOWNLOADS="never")
    done = subprocess.run(
        [UV, "tree", "--no-config", "--offline", "--frozen", *flags],
        cwd=project,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def ferry_tree(project: Path, changes: dict[str, object], tmp_path: Path) -> str:
    selection = GroupSelection(**{k: v for k, v in changes.items() if k in _SELECTION})  # type: ignore[arg-type]
    rest = {k: v for k, v in changes.items() if k not in _SELECTION}
    request = TreeRequest(
        project=project,
        selection=selection,
        lock=LockSettings(frozen=True),
        **rest,  # type: ignore[arg-type]
    )
    return tree_project(request, GlobalOptions(cache_dir=tmp_path / "ferry-cache")).text


@needs_uv
@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize(
    ("uv_flags", "changes"), FLAG_SETS, ids=lambda v: " ".join(v) if isinstance(v, list) else None
)
def test_universal_tree_matches_uv(
    case: str, uv_flags: list[str], changes: dict[str, object], shared: Path
) -> None:
    project = shared / case
    expected = uv_tree(project, ["--universal", *uv_flags], shared)
    assert ferry_tree(project, {"universal": True, **changes}, shared) == expected


@needs_uv
@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("invert", [False, True])
def test_tree_for_one_interpreter_matches_uv(
    case: str, invert: bool, shared: Path, python_exe: Callable[[str], Path]
) -> None:
    """Markers are evaluated for the interpreter: platform-only packages disappear."""
    python = str(python_exe("3.12"))
    project = shared / case
    flags = ["--python", python] + (["--invert"] if invert else [])
    expected = uv_tree(project, flags, shared)
    assert ferry_tree(project, {"python": python, "invert": invert}, shared) == expected


def test_drawing_of_extras_groups_and_repeats(tmp_path: Path) -> None:
    project = tmp_path / "extras"
    shutil.copytree(GOLDEN / "extras", project)
    assert ferry_tree(project, {"universal": True}, tmp_path) == (
        "extras-demo v1.0.0\n"
        "├── gamma v1.0.0\n"
        "├── wincolor v0.4.6 (extra: cli)\n"
        "├── zeta-pkg v0.1.0 (extra: cli)\n"
        "├── gamma[fast] v1.0.0 (extra: fast)\n"
        "│   └── delta v0.5.0 (extra: fast)\n"
        "└── tzdata v2024.1 (group: dev)\n"
    )
    inverted = ferry_tree(project, {"universal": True, "invert": True}, tmp_path)
    assert inverted.startswith("delta v0.5.0\n└── gamma v1.0.0 (extra: fast)\n")


def _outdated_project(tmp_path: Path, index: LocalIndex) -> Path:
    index.add_wheel("leaf", "1.0.0")
    index.add_wheel("top", "1.0.0", requires=["leaf"])
    project = tmp_path / "outdated"
    project.mkdir()
    (project / "pyproject.toml").write_text(
        '[project]\nname = "outdated"\nversion = "0.1.0"\nrequires-python = ">=3.8"\n'
        'dependencies = ["top"]\n'
    )
    assert UV is not None
    env = {k: v for k, v in os.environ.items() if not k.startswith(("UV_", "PIP_"))}
    env["UV_CACHE_DIR"] = str(tmp_path / "uv-cache")
    done = subprocess.run(
        [UV, "lock", "--no-config", "--index-url", index.file_url],
        cwd=project,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    index.add_wheel("leaf", "1.2.0")
    index.add_wheel("leaf", "2.0rc1")  # a pre-release is not "latest" for a final release
    return project


@needs_uv
def test_outdated_asks_each_packages_index(
    run: Runner, tmp_path: Path, local_index: LocalIndex
) -> None:
    project = _outdated_project(tmp_path, local_index)
    result = run("tree", "--frozen", "--universal", "--outdated", cwd=project)
    assert result.code == 0, result.stderr
    assert result.stdout == (
        "outdated v0.1.0\n└── top v1.0.0\n    └── leaf v1.0.0 (latest: v1.2.0)\n"
    )
    assert result.stderr == ""


def test_frozen_without_a_lock_is_an_error(run: Runner, tmp_path: Path) -> None:
    project = tmp_path / "nolock"
    project.mkdir()
    (project / "pyproject.toml").write_text('[project]\nname = "x"\nversion = "1"\n')
    result = run("tree", "--frozen", cwd=project)
    assert result.code == 1
    assert "Unable to find lockfile at `uv.lock`, but `--frozen` was provided." in result.stderr


def test_locks_first_and_says_so(run: Runner, tmp_path: Path, local_index: LocalIndex) -> None:
    local_index.add_wheel("leaf", "1.0.0")
    project = tmp_path / "fresh"
    project.mkdir()
    (project / "pyproject.toml").write_text(
        '[project]\nname = "fresh"\nversion = "0.1.0"\nrequires-python = ">=3.8"\n'
        'dependencies = ["leaf"]\n'
    )
    result = run("tree", "--universal", "--index-url", local_index.file_url, cwd=project)
    assert result.code == 0, result.stderr
    assert result.stdout == "fresh v0.1.0\n└── leaf v1.0.0\n"
    assert result.stderr.startswith("Resolved 2 packages in ")
    assert (project / "uv.lock").is_file()
