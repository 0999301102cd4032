"""Threads of one process at one lock file: they take turns silently, never deadlock on
themselves, and still exclude other processes (see test_fs_locks.py for the process side)."""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from ferry.fs.locks import lock_exclusive, lock_shared
from ferry.model.errors import SurroundingsError

SRC = Path(__file__).resolve().parents[2] / "src"


def test_a_second_thread_waits_silently_then_gets_the_lock(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / ".lock"
    inside = threading.Event()
    order: list[str] = []

    def first() -> None:
        with lock_exclusive(path, "env"):
            inside.set()
            time.sleep(0.3)
            order.append("first done")

    thread = threading.Thread(target=first)
    with caplog.at_level(logging.DEBUG, logger="ferry"):
        thread.start()
        assert inside.wait(5)
        with lock_exclusive(path, "env", timeout=10):
            order.append("second in")
        thread.join()
    assert order == ["first done", "second in"]
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    debug = [r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG]
    assert any("another thread of this process holds it" in m for m in debug), debug


def test_shared_turns_of_threads_coexist(tmp_path: Path) -> None:
    path = tmp_path / ".lock"
    inside = threading.Event()
    leave = threading.Event()

    def reader() -> None:
        with lock_shared(path, "cache"):
            inside.set()
            leave.wait(5)

    thread = threading.Thread(target=reader)
    thread.start()
    assert inside.wait(5)
    try:
        with lock_shared(path, "cache", timeout=0), lock_shared(path, "cache", timeout=0):
            pass  # nested shared in one thread, beside another thread's shared: no wait
    finally:
        leave.set()
        thread.join()


@pytest.mark.parametrize(
    ("held", "wanted"),
    [(lock_exclusive, lock_exclusive), (lock_exclusive, lock_shared),
     (lock_shared, lock_exclusive)],
)
def test_a_thread_asking_again_for_what_it_holds_is_told_at_once(
    tmp_path: Path, held, wanted  # type: ignore[no-untyped-def]
) -> None:
    path = tmp_path / ".lock"
    started = time.monotonic()
    with held(path, "build environment abc"), pytest.raises(SurroundingsError) as caught, \
            wanted(path, "build environment abc", timeout=30):
        pytest.fail("got a lock this thread holds in a conflicting way")
    assert time.monotonic() - started < 5
    assert "this thread already holds it" in caught.value.message
    with lock_exclusive(path, "build environment abc", timeout=0):
        pass  # every turn was given back


def test_a_thread_turn_still_excludes_another_process(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The in-memory turn comes before flock, never instead of it."""
    path = tmp_path / ".lock"
    probe = (
        "import sys\nfrom pathlib import Path\nfrom ferry.fs.locks import lock_shared\n"
        "from ferry.model.errors import SurroundingsError\n"
        "try:\n    with lock_shared(Path(sys.argv[1]), 'x', timeout=0.2):\n        print('got')\n"
        "except SurroundingsError:\n    print('busy')\n"
    )
    env = {"PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin"}
    with lock_exclusive(path, "x"):
        busy = subprocess.run([sys.executable, "-c", probe, str(path)], env=env,
                              capture_output=True, text=True, timeout=30, check=True)
    free = subprocess.run([sys.executable, "-c", probe, str(path)], env=env,
                          capture_output=True, text=True, timeout=30, check=True)
    assert (busy.stdout.strip(), free.stdout.strip()) == ("busy", "got")
    assert "is another ferry process running?" in busy.stderr  # logging's last resort


def test_an_unbounded_timeout_waits_for_the_other_thread(tmp_path: Path) -> None:
    """``FERRY_LOCK_TIMEOUT=inf`` (wait as long as it takes) is a valid setting; waiting on a
    condition with it raised OverflowError, a traceback, when a thread had to wait."""
    path = tmp_path / ".lock"
    inside = threading.Event()

    def first() -> None:
        with lock_exclusive(path, "env"):
            inside.set()
            time.sleep(0.2)

    thread = threading.Thread(target=first)
    thread.start()
    assert inside.wait(5)
    with lock_exclusive(path, "env", timeout=float("inf")):
        pass
    thread.join()
