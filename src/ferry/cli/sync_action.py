"""What ``ferry sync`` does once its command line is read, by click (``cli/sync.py``) or by the
lean reader (``cli/lean.py``): both hand over the same keywords, so both paths run this."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ferry.cli.lock_action import lock_fields, merge_index_flags
from ferry.cli.output import Printer
from ferry.cli.selection_flags import check_only_dev
from ferry.model.settings import GlobalOptions


def sync_action(options: GlobalOptions, argv: Sequence[str], **kwargs: Any) -> None:
    """Sync the project as ``kwargs`` (``SyncRequest``'s fields, plus ``frozen``/``locked``)
    ask; ``argv`` is the command line as typed, recorded for the no-op fast path."""
    from ferry.cli.render import render_install
    from ferry.commands.sync import SyncRequest, sync_project

    check_only_dev(kwargs)
    modes = lock_fields(kwargs, options)
    merge_index_flags(kwargs)
    request = SyncRequest(**modes, **kwargs)
    from ferry.commands.sync_replay import creates_environment
    from ferry.model.log import warnings_logged

    creating = not request.dry_run and creates_environment(list(argv))
    warnings_before = warnings_logged()
    result = sync_project(request, options)
    render_install(result, Printer(options))
    if not request.dry_run:
        from ferry.commands.fastpath import write_record

        write_record(list(argv), result.resolved or 0, result.target_packages)
    if creating:
        from ferry.commands.sync_replay import remember

        remember(list(argv), result, warnings_before)
