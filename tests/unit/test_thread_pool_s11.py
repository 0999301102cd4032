"""ferry.model.thread_pool: ThreadPoolExecutor's behaviour where ferry relies on it, without
importing concurrent.futures (and logging with it)."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import pytest

from ferry.model.thread_pool import CancelledError, Future, ThreadPool


def _fresh(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, check=True)


def test_results_come_back_from_each_submission() -> None:
    with ThreadPool(4) as pool:
        futures = [pool.submit(pow, i, 2) for i in range(20)]
        keyword = pool.submit(sorted, [3, 1, 2], reverse=True)
    assert [f.result() for f in futures] == [i * i for i in range(20)]
    assert keyword.result() == [3, 2, 1]
    assert all(f.done() and not f.cancelled() and f.exception() is None for f in futures)


def test_a_failure_is_raised_from_result_and_given_by_exception() -> None:
    def fail(exc: BaseException) -> None:
        raise exc

    with ThreadPool(2) as pool:
        error = pool.submit(fail, OSError("disk full"))
        interrupt = pool.submit(fail, KeyboardInterrupt())  # a worker survives even this
        after = pool.submit(lambda: "still working")
    with pytest.raises(OSError, match="disk full"):
        error.result()
    assert isinstance(error.exception(), OSError)
    assert isinstance(interrupt.exception(), KeyboardInterrupt)
    assert after.result() == "still working"


def test_work_not_started_can_be_cancelled_work_running_cannot() -> None:
    gate, started = threading.Event(), threading.Event()

    def block() -> str:
        started.set()
        gate.wait(5)
        return "ran"

    with ThreadPool(1) as pool:
        running = pool.submit(block)
        queued = pool.submit(lambda: "never")
        assert started.wait(5)
        assert running.running() and not running.cancel()
        assert queued.cancel() and queued.cancel()  # again: still cancelled
        gate.set()
    assert running.result() == "ran"
    assert queued.cancelled() and queued.done()
    with pytest.raises(CancelledError):
        queued.result()
    with pytest.raises(CancelledError):
        queued.exception()


def test_shutdown_with_cancel_futures_drops_the_queue_and_joins() -> None:
    gate, running = threading.Event(), threading.Event()

    def hold() -> bool:
        running.set()
        return gate.wait(5)

    pool = ThreadPool(1, thread_name_prefix="t")
    first = pool.submit(hold)
    rest = [pool.submit(lambda: 1) for _ in range(5)]
    # Only what has not started is cancelled: wait until the worker holds the first task (on a
    # loaded machine it may not have taken it off the queue yet when shutdown drains it).
    assert running.wait(5)
    threading.Timer(0.1, gate.set).start()
    pool.shutdown(wait=True, cancel_futures=True)
    assert first.result() is True
    assert all(f.cancelled() for f in rest)
    assert not any(t.name.startswith("t_") and t.is_alive() for t in threading.enumerate())
    with pytest.raises(RuntimeError):
        pool.submit(lambda: 1)
    pool.shutdown(wait=True, cancel_futures=True)  # again: nothing left, returns


def test_a_plain_shutdown_still_runs_what_was_queued() -> None:
    pool = ThreadPool(2)
    futures = [pool.submit(time.sleep, 0.01) for _ in range(6)]
    pool.shutdown(wait=False)
    pool.shutdown(wait=True)
    assert all(f.done() and not f.cancelled() for f in futures)


def test_threads_start_lazily_up_to_the_most_and_carry_the_prefix() -> None:
    names: set[str] = set()

    def record() -> None:
        names.add(threading.current_thread().name)

    with ThreadPool(3, thread_name_prefix="ferry-test") as pool:
        for _ in range(5):  # one at a time: the idle thread takes each
            pool.submit(record).result()
            time.sleep(0.02)  # (idle once it waits again: give it the moment to get there)
        assert names == {"ferry-test_0"}
        gate = threading.Event()
        busy = [pool.submit(gate.wait, 5) for _ in range(10)]
        time.sleep(0.05)
        alive = {t.name for t in threading.enumerate() if t.name.startswith("ferry-test_")}
        assert alive == {"ferry-test_0", "ferry-test_1", "ferry-test_2"}
        gate.set()
    assert all(f.result() for f in busy)


def test_a_pool_without_a_prefix_still_names_its_threads() -> None:
    with ThreadPool(1) as pool:
        name = pool.submit(lambda: threading.current_thread().name).result()
    assert name.startswith("ferry-pool-") and name.endswith("_0")


def test_max_workers_must_be_positive() -> None:
    with pytest.raises(ValueError):
        ThreadPool(0)


def test_callbacks_run_once_done_cancelled_or_already_done() -> None:
    seen: list[tuple[str, str]] = []

    def note(label: str) -> object:
        return lambda future: seen.append((label, threading.current_thread().name))

    gate = threading.Event()
    with ThreadPool(1, thread_name_prefix="cb") as pool:
        running = pool.submit(gate.wait, 5)
        queued = pool.submit(lambda: 1)
        running.add_done_callback(note("running"))  # type: ignore[arg-type]
        queued.add_done_callback(lambda future: 1 / 0)  # a failing callback stops nothing
        queued.add_done_callback(note("queued"))  # type: ignore[arg-type]
        queued.cancel()
        gate.set()
    running.add_done_callback(note("after"))  # type: ignore[arg-type]
    assert seen == [("queued", "MainThread"), ("running", "cb_0"), ("after", "MainThread")]


def test_map_keeps_order_and_raises_at_the_failure() -> None:
    with ThreadPool(4) as pool:
        assert list(pool.map(lambda a, b: a + b, [1, 2, 3], [10, 20, 30])) == [11, 22, 33]
        assert list(pool.map(str, [])) == []

        def fail_at_two(i: int) -> int:
            if i == 2:
                raise ValueError(i)
            return i

        results = pool.map(fail_at_two, range(5))
        assert next(results) == 0 and next(results) == 1
        with pytest.raises(ValueError):
            next(results)


def test_result_waits_at_most_the_timeout() -> None:
    gate = threading.Event()
    with ThreadPool(1) as pool:
        future = pool.submit(gate.wait, 5)
        with pytest.raises(TimeoutError):
            future.result(timeout=0.05)
        gate.set()
        assert future.result(timeout=5) is True


def test_a_future_set_by_hand_wakes_its_waiters() -> None:
    future: Future[int] = Future()
    with ThreadPool(3) as pool:
        waiters = [pool.submit(future.result, 5) for _ in range(3)]
        time.sleep(0.05)
        assert not any(w.done() for w in waiters)
        future.set_result(7)
        assert [w.result() for w in waiters] == [7, 7, 7]
    failed: Future[int] = Future()
    failed.set_exception(LookupError("gone"))
    with pytest.raises(LookupError):
        failed.result()
    with pytest.raises(RuntimeError):
        failed.set_result(1)  # settled once


def test_imports_neither_concurrent_futures_nor_logging() -> None:
    done = _fresh("import sys\nfrom ferry.model.thread_pool import ThreadPool\n"
                  "with ThreadPool(2) as p: assert p.submit(int, '4').result() == 4\n"
                  "print(sorted(m for m in ('logging', 'concurrent.futures') if m in sys.modules))")
    assert done.stdout.strip() == "[]"


def test_a_pool_nobody_shut_down_lets_the_process_exit_after_its_work() -> None:
    done = _fresh("import time\nfrom ferry.model.thread_pool import ThreadPool\n"
                  "pool = ThreadPool(2)\n"
                  "pool.submit(lambda: (time.sleep(0.2), print('queued work ran', flush=True)))\n"
                  "keep = pool  # still referenced at exit: the exit hook releases its threads\n")
    assert done.stdout == "queued work ran\n"


def test_a_dropped_pool_ends_its_idle_threads() -> None:
    pool = ThreadPool(2, thread_name_prefix="dropped")
    pool.submit(int).result()
    del pool
    deadline = time.monotonic() + 5
    while any(t.name.startswith("dropped_") for t in threading.enumerate()):
        assert time.monotonic() < deadline, "the idle thread of a dropped pool is still alive"
        time.sleep(0.01)


def test_ctrl_c_interrupts_the_join_and_a_second_shutdown_finishes() -> None:
    code = """
import os, signal, threading
from ferry.model.thread_pool import ThreadPool
# A parent that ignores SIGINT (a test runner's worker while some test waits on a child) passes
# SIG_IGN down, and Python keeps it: this process needs Ctrl-C's usual meaning.
signal.signal(signal.SIGINT, signal.default_int_handler)
gate = threading.Event()
pool = ThreadPool(1)
work = pool.submit(gate.wait, 20)
threading.Timer(0.2, os.kill, (os.getpid(), signal.SIGINT)).start()  # a real Ctrl-C
try:
    pool.shutdown(wait=True)
except KeyboardInterrupt:
    print("interrupted", work.done(), flush=True)
gate.set()
pool.shutdown(wait=True)
print("joined", work.result())
"""
    assert _fresh(code).stdout.split() == ["interrupted", "False", "joined", "True"]
