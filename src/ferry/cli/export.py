"""``ferry export``: print (and with ``-o`` write) the lock as requirements.txt or pylock.toml."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from ferry.cli.help_sections import IndexCommand
from ferry.cli.index_options import index_strategy_option
from ferry.cli.output import Printer, elapsed, plural
from ferry.cli.project_options import lock_fields, mode_options, selection_options
from ferry.cli.selection_flags import check_only_dev
from ferry.model.errors import UsageError
from ferry.model.settings import GlobalOptions

F = TypeVar("F", bound=Callable[..., Any])


def command_line() -> str:
    """The command line as typed, for the header, spelled as uv spells its own: every argument
    (global options before the sub-command included) joined by one space, unquoted — uv's
    header is ``uv `` plus its arguments joined so, even one holding a space."""
    return " ".join(["ferry", *_header_args(sys.argv[1:])])


def _header_args(args: list[str]) -> list[str]:
    """The arguments uv repeats in the header: without ``-q``/``--quiet``, ``-v``/``--verbose``,
    ``-U``/``--upgrade`` and ``-P``/``--upgrade-package`` with its value (uv drops exactly
    these spellings: ``-qq`` stays), so a quiet run writes the same file as a plain one."""
    kept: list[str] = []
    skip_value = False
    for arg in args:
        if skip_value:
            skip_value = False
        elif arg in ("-P", "--upgrade-package"):
            skip_value = True
        elif not (arg in ("-q", "--quiet", "-v", "--verbose", "-U", "--upgrade")
                  or arg.startswith(("--upgrade-package=", "-P"))):
            kept.append(arg)
    return kept


def lock_options(func: Any) -> Any:
    """The options that say how to obtain the lock (shared with ``tree``)."""
    for option in reversed(
        [
            *mode_options(
                "Use uv.lock as it is; never update it.", "Fail if uv.lock is not up to date."
            ),
            click.option(
                "-p", "--python", help="The interpreter to lock with [env: FERRY_PYTHON]."
            ),
            click.option(
                "-U", "--upgrade", is_flag=True,
                help="Allow every package to upgrade (the lock is written, as by `lock -U`).",
            ),
            click.option(
                "-P", "--upgrade-package", multiple=True, metavar="PKG",
                help="Allow this package to upgrade (repeatable).",
            ),
            click.option(
                "-i", "--index-url", "--default-index", "index_url", envvar="FERRY_INDEX_URL"
            ),
            click.option("--extra-index-url", "--index", "extra_index_url", multiple=True),
            click.option("-f", "--find-links", multiple=True),
            click.option("--no-index", is_flag=True),
            index_strategy_option(None),
            click.option("--exclude-newer", help="Ignore files uploaded after this date."),
            click.option(
                "--project",
                type=click.Path(path_type=Path, file_okay=False),
                help="The project directory (default: found from the working directory).",
            ),
        ]
    ):
        func = option(func)
    return func


def lock_settings(kwargs: dict[str, Any], options: GlobalOptions) -> Any:
    """How ``export``/``tree`` obtain the lock: the flags, ``FERRY_FROZEN``/``FERRY_LOCKED``
    (their warnings printed), the index options."""
    from ferry.commands.export import LockSettings

    return LockSettings(
        **lock_fields(kwargs, options),
        python=kwargs.pop("python"),
        index_url=kwargs.pop("index_url"),
        extra_index_urls=tuple(kwargs.pop("extra_index_url")),
        find_links=tuple(kwargs.pop("find_links")),
        no_index=kwargs.pop("no_index"),
        index_strategy=kwargs.pop("index_strategy"),
        exclude_newer=kwargs.pop("exclude_newer"),
        upgrade=kwargs.pop("upgrade"),
        upgrade_packages=tuple(kwargs.pop("upgrade_package")),
    )


def group_selection(kwargs: dict[str, Any]) -> Any:
    """The selection flags of ``export``/``tree`` (``--only-dev`` checked against the flags it
    contradicts first; ``tree`` has no ``--no-extra``)."""
    from ferry.commands.export import GroupSelection

    check_only_dev(kwargs)
    return GroupSelection(
        no_extras=tuple(kwargs.pop("no_extras", ())),
        only_dev=kwargs.pop("only_dev"),
        extras=tuple(kwargs.pop("extras")),
        all_extras=kwargs.pop("all_extras"),
        groups=tuple(kwargs.pop("groups")),
        only_groups=tuple(kwargs.pop("only_groups")),
        all_groups=kwargs.pop("all_groups"),
        no_dev=kwargs.pop("no_dev"),
        no_groups=tuple(kwargs.pop("no_groups")),
        no_default_groups=kwargs.pop("no_default_groups"),
    )


def script_option(verb: str) -> Callable[[F], F]:
    """``--script PATH``: act on a PEP 723 script's lock (``PATH.lock``) instead of a project."""
    return click.option(
        "--script",
        type=click.Path(path_type=Path, dir_okay=False),
        help=f"{verb} this PEP 723 script's lock (SCRIPT.lock) instead of a project's.",
    )


def report_lock(report: Any, printer: Printer) -> None:
    """``Resolved N packages in …``, then the resolution's warnings, where uv prints them."""
    if report is not None:
        printer.status(
            f"Resolved {plural(report.packages, 'package')} in {elapsed(report.seconds)}"
        )
        for warning in getattr(report.outcome, "diagnostics", None) or ():
            printer.warn(warning)


@click.command(cls=IndexCommand)
@click.option(
    "--format",
    "format_",
    type=click.Choice(["requirements.txt", "pylock.toml"]),
    help="The format (default: from the -o file name, else requirements.txt).",
)
@click.option(
    "-o",
    "--output-file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Also write the export to this file.",
)
@click.option("--no-hashes", is_flag=True, help="Leave out the --hash lines.")
@click.option("--no-header", is_flag=True, help="Leave out the header comment.")
@click.option("--no-annotate", is_flag=True, help="Leave out the `# via` comments.")
@click.option("--no-editable", is_flag=True, help="Export editable sources as plain paths.")
@click.option(
    "--no-editable-package",
    multiple=True,
    help="Export this editable package as a plain path (repeatable).",
)
@click.option(
    "--no-emit-project",
    "--no-install-project",
    "no_emit_project",
    is_flag=True,
    help="Leave the project itself out.",
)
@click.option(
    "--no-emit-workspace",
    "--no-install-workspace",
    "no_emit_workspace",
    is_flag=True,
    help="Leave out every workspace member, the root project included.",
)
@click.option(
    "--no-emit-local",
    "--no-install-local",
    "no_emit_local",
    is_flag=True,
    help="Leave out local path dependencies (workspace members, path and directory sources).",
)
@click.option(
    "--no-emit-package",
    "--no-install-package",
    "no_emit_package",
    multiple=True,
    help="Leave this package out, but not what it needs (repeatable).",
)
@click.option(
    "--prune",
    multiple=True,
    help="Leave this package out with whatever only it needs (repeatable).",
)
@click.option(
    "--emit-index-url",
    is_flag=True,
    help="Begin with `--index-url`/`--extra-index-url` lines naming the indexes.",
)
@click.option(
    "--emit-find-links", is_flag=True, help="Begin with a `--find-links` line for each location."
)
@selection_options
@lock_options
@script_option("Export")
@click.pass_obj
def export(options: GlobalOptions, /, **kwargs: Any) -> None:
    """Export the lockfile to requirements.txt or pylock.toml (PEP 751).

    Universal, like the lock: packages only some platforms need carry a marker. Locks first
    unless --frozen.
    """
    from ferry.commands.export import ExportRequest, export_project

    if kwargs["prune"] and kwargs["all_packages"]:
        raise UsageError("`--prune` cannot be used with `--all-packages`")
    request = ExportRequest(
        project=kwargs.pop("project"),
        format=kwargs.pop("format_"),
        output=kwargs.pop("output_file"),
        hashes=not kwargs.pop("no_hashes"),
        header=not kwargs.pop("no_header"),
        annotate=not kwargs.pop("no_annotate"),
        editable=not kwargs.pop("no_editable"),
        no_editable_packages=tuple(kwargs.pop("no_editable_package")),
        no_emit_project=kwargs.pop("no_emit_project"),
        no_emit_workspace=kwargs.pop("no_emit_workspace"),
        no_emit_local=kwargs.pop("no_emit_local"),
        no_emit_packages=tuple(kwargs.pop("no_emit_package")),
        prune=tuple(kwargs.pop("prune")),
        emit_index_url=kwargs.pop("emit_index_url"),
        emit_find_links=kwargs.pop("emit_find_links"),
        package=kwargs.pop("package"),
        all_packages=kwargs.pop("all_packages"),
        lock=lock_settings(kwargs, options),
        selection=group_selection(kwargs),
        header_command=command_line(),
        script=kwargs.pop("script"),
    )
    printer = Printer(options)
    result = export_project(request, options)
    report_lock(result.lock, printer)
    for warning in result.warnings:
        printer.warn(warning)
    if result.output is None or options.verbosity >= 0:
        printer.data(result.text)
