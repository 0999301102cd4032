"""RELIABILITY.md section F: interruption and crashes.

Signals are real (``SIGINT``/``SIGKILL`` to a ferry subprocess); where the row names an exact
moment ("after k of n files are linked", "during extraction") the subprocess arms a fault at
that step (``tests/reliability/inject.py``) so the moment is hit every time, not by luck.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.reliability.conftest import Spawner, needs
from tests.reliability.inject import fault_env
from tests.reliability.invariants import (
    EXIT_INTERRUPTED,
    EXIT_SURROUNDINGS,
    Guard,
)
from tests.reliability.test_e_concurrency import _wait_for, release_delays, verify_records
from tests.support.index import IndexServer, LocalIndex
from tests.support.runner import Result, Runner

MakeGuard = Callable[..., Guard]
Install = Callable[..., Result]
SIGKILLED = -signal.SIGKILL


def _files(count: int, prefix: str = "victim", version: str = "1.0") -> dict[str, str]:
    files = {f"{prefix}/__init__.py": f'__version__ = "{version}"\n'}
    files.update({f"{prefix}/m{i:02d}.py": f"N = {i}  # {version}\n" for i in range(count)})
    return files


def _site(venv: Path) -> Path:
    return next(venv.glob("lib/python*/site-packages"))


def _leftovers(venv: Path) -> list[str]:
    return [p.name for p in _site(venv).iterdir() if p.name.startswith(".ferry-")]


def _install_args(venv: Path, index: str, *names: str) -> list[str]:
    return ["pip", "install", "-p", str(venv), "--index-url", index, *names]


def test_F1_sigint_during_download(
    venv: Path, spawn: Spawner, index_server: IndexServer, guard: MakeGuard, run: Runner,
) -> None:
    entry = index_server.index.add_wheel(
        "victim", "1.0", files={"victim/big.bin": os.urandom(60000)}
    )
    index_server.delay(f"/files/{entry.filename}", 120, after_bytes=2000)
    g = guard(venv=venv)
    proc = spawn(*_install_args(venv, index_server.simple_url, "victim"))
    _wait_for(lambda: bool(index_server.file_downloads(entry.filename)))
    time.sleep(0.2)  # some bytes are in the temporary file
    proc.send_signal(signal.SIGINT)
    started = time.monotonic()
    result = spawn.finish(proc, timeout=30)
    assert time.monotonic() - started < 10, "^C waited for the stalled download"
    g.failed(result, code=EXIT_INTERRUPTED, mentions=("interrupted",))
    release_delays(index_server)
    g.recovered(run(*_install_args(venv, index_server.simple_url, "victim")))
    assert verify_records(venv) == {"victim": "1.0"}
    tmp = run.default_cwd / "cache" / ".tmp"
    assert run("cache", "prune").code == 0
    assert not tmp.exists() or not any(
        p for p in tmp.iterdir() if time.time() - p.stat().st_mtime > 3600
    )


def test_F2_sigkill_during_extraction_into_the_cache(
    venv: Path, spawn: Spawner, local_index: LocalIndex, guard: MakeGuard, run: Runner,
    tmp_cache: Path,
) -> None:
    entry = local_index.add_wheel("victim", "1.0", files=_files(10))
    g = guard(venv=venv)
    result = spawn.run(*_install_args(venv, local_index.file_url, "victim"),
                       fault=fault_env("extract", 4, "kill"))
    assert result.code == SIGKILLED, result.output
    archive = tmp_cache / "archives-v1" / entry.sha256
    assert not archive.exists(), "a half-built archive is visible under its digest"
    g.assert_env_unchanged()
    g.assert_cache_consistent()
    g.recovered(run(*_install_args(venv, local_index.file_url, "victim")))
    assert (archive / ".ferry-manifest.json").is_file()
    assert verify_records(venv) == {"victim": "1.0"}


def test_F3_exception_after_k_of_n_files_rolls_back(
    venv: Path, spawn: Spawner, local_index: LocalIndex, guard: MakeGuard, run: Runner,
) -> None:
    local_index.add_wheel("base", "1.0")
    assert run(*_install_args(venv, local_index.file_url, "base")).code == 0
    local_index.add_wheel("victim", "1.0", files=_files(12),
                          entry_points={"console_scripts": {"victim-tool": "victim:main"}})
    g = guard(venv=venv)
    result = spawn.run(*_install_args(venv, local_index.file_url, "victim"),
                       fault=fault_env("link", 6, "oserror", errno="EIO"))
    g.failed(result, code=EXIT_SURROUNDINGS, mentions=("Input/output error", "victim"))
    assert not _leftovers(venv), "the stash or a temporary directory was left behind"
    g.recovered(run(*_install_args(venv, local_index.file_url, "victim")))


def test_F4_sigkill_after_k_of_n_files_linked(
    venv: Path, spawn: Spawner, local_index: LocalIndex, run: Runner, guard: MakeGuard,
) -> None:
    local_index.add_wheel("victim", "1.0", files=_files(12))
    g = guard(venv=venv)
    result = spawn.run(*_install_args(venv, local_index.file_url, "victim"),
                       fault=fault_env("link", 7, "kill"))
    assert result.code == SIGKILLED, result.output
    listed = run("pip", "list", "-p", str(venv), "--format", "freeze")
    assert listed.code == 0 and "victim" not in listed.stdout, "listed although half-installed"
    assert not list(_site(venv).glob("victim*.dist-info"))
    g.assert_cache_consistent()
    g.recovered(run(*_install_args(venv, local_index.file_url, "victim")))
    assert verify_records(venv) == {"victim": "1.0"}
    assert not _leftovers(venv), "crash leftovers were not cleaned"


def test_F5_failed_upgrade_restores_the_old_version(
    venv: Path, spawn: Spawner, local_index: LocalIndex, guard: MakeGuard, run: Runner,
) -> None:
    local_index.add_wheel("victim", "1.0", files=_files(10, version="1.0"))
    assert run(*_install_args(venv, local_index.file_url, "victim==1.0")).code == 0
    local_index.add_wheel("victim", "2.0", files=_files(10, version="2.0"))
    g = guard(venv=venv)
    result = spawn.run(*_install_args(venv, local_index.file_url, "victim==2.0"),
                       fault=fault_env("link", 5, "oserror", errno="ENOSPC"))
    g.failed(result, code=EXIT_SURROUNDINGS, mentions=("No space left on device",))
    imported = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import victim; print(victim.__version__)"],
        capture_output=True, text=True, check=True,
    )
    assert imported.stdout.strip() == "1.0"
    assert not _leftovers(venv)
    g.recovered(run(*_install_args(venv, local_index.file_url, "victim==2.0")))
    assert verify_records(venv) == {"victim": "2.0"}


def test_F6_sigint_during_venv_creation(
    tmp_path: Path, spawn: Spawner, run: Runner,
) -> None:
    target = tmp_path / "made"
    result = spawn.run("venv", str(target), "-p", sys.executable,
                       fault=fault_env("venv", 0, "interrupt"))
    assert result.code == EXIT_INTERRUPTED, result.output
    assert "Traceback" not in result.output
    # no half environment: either nothing, or a complete one the next run accepts
    assert not target.exists() or (target / "pyvenv.cfg").is_file()
    hidden = [p.name for p in tmp_path.iterdir() if p.name.startswith(".made.")]
    assert not hidden, f"staging directories left behind: {hidden}"
    again = run("venv", str(target), "-p", sys.executable, "--clear")
    assert again.code == 0, again.output
    python = target / "bin" / "python"
    assert subprocess.run([str(python), "-c", "import sys; print(sys.prefix)"],
                          capture_output=True, text=True, check=True).stdout.strip() == str(target)


@needs("lock")
def test_F7_sigkill_during_lockfile_write(
    tmp_path: Path, spawn: Spawner, local_index: LocalIndex, run: Runner,
) -> None:
    local_index.add_wheel("alpha", "1.0")
    local_index.add_wheel("beta", "1.0")
    project = tmp_path / "proj"
    project.mkdir()
    pyproject = project / "pyproject.toml"
    template = ('[project]\nname = "proj"\nversion = "0.1.0"\nrequires-python = ">=3.8"\n'
                "dependencies = {deps}\n")
    pyproject.write_text(template.format(deps='["alpha"]'))
    env = {"FERRY_INDEX_URL": local_index.file_url, "FERRY_PYTHON": sys.executable}
    assert run("lock", cwd=project, env=env).code == 0
    lock = project / "uv.lock"
    old = lock.read_bytes()
    pyproject.write_text(template.format(deps='["alpha", "beta"]'))
    result = spawn.run("lock", env=env, cwd=project, fault=fault_env("write", 0, "kill"))
    assert result.code == SIGKILLED, result.output
    assert lock.read_bytes() == old, "the lockfile was truncated or half-written"
    assert run("lock", cwd=project, env=env).code == 0
    assert 'name = "beta"' in lock.read_text()


@needs("add")
def test_F7_sigkill_during_pyproject_write(
    tmp_path: Path, spawn: Spawner, local_index: LocalIndex, run: Runner,
) -> None:
    local_index.add_wheel("alpha", "1.0")
    project = tmp_path / "proj"
    project.mkdir()
    pyproject = project / "pyproject.toml"
    pyproject.write_text('[project]\nname = "proj"\nversion = "0.1.0"\n'
                         'requires-python = ">=3.8"\ndependencies = []\n')
    old = pyproject.read_bytes()
    env = {"FERRY_INDEX_URL": local_index.file_url, "FERRY_PYTHON": sys.executable}
    result = spawn.run("add", "--frozen", "alpha", env=env, cwd=project,
                       fault=fault_env("write", 0, "kill"))
    assert result.code == SIGKILLED, result.output
    assert pyproject.read_bytes() == old, "pyproject.toml was truncated or half-written"
    again = run("add", "alpha", cwd=project, env=env)
    assert again.code == 0, again.output
    assert "alpha" in pyproject.read_text()


@pytest.mark.stress
@pytest.mark.parametrize("k", range(0, 14, 3))
def test_F4_stress_sigkill_at_every_step(
    venv: Path, spawn: Spawner, local_index: LocalIndex, run: Runner, k: int,
) -> None:
    local_index.add_wheel("victim", "1.0", files=_files(12))
    spawn.run(*_install_args(venv, local_index.file_url, "victim"),
              fault=fault_env("link", k, "kill"))
    listed = run("pip", "list", "-p", str(venv), "--format", "freeze").stdout
    assert "victim" not in listed or verify_records(venv) == {"victim": "1.0"}
    assert run(*_install_args(venv, local_index.file_url, "victim")).code == 0
    assert verify_records(venv) == {"victim": "1.0"}
    assert not _leftovers(venv)
