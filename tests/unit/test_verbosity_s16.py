"""The verbosity rules of uv 0.13.8's parser and printer, as ferry's CLI now applies them (the
side-by-side runs with the real uv are in tests/e2e/test_verbosity_exit_s16.py)."""

from __future__ import annotations

import io
import logging
from typing import Any

import pytest

from ferry.cli.log_format import stderr_handler
from ferry.cli.main import command_line, verbosity
from ferry.cli.output import Printer
from ferry.cli.selection_flags import check_arguments
from ferry.model.argument_errors import ArgumentConflict, ArgumentError
from ferry.model.settings import GlobalOptions


@pytest.mark.parametrize(("argv", "expected"), [
    (["lock"], (0, 0)),
    (["-q", "lock"], (1, 0)),
    (["-qq", "lock"], (2, 0)),
    (["-q", "-q", "lock"], (2, 0)),
    (["--quiet", "--quiet", "lock"], (2, 0)),
    (["lock", "-q", "--quiet", "-q"], (3, 0)),
    (["-qq", "lock", "-q"], (1, 0)),  # the deepest level that has the flag gives the count
    (["-q", "pip", "list", "-qq"], (2, 0)),
    (["-q", "lock", "-v"], (1, 1)),  # different levels: both hold
    (["-vv", "lock", "-qq"], (2, 2)),
    (["run", "python", "-q", "-v"], (0, 0)),  # the child's
    (["lock", "--", "-q", "-v"], (0, 0)),
])
def test_counted_per_level(argv: list[str], expected: tuple[int, int]) -> None:
    assert verbosity(argv) == expected


@pytest.mark.parametrize(("argv", "first", "second", "usage"), [
    (["-q", "-v", "lock"], "--quiet...", "--verbose...", "ferry --quiet... <COMMAND>"),
    (["-v", "-q", "lock"], "--verbose...", "--quiet...", "ferry --verbose... <COMMAND>"),
    (["-qv", "lock"], "--quiet...", "--verbose...", "ferry --quiet... <COMMAND>"),
    (["-vq", "lock"], "--verbose...", "--quiet...", "ferry --verbose... <COMMAND>"),
    (["lock", "--verbose", "--quiet"], "--verbose...", "--quiet...", "ferry lock --verbose..."),
    (["pip", "-q", "list", "-v", "-q"], "--verbose...", "--quiet...",
     "ferry pip list --verbose..."),
])
def test_both_on_one_level_are_refused(argv: list[str], first: str, second: str,
                                       usage: str) -> None:
    """uv's words, and clap's usage line for the level the conflict is on (uv 0.13.8's)."""
    with pytest.raises(ArgumentConflict) as caught:
        verbosity(argv)
    assert str(caught.value) == (f"the argument '{first}' cannot be used with '{second}'\n\n"
                                 f"Usage: {usage}\n\nFor more information, try '--help'.")
    assert caught.value.exit_code == 2


def test_click_gets_the_counts_once_in_front() -> None:
    assert command_line(["export", "--no-hashes", "-q", "--quiet"]) == [
        "-q", "-q", "export", "--no-hashes"]
    assert command_line(["-qq", "lock", "-q", "-n"]) == ["-q", "-n", "lock"]
    assert command_line(["-q", "lock", "-vv"]) == ["-q", "-v", "-v", "lock"]
    assert command_line(["run", "-q", "tool", "-v"]) == ["-q", "run", "tool", "-v"]


def _kwargs(*pairs: tuple[str, Any]) -> dict[str, Any]:
    return dict(pairs)  # in the order typed, as click and the lean reader hand them over


@pytest.mark.parametrize(("command", "kwargs", "message"), [
    ("lock", _kwargs(("locked", True), ("upgrade", True)),
     "'--locked' cannot be used with '--upgrade'"),
    ("lock", _kwargs(("upgrade", True), ("check", True)),
     "'--upgrade' cannot be used with '--check'"),
    ("sync", _kwargs(("frozen", True), ("upgrade", True)),
     "'--frozen' cannot be used with '--upgrade'"),
    ("export", _kwargs(("upgrade", True), ("locked", True), ("frozen", True)),
     "'--upgrade' cannot be used with '--locked'"),
    ("remove", _kwargs(("dev", True), ("script", "s.py")),
     "'--dev' cannot be used with '--script <SCRIPT>'"),
    ("add", _kwargs(("script", "s.py"), ("optional", "x")),
     "'--script <SCRIPT>' cannot be used with '--optional <OPTIONAL>'"),
])
def test_what_the_parser_refuses(command: str, kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ArgumentConflict, match=message):
        check_arguments(command, {**kwargs, "upgrade_package": ("a",), "no_dev": False})


@pytest.mark.parametrize(("command", "kwargs"), [
    ("lock", _kwargs(("frozen", True), ("upgrade", True))),  # `lock --frozen` is --check-exists
    ("lock", _kwargs(("locked", True), ("upgrade", False), ("upgrade_package", ("a",)))),
    ("sync", _kwargs(("upgrade", True), ("locked", False))),
    ("install", _kwargs(("upgrade", True))),
    ("add", _kwargs(("script", None), ("dev", True))),
])
def test_what_it_lets_through(command: str, kwargs: dict[str, Any]) -> None:
    check_arguments(command, kwargs)


def test_only_dev_conflicts_are_parser_errors_too() -> None:
    with pytest.raises(ArgumentError, match="cannot be used with:\n  --no-dev\n  --all-groups"):
        check_arguments("sync", _kwargs(("only_dev", True), ("no_dev", True),
                                        ("all_groups", True)))


@pytest.mark.parametrize(("verbosity_", "shown"), [
    (0, {"status", "warn", "info", "important", "listing", "data"}),
    (-1, {"important", "listing", "data"}),
    (-2, {"data"}),
])
def test_each_kind_of_line_has_its_level(
    verbosity_: int, shown: set[str], capsys: pytest.CaptureFixture[str]
) -> None:
    printer = Printer(GlobalOptions(verbosity=verbosity_))
    for kind in ("status", "warn", "info", "important", "listing", "data"):
        getattr(printer, kind)(kind)
    out, err = capsys.readouterr()
    printed = {line.removeprefix("warning: ") for line in (out + err).splitlines()}
    assert printed == shown
    assert set(out.split()) == shown & {"info", "listing", "data"}


@pytest.mark.parametrize(("quiet", "kept"), [
    (0, ["DEBUG d", "warning: w", "error: e"]),
    (1, ["DEBUG d", "error: e"]),
    (2, ["DEBUG d"]),
])
def test_debug_lines_stay_when_quiet_meets_verbose(quiet: int, kept: list[str]) -> None:
    stream = io.StringIO()
    logger = logging.getLogger("ferry.test_verbosity_s16")
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    handler = stderr_handler(stream, False, quiet=quiet)
    logger.addHandler(handler)
    try:
        logger.debug("d")
        logger.warning("w")
        logger.error("e")
    finally:
        logger.removeHandler(handler)
    assert stream.getvalue().splitlines() == kept
