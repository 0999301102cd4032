"""``ferry tree``: print the project's dependency tree as ``uv tree`` does."""

from __future__ import annotations

from typing import Any

import click

from ferry.cli.export import (
    group_selection,
    lock_options,
    lock_settings,
    report_lock,
    script_option,
)
from ferry.cli.help_sections import IndexCommand
from ferry.cli.output import Printer
from ferry.model.settings import GlobalOptions


@click.command(cls=IndexCommand)
@click.option(
    "-d",
    "--depth",
    type=click.IntRange(min=0),
    default=255,
    show_default=True,
    help="How many levels of dependencies to show.",
)
@click.option(
    "--invert",
    "--reverse",
    "invert",
    is_flag=True,
    help="Show what depends on each package instead (leaves first).",
)
@click.option("--package", "packages", multiple=True, help="Show the tree of this package only.")
@click.option("--prune", multiple=True, help="Leave this package (and its subtree) out.")
@click.option("--no-dedupe", is_flag=True, help="Expand every repeated subtree.")
@click.option(
    "--universal",
    is_flag=True,
    help="Show every platform's dependencies, not only this interpreter's.",
)
@click.option("--outdated", is_flag=True, help="Show the newest version on the index.")
@click.option("--group", "groups", multiple=True, help="Include this dependency group.")
@click.option("--only-group", "only_groups", multiple=True, help="Show only this group.")
@click.option("--all-groups", is_flag=True, help="Include every dependency group.")
@click.option("--no-group", "no_groups", multiple=True, help="Leave out this dependency group.")
@click.option("--no-dev", is_flag=True, help="Leave out the `dev` group (`--no-group dev`).")
@click.option("--only-dev", is_flag=True, help="Show only the `dev` group.")
@click.option("--no-default-groups", is_flag=True, help="Leave out the default groups.")
@lock_options
@script_option("Draw")
@click.pass_obj
def tree(options: GlobalOptions, /, **kwargs: Any) -> None:
    """Display the project's dependency tree (from the lockfile; locks first unless --frozen)."""
    from ferry.commands.tree import TreeRequest, tree_project

    settings = lock_settings(kwargs, options)
    request = TreeRequest(
        project=kwargs.pop("project"),
        depth=kwargs.pop("depth"),
        invert=kwargs.pop("invert"),
        no_dedupe=kwargs.pop("no_dedupe"),
        packages=tuple(kwargs.pop("packages")),
        prune=tuple(kwargs.pop("prune")),
        universal=kwargs.pop("universal"),
        outdated=kwargs.pop("outdated"),
        python=settings.python,
        selection=group_selection({**kwargs, "extras": (), "all_extras": False}),
        lock=settings,
        script=kwargs.pop("script"),
    )
    printer = Printer(options)
    result = tree_project(request, options)
    report_lock(result.lock, printer)
    for warning in result.warnings:
        printer.warn(warning)
    printer.data(result.text)
