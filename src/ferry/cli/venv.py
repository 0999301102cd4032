"""``ferry venv [PATH]``: create a virtual environment, printing what uv prints."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ferry.cli.help_sections import IndexCommand
from ferry.cli.index_options import index_options, link_mode_option
from ferry.model.settings import GlobalOptions


@click.command(cls=IndexCommand)
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option(
    "-p",
    "--python",
    envvar="FERRY_PYTHON",
    help="The interpreter to use: a version (3.12), a range, pypy3, or a path [env: FERRY_PYTHON].",
)
@click.option("--prompt", help="The prompt prefix shown when activated ('.' = this directory).")
@click.option("--clear", is_flag=True, help="Replace an existing virtual environment.")
@click.option(
    "--seed", is_flag=True,
    help="Install pip into the new environment (and setuptools and wheel before Python 3.12).",
)
@click.option(
    "--system-site-packages", is_flag=True, help="Give the environment the base's site-packages."
)
@click.option(
    "--allow-existing", is_flag=True, help="Write into an existing directory without clearing it."
)
@click.option(
    "--project",
    type=click.Path(path_type=Path, file_okay=False),
    help="Look for the project here (default: the working directory).",
)
@click.option("--no-project", is_flag=True, help="Do not look for a project: create `.venv`.")
@index_options
@link_mode_option
@click.pass_obj
def venv(options: GlobalOptions, /, **kwargs: Any) -> None:
    """Create a virtual environment at PATH (default: .venv, or the project's environment
    from a project's root).

    The index and link options apply to --seed's install."""
    from ferry.cli.venv_action import venv_action

    venv_action(options, **kwargs)
