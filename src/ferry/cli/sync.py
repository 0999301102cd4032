"""``ferry sync``."""

from __future__ import annotations

from typing import Any

import click

from ferry.cli.help_sections import IndexCommand
from ferry.cli.project_options import selection_options, sync_options
from ferry.model.settings import GlobalOptions


@click.command(cls=IndexCommand)
@selection_options
@sync_options
@click.option("--dry-run", is_flag=True, help="Show what would change; change nothing.")
@click.pass_obj
def sync(options: GlobalOptions, /, **kwargs: Any) -> None:
    """Update the project's environment to match the lockfile."""
    from ferry.cli.main import ORIGINAL_ARGV
    from ferry.cli.sync_action import sync_action

    sync_action(options, ORIGINAL_ARGV, **kwargs)
