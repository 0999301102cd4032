"""What uv's parser refuses once a command line is read, checked the same way by both parsers.

click (the full CLI) and the lean reader (:mod:`ferry.cli.lean`) each hand over a command's
keywords; :func:`check_command_line` refuses what clap would have refused before anything runs:
contradicting options (:func:`~ferry.cli.selection_flags.check_arguments`), then a command
without any of the arguments it needs one of (``ferry pip install`` with no package, no ``-r``,
no ``-e``). The refusal ends with clap's usage line, which needs click's picture of the
command, so that is worked out (:mod:`ferry.cli.usage_errors`) only when there is something to
refuse: this module stays free of click for the lean path.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ferry.model.argument_errors import ArgumentConflict, ArgumentError

# A required "one of these" group (clap's ArgGroup), by click parameter name, in uv's order:
# uv refuses the command line without one of them. Members ferry lacks are passed over.
REQUIRED_GROUPS: dict[str, tuple[str, ...]] = {
    "add": ("packages", "requirements"),
    "pip install": ("packages", "requirements", "editables", "group"),
    "pip compile": ("src_files", "group"),
    "pip uninstall": ("packages", "requirements"),
}


def check_command_line(path: Sequence[str], argv: Sequence[str],
                       kwargs: Mapping[str, Any]) -> None:
    """Refuse, in uv's words and with its usage line, what clap refuses in the command at
    ``path`` (``["pip", "install"]``) given ``kwargs`` (in the order typed); ``argv`` is the
    whole command line as typed (for the usage line)."""
    from ferry.cli.selection_flags import check_arguments

    try:
        check_arguments(path[-1] if path else "", kwargs)
        _check_lock_modes(kwargs)
    except ArgumentError as error:
        from ferry.cli.usage_errors import conflict_usage

        raise error.with_usage(conflict_usage(error, path, argv)) from None
    members = REQUIRED_GROUPS.get(" ".join(path), ())
    if members and not any(kwargs.get(key) for key in members):
        from ferry.cli.usage_errors import missing_arguments

        raise missing_arguments(path, argv)


def _check_lock_modes(kwargs: Mapping[str, Any]) -> None:
    """``--frozen`` with ``--locked``: clap's conflict, naming the one typed first (``kwargs``
    are in the order typed). The commands check the environment's forms themselves
    (``FERRY_FROZEN`` with ``FERRY_LOCKED``)."""
    given = [key for key in kwargs if key in ("frozen", "locked") and kwargs[key] is True]
    if len(given) == 2:
        raise ArgumentConflict(f"--{given[0]}", f"--{given[1]}")
