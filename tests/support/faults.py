"""Fault rules for ``IndexServer``: what to do wrong, for which paths, how many times.

A rule matches request paths by shell-style glob (``/files/*.whl``, ``/simple/a/``). Rules with
``times=N`` stop after N applications, which is how a test says "fail twice, then recover" and
then checks that ferry's retries hit exactly that. Kept apart from the server so the decision
(which rules apply to a request) is plain data and can be tested without sockets.
"""

from __future__ import annotations

import fnmatch
import threading
from dataclasses import dataclass, field
from typing import Literal

__all__ = ["Fault", "FaultKind", "FaultPlan", "FaultSet"]

FaultKind = Literal["fail", "truncate", "reset", "delay", "redirect", "garbage"]
# Faults that replace the response; the others change how the normal response is sent.
_REPLACING = ("fail", "redirect", "garbage")


@dataclass(slots=True)
class Fault:
    """One rule. Mutable on purpose: ``hits`` counts how often it was applied."""

    kind: FaultKind
    glob: str
    times: int | None = None
    status: int = 500
    at_bytes: int | None = None
    seconds: float = 0.0
    to_url: str = ""
    body: bytes = b""
    content_type: str = "text/html"
    hits: int = 0

    def matches(self, path: str) -> bool:
        return fnmatch.fnmatchcase(path, self.glob)

    @property
    def exhausted(self) -> bool:
        return self.times is not None and self.hits >= self.times


@dataclass(frozen=True, slots=True)
class FaultPlan:
    """What one request gets: a replacement response, a body fault, and delays."""

    replace: Fault | None = None
    body: Fault | None = None  # truncate or reset
    delay_before: float = 0.0
    delay_after: tuple[int, float] | None = None  # (after this many body bytes, sleep seconds)


@dataclass
class FaultSet:
    """The rules of one server, consulted (and counted) under a lock by handler threads."""

    rules: list[Fault] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, fault: Fault) -> Fault:
        with self._lock:
            self.rules.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self.rules.clear()

    def plan(self, path: str) -> FaultPlan:
        """Pick the rules for ``path`` in the order they were added, and count them as applied.

        Every matching delay applies; the first replacing fault (fail/redirect/garbage) and the
        first body fault (truncate/reset) apply; a body fault is not counted when a replacing
        fault already decided the response.
        """
        replace: Fault | None = None
        body: Fault | None = None
        before = 0.0
        after: tuple[int, float] | None = None
        with self._lock:
            for rule in self.rules:
                if rule.exhausted or not rule.matches(path):
                    continue
                if rule.kind == "delay":
                    if rule.at_bytes is None:
                        before += rule.seconds
                    elif after is None:
                        after = (rule.at_bytes, rule.seconds)
                    else:
                        continue
                elif rule.kind in _REPLACING:
                    if replace is not None:
                        continue
                    replace = rule
                elif body is None:
                    body = rule
                else:
                    continue
                rule.hits += 1
            if replace is not None and body is not None:
                body.hits -= 1
                body = None
        return FaultPlan(replace, body, before, after)
