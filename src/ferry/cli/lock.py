"""``ferry lock``: write ``uv.lock`` for the project, printing what ``uv lock`` prints."""

from __future__ import annotations

from pathlib import Path

import click

from ferry.cli.help_sections import IndexCommand
from ferry.cli.index_options import index_strategy_option
from ferry.cli.project_options import resolver_options
from ferry.model.settings import GlobalOptions


@click.command(cls=IndexCommand)
@click.option(
    "--check", is_flag=True, help="Fail if uv.lock would change (as --locked) [env: FERRY_LOCKED]."
)
@click.option(
    "--check-exists",
    is_flag=True,
    help="Assert that uv.lock exists, without checking it (as --frozen) [env: FERRY_FROZEN].",
)
@click.option("--dry-run", is_flag=True, help="Resolve and show what would change; write nothing.")
@click.option("--locked", is_flag=True, help="Fail if uv.lock would change [env: FERRY_LOCKED].")
@click.option(
    "--frozen",
    is_flag=True,
    help="Use uv.lock as it is, without checking it [env: FERRY_FROZEN].",
)
@resolver_options
@click.option(
    "--fork-strategy",
    type=click.Choice(["requires-python", "fewest"]),
    help="Newest versions per Python (requires-python) or fewest versions overall.",
)
@click.option("--exclude-newer", metavar="DATE", help="Ignore files uploaded after this date.")
@click.option(
    "-i",
    "--index-url",
    "--default-index",
    "index_url",
    envvar="FERRY_INDEX_URL",
    help="The default index [env: FERRY_INDEX_URL].",
)
@click.option("--index", "index", multiple=True,
              help="An index searched before the project's own indexes.")
@click.option("--extra-index-url", "extra_index_url", multiple=True,
              help="An index searched after the project's indexes, before the default one.")
@click.option("-f", "--find-links", multiple=True, help="A directory or page of distributions.")
@click.option("--no-index", is_flag=True, help="Ignore every index; use --find-links only.")
@index_strategy_option(None)
@click.option("-p", "--python", help="The interpreter for builds and a missing requires-python.")
@click.option(
    "--project",
    type=click.Path(path_type=Path, file_okay=False),
    help="The project directory (default: found from the working directory).",
)
@click.option(
    "--script",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Lock this PEP 723 script into SCRIPT.lock beside it, instead of a project.",
)
@click.pass_obj
def lock(
    options: GlobalOptions,
    check: bool,
    check_exists: bool,
    dry_run: bool,
    locked: bool,
    frozen: bool,
    upgrade: bool,
    upgrade_package: tuple[str, ...],
    resolution: str | None,
    prerelease: str | None,
    fork_strategy: str | None,
    exclude_newer: str | None,
    index_url: str | None,
    index: tuple[str, ...],
    extra_index_url: tuple[str, ...],
    find_links: tuple[str, ...],
    no_index: bool,
    index_strategy: str | None,
    python: str | None,
    project: Path | None,
    script: Path | None,
) -> None:
    """Resolve the project's dependencies for every platform into uv.lock."""
    from ferry.cli.lock_action import lock_action

    lock_action(
        options,
        project=project,
        script=script,
        check=check,
        check_exists=check_exists,
        dry_run=dry_run,
        locked=locked,
        frozen=frozen,
        upgrade=upgrade,
        upgrade_packages=upgrade_package,
        resolution=resolution,
        prerelease=prerelease,
        fork_strategy=fork_strategy,
        exclude_newer=exclude_newer,
        index_url=index_url,
        index=index,
        extra_index_urls=extra_index_url,
        find_links=find_links,
        no_index=no_index,
        index_strategy=index_strategy,
        python=python,
    )
