"""s8 review fixes, end to end: a damaged ``uv.lock`` is never replaced without a word by any
command that locks (F-A3a); a registry package without ``version`` is refused by every mode
that reads the lock as it is (F-A3b); under ``sync`` the hash-mismatch hint names the lockfile as
the hash's origin (N-C1); ^C during a stalled download leaves no temporary file (N-F1)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.support.index import IndexServer, LocalIndex
from tests.support.runner import Result, Runner, ferry_env

PYPROJECT = """\
[project]
name = "proj"
version = "0.1.0"
requires-python = ">=3.8"
dependencies = ["alpha"]
"""

DAMAGE = {
    "garbage": lambda text: "\x00\x01 this is not toml ]]]\n",
    "duplicate-package": lambda text: text + text[text.index("[[package]]"):],
}

Prun = Callable[..., Result]


def _project(tmp_path: Path, index: LocalIndex) -> Path:
    index.add_wheel("alpha", "1.0", requires=["beta"])
    index.add_wheel("beta", "1.0")
    root = tmp_path / "proj"
    root.mkdir()
    (root / "pyproject.toml").write_text(PYPROJECT)
    return root


@pytest.fixture
def project(tmp_path: Path, local_index: LocalIndex) -> Path:
    return _project(tmp_path, local_index)


@pytest.fixture
def prun(run: Runner, project: Path, local_index: LocalIndex) -> Prun:
    def go(*args: str) -> Result:
        env = {"FERRY_INDEX_URL": local_index.file_url, "FERRY_PYTHON": sys.executable}
        return run(*args, cwd=project, env=env)

    return go


@pytest.mark.parametrize("damage", sorted(DAMAGE))
@pytest.mark.parametrize("command", ["lock", "sync"])
def test_a_damaged_lock_is_replaced_with_a_warning(
    project: Path, prun: Prun, command: str, damage: str
) -> None:
    assert prun("lock").code == 0
    lock = project / "uv.lock"
    good = lock.read_text()
    lock.write_text(DAMAGE[damage](good))
    result = prun(command)
    assert result.code == 0, result.stderr
    assert "Ignoring the existing lockfile `uv.lock`, which cannot be read (" in result.stderr
    reason = "TOML syntax error" if damage == "garbage" else "duplicate package `alpha==1.0`"
    assert reason in result.stderr
    assert "to replace it" in result.stderr
    assert result.stderr.count("Ignoring the existing lockfile") == 1  # printed once
    assert lock.read_text() == good
    assert prun(command, "-q").stderr == ""  # and nothing once it is readable again


def test_quiet_keeps_the_warning_out(project: Path, prun: Prun) -> None:
    assert prun("lock").code == 0
    (project / "uv.lock").write_text("garbage ]]]\n")
    result = prun("sync", "-q")
    assert result.code == 0 and "Ignoring" not in result.stderr


def test_a_registry_package_without_version_is_refused(project: Path, prun: Prun) -> None:
    assert prun("lock").code == 0
    lock = project / "uv.lock"
    damaged = re.sub(r'(name = "beta"\n)version = "1\.0"\n', r"\1", lock.read_text())
    assert 'name = "beta"\nsource' in damaged
    lock.write_text(damaged)
    for args in (("lock", "--locked"), ("sync", "--frozen"), ("export", "--frozen"),
                 ("sync", "--locked")):
        result = prun(*args)
        assert result.code == 1, (args, result.output)
        assert "Failed to parse `uv.lock`" in result.stderr, args
        assert "package `beta` from a registry source has a missing `version` field" in (
            result.stderr), args
        assert "==None" not in result.stdout and "cache is damaged" not in result.stderr
    assert lock.read_text() == damaged
    assert not list(project.glob(".venv/lib/*/site-packages/beta*"))


def test_sync_hash_mismatch_hint_names_the_lockfile(
    tmp_path: Path, run: Runner, index_server: IndexServer, tmp_cache: Path
) -> None:
    project = _project(tmp_path, index_server.index)
    env = {"FERRY_INDEX_URL": index_server.simple_url, "FERRY_PYTHON": sys.executable}
    assert run("lock", cwd=project, env=env).code == 0
    assert run("cache", "clean", cwd=project, env=env).code == 0
    index_server.tamper("beta-1.0-py3-none-any.whl")
    result = run("sync", cwd=project, env=env)
    assert result.code == 1
    assert "Hash mismatch for `beta-1.0-py3-none-any.whl`" in result.stderr
    assert "come from the lockfile that pins it" in result.stderr
    assert "index page" not in result.stderr


def test_interrupting_a_stalled_download_leaves_no_temporary_file(
    tmp_path: Path, isolated_env: Path, index_server: IndexServer, tmp_cache: Path,
    bare_venv: Path,
) -> None:
    entry = index_server.index.add_wheel("slow", "1.0", files={"slow/big.bin": os.urandom(60000)})
    index_server.delay(f"/files/{entry.filename}", 60, after_bytes=2000)
    proc = subprocess.Popen(
        [sys.executable, "-m", "ferry", "pip", "install", "-p", str(bare_venv),
         "--index-url", index_server.simple_url, "slow"],
        cwd=tmp_path, env=ferry_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        temps: list[Path] = []
        while time.monotonic() < deadline and not temps:
            temps = list((tmp_cache / ".tmp").glob("download-*"))
            time.sleep(0.05)
        assert temps, "the download never started"
        time.sleep(0.2)  # its first bytes have arrived; the rest stalls
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 130, stderr
    assert list((tmp_cache / ".tmp").glob("download-*")) == []
