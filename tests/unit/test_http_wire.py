"""HTTP/1.1 framing of ``ferry.index.wire``: each answer is written by hand on one end of a
socket pair and read through a :class:`Connection` on the other, so every case (chunked with
extensions and trailers, interim 1xx answers, bodies cut short, a garbled head) is exact bytes."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from ferry.index.wire import BodyIncomplete, Closed, Connection, ProtocolViolation


@pytest.fixture
def pair() -> Iterator[tuple[Connection, socket.socket]]:
    ours, theirs = socket.socketpair()
    conn = Connection("example.test", 80, timeout=5)
    conn.sock, conn._file = ours, ours.makefile("rb")
    yield conn, theirs
    conn.close()
    theirs.close()


def _answer(pair: tuple[Connection, socket.socket], raw: bytes, *, close: bool = False,
            head_request: bool = False) -> tuple[Connection, int, dict[str, str]]:
    conn, peer = pair
    peer.sendall(raw)
    if close:
        peer.shutdown(socket.SHUT_WR)
    head = conn.read_head(head_request=head_request)
    return conn, head.status, head.headers


def test_the_request_carries_the_given_headers_and_asks_for_the_raw_bytes(
    pair: tuple[Connection, socket.socket],
) -> None:
    conn, peer = pair
    conn.send_get("/simple/a/", {"Host": "example.test", "Accept": "text/html"})
    sent = peer.recv(4096)
    assert sent == (b"GET /simple/a/ HTTP/1.1\r\nHost: example.test\r\nAccept: text/html\r\n"
                    b"Accept-Encoding: identity\r\n\r\n")
    conn.send_get("/b", {"accept-encoding": "gzip"})
    assert b"identity" not in peer.recv(4096)


def test_a_control_character_in_the_target_is_refused_before_sending(
    pair: tuple[Connection, socket.socket],
) -> None:
    with pytest.raises(ValueError, match="control characters"):
        pair[0].send_get("/a b", {})


def test_a_content_length_body_is_read_whole_and_in_pieces(
    pair: tuple[Connection, socket.socket],
) -> None:
    conn, status, headers = _answer(
        pair, b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\nX-A: 1\r\nx-a: 2\r\n\r\n0123456789")
    assert (status, headers["x-a"], headers["content-length"]) == (200, "1, 2", "10")
    assert conn.read(4) == b"0123"
    assert conn.read() == b"456789"
    assert conn.read() == b"" and conn.body_done and not conn.will_close


def test_a_chunked_body_with_extensions_and_trailers_is_reassembled(
    pair: tuple[Connection, socket.socket],
) -> None:
    raw = (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
           b"4;name=value\r\nWiki\r\n5\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n"
           b"0\r\nExpires: never\r\n\r\n"
           b"HTTP/1.1 204 No Content\r\n\r\n")
    conn, _, _ = _answer(pair, raw)
    assert conn.chunked
    pieces = []
    while piece := conn.read(3):
        assert len(piece) <= 3
        pieces.append(piece)
    assert b"".join(pieces) == b"Wikipedia in\r\n\r\nchunks."
    assert conn.body_done
    # The trailers were consumed: the next answer on the connection reads cleanly.
    assert conn.read_head().status == 204 and conn.read() == b""


def test_interim_answers_are_skipped_and_folded_headers_joined(
    pair: tuple[Connection, socket.socket],
) -> None:
    raw = (b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
           b"HTTP/1.1 200 OK\r\nX-Long: one\r\n  two\r\nContent-Length: 2\r\n\r\nok")
    conn, status, headers = _answer(pair, raw)
    assert status == 200 and headers["x-long"] == "one two" and "link" not in headers
    assert conn.read() == b"ok"


def test_no_body_for_304_and_for_a_head_request(pair: tuple[Connection, socket.socket]) -> None:
    conn, status, _ = _answer(pair, b"HTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\n\r\n")
    assert status == 304 and conn.read() == b"" and conn.body_done
    conn, status, _ = _answer(pair, b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n",
                              head_request=True)
    assert conn.read() == b""


def test_a_body_without_length_runs_to_the_close_and_the_connection_is_not_kept(
    pair: tuple[Connection, socket.socket],
) -> None:
    conn, _, _ = _answer(pair, b"HTTP/1.0 200 OK\r\n\r\nall of it", close=True)
    assert conn.will_close
    assert conn.read() == b"all of it" and conn.body_done


@pytest.mark.parametrize(("version", "connection", "closes"), [
    ("HTTP/1.1", "", False), ("HTTP/1.1", "close", True), ("HTTP/1.0", "", True),
    ("HTTP/1.0", "Keep-Alive", False), ("HTTP/1.1", "upgrade, Close", True),
])
def test_keep_alive_follows_the_version_and_the_connection_header(
    pair: tuple[Connection, socket.socket], version: str, connection: str, closes: bool,
) -> None:
    extra = f"Connection: {connection}\r\n" if connection else ""
    conn, _, _ = _answer(pair, f"{version} 200 OK\r\n{extra}Content-Length: 0\r\n\r\n".encode())
    assert conn.will_close is closes


def test_a_body_cut_short_says_how_much_arrived(pair: tuple[Connection, socket.socket]) -> None:
    conn, _, _ = _answer(pair, b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123", close=True)
    with pytest.raises(BodyIncomplete) as info:
        conn.read()
    assert info.value.received == 4 and conn.will_close


def test_a_chunked_body_cut_short_is_incomplete(pair: tuple[Connection, socket.socket]) -> None:
    conn, _, _ = _answer(pair, b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                               b"5\r\nabcde\r\n", close=True)
    assert conn.read(5) == b"abcde"
    with pytest.raises(BodyIncomplete) as info:
        conn.read()
    assert info.value.received == 5


def test_a_peer_that_hangs_up_before_answering_is_told_apart(
    pair: tuple[Connection, socket.socket],
) -> None:
    conn, peer = pair
    peer.shutdown(socket.SHUT_WR)
    with pytest.raises(Closed):
        conn.read_head()


@pytest.mark.parametrize("raw", [
    b"HTTP/2 200 OK\r\n\r\n",
    b"HTTP/1.1 2000 OK\r\n\r\n",
    b"garbage\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nContent-Length: 1, 2\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
    b"HTTP/1.1 200 OK\r\n" + b"X: y\r\n" * 101 + b"\r\n",
    b"HTTP/1.1 200 OK\r\nX: " + b"y" * 70000 + b"\r\n\r\n",
])
def test_a_head_that_is_not_http_1_1_is_a_protocol_violation(
    pair: tuple[Connection, socket.socket], raw: bytes,
) -> None:
    conn, peer = pair
    peer.sendall(raw)
    with pytest.raises(ProtocolViolation):
        conn.read_head()


def test_a_bad_chunk_size_is_a_protocol_violation(pair: tuple[Connection, socket.socket]) -> None:
    conn, _, _ = _answer(pair, b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")
    with pytest.raises(ProtocolViolation, match="chunk size"):
        conn.read()


def test_repeated_equal_content_lengths_are_one_length(
    pair: tuple[Connection, socket.socket],
) -> None:
    conn, _, _ = _answer(pair, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n"
                               b"\r\nhi")
    assert conn.read() == b"hi"
