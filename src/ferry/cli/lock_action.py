"""What ``ferry lock`` does once its command line is read — by click (:mod:`ferry.cli.lock`) or
by the lean parser (:mod:`ferry.cli.lean`): the same request, the same lines printed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ferry.cli.output import Printer, elapsed, plural
from ferry.model.settings import GlobalOptions


def lock_action(
    options: GlobalOptions, *, project: Path | None = None, script: Path | None = None,
    **request: Any,
) -> None:
    """Lock the project (or ``script``) and print what ``uv lock`` prints.

    ``request`` holds :class:`ferry.commands.lock.LockRequest`'s fields."""
    from ferry.commands.lock import LockRequest, run_lock

    printer = Printer(options)
    lock_request = LockRequest(**request)
    if script is not None:
        from ferry.commands.script_lock import lock_script

        outcome = lock_script(script, lock_request, options)
    else:
        outcome = run_lock(project, lock_request, options)
    for warning in outcome.warnings:
        printer.warn(warning)
    if outcome.resolved == 0 and script is not None:
        printer.status(f"Resolved in {elapsed(outcome.seconds)}")  # uv's words for no packages
    elif outcome.resolved is not None:
        printer.status(
            f"Resolved {plural(outcome.resolved, 'package')} in {elapsed(outcome.seconds)}"
        )
    for line in outcome.changes:
        printer.status(line)
