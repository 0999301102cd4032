"""ferry.model.log: messages nobody can see cost no ``import logging``; every other message is
the record a direct call to the standard library made, printed as the CLI always printed it."""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
from collections.abc import Iterator

import pytest

from ferry.cli import process
from ferry.cli.log_format import Formatter
from ferry.model import log


def _fresh(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    """``code`` in a new interpreter (where nothing has imported logging yet)."""
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          timeout=60, check=True)


@pytest.fixture
def ferry_logger() -> Iterator[logging.Logger]:
    """Put the test run's own ``ferry`` logger back after a test configured it."""
    logger = logging.getLogger("ferry")
    handlers, level, propagate = logger.handlers[:], logger.level, logger.propagate
    yield logger
    logger.handlers[:] = handlers
    logger.propagate = propagate
    logger.setLevel(level)  # (setLevel also forgets the loggers' cached answers)


# --- nothing to show: nothing imported --------------------------------------------------------

_QUIET_RUN = """
import sys
from ferry.cli.process import configure_logging
from ferry.model.log import get_logger
configure_logging(int(sys.argv[1]))
log = get_logger("ferry.some.module")
log.debug("why %s", "a download")
log.info("an info")
if sys.argv[1] == "-1":
    log.warning("a warning -q hides")
assert not log.isEnabledFor(10)
print("logging" in sys.modules, "concurrent.futures" in sys.modules, "traceback" in sys.modules)
"""


@pytest.mark.parametrize("verbosity", ["0", "-1"])
def test_a_message_below_the_level_imports_nothing(verbosity: str) -> None:
    done = _fresh(_QUIET_RUN, verbosity)
    assert done.stdout.split() == ["False", "False", "False"]
    assert done.stderr == ""


_SHOWN = """
import sys
from ferry.cli.process import configure_logging
from ferry.model.log import get_logger
configure_logging(int(sys.argv[1]), color=sys.argv[2] == "color")
log = get_logger("ferry.x")
log.debug("hidden %d", 1) if sys.argv[1] == "0" else None
print("logging" in sys.modules, flush=True)
log.debug("why %s", "a download")
log.info("an info")
log.warning("The RECORD of %s is inaccurate", "pkg-1.0")
log.error("Could not restore `%s`", "x")
print("logging" in sys.modules, flush=True)
"""


@pytest.mark.parametrize(
    ("verbosity", "color", "lines"),
    [
        ("0", "plain", ["warning: The RECORD of pkg-1.0 is inaccurate",
                        "error: Could not restore `x`"]),
        ("-1", "plain", ["error: Could not restore `x`"]),
        ("1", "plain", ["DEBUG why a download", "INFO an info",
                        "warning: The RECORD of pkg-1.0 is inaccurate",
                        "error: Could not restore `x`"]),
        ("0", "color", ["\x1b[33;1mwarning\x1b[0m: The RECORD of pkg-1.0 is inaccurate",
                        "\x1b[31;1merror\x1b[0m: Could not restore `x`"]),
    ],
)
def test_what_shows_prints_as_before_and_only_then_imports_logging(
    verbosity: str, color: str, lines: list[str]
) -> None:
    done = _fresh(_SHOWN, verbosity, color)
    # -v: the first DEBUG line loads logging; otherwise the first warning (or error) does
    assert done.stdout.split() == ["False", "True"]
    assert done.stderr.splitlines() == lines


def test_an_unconfigured_process_prints_warnings_as_logging_does_by_default() -> None:
    code = ("from ferry.model.log import get_logger\n"
            "get_logger('ferry.x').debug('no'); get_logger('ferry.x').warning('plain %s', 1)\n")
    assert _fresh(code).stderr == "plain 1\n"  # logging's last-resort handler, as before


# --- the same records as logging.getLogger(name) made -----------------------------------------


def test_records_carry_the_module_name_level_args_and_caller(
    caplog: pytest.LogCaptureFixture,
) -> None:
    shim = log.get_logger("ferry.some.module")
    assert log.get_logger("ferry.some.module") is shim and shim.name == "ferry.some.module"
    with caplog.at_level(logging.DEBUG, logger="ferry"):
        caplog.clear()
        shim.debug("why %s", "x"); line = sys._getframe().f_lineno  # noqa: E702
        try:
            raise OSError("disk")
        except OSError:
            shim.warning("Failed to roll back %s", "demo", exc_info=True)
        shim.log(logging.INFO, "at %d", 3)
        shim.error("bad")
    debug, warning, info, error = caplog.records
    assert [r.name for r in caplog.records] == ["ferry.some.module"] * 4
    assert [r.levelno for r in caplog.records] == [10, 30, 20, 40]
    assert (debug.msg, debug.args, debug.getMessage()) == ("why %s", ("x",), "why x")
    # the caller, not the shim, as when the module called logging itself
    assert (debug.funcName, debug.lineno, debug.filename) == (
        "test_records_carry_the_module_name_level_args_and_caller", line, "test_log_shim_s11.py")
    assert warning.exc_info is not None and isinstance(warning.exc_info[1], OSError)
    assert info.getMessage() == "at 3" and error.getMessage() == "bad"


def test_with_logging_loaded_the_standard_library_decides(
    ferry_logger: logging.Logger, capsys: pytest.CaptureFixture[str]
) -> None:
    process.configure_logging(0)
    shim = log.get_logger("ferry.decides")
    assert not shim.isEnabledFor(logging.DEBUG)
    logging.getLogger("ferry.decides").setLevel(logging.DEBUG)  # as a test (caplog) may do
    try:
        assert shim.isEnabledFor(logging.DEBUG)
        shim.debug("shown through the %s handler", "ferry")
    finally:
        logging.getLogger("ferry.decides").setLevel(logging.NOTSET)
    shim.debug("hidden again")
    assert capsys.readouterr().err == "DEBUG shown through the ferry handler\n"


def test_configure_applies_at_once_when_logging_is_loaded(
    ferry_logger: logging.Logger, capsys: pytest.CaptureFixture[str]
) -> None:
    process.configure_logging(1, color=True)
    assert ferry_logger.level == logging.DEBUG and not ferry_logger.propagate
    assert len(ferry_logger.handlers) == 1
    assert log.ferry_level() == logging.DEBUG
    logging.getLogger("ferry.direct").debug("direct %s", "call")  # not through the shim
    process.configure_logging(-1)
    assert ferry_logger.level == logging.ERROR and len(ferry_logger.handlers) == 1
    assert capsys.readouterr().err == "DEBUG direct call\n"


def test_ferry_level_without_logging_is_what_was_asked() -> None:
    code = ("import sys\nfrom ferry.model import log\n"
            "before = log.ferry_level()\n"
            "log.configure(log.DEBUG, lambda: None)\n"
            "print(before, log.ferry_level(), 'logging' in sys.modules)\n")
    assert _fresh(code).stdout.split() == ["0", "10", "False"]  # NOTSET until asked


def test_threads_logging_first_at_once_configure_one_handler() -> None:
    code = """
import sys, threading
from ferry.cli.process import configure_logging
from ferry.model.log import get_logger
configure_logging(0)
start = threading.Barrier(8)
def work(i):
    start.wait()
    get_logger(f"ferry.t{i}").warning("w%d", i)
threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
for t in threads: t.start()
for t in threads: t.join()
import logging
print(len(logging.getLogger("ferry").handlers))
"""
    done = _fresh(code)
    assert done.stdout.split() == ["1"]
    assert sorted(done.stderr.splitlines()) == [f"warning: w{i}" for i in range(8)]


def test_the_handler_writes_to_the_stderr_of_when_logging_was_configured() -> None:
    code = """
import io, sys
from ferry.cli.process import configure_logging
from ferry.model.log import get_logger
configure_logging(0)
real, sys.stderr = sys.stderr, io.StringIO()
get_logger("ferry.x").warning("to the real stderr")
sys.stderr, captured = real, sys.stderr
print(repr(captured.getvalue()))
"""
    done = _fresh(code)
    assert done.stdout.strip() == "''" and done.stderr == "warning: to the real stderr\n"


# --- the formatter ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "color", "expected"),
    [
        (logging.DEBUG, False, "DEBUG m 1"),
        (5, False, "DEBUG m 1"),
        (logging.INFO, False, "INFO m 1"),
        (logging.WARNING, False, "warning: m 1"),
        (logging.ERROR, False, "error: m 1"),
        (logging.CRITICAL, False, "error: m 1"),
        (logging.WARNING, True, "\x1b[33;1mwarning\x1b[0m: m 1"),
        (logging.ERROR, True, "\x1b[31;1merror\x1b[0m: m 1"),
        (logging.DEBUG, True, "DEBUG m 1"),
    ],
)
def test_the_formatter_prints_uvs_labels(level: int, color: bool, expected: str) -> None:
    record = logging.LogRecord("ferry.x", level, __file__, 1, "m %d", (1,), None)
    assert Formatter(color).format(record) == expected


def test_the_cli_still_prints_tracebacks_only_with_v(
    ferry_logger: logging.Logger, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from ferry.model.errors import UserError

    monkeypatch.delenv("FERRY_DEBUG", raising=False)

    def fail() -> None:
        raise UserError("nope")

    for verbosity, traceback in ((0, False), (1, True)):
        process.configure_logging(verbosity)
        with pytest.raises(SystemExit):
            process.run_guarded(fail)
        err = capsys.readouterr().err
        assert err.endswith("error: nope\n")
        assert ("Traceback" in err) is traceback


def test_loggers_run_many_threads_without_losing_records(caplog: pytest.LogCaptureFixture) -> None:
    shim = log.get_logger("ferry.many")
    with caplog.at_level(logging.DEBUG, logger="ferry.many"):
        threads = [threading.Thread(target=lambda i=i: shim.debug("n%d", i)) for i in range(20)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert sorted(r.getMessage() for r in caplog.records) == sorted(f"n{i}" for i in range(20))
