"""How far away the indexes are: how many threads prefetching needs.

Prefetch threads exist to overlap waits on the index. When there are none to overlap — a
loopback or LAN mirror that answers at once, or a warm cache whose pages are still fresh — the
prefetch work is Python code under the GIL, and every thread beyond two only adds hand-offs: a
lock of the web workload against a loopback mirror spent ~10 ms more CPU with 8 prefetch
threads than with 2 (174 ms against 165 ms, wall and CPU alike; each page revalidation and
metadata read cost half as much again). With an index a few milliseconds away, the 8 threads are
what hide the waits.

So prefetching starts narrow and widens once the index shows it is far, by either measure:

- the round trip of a new connection, as the kernel measured it during the TCP handshake
  (``TCP_INFO``'s ``tcpi_rtt``, Linux): 1 ms or more. Where it cannot be read (other systems;
  a proxy in the way, where the handshake only reaches the proxy) the index counts as far, as
  prefetching behaved before it could tell;
- the time from sending a request to having the answer's head, for an index that is near but
  slow to answer (a caching proxy fetching upstream): a median of 3 ms or more over the first
  five answers. Wall time, so it includes waiting for the GIL (~0.6 ms on average against a
  loopback mirror, single answers up to ~8 ms): hence a median, and a bar well above that.
"""

from __future__ import annotations

__all__ = ["FAR_MICROSECONDS", "forget", "index_is_far", "note_response_wait",
           "note_round_trip"]

FAR_MICROSECONDS = 1000
"""A handshake this long or longer is worth hiding (loopback: ~30 µs; a LAN: a few hundred)."""

SLOW_ANSWER_SECONDS = 0.003
ANSWERS_JUDGED = 5

_far = False
_waits: list[float] = []


def note_round_trip(microseconds: int | None) -> None:
    """Record a new connection's handshake round trip; ``None`` when it could not be measured."""
    global _far
    if microseconds is None or microseconds >= FAR_MICROSECONDS:
        _far = True


def note_response_wait(seconds: float) -> None:
    """Record how long an answer's head took to arrive after its request was sent."""
    global _far
    if _far or len(_waits) >= ANSWERS_JUDGED:
        return
    _waits.append(seconds)
    if len(_waits) == ANSWERS_JUDGED:
        _far = sorted(_waits)[ANSWERS_JUDGED // 2] >= SLOW_ANSWER_SECONDS


def index_is_far() -> bool:
    """Whether the indexes asked so far are far (or unmeasurable) by either measure."""
    return _far


def forget() -> None:
    """Back to "nothing measured" (tests; a process measures once and keeps what it saw)."""
    global _far
    _far = False
    _waits.clear()
