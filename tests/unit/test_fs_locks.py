"""File locks across processes: shared vs exclusive, bounded waits, and no stale locks."""

from __future__ import annotations

import errno
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import pytest

from ferry.fs.locks import lock_exclusive, lock_shared, lock_timeout
from ferry.model.errors import FilesystemError, SurroundingsError, UserError

SRC = Path(__file__).resolve().parents[2] / "src"

HOLDER = """
import sys
from pathlib import Path
from ferry.fs.locks import lock_exclusive, lock_shared
lock = lock_exclusive if sys.argv[1] == "exclusive" else lock_shared
with lock(Path(sys.argv[2]), "thing", timeout=30):
    print("locked", flush=True)
    sys.stdin.read()  # hold until the test closes our stdin (or kills us)
"""


class Holder:
    """Another process holding a lock until :meth:`release` (or :meth:`kill`)."""

    def __init__(self, kind: str, path: Path) -> None:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH")]))
        self.proc = subprocess.Popen(
            [sys.executable, "-c", HOLDER, kind, str(path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
        )
        assert self.proc.stdout is not None
        assert self.proc.stdout.readline() == b"locked\n"

    def release(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        assert self.proc.wait(timeout=10) == 0

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.kill()
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None and not stream.closed:
                stream.close()


@pytest.fixture
def holders() -> Iterator[list[Holder]]:
    started: list[Holder] = []
    yield started
    for holder in started:
        holder.close()


def hold(holders: list[Holder], kind: str, path: Path) -> Holder:
    holder = Holder(kind, path)
    holders.append(holder)
    return holder


def test_shared_locks_coexist(
    tmp_path: Path, holders: list[Holder], caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "nested" / "dirs" / ".lock"
    hold(holders, "shared", path)
    with caplog.at_level(logging.WARNING, logger="ferry"), lock_shared(path, "thing", timeout=0):
        pass
    assert not caplog.records


@pytest.mark.parametrize(
    ("held", "wanted"),
    [("shared", lock_exclusive), ("exclusive", lock_shared), ("exclusive", lock_exclusive)],
)
def test_conflicting_lock_times_out_with_a_clear_message(
    tmp_path: Path,
    holders: list[Holder],
    caplog: pytest.LogCaptureFixture,
    held: str,
    wanted: Callable[..., AbstractContextManager[None]],
) -> None:
    path = tmp_path / ".lock"
    hold(holders, held, path)
    started = time.monotonic()
    with (
        caplog.at_level(logging.WARNING, logger="ferry"),
        pytest.raises(SurroundingsError) as caught,
        wanted(path, "cache", timeout=0.3),
    ):
        pytest.fail("got a lock that another process holds")
    assert 0.3 <= time.monotonic() - started < 3
    error = caught.value
    assert error.exit_code == 2
    assert error.message == f"Timed out after 0.3s waiting for lock on `cache` ({path})"
    assert error.hint is not None and "FERRY_LOCK_TIMEOUT" in error.hint
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == [f"waiting for lock on `cache` ({path})… is another ferry process running?"]


def test_waiter_proceeds_when_holder_releases(
    tmp_path: Path, holders: list[Holder], caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / ".lock"
    holder = hold(holders, "exclusive", path)
    releaser = threading.Timer(0.3, holder.release)
    releaser.start()
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="ferry"), lock_exclusive(path, "venv", timeout=20):
        waited = time.monotonic() - started
    releaser.join()  # the holder has exited cleanly (release asserts its exit code)
    assert 0.25 <= waited < 5
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 1


def test_killed_holder_releases_at_once(tmp_path: Path, holders: list[Holder]) -> None:
    """E4: the OS drops a flock when its holder dies, even by SIGKILL."""
    path = tmp_path / ".lock"
    holder = hold(holders, "exclusive", path)
    holder.kill()
    with lock_exclusive(path, "cache", timeout=0):  # one non-blocking attempt: must succeed
        pass


def test_exclusive_excludes_threads_of_one_process_too(tmp_path: Path) -> None:
    path = tmp_path / ".lock"
    inside = threading.Event()
    leave = threading.Event()

    def worker() -> None:
        with lock_exclusive(path, "x"):
            inside.set()
            leave.wait(5)

    thread = threading.Thread(target=worker)
    thread.start()
    assert inside.wait(5)
    try:
        with pytest.raises(SurroundingsError), lock_shared(path, "x", timeout=0.1):
            pass
    finally:
        leave.set()
        thread.join()
    with lock_shared(path, "x", timeout=0):
        pass


def test_timeout_comes_from_the_environment(
    tmp_path: Path, holders: list[Holder], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FERRY_LOCK_TIMEOUT", raising=False)
    assert lock_timeout() == 300
    monkeypatch.setenv("FERRY_LOCK_TIMEOUT", "0.2")
    path = tmp_path / ".lock"
    hold(holders, "exclusive", path)
    with pytest.raises(SurroundingsError, match=r"Timed out after 0\.2s"), lock_exclusive(path):
        pass


@pytest.mark.parametrize("value", ["soon", "-1", "nan"])
def test_invalid_timeout_is_a_user_error(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("FERRY_LOCK_TIMEOUT", value)
    with pytest.raises(UserError, match="FERRY_LOCK_TIMEOUT"):
        lock_timeout()


def test_unopenable_lock_file_names_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """G4: a lock file owned by another user is an error naming the file, not a traceback."""
    path = tmp_path / ".lock"

    def denied(*_args: object, **_kwargs: object) -> int:
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))

    monkeypatch.setattr(os, "open", denied)
    with pytest.raises(FilesystemError) as caught, lock_shared(path, "cache"):
        pass
    assert caught.value.message == f"Cannot open lock file `{path}`: permission denied"
    assert caught.value.hint is not None and "--cache-dir" in caught.value.hint


def test_read_only_lock_file_still_locks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A lock file we may read but not write (mode 0644, another owner) still serves."""
    path = tmp_path / ".lock"
    path.touch()
    real_open = os.open

    def read_only(file: str | os.PathLike[str], flags: int, *args: int) -> int:
        if flags & os.O_RDWR:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(file))
        return real_open(file, flags, *args)

    monkeypatch.setattr(os, "open", read_only)
    with lock_exclusive(path, "cache", timeout=0):
        pass


def test_lock_under_a_file_is_a_filesystem_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(FilesystemError, match="lock file"), lock_exclusive(blocker / ".lock"):
        pass
