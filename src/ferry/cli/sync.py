"""``ferry sync``."""

from __future__ import annotations

from typing import Any

import click

from ferry.cli.help_sections import IndexCommand
from ferry.cli.output import Printer
from ferry.cli.project_options import lock_fields, selection_options, sync_options
from ferry.model.settings import GlobalOptions


@click.command(cls=IndexCommand)
@selection_options
@sync_options
@click.option("--dry-run", is_flag=True, help="Show what would change; change nothing.")
@click.pass_obj
def sync(options: GlobalOptions, /, **kwargs: Any) -> None:
    """Update the project's environment to match the lockfile."""
    from ferry.cli.render import render_install
    from ferry.commands.sync import SyncRequest, sync_project

    modes = lock_fields(kwargs, options)
    request = SyncRequest(**modes, **kwargs)
    result = sync_project(request, options)
    render_install(result, Printer(options))
    if not request.dry_run:
        from ferry.cli.main import ORIGINAL_ARGV
        from ferry.commands.fastpath import write_record

        write_record(ORIGINAL_ARGV, result.resolved or 0, result.target_packages)
