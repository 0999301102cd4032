"""Help for the global options where they matter: in the help of each command that uses them.

The cache and index options (``--refresh``, ``--refresh-package``, ``--keyring-provider``, …)
are declared once, on the ``ferry`` group, and accepted anywhere on the command line
(``cli.main.hoist_global_options``). uv lists them in every subcommand's help too, where users
look; :class:`IndexCommand` does the same by reading the root group's own declarations at help
time, so nothing is declared twice and the texts cannot drift apart.
"""

from __future__ import annotations

import click

#: section title -> the root group's parameters (by name) shown in it, grouped as uv groups them
SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Index options", ("keyring_provider",)),
    ("Cache options", ("no_cache", "cache_dir", "refresh", "refresh_packages")),
)


class IndexCommand(click.Command):
    """A command that reads indexes or the cache: its help ends with the global options that
    steer those, taken from the root group."""

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_options(ctx, formatter)
        root = ctx.find_root()
        if root is ctx:  # invoked on its own (tests, embedding): no global options to show
            return
        params = {param.name: param for param in root.command.get_params(root)}
        for title, names in SECTIONS:
            rows = [record for name in names if name in params
                    if (record := params[name].get_help_record(ctx)) is not None]
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)
