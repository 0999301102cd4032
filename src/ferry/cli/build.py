"""``ferry build [SRC]``: build a project's sdist and wheel, printing what ``uv build`` prints."""

from __future__ import annotations

from pathlib import Path

import click

from ferry.cli.help_sections import IndexCommand
from ferry.cli.output import Printer
from ferry.model.settings import GlobalOptions


@click.command(cls=IndexCommand)
@click.argument("src", required=False, type=click.Path(path_type=Path))
@click.option("--sdist", is_flag=True, help="Build a source distribution from the directory.")
@click.option("--wheel", is_flag=True, help="Build a wheel from the directory (or the sdist).")
@click.option(
    "-o",
    "--out-dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Where to write the distributions (default: SRC/dist).",
)
@click.option(
    "-p",
    "--python",
    envvar="FERRY_PYTHON",
    help="The interpreter to build with [env: FERRY_PYTHON].",
)
@click.option(
    "--no-build-isolation",
    is_flag=True,
    help="Build with the interpreter's own packages instead of an isolated environment.",
)
@click.option(
    "-C",
    "--config-setting",
    "config_settings",
    multiple=True,
    metavar="KEY=VALUE",
    help="A setting passed to the build backend (repeatable).",
)
@click.option(
    "-i",
    "--index-url",
    "--default-index",
    envvar="FERRY_INDEX_URL",
    help="The index build requirements come from [env: FERRY_INDEX_URL].",
)
@click.option(
    "--extra-index-url",
    "--index",
    multiple=True,
    help="More indexes, searched after the default one.",
)
@click.option(
    "-f", "--find-links", multiple=True, help="A directory or page of distribution links."
)
@click.option("--no-index", is_flag=True, help="Ignore every index; use --find-links only.")
@click.pass_obj
def build(
    options: GlobalOptions,
    src: Path | None,
    sdist: bool,
    wheel: bool,
    out_dir: Path | None,
    python: str | None,
    no_build_isolation: bool,
    config_settings: tuple[str, ...],
    index_url: str | None,
    extra_index_url: tuple[str, ...],
    find_links: tuple[str, ...],
    no_index: bool,
) -> None:
    """Build SRC (default: the current directory) into an sdist and a wheel."""
    from ferry.commands.build import BuildRequest, run_build
    from ferry.commands.index_settings import IndexSettings

    printer = Printer(options)
    request = BuildRequest(
        source=src,
        sdist=sdist,
        wheel=wheel,
        out_dir=out_dir,
        python=python,
        no_build_isolation=no_build_isolation,
        index=IndexSettings(index_url, extra_index_url, find_links, no_index),
        config_settings=config_settings,
    )
    result = run_build(request, options, printer)
    for shown in result.shown:
        printer.status(f"Successfully built {shown}")
