"""Prefetching starts on two threads and widens once a connection shows the index is far away
(the kernel's handshake round trip); near or cached, more threads only cost CPU."""

from __future__ import annotations

import _socket
import socket
import sys
import threading
import time
from collections.abc import Iterator

import pytest
from test_resolve_provider_index import FakeClient, n

from ferry.index.wire import Connection, handshake_round_trip
from ferry.model import index_distance
from ferry.model.thread_pool import ThreadPool
from ferry.resolve.provider_index import NEAR_WORKERS, IndexSource


@pytest.fixture(autouse=True)
def nothing_measured() -> Iterator[None]:
    index_distance.forget()
    yield
    index_distance.forget()


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    server = socket.create_server(("127.0.0.1", 0))
    yield server
    server.close()


def test_round_trips_decide_whether_the_index_is_far() -> None:
    assert not index_distance.index_is_far()
    index_distance.note_round_trip(40)  # loopback
    index_distance.note_round_trip(index_distance.FAR_MICROSECONDS - 1)
    assert not index_distance.index_is_far()
    index_distance.note_round_trip(index_distance.FAR_MICROSECONDS)
    assert index_distance.index_is_far()
    index_distance.forget()
    index_distance.note_round_trip(None)  # not measurable: as before, far
    assert index_distance.index_is_far()


@pytest.mark.skipif(not hasattr(_socket, "TCP_INFO"), reason="TCP_INFO is Linux's")
def test_the_kernel_measures_a_loopback_handshake_as_near(listener: socket.socket) -> None:
    sock = _socket.socket(_socket.AF_INET, _socket.SOCK_STREAM)
    try:
        sock.connect(listener.getsockname())
        measured = handshake_round_trip(sock)
    finally:
        sock.close()
    assert measured is not None and 0 < measured < index_distance.FAR_MICROSECONDS


def test_a_socket_the_kernel_cannot_measure_gives_none() -> None:
    left, right = _socket.socketpair()
    try:
        assert handshake_round_trip(left) is None  # not TCP
    finally:
        left.close()
        right.close()


@pytest.mark.skipif(sys.platform != "linux", reason="TCP_INFO is Linux's")
def test_a_connection_reports_its_handshake_but_not_through_a_proxy(
    listener: socket.socket,
) -> None:
    host, port = listener.getsockname()
    proxied = Connection("index.invalid", 80, timeout=5, via=(host, port))
    proxied.connect()  # plain HTTP through a proxy: no tunnel, just the socket
    proxied.close()
    direct = Connection(host, port, timeout=5)
    direct.connect()
    direct.close()
    assert not index_distance.index_is_far()


def test_answers_slow_to_come_make_a_near_index_far() -> None:
    for wait in (0.0004, 0.0006, 0.008, 0.0005):  # one slow answer among quick ones
        index_distance.note_response_wait(wait)
    assert not index_distance.index_is_far()  # not judged before the fifth
    index_distance.note_response_wait(0.0007)
    assert not index_distance.index_is_far()  # median 0.6 ms: a loopback mirror
    index_distance.forget()
    for wait in (0.004, 0.0005, 0.02, 0.005, 0.006):
        index_distance.note_response_wait(wait)
    assert index_distance.index_is_far()  # median 5 ms: a caching proxy


def _threads_used(source: IndexSource, names: list[str]) -> int:
    for name in names:
        source.prefetch(n(name), lambda files: None)
    pool = source._executor
    assert isinstance(pool, ThreadPool)
    return len(pool._threads)


def test_prefetching_stays_narrow_near_an_index() -> None:
    client = FakeClient({f"p{i}": {"1.0": []} for i in range(12)}, delay=0.05)
    with IndexSource(client, max_workers=8) as source:
        assert _threads_used(source, [f"p{i}" for i in range(12)]) == NEAR_WORKERS
    assert client.max_in_flight <= NEAR_WORKERS


def test_prefetching_widens_once_the_index_is_far() -> None:
    client = FakeClient({f"p{i}": {"1.0": []} for i in range(12)}, delay=0.2)
    with IndexSource(client, max_workers=8) as source:
        assert _threads_used(source, [f"p{i}" for i in range(6)]) == NEAR_WORKERS
        index_distance.note_round_trip(25_000)
        # The next question widens the pool; the queued work starts at once.
        assert _threads_used(source, [f"p{i}" for i in range(6, 12)]) == 8
        deadline = time.monotonic() + 5
        while client.max_in_flight < 8 and time.monotonic() < deadline:
            time.sleep(0.01)
    assert client.max_in_flight == 8


def test_widen_starts_threads_for_work_already_queued() -> None:
    gate = threading.Event()
    started: list[str] = []
    lock = threading.Lock()

    def job() -> None:
        with lock:
            started.append(threading.current_thread().name)
        gate.wait(5)

    with ThreadPool(1, thread_name_prefix="narrow") as pool:
        for _ in range(4):
            pool.submit(job)
        deadline = time.monotonic() + 5
        while len(started) < 1 and time.monotonic() < deadline:
            time.sleep(0.005)
        pool.widen(3)
        while len(started) < 3 and time.monotonic() < deadline:
            time.sleep(0.005)
        assert len(pool._threads) == 3 and len(started) == 3
        gate.set()
    assert len(started) == 4
