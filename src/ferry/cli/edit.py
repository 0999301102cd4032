"""``ferry add`` and ``ferry remove``: edit pyproject.toml, then lock and sync, printing as uv."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from ferry.cli.help_sections import IndexCommand
from ferry.cli.index_options import index_strategy_option
from ferry.cli.output import Printer, elapsed, plural
from ferry.cli.project_options import lock_fields, mode_options, resolver_options
from ferry.model.errors import UsageError
from ferry.model.names import is_valid_name
from ferry.model.settings import GlobalOptions
from ferry.model.value_fields import replace


def _apply_options(func: Any) -> Any:
    """Flags shared by ``add``, ``remove`` and ``version``: how to lock and sync afterwards."""
    for option in reversed(
        [
            click.option("--no-sync", is_flag=True, help="Lock, but leave the environment as is."),
            *mode_options(
                "Only edit pyproject.toml; no lock, no sync.", "Fail if uv.lock would change."
            ),
            click.option("-p", "--python", help="The interpreter for locking and syncing."),
            click.option(
                "-i", "--index-url", envvar="FERRY_INDEX_URL", help="Replace the default index."
            ),
            click.option("--extra-index-url", multiple=True, help="Also search this index."),
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


def apply_settings(kwargs: dict[str, Any], options: GlobalOptions) -> Any:
    """How the edit is locked and synced: the flags, ``FERRY_FROZEN``/``FERRY_LOCKED`` (their
    warnings printed), the index options."""
    from ferry.commands.edit_apply import ApplySettings

    return ApplySettings(
        **lock_fields(kwargs, options),
        no_sync=kwargs.pop("no_sync"),
        python=kwargs.pop("python"),
        index_url=kwargs.pop("index_url"),
        extra_index_urls=tuple(kwargs.pop("extra_index_url")),
        find_links=tuple(kwargs.pop("find_links")),
        no_index=kwargs.pop("no_index"),
        index_strategy=kwargs.pop("index_strategy"),
        exclude_newer=kwargs.pop("exclude_newer"),
        package=kwargs.pop("package", None),
    )


def render_applied(applied: Any, printer: Printer) -> None:
    """``Resolved N packages in X``, the lock's warnings, then what the sync changed."""
    from ferry.cli.render import render_install

    synced = applied.sync
    if synced is not None and applied.lock is not None:
        # uv finds (or creates) the environment before it locks: those lines come first
        if note := getattr(synced, "environment_note", None):
            printer.status(note)
        for line in getattr(synced, "notes", []):
            printer.status(line)
        synced = _NotesPrinted(synced)
    outcome = applied.lock
    if outcome is not None:
        count = outcome.resolved if outcome.resolved is not None else len(outcome.lock.packages)
        printer.status(f"Resolved {plural(count, 'package')} in {elapsed(outcome.seconds)}")
        for warning in getattr(outcome, "warnings", []):
            printer.warn(warning)
        for warning in getattr(outcome, "diagnostics", []):
            printer.warn(warning)
    if synced is not None:
        render_install(synced, printer)


class _NotesPrinted:
    """A sync result whose environment lines were already printed (before ``Resolved``)."""

    environment_note = None
    notes: tuple[str, ...] = ()

    def __init__(self, result: Any) -> None:
        self._result = result

    def __getattr__(self, name: str) -> Any:
        return getattr(self._result, name)




def _valid_name(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """An extra or group name must be a valid name (PEP 685/735), checked before anything is
    read or written — a name uv cannot read would leave a project uv refuses; uv's words."""
    if value is not None and not is_valid_name(value):
        flag = f"--{param.name} <{str(param.name).upper()}>"
        raise UsageError(
            f"invalid value '{value}' for '{flag}': Not a valid package or extra name: "
            f'"{value}". Names must start and end with a letter or digit and may only contain '
            "-, _, ., and alphanumeric characters."
        )
    return value


def _target_options(func: Any) -> Any:
    for option in reversed(
        [
            click.option("--dev", is_flag=True, help="The `dev` dependency group."),
            click.option(
                "--group", callback=_valid_name, help="This dependency group ([dependency-groups])."
            ),
            click.option(
                "--optional",
                metavar="EXTRA",
                callback=_valid_name,
                help="This extra ([project.optional-dependencies]).",
            ),
        ]
    ):
        func = option(func)
    return func


def _script_option(verb: str) -> Callable[[Any], Any]:
    return click.option(
        "--script",
        type=click.Path(path_type=Path, dir_okay=False),
        help=f"{verb} this PEP 723 script's `# /// script` block instead of a project.",
    )


def _files_option(short: str, long: str, text: str) -> Callable[[Any], Any]:
    kind = click.Path(path_type=Path, dir_okay=False)
    return click.option(short, long, multiple=True, type=kind, help=text)


def _check_script(kwargs: dict[str, Any], also: tuple[str, ...] = ()) -> None:
    if kwargs["script"] is None:
        return
    for flag in ("dev", "group", "optional", "project", *also):
        if kwargs.get(flag):
            raise UsageError(f"`--script` cannot be used with `--{flag}`")


@click.command(cls=IndexCommand)
@click.argument("packages", nargs=-1)
@_files_option("-r", "--requirements", "Also add every requirement of this file (repeatable).")
@_files_option(
    "-c", "--constraints", "Constrain the lock this command makes with this file (not written)."
)
@click.option(
    "-m", "--marker", help="Add each requirement with this marker (`python_version < '3.12'`)."
)
@_target_options
@_script_option("Add to")
@click.option("--package", help="The workspace member to edit (default: the current one).")
@click.option("-e", "--editable", is_flag=True, help="Add a local directory as editable.")
@click.option(
    "--raw",
    "--raw-sources",
    "raw",
    is_flag=True,
    help="Write requirements as given: no version bound, URLs kept in the requirement.",
)
@click.option(
    "--bounds",
    type=click.Choice(["lower", "major", "minor", "exact"]),
    help="The bound written for a package added without a version (default: lower, `>=`).",
)
@click.option(
    "--index",
    "indexes",
    multiple=True,
    metavar="[NAME=]URL",
    help="Add this index to [[tool.uv.index]]; a named one becomes the packages' source.",
)
@click.option("--default-index", help="Add this index as the default one.")
@click.option("--git", metavar="URL", help="Add the named packages from this git repository.")
@click.option("--tag", help="The tag of the git sources added.")
@click.option("--branch", help="The branch of the git sources added.")
@click.option("--rev", help="The commit (or other revision) of the git sources added.")
@click.option(
    "--extra", "extras", multiple=True, help="Add the packages with this extra (repeatable)."
)
@resolver_options
@click.option("--no-install-project", is_flag=True, help="Sync without installing the project.")
@click.option(
    "--active", is_flag=True, help="Sync the activated environment (VIRTUAL_ENV), not .venv."
)
@_apply_options
@click.pass_obj
def add(options: GlobalOptions, /, **kwargs: Any) -> None:
    """Add dependencies to the project, then lock and sync.

    PACKAGES are requirements (`rich`, `rich[md]>=13`, `name @ URL`), local directories or
    archives (`./libs/helper`, `dist/x-1.0-py3-none-any.whl`), or URLs. Paths and URLs are
    recorded in [tool.uv.sources], so uv reads the project the same way. With --script, the
    script's PEP 723 block is edited (and resolved) instead; nothing is synced.
    """
    from ferry.commands.edit import AddRequest, add_packages

    if not kwargs["packages"] and not kwargs["requirements"]:
        raise UsageError("Give the packages to add, or `-r FILE`")
    _check_script(kwargs, also=("package",))  # uv add rejects it; uv remove ignores it
    settings = replace(
        apply_settings(kwargs, options),
        upgrade=kwargs.pop("upgrade"),
        upgrade_packages=tuple(kwargs.pop("upgrade_package")),
        resolution=kwargs.pop("resolution"),
        prerelease=kwargs.pop("prerelease"),
        no_install_project=kwargs.pop("no_install_project"),
        active=kwargs.pop("active"),
    )
    request = AddRequest(
        extras=tuple(kwargs.pop("extras")),
        requirements=tuple(kwargs.pop("requirements")),
        constraints=tuple(kwargs.pop("constraints")),
        marker=kwargs.pop("marker"),
        script=kwargs.pop("script"),
        packages=tuple(kwargs.pop("packages")),
        project=kwargs.pop("project"),
        dev=kwargs.pop("dev"),
        group=kwargs.pop("group"),
        optional=kwargs.pop("optional"),
        editable=kwargs.pop("editable"),
        raw=kwargs.pop("raw"),
        bounds=kwargs.pop("bounds"),
        indexes=tuple(kwargs.pop("indexes")),
        default_index=kwargs.pop("default_index"),
        settings=settings,
        git=kwargs.pop("git"),
        tag=kwargs.pop("tag"),
        branch=kwargs.pop("branch"),
        rev=kwargs.pop("rev"),
    )
    if request.raw and request.bounds:
        raise UsageError("`--raw` and `--bounds` cannot be used together")
    if request.raw and request.editable:
        raise UsageError("the argument '--raw' cannot be used with '--editable'")
    printer = Printer(options)
    where = "the script" if request.script else "the `pyproject.toml` file"
    if settings.index_url:
        printer.warn(
            f"Indexes specified via `--index-url` will not be persisted to {where}; "
            "use `--default-index` instead."
        )
    if settings.extra_index_urls:
        printer.warn(
            f"Indexes specified via `--extra-index-url` will not be persisted to {where}; "
            "use `--index` instead."
        )
    result = add_packages(request, options)
    render_edit(result, printer)


def render_edit(result: Any, printer: Printer) -> None:
    """A script written without resolving says so (``Updated `x.py```), as uv does."""
    render_applied(result.applied, printer)
    for warning in result.applied.warnings:
        printer.warn(warning)
    if result.updated is not None:
        printer.status(f"Updated `{result.updated}`")


@click.command(cls=IndexCommand)
@click.argument("packages", nargs=-1, required=True)
@_target_options
@_script_option("Remove from")
@click.option("--package", help="The workspace member to edit (default: the current one).")
@_apply_options
@click.pass_obj
def remove(options: GlobalOptions, /, **kwargs: Any) -> None:
    """Remove dependencies from the project, then lock and sync."""
    from ferry.commands.edit import RemoveRequest, remove_packages

    _check_script(kwargs)
    settings = apply_settings(kwargs, options)
    request = RemoveRequest(
        script=kwargs.pop("script"),
        packages=tuple(kwargs.pop("packages")),
        project=kwargs.pop("project"),
        dev=kwargs.pop("dev"),
        group=kwargs.pop("group"),
        optional=kwargs.pop("optional"),
        settings=settings,
    )
    result = remove_packages(request, options)
    render_edit(result, Printer(options))
