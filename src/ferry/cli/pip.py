"""``ferry pip …``: the pip-compatible interface. Parses options, calls ferry.commands, renders."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ferry.cli.help_sections import IndexCommand
from ferry.cli.index_options import index_options, link_mode_option
from ferry.cli.output import Printer
from ferry.cli.process import allow_insecure_hosts
from ferry.model.choices import PRERELEASE_MODES, RESOLUTIONS
from ferry.model.settings import GlobalOptions

if TYPE_CHECKING:
    from ferry.commands.pip_inspect import Inspection

_ENV_SELECTION = [
    click.option("-p", "--python", "python", help="The interpreter or environment to use."),
    click.option("--system", is_flag=True, help="Use the system interpreter, not a venv."),
]


def _env_options(func: Any) -> Any:
    for option in reversed(_ENV_SELECTION):
        func = option(func)
    return func


def _prerelease_options(func: Any) -> Any:
    func = click.option(
        "--prerelease",
        type=click.Choice(PRERELEASE_MODES),
        default="if-necessary-or-explicit",
        show_default=True,
    )(func)
    return click.option(
        "--pre", is_flag=True, help="Allow pre-releases (same as --prerelease allow)."
    )(func)


_resolution_option = click.option(
    "--resolution",
    type=click.Choice(RESOLUTIONS),
    default="highest",
    show_default=True,
)


def _strategy_from_settings(command: click.Command) -> click.Command:
    """``command`` with no default for ``--index-strategy`` (shared with ``ferry venv``, which
    defaults it): the project's settings file may choose one (:mod:`ferry.commands.pip_config`),
    and ``first-index`` applies when neither does."""
    for param in command.params:
        if param.name == "index_strategy" and isinstance(param, click.Option):
            param.default = None
            param.show_default = False
            param.help = (f"{param.help} Overrides the settings file's `index-strategy` "
                          "(default: first-index).")
    return command


@click.group()
def pip() -> None:
    """Manage packages in an environment with a pip-compatible interface."""


@pip.command("install", cls=IndexCommand)
@click.argument("packages", nargs=-1)
@click.option(
    "-r",
    "--requirement",
    "requirements",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Install from this requirements file.",
)
@click.option(
    "-c",
    "--constraint",
    "constraints",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Constrain versions with this file.",
)
@click.option("-e", "--editable", "editables", multiple=True, help="Install a project editable.")
@index_options
@click.option("-U", "--upgrade", is_flag=True, help="Allow upgrades of everything.")
@click.option("-P", "--upgrade-package", multiple=True, help="Allow upgrades of this package.")
@click.option(
    "--reinstall", "--force-reinstall", "reinstall", is_flag=True, help="Reinstall every package."
)
@click.option("--reinstall-package", multiple=True, help="Reinstall this package.")
@click.option("--no-deps", is_flag=True, help="Ignore dependencies.")
@_prerelease_options
@_resolution_option
@click.option("--require-hashes", is_flag=True, help="Every requirement must carry a --hash.")
@click.option(
    "--no-binary", multiple=True, help="Build this package from source (:all: = every one)."
)
@click.option("--only-binary", multiple=True, help="Never build this package (:all: = every one).")
@click.option(
    "--no-build", is_flag=True, help="Never build from source (same as --only-binary :all:)."
)
@click.option(
    "--no-build-isolation",
    is_flag=True,
    help="Build in the target environment, with what it already has installed.",
)
@click.option(
    "--no-build-isolation-package",
    multiple=True,
    help="Build this package in the target environment (no isolation).",
)
@click.option("--python-version", help="Resolve for this Python version instead.")
@link_mode_option
@click.option(
    "--compile-bytecode",
    "--compile",
    "compile_bytecode",
    is_flag=True,
    envvar="FERRY_COMPILE_BYTECODE",
    help="Compile .pyc files after installing.",
)
@click.option("--dry-run", is_flag=True, help="Resolve and report, change nothing.")
@_env_options
@click.pass_obj
def install(options: GlobalOptions, /, **kwargs: Any) -> None:
    """Install packages into an environment."""
    from ferry.cli.pip_install_action import pip_install_action

    pip_install_action(options, **kwargs)


@pip.command("uninstall")
@click.argument("packages", nargs=-1)
@click.option("-r", "--requirement", "requirements", multiple=True, type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True)
@_env_options
@click.pass_obj
def uninstall(options: GlobalOptions, /, **kwargs: Any) -> None:
    """Uninstall packages from an environment."""
    from ferry.cli.render import render_install
    from ferry.commands.pip_uninstall import pip_uninstall

    render_install(pip_uninstall(options=options, **kwargs), Printer(options))


@pip.command("list")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["columns", "freeze", "json"]),
    default="columns",
    show_default=True,
)
@click.option("-e", "--editable", "editable_only", is_flag=True, help="Only editable installs.")
@click.option("--exclude-editable", is_flag=True)
@_env_options
@click.pass_obj
def list_(options: GlobalOptions, /, **kwargs: Any) -> None:
    """List installed packages."""
    from ferry.commands.pip_inspect import pip_list

    _show_data(pip_list(options=options, **kwargs), Printer(options))


@pip.command("freeze")
@click.option("--exclude-editable", is_flag=True)
@_env_options
@click.pass_obj
def freeze(options: GlobalOptions, /, **kwargs: Any) -> None:
    """Print installed packages in requirements format."""
    from ferry.commands.pip_inspect import pip_freeze

    _show_data(pip_freeze(options=options, **kwargs), Printer(options))


@pip.command("show")
@click.argument("packages", nargs=-1, required=True)
@click.option("-f", "--files", is_flag=True, help="List each package's installed files.")
@_env_options
@click.pass_obj
def show(options: GlobalOptions, /, **kwargs: Any) -> None:
    """Show information about installed packages."""
    from ferry.commands.pip_inspect import pip_show

    found = pip_show(options=options, **kwargs)
    printer = Printer(options)
    if found.notice:
        printer.status(found.notice)
    if found.missing:  # before the data, as uv
        printer.warn(f"Package(s) not found for: {', '.join(found.missing)}")
    if found.text:
        printer.info(found.text)  # uv: hidden by -q, unlike `pip list`
    if found.missing and not found.text:
        raise SystemExit(1)


@pip.command("check")
@_env_options
@click.pass_obj
def check(options: GlobalOptions, /, **kwargs: Any) -> None:
    """Verify installed packages have compatible dependencies."""
    import time

    from ferry.cli.output import elapsed, plural
    from ferry.commands.pip_inspect import pip_check

    started = time.perf_counter()
    found = pip_check(options=options, **kwargs)
    problems, checked = found.problems, found.checked
    printer = Printer(options)
    if found.notice:
        printer.status(found.notice)
    seconds = elapsed(time.perf_counter() - started)
    printer.status(f"Checked {plural(checked, 'package')} in {seconds}")
    if not problems:
        printer.status("All installed packages are compatible")
        return
    printer.important(  # uv: on stderr, under -q too
        f"Found {len(problems)} incompatibilit{'ies' if len(problems) != 1 else 'y'}")
    for problem in problems:
        printer.important(problem)
    raise SystemExit(1)


def _show_data(found: Inspection, printer: Printer) -> None:
    """The environment notice (stderr) when there is one, then the listing (stdout)."""
    if found.notice:
        printer.status(found.notice)
    if found.text:
        printer.listing(found.text)


@pip.command("compile", cls=IndexCommand)
@click.argument("src_files", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output-file",
    type=click.Path(path_type=Path),
    help="Also write the result to this file; its pins are kept where possible.",
)
@click.option(
    "-c",
    "--constraint",
    "--constraints",
    "constraints",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Constrain versions with this file.",
)
@click.option(
    "--override",
    "--overrides",
    "overrides",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Replace every requirement on a package by the one in this file.",
)
@click.option("--extra", multiple=True, help="Include this extra of a pyproject.toml source.")
@click.option("--all-extras", is_flag=True, help="Include every extra.")
@click.option(
    "--group",
    multiple=True,
    help="Include this dependency group ([path:]group) of a pyproject.toml.",
)
@index_options
@click.option("-U", "--upgrade", is_flag=True, help="Ignore the pins of the output file.")
@click.option(
    "-P", "--upgrade-package", multiple=True, help="Ignore the output file's pin of this package."
)
@_prerelease_options
@_resolution_option
@click.option("--no-deps", is_flag=True, help="Pin only the named requirements.")
@click.option("-p", "--python", help="The interpreter used for the host's markers and builds.")
@click.option("--python-version", help="Resolve for this Python version (e.g. 3.12).")
@click.option(
    "--python-platform",
    help="Resolve for this platform (linux, windows, macos, x86_64-pc-windows-msvc…).",
)
@click.option(
    "--universal", is_flag=True, help="One output valid on every platform and Python, with markers."
)
@click.option("--generate-hashes", is_flag=True, help="Add --hash lines for every file.")
@click.option("--no-annotate", is_flag=True, help="Leave out the `# via` comments.")
@click.option("--no-header", is_flag=True, help="Leave out the header comment.")
@click.option(
    "--annotation-style", type=click.Choice(["split", "line"]), default="split", show_default=True
)
@click.option("--no-strip-extras", is_flag=True, help="Keep the extras on the pins.")
@click.option("--emit-index-url", is_flag=True, help="Write the index URLs into the output.")
@click.option("--emit-find-links", is_flag=True, help="Write the find-links into the output.")
@click.option(
    "--emit-index-annotation", is_flag=True, help="Say under each pin which index it came from."
)
@click.option(
    "--no-emit-package",
    multiple=True,
    help="Leave this package out of the output (named in a closing comment).",
)
@click.option(
    "--custom-compile-command",
    envvar="FERRY_CUSTOM_COMPILE_COMMAND",
    help="The command the header names instead of this one [env: FERRY_CUSTOM_COMPILE_COMMAND].",
)
@click.option("--no-progress", is_flag=True, help="Accepted for uv's command lines (ferry "
              "draws no progress bars).")
@click.option("--no-binary", multiple=True, help="Never use wheels of this package (:all:).")
@click.option("--only-binary", multiple=True, help="Never build this package (:all:).")
@click.option("--no-build", is_flag=True, help="Never build any package from source.")
@click.pass_obj
def compile_(options: GlobalOptions, /, **kwargs: Any) -> None:
    """Compile requirements.in or pyproject.toml into pinned requirements."""
    from ferry.cli.compile_action import compile_action

    compile_action(options, **kwargs)


@pip.command("sync", cls=IndexCommand)
@click.argument("src_files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "-c",
    "--constraint",
    "--constraints",
    "constraints",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Constrain versions with this file.",
)
@index_options
@click.option(
    "--reinstall", "--force-reinstall", "reinstall", is_flag=True, help="Reinstall every package."
)
@click.option("--reinstall-package", multiple=True, help="Reinstall this package.")
@_prerelease_options
@click.option("--require-hashes", is_flag=True, help="Every requirement must carry a --hash.")
@click.option("--python-version", help="Choose versions for this Python version.")
@click.option("--no-binary", multiple=True, help="Never use wheels of this package (:all:).")
@click.option("--only-binary", multiple=True, help="Never build this package (:all:).")
@link_mode_option
@click.option(
    "--compile-bytecode",
    "--compile",
    "compile_bytecode",
    is_flag=True,
    envvar="FERRY_COMPILE_BYTECODE",
    help="Compile .pyc files after installing.",
)
@click.option("--dry-run", is_flag=True, help="Resolve and report, change nothing.")
@click.option("--strict", is_flag=True, help="Afterwards, warn about missing dependencies.")
@click.option(
    "--allow-empty-requirements", is_flag=True, help="With an empty file, remove every package."
)
@_env_options
@click.pass_obj
def sync(options: GlobalOptions, /, **kwargs: Any) -> None:
    """Make an environment match a requirements file exactly."""
    from ferry.cli.output import elapsed, plural
    from ferry.cli.render import render_install
    from ferry.commands.pip_sync import PipSyncRequest, pip_sync

    allow_insecure_hosts(kwargs.pop("allow_insecure_host", ()))
    result = pip_sync(PipSyncRequest.from_cli(**kwargs), options)
    printer = Printer(options)
    if result.empty:
        for line in result.warnings:
            printer.warn(line)
        printer.status(
            "No requirements found (hint: use `--allow-empty-requirements` to clear the "
            "environment)"
        )
        return
    render_install(result, printer)
    if result.checked is not None:
        printer.status(
            f"Checked {plural(result.checked, 'package')} in {elapsed(result.check_seconds)}"
        )
    for problem in result.problems:
        printer.warn(problem)


for _command in (install, compile_, sync):
    _strategy_from_settings(_command)
