"""``ferry version``: show, set or bump the project's version, printing as ``uv version``."""

from __future__ import annotations

import json
from typing import Any

import click

from ferry.cli.edit import _apply_options, apply_settings, render_applied
from ferry.cli.help_sections import IndexCommand
from ferry.cli.output import Printer
from ferry.model.settings import GlobalOptions


@click.command(cls=IndexCommand)
@click.argument("value", required=False)
@click.option(
    "--bump",
    "bumps",
    multiple=True,
    metavar="COMPONENT[=N]",
    help="Bump major, minor, patch, stable, alpha, beta, rc, post or dev (repeatable).",
)
@click.option("--short", is_flag=True, help="Print the version only.")
@click.option(
    "--package",
    help="The workspace member whose version to read or update (default: the current one).",
)
@click.option("--dry-run", is_flag=True, help="Show the new version; change nothing.")
@click.option(
    "--output-format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
)
@_apply_options
@click.pass_obj
def version(options: GlobalOptions, /, **kwargs: Any) -> None:
    """Read or update the project's version (project.version in pyproject.toml); in a
    workspace, the current member's or --package's.

    With VALUE, set it; with --bump, raise it; then lock and sync, unless --frozen.
    """
    from ferry.commands.version import Bump, VersionRequest, project_version

    settings = apply_settings(kwargs, options)
    request = VersionRequest(
        value=kwargs.pop("value"),
        bumps=tuple(Bump.parse(b) for b in kwargs.pop("bumps")),
        dry_run=kwargs.pop("dry_run"),
        project=kwargs.pop("project"),
        settings=settings,
    )
    result = project_version(request, options)
    printer = Printer(options)
    render_applied(result.applied, printer)
    shown = result.new or result.old
    if kwargs["output_format"] == "json":
        data = {"package_name": result.name, "version": shown, "commit_info": None}
        printer.listing(json.dumps(data, indent=2))  # uv: shown under -q, not -qq
    elif kwargs["short"]:
        printer.info(shown)  # uv: hidden by -q
    elif result.new is not None:
        printer.info(f"{result.name} {result.old} => {result.new}")
    else:
        printer.info(f"{result.name} {result.old}")
