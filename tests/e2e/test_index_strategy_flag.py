"""``--index-strategy`` on the project commands overrides ``[tool.uv] index-strategy`` for the
resolution, and only for it: whether a lock is fresh does not depend on the strategy (uv 0.13.8:
``uv lock --locked --index-strategy unsafe-best-match`` passes after a first-index lock, and a
plain ``uv lock`` keeps a lock made with another strategy).

Two loopback indexes: ``first`` (a project index, searched first) has pkg 1.0, ``second`` (the
default) has pkg 2.0; first-index takes 1.0, unsafe-best-match 2.0.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.support.index import IndexServer, LocalIndex
from tests.support.peers import find_uv
from tests.support.runner import Result, Runner

UV = find_uv()
T = "2024-01-01T00:00:00Z"
FULL = {"FERRY_NO_FAST_PATH": "1"}
BEST = ("--index-strategy", "unsafe-best-match")


@pytest.fixture
def indexes(tmp_path: Path) -> Iterator[tuple[IndexServer, IndexServer]]:
    first, second = LocalIndex(tmp_path / "first"), LocalIndex(tmp_path / "second")
    first.add_wheel("pkg", "1.0", upload_time=T)
    second.add_wheel("pkg", "2.0", upload_time=T)
    second.add_wheel("other", "1.0", upload_time=T)
    with IndexServer(first) as a, IndexServer(second) as b:
        yield a, b


def _project(
    directory: Path, indexes: tuple[IndexServer, IndexServer], *,
    dependencies: str = '"pkg"', strategy: str | None = None,
) -> Path:
    first, second = indexes
    directory.mkdir()
    setting = f'index-strategy = "{strategy}"\n' if strategy else ""
    (directory / "pyproject.toml").write_text(
        '[project]\nname = "proj"\nversion = "0.1"\nrequires-python = ">=3.11"\n'
        f"dependencies = [{dependencies}]\n\n[tool.uv]\n{setting}\n"
        f'[[tool.uv.index]]\nname = "a"\nurl = "{first.simple_url}"\n\n'
        f'[[tool.uv.index]]\nname = "b"\nurl = "{second.simple_url}"\ndefault = true\n',
        encoding="utf-8",
    )
    return directory


def _locked(project: Path) -> dict[str, str]:
    lock = tomllib.loads((project / "uv.lock").read_text(encoding="utf-8"))
    return {p["name"]: p["version"] for p in lock["package"] if p["name"] != "proj"}


def _timeless(result: Result) -> tuple[int, str, str]:
    return result.code, result.stdout, re.sub(r"in \d+(\.\d+)?m?s", "in T", result.stderr)


def test_the_flag_overrides_the_project_setting_and_staleness_ignores_it(
    run: Runner, indexes: tuple[IndexServer, IndexServer], tmp_path: Path
) -> None:
    project = _project(tmp_path / "p", indexes)
    assert run("lock", "-p", sys.executable, cwd=project).code == 0
    assert _locked(project) == {"pkg": "1.0"}
    first_index_lock = (project / "uv.lock").read_bytes()
    # a fresh lock stays as it is, whatever the strategy: as uv
    for args in (("--locked", *BEST), BEST):
        result = run("lock", *args, "-p", sys.executable, cwd=project)
        assert result.code == 0, result.stderr
        assert (project / "uv.lock").read_bytes() == first_index_lock
    upgraded = run("lock", "-U", *BEST, "-p", sys.executable, cwd=project)
    assert upgraded.code == 0, upgraded.stderr
    assert "Updated pkg v1.0 -> v2.0" in upgraded.stderr
    assert _locked(project) == {"pkg": "2.0"}
    assert run("lock", "--locked", "-p", sys.executable, cwd=project).code == 0

    setting = _project(tmp_path / "q", indexes, strategy="unsafe-best-match")
    assert run("lock", "-p", sys.executable, cwd=setting).code == 0
    assert _locked(setting) == {"pkg": "2.0"}
    (setting / "uv.lock").unlink()
    assert run("lock", "--index-strategy", "first-index", "-p", sys.executable,
               cwd=setting).code == 0
    assert _locked(setting) == {"pkg": "1.0"}


def test_the_lock_is_uvs(
    run: Runner, indexes: tuple[IndexServer, IndexServer], tmp_path: Path
) -> None:
    if UV is None:
        pytest.skip("uv is not installed")
    ours = _project(tmp_path / "ferry", indexes)
    assert run("lock", *BEST, "-p", sys.executable, cwd=ours).code == 0
    twin = _project(tmp_path / "uv", indexes)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("UV_", "PIP_", "FERRY_", "VIRTUAL_ENV"))}
    env.update(UV_CACHE_DIR=str(tmp_path / "uv-cache"), UV_PYTHON_DOWNLOADS="never",
               HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / "config"))
    done = subprocess.run([UV, "lock", "-q", *BEST, "-p", sys.executable], cwd=twin, env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert (twin / "uv.lock").read_text() == (ours / "uv.lock").read_text()


def test_lean_and_full_lock_agree(
    run: Runner, indexes: tuple[IndexServer, IndexServer], tmp_path: Path
) -> None:
    project = _project(tmp_path / "p", indexes)
    lean = run("lock", "--index-strategy=unsafe-best-match", "-p", sys.executable, cwd=project)
    written = (project / "uv.lock").read_bytes()
    (project / "uv.lock").unlink()
    full = run("lock", "--index-strategy=unsafe-best-match", "-p", sys.executable, cwd=project,
               env=FULL)
    assert _timeless(lean) == _timeless(full)
    assert (project / "uv.lock").read_bytes() == written
    assert _locked(project) == {"pkg": "2.0"}
    bad_lean = run("lock", "--index-strategy", "best", cwd=project)
    bad_full = run("lock", "--index-strategy", "best", cwd=project, env=FULL)
    assert bad_lean.code == 2 and "best" in bad_lean.stderr
    assert _timeless(bad_lean) == _timeless(bad_full)


@pytest.mark.parametrize(
    ("args", "dependencies"),
    [
        (("sync",), '"pkg"'),
        (("run", *BEST, "python", "-c", "pass"), '"pkg"'),
        (("add", "pkg"), ""),
        (("remove", "other"), '"pkg", "other"'),
        (("version", "--bump", "patch"), '"pkg"'),
        (("export", "--no-header"), '"pkg"'),
        (("tree",), '"pkg"'),
    ],
    ids=lambda value: value[0] if isinstance(value, tuple) else None,
)
def test_each_project_command_locks_with_the_flag(
    run: Runner, indexes: tuple[IndexServer, IndexServer], tmp_path: Path,
    args: tuple[str, ...], dependencies: str,
) -> None:
    project = _project(tmp_path / "p", indexes, dependencies=dependencies)
    command, rest = args[0], args[1:]
    if command != "run":
        rest = (*rest, *BEST)
    result = run(command, "-p", sys.executable, *rest, cwd=project)
    assert result.code == 0, result.stderr
    assert _locked(project)["pkg"] == "2.0"
