"""What ``ferry lock`` does once its command line is read — by click (:mod:`ferry.cli.lock`) or
by the lean parser (:mod:`ferry.cli.lean`): the same request, the same lines printed."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from ferry.cli.output import Printer, elapsed, plural
from ferry.model.settings import GlobalOptions

if TYPE_CHECKING:
    from ferry.commands.lock_mode import LockMode


def merge_index_flags(kwargs: dict[str, Any], extra_key: str = "extra_index_url") -> None:
    """``--index`` values join the extra indexes, first, and are named as the ones searched
    before the project's indexes (uv's order: ``--index``, ``[[tool.uv.index]]``, then
    ``--extra-index-url``); ``kwargs`` is changed in place."""
    index = tuple(kwargs.pop("index", ()) or ())
    kwargs[extra_key] = (*index, *(kwargs.get(extra_key) or ()))
    kwargs["priority_indexes"] = index


def lock_action(
    options: GlobalOptions, *, project: Path | None = None, script: Path | None = None,
    locked: bool = False, frozen: bool = False, check: bool = False,
    check_exists: bool = False, dry_run: bool = False, **request: Any,
) -> None:
    """Lock the project (or ``script``) and print what ``uv lock`` prints.

    ``request`` holds :class:`ferry.commands.lock.LockRequest`'s other fields; the mode flags
    (``--check`` is ``--locked``, ``--check-exists`` is ``--frozen``, ``--dry-run``) are
    reconciled with ``FERRY_LOCKED``/``FERRY_FROZEN`` here, so both parsers agree."""
    from ferry.commands.lock import LOCK_NAME, LockRequest, frozen_warning, run_lock

    printer = Printer(options)
    mode = announced_mode(printer, locked=locked, check=check, frozen=frozen,
                          check_exists=check_exists, dry_run=dry_run)
    merge_index_flags(request, "extra_index_urls")
    lock_request = LockRequest(locked=mode.locked, frozen=mode.frozen, dry_run=mode.dry_run,
                               given_as=mode.given_as, **request)
    if script is not None:
        from ferry.commands.lock import run_script_lock

        outcome, name = run_script_lock(script, lock_request, options), f"{script.name}.lock"
    else:
        discovered, note = None, None
        if not mode.frozen and options.verbosity >= 0:  # uv names an interpreter it found
            from ferry.commands.lock_interpreter import interpreter_note

            note, discovered = interpreter_note(project, lock_request.python, options)
        try:
            outcome, name = run_lock(project, lock_request, options, discovered), LOCK_NAME
        finally:  # the line comes first, before `Resolved` or the error, as uv's does
            line = note() if note is not None else None
            if line is not None:
                printer.status(line)
    for warning in outcome.warnings:
        printer.warn(warning)
    if mode.frozen:
        printer.warn(frozen_warning(name, lock_request.mode_flag()))  # instead of `Resolved`
    elif outcome.resolved == 0 and script is not None:
        printer.status(f"Resolved in {elapsed(outcome.seconds)}")  # uv's words for no packages
    elif outcome.resolved is not None:
        printer.status(
            f"Resolved {plural(outcome.resolved, 'package')} in {elapsed(outcome.seconds)}"
        )
    for warning in outcome.diagnostics:  # uv's order: the resolution's warnings follow it
        printer.warn(warning)
    for line in outcome.changes:
        printer.status(line)
    if mode.dry_run and not outcome.changes:
        printer.status("No lockfile changes detected")


def lock_fields(kwargs: dict[str, Any], options: GlobalOptions) -> dict[str, Any]:
    """Take ``frozen``/``locked`` out of a command's ``kwargs`` and reconcile them with
    ``FERRY_FROZEN``/``FERRY_LOCKED`` as ``ferry lock`` does (:func:`lock_mode`: a flag beats
    the other mode's variable with uv's warning, printed here first, as uv prints it; both
    variables or a bad value are usage errors). The result is the ``frozen``, ``locked`` and
    ``given_as`` fields of the command's request, so its messages name what asked."""
    mode = announced_mode(Printer(options), locked=kwargs.pop("locked", False),
                          frozen=kwargs.pop("frozen", False))
    return {"frozen": mode.frozen, "locked": mode.locked, "given_as": mode.given_as}


def announced_mode(printer: Printer, **flags: bool) -> LockMode:
    """:func:`~ferry.commands.lock_mode.lock_mode` for these flags, its warnings printed first,
    as uv prints them: every project command reads its lock flags through here."""
    from ferry.commands.lock_mode import lock_mode

    mode = lock_mode(**flags)
    for warning in mode.warnings:
        printer.warn(warning)
    return mode

