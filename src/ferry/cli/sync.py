"""``ferry sync``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ferry.cli.help_sections import IndexCommand
from ferry.cli.project_options import selection_options, sync_options
from ferry.model.choices import FORK_STRATEGIES, PRERELEASE_MODES, RESOLUTIONS
from ferry.model.settings import GlobalOptions


@click.command(cls=IndexCommand)
@selection_options
@sync_options
@click.option("--dry-run", is_flag=True, help="Show what would change; change nothing.")
@click.option(
    "--script",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Sync this PEP 723 script's environment (the one `ferry run SCRIPT` uses) instead of "
    "the project's.",
)
@click.option("--resolution", type=click.Choice(RESOLUTIONS),
              help="Which versions to prefer when the lock is (re-)resolved.")
@click.option("--prerelease", type=click.Choice(PRERELEASE_MODES),
              help="When pre-releases may be chosen when the lock is (re-)resolved.")
@click.option("--fork-strategy", type=click.Choice(FORK_STRATEGIES),
              help="Newest versions per Python (requires-python) or fewest versions overall.")
@click.pass_obj
def sync(options: GlobalOptions, /, **kwargs: Any) -> None:
    """Update the project's environment to match the lockfile."""
    from ferry.cli.main import ORIGINAL_ARGV
    from ferry.cli.sync_action import sync_action
    from ferry.commands.sync_script import check_script_arguments

    check_script_arguments(kwargs)
    sync_action(options, ORIGINAL_ARGV, **kwargs)
