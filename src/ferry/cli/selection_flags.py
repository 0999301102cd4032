"""``--only-dev`` beside the flags it contradicts, refused with uv's words.

uv (clap) refuses ``--only-dev`` with ``--no-dev``, ``--group`` and ``--all-groups`` before it
reads anything, exit code 2, naming the first of the clashing options as typed:
``the argument '--only-dev' cannot be used with '--no-dev'``, or ``the argument '--group <GROUP>'
cannot be used with '--only-dev'`` when ``--group`` came first. ``--only-group`` and
``--no-default-groups`` go with it (the groups add up; ``--no-group dev`` wins).

Likewise ``--upgrade`` beside ``--locked`` or ``--frozen`` (for ``lock``: ``--check`` or
``--locked``; ``--upgrade-package`` and the variables are no conflict). :func:`check_arguments`
runs both checks before a command says anything (the project's warnings included), and their
errors print even under ``-qq``, as uv's parser errors do.

Click-free, because the lean ``sync`` reader (:mod:`ferry.cli.lean`) runs it too: both parsers
hand over their keywords in command-line order (click fills its parameters in the order they were
typed, the lean reader inserts them so), which is what tells which option came first.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ferry.model.argument_errors import ArgumentConflict, ArgumentError

# keyword -> the option as clap names it in the message
_SHOWN = {
    "only_dev": "--only-dev",
    "no_dev": "--no-dev",
    "groups": "--group <GROUP>",
    "all_groups": "--all-groups",
}
_CLASHES_WITH_ONLY_DEV = ("no_dev", "groups", "all_groups")


def check_only_dev(kwargs: Mapping[str, Any]) -> None:
    """Refuse ``--only-dev`` with ``--no-dev``/``--group``/``--all-groups`` as uv does;
    ``kwargs`` are the command's keywords in the order their options were typed."""
    if not kwargs.get("only_dev"):
        return
    given = [key for key in kwargs if key in _SHOWN and kwargs[key]]
    others = [key for key in given if key in _CLASHES_WITH_ONLY_DEV]
    if not others:
        return
    first = given[0]
    if first != "only_dev":
        raise ArgumentConflict(_SHOWN[first], "--only-dev")
    if len(others) == 1:
        raise ArgumentConflict("--only-dev", _SHOWN[others[0]])
    listed = "".join(f"\n  {_SHOWN[key]}" for key in others)
    raise ArgumentError(f"the argument '--only-dev' cannot be used with:{listed}")


def check_arguments(command: str, kwargs: Mapping[str, Any]) -> None:
    """What uv's parser refuses in ``command``'s keywords (in the order typed) before anything
    runs: ``--only-dev`` with what it contradicts, ``--upgrade`` with a lock mode flag."""
    check_only_dev(kwargs)
    if command in ("add", "remove") and kwargs.get("script") is not None:
        _check_script_target(kwargs)
    if not kwargs.get("upgrade"):
        return
    modes = ("check", "locked") if command == "lock" else ("locked", "frozen")
    given = [key for key in kwargs if kwargs[key] and key in (*modes, "upgrade")]
    if len(given) > 1:
        first = given[0]
        second = next(key for key in given if (key == "upgrade") != (first == "upgrade"))
        raise ArgumentConflict(f"--{first}", f"--{second}")


# `add`/`remove --script`: the target flags it refuses, as clap names them
_SCRIPT_TARGETS = {"script": "--script <SCRIPT>", "dev": "--dev", "group": "--group <GROUP>",
                   "optional": "--optional <OPTIONAL>"}


def _check_script_target(kwargs: Mapping[str, Any]) -> None:
    """``--script`` with ``--dev``/``--group``/``--optional``: a script has one table."""
    given = [key for key in kwargs if key in _SCRIPT_TARGETS and kwargs[key]]
    if len(given) > 1:
        first = given[0]
        second = next(key for key in given if (key == "script") != (first == "script"))
        raise ArgumentConflict(_SCRIPT_TARGETS[first], _SCRIPT_TARGETS[second])
