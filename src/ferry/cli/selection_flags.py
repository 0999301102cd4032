"""``--only-dev`` beside the flags it contradicts, refused with uv's words.

uv (clap) refuses ``--only-dev`` with ``--no-dev``, ``--group`` and ``--all-groups`` before it
reads anything, exit code 2, naming the first of the clashing options as typed:
``the argument '--only-dev' cannot be used with '--no-dev'``, or ``the argument '--group <GROUP>'
cannot be used with '--only-dev'`` when ``--group`` came first. ``--only-group`` and
``--no-default-groups`` go with it (the groups add up; ``--no-group dev`` wins).

Click-free, because the lean ``sync`` reader (:mod:`ferry.cli.lean`) runs it too: both parsers
hand over their keywords in command-line order (click fills its parameters in the order they were
typed, the lean reader inserts them so), which is what tells which option came first.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ferry.model.errors import UsageError

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
        raise UsageError(f"the argument '{_SHOWN[first]}' cannot be used with '--only-dev'")
    if len(others) == 1:
        raise UsageError(f"the argument '--only-dev' cannot be used with '{_SHOWN[others[0]]}'")
    listed = "".join(f"\n  {_SHOWN[key]}" for key in others)
    raise UsageError(f"the argument '--only-dev' cannot be used with:{listed}")
