"""RELIABILITY F3/F5 through the CLI: real Ctrl-Cs at several instants of a real upgrade
(review s8 F-F3), the parallel upgrade of review F-E7, and ``error: interrupted`` said once.

The upgrade replaces a wheel of a few thousand files (the stash and the link take long enough to
be hit). SIGINT is timed from what the process visibly does in site-packages — the stash
directory appearing, the new ``.dist-info`` appearing — plus fixed offsets, so the instants
fall inside the uninstall, the link, the rollback and the commit on a slow machine as on a fast
one. After each: exit 130 (or 0 if it had finished), ``error: interrupted`` at most once, exactly
one version installed with every file matching its RECORD and no file outside it, nothing left
in the stash, and the next ``ferry pip install`` puts things right.
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
from tests.reliability.conftest import Spawner
from tests.reliability.invariants import EXIT_INTERRUPTED
from tests.reliability.test_e_concurrency import release_delays, verify_records
from tests.support.envs import make_venv
from tests.support.index import IndexServer, LocalIndex
from tests.support.runner import Runner

FILES = 2500


def _add_big(index: LocalIndex) -> None:
    for version in ("1.0", "2.0"):
        files = {f"big/m{i}.py": f"# {version} {i}\n" for i in range(FILES)}
        if version == "2.0":
            files.update({f"big/new{i}.py": "x = 2\n" for i in range(5)})
        index.add_wheel("big", version, files=files)


def _site(venv: Path) -> Path:
    return next(venv.glob("lib/python*/site-packages"))


def _whole(venv: Path) -> str:
    """The single version of ``big`` installed, checked whole; its version."""
    found = verify_records(venv)  # RECORD matches every file; no `.ferry-*` leftovers
    assert list(found) == ["big"], found
    site = _site(venv)
    record = (site / f"big-{found['big']}.dist-info" / "RECORD").read_text()
    listed = {line.split(",")[0] for line in record.splitlines() if line.startswith("big/")}
    present = {p.relative_to(site).as_posix() for p in (site / "big").glob("*.py")}
    assert present == listed, sorted(present ^ listed)[:5]
    seen = subprocess.run(  # what the interpreter (and so pip) sees
        [str(venv / "bin" / "python"), "-c",
         "import importlib.metadata as m; print([d.version for d in m.distributions()])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()
    assert seen == f"[{found['big']!r}]", seen
    return found["big"]


def _wait_until(proc: subprocess.Popen[str], seen: Callable[[], bool], limit: float) -> None:
    deadline = time.monotonic() + limit
    while proc.poll() is None and not seen() and time.monotonic() < deadline:
        time.sleep(0.001)


# (what to wait for, how long after it, whether a second Ctrl-C follows 10 ms later)
INSTANTS = [
    ("stash", 0.0, False), ("stash", 0.02, False), ("stash", 0.06, True),  # stashing 1.0
    ("new", 0.0, False), ("new", 0.0, True), ("new", 0.03, True),  # 2.0 linked, or rolling back
    ("stash", 0.09, False), ("stash", 0.12, True), ("stash", 0.16, False),  # linking, or done
    ("start", 0.15, False),  # still resolving: nothing touched yet
]


def test_sigint_at_many_instants_of_an_upgrade_leaves_one_whole_version(
    tmp_path: Path, run: Runner, spawn: Spawner, local_index: LocalIndex,
) -> None:
    _add_big(local_index)
    venv = make_venv(tmp_path / "venv", sys.executable)
    warm = make_venv(tmp_path / "warm", sys.executable)
    index = ["--index-url", local_index.file_url]
    assert run("pip", "install", "-p", str(warm), *index, "big==2.0").code == 0  # cached
    assert run("pip", "install", "-p", str(venv), *index, "big==1.0").code == 0
    site = _site(venv)

    def stash() -> bool:
        return any(p.name.startswith(".ferry-stash-") for p in site.iterdir())

    def new() -> bool:
        return (site / "big-2.0.dist-info").exists()

    triggers = {"stash": stash, "new": new, "start": lambda: True}
    outcomes = []
    for which, after, twice in INSTANTS:
        proc = spawn("pip", "install", "-p", str(venv), *index, "big==2.0")
        _wait_until(proc, triggers[which], limit=20)
        time.sleep(after)
        proc.send_signal(signal.SIGINT)
        if twice:
            time.sleep(0.01)
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)
        result = spawn.finish(proc, timeout=30)
        assert result.code in (0, EXIT_INTERRUPTED), result.output
        assert "Traceback" not in result.output, result.output
        assert result.stderr.count("error: interrupted") == (result.code != 0), result.stderr
        version = _whole(venv)
        outcomes.append((which, after, twice, result.code, version))
        if version == "2.0":  # back to the old version for the next round
            assert run("pip", "install", "-p", str(venv), *index, "big==1.0").code == 0
    assert any(code == EXIT_INTERRUPTED for *_, code, _ in outcomes), outcomes
    again = run("pip", "install", "-p", str(venv), *index, "big==2.0")
    assert again.code == 0, again.output
    assert _whole(venv) == "2.0"


@pytest.mark.parametrize("stress", [False, pytest.param(True, marks=pytest.mark.stress)])
def test_parallel_upgrades_of_one_venv_all_succeed(
    tmp_path: Path, run: Runner, spawn: Spawner, local_index: LocalIndex, stress: bool,
) -> None:
    """Review F-E7 (the reviewer's e7b): two ``pip install q0==2.0`` over q0 1.0 at once; the
    one that waited for the lock used to act on its stale plan and fail with a false
    "RECORD is missing"."""
    for version in ("1.0", "2.0"):
        local_index.add_wheel("q0", version, files={
            f"q0/m{j}.py": f"# {version} {j}\n" * 200 for j in range(30)})
    venv = make_venv(tmp_path / "venv", sys.executable)
    index = ["--index-url", local_index.file_url]
    for _ in range(5 if stress else 2):
        assert run("pip", "install", "-p", str(venv), *index, "q0==1.0").code == 0
        procs = [spawn("pip", "install", "-p", str(venv), *index, "q0==2.0") for _ in range(3)]
        results = [spawn.finish(p) for p in procs]
        assert [r.code for r in results] == [0, 0, 0], [r.output for r in results]
        assert verify_records(venv) == {"q0": "2.0"}


def test_sigint_during_a_stalled_download_says_interrupted_once(
    venv: Path, spawn: Spawner, index_server: IndexServer,
) -> None:
    """The main thread reports the interrupt; the watchdog that ends the process (the stalled
    download thread holds the exit) used to say it again."""
    entry = index_server.index.add_wheel("slow", "1.0", files={"slow/x.bin": os.urandom(60000)})
    index_server.delay(f"/files/{entry.filename}", 60, after_bytes=2000)
    proc = spawn("pip", "install", "-p", str(venv), "--index-url", index_server.simple_url,
                 "slow")
    deadline = time.monotonic() + 20
    while not index_server.file_downloads(entry.filename) and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    result = spawn.finish(proc, timeout=30)
    release_delays(index_server)
    assert result.code == EXIT_INTERRUPTED, result.output
    assert result.stderr.count("error: interrupted") == 1, result.stderr
