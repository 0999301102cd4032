"""``ferry cache``: print the cache's location, clean, prune and verify it."""

from __future__ import annotations

import click

from ferry.cli.output import Printer, human_bytes, plural
from ferry.commands import cache as commands
from ferry.model.errors import UserError
from ferry.model.settings import GlobalOptions


@click.group()
def cache() -> None:
    """Manage ferry's cache."""


@cache.command("dir")
@click.pass_obj
def dir_(options: GlobalOptions) -> None:
    """Print the cache directory (on stdout)."""
    Printer(options).info(str(commands.cache_dir(options)))  # uv: hidden by -q


@cache.command()
@click.argument("packages", nargs=-1)
@click.pass_obj
def clean(options: GlobalOptions, packages: tuple[str, ...]) -> None:
    """Remove all cache entries, or only those of PACKAGES."""
    printer = Printer(options)
    result = commands.cache_clean(options, packages)
    if not packages:
        printer.status(f"Clearing cache at: {result.root}")
    for name in result.not_found:
        printer.status(f"No cache entries found for {name}")
    if not packages or result.removed.files:
        printer.status(_removed(result.removed))


@cache.command()
@click.pass_obj
def prune(options: GlobalOptions) -> None:
    """Remove abandoned temporary files, damaged entries and stale pointers."""
    printer = Printer(options)
    result = commands.cache_prune(options)
    printer.status(f"Pruning cache at: {result.root}")
    if result.removed.files:
        printer.status(_removed(result.removed))
    else:
        printer.status("No unused entries found")


@cache.command()
@click.option("--repair", is_flag=True, help="Remove damaged entries (they are fetched again).")
@click.pass_obj
def verify(options: GlobalOptions, repair: bool) -> None:
    """Check every cache entry against its hash or manifest. Exit 1 if damage remains."""
    printer = Printer(options)
    result = commands.cache_verify(options, repair=repair)
    printer.status(f"Checked {result.checked} {_entries(result.checked)} in {result.root}")
    for damage in result.damaged:
        printer.warn(f"damaged: `{damage.path}`: {damage.reason}")
    if result.orphans:
        printer.status(
            f"{result.orphans} orphaned temporary {_entries(result.orphans)} ignored "
            "(`ferry cache prune` removes them after an hour)"
        )
    if repair and result.damaged:
        printer.status(f"Removed {len(result.damaged)} damaged {_entries(len(result.damaged))}")
    if result.remaining:
        raise UserError(
            f"Found {result.remaining} damaged cache {_entries(result.remaining)}",
            hint="run `ferry cache verify --repair` to remove them; they are fetched again "
            "when next needed",
        )
    if not result.damaged:
        printer.status("No damaged entries found")


def _entries(count: int) -> str:
    return "entry" if count == 1 else "entries"


def _removed(removed: commands.Removed) -> str:
    return f"Removed {plural(removed.files, 'file')} ({human_bytes(removed.bytes)})"
