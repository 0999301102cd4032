"""``ferry cache``: print the cache's location, clean, prune and verify it."""

from __future__ import annotations

from pathlib import Path

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
    if _no_cache_found(options, printer):
        return
    result = commands.cache_clean(options, packages)
    if not packages:
        printer.status(f"Clearing cache at: {_shown(result.root)}")
    for name in result.not_found:
        printer.status(f"No cache entries found for {name}")
    if result.removed.files:
        printer.status(_removed(result.removed))
    elif not packages:
        printer.status("No cache entries found")


@cache.command()
@click.option(
    "--ci",
    is_flag=True,
    help="Keep only what a CI cache should: drop downloaded wheels, unpacked wheels and "
    "environments; keep wheels built from source (and their sdists).",
)
@click.pass_obj
def prune(options: GlobalOptions, ci: bool) -> None:
    """Remove abandoned temporary files, damaged entries and stale pointers."""
    printer = Printer(options)
    if _no_cache_found(options, printer):
        return
    result = commands.cache_prune(options, ci=ci)
    printer.status(f"Pruning cache at: {_shown(result.root)}")
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


def _no_cache_found(options: GlobalOptions, printer: Printer) -> bool:
    """uv's answer when the cache directory does not exist: say so, create nothing."""
    missing = commands.missing_root(options)
    if missing is not None:
        printer.status(f"No cache found at: {_shown(missing)}")
    return missing is not None


def _shown(root: Path) -> str:
    """The cache root as uv shows it: relative to the working directory when inside it."""
    from ferry.commands.venv_messages import display_path

    return display_path(root, Path.cwd())


def _entries(count: int) -> str:
    return "entry" if count == 1 else "entries"


def _removed(removed: commands.Removed) -> str:
    return f"Removed {plural(removed.files, 'file')} ({human_bytes(removed.bytes)})"
