"""A process started with Ctrl-C ignored (``ferry sync &`` in a non-interactive script, nohup)
keeps ignoring it: ferry's handler is only installed over the usual one."""

from __future__ import annotations

import signal
from collections.abc import Iterator

import pytest

from ferry.cli.process import with_interrupt_handler


@pytest.fixture
def sigint_restored() -> Iterator[None]:
    before = signal.getsignal(signal.SIGINT)
    yield
    signal.signal(signal.SIGINT, before)


def _handler_during() -> object:
    seen: list[object] = []
    with_interrupt_handler(lambda: seen.append(signal.getsignal(signal.SIGINT)))
    return seen[0]


@pytest.mark.usefixtures("sigint_restored")
def test_an_ignored_ctrl_c_stays_ignored() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    assert _handler_during() == signal.SIG_IGN
    assert signal.getsignal(signal.SIGINT) == signal.SIG_IGN


@pytest.mark.usefixtures("sigint_restored")
def test_the_usual_ctrl_c_gets_ferrys_handler_and_back() -> None:
    signal.signal(signal.SIGINT, signal.default_int_handler)
    during = _handler_during()
    assert during not in (signal.SIG_IGN, signal.default_int_handler)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
