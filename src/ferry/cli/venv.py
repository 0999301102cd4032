"""``ferry venv [PATH]``: create a virtual environment, printing what uv prints."""

from __future__ import annotations

from pathlib import Path

import click

from ferry.cli.help_sections import IndexCommand
from ferry.cli.output import Printer
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
@click.pass_obj
def venv(
    options: GlobalOptions,
    path: Path | None,
    python: str | None,
    prompt: str | None,
    clear: bool,
    seed: bool,
    system_site_packages: bool,
    allow_existing: bool,
) -> None:
    """Create a virtual environment at PATH (default: .venv)."""
    from ferry.commands.venv import VenvRequest, run_venv

    printer = Printer(options)
    request = VenvRequest(
        path=path,
        python=python,
        prompt=prompt,
        clear=clear,
        seed=seed,
        system_site_packages=system_site_packages,
        allow_existing=allow_existing,
    )
    result = run_venv(request, options, printer)
    if result.seeded is not None:
        from ferry.cli.render import render_install

        render_install(result.seeded, printer)
    printer.status(f"Activate with: {result.activate}")
