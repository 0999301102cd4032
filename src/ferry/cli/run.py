"""``ferry run``: print what the sync changed (and why), then replace this process."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from ferry.cli.help_sections import IndexCommand
from ferry.cli.lock_action import merge_index_flags
from ferry.cli.output import Printer
from ferry.cli.project_options import lock_fields, selection_options, sync_options
from ferry.cli.selection_flags import check_only_dev
from ferry.model.errors import FerryError
from ferry.model.settings import GlobalOptions

SELECTION_KEYS = (
    "extras",
    "all_extras",
    "groups",
    "only_groups",
    "all_groups",
    "no_groups",
    "no_dev",
    "no_default_groups",
    "no_extras",
    "only_dev",
    "package",
    "all_packages",
)
# `--no-install-project`, `--no-install-workspace`, `--no-editable` are not a selection: they
# shape this run's sync only, and the remembered extras and groups still apply with them
# (`SyncedSelection.with_layering_of`).


def _check_module_or_script(kwargs: dict[str, Any]) -> None:
    """``-m`` with ``-s`` refused with clap's words, naming the one typed first (click hands
    the keywords over in the order the options were typed)."""
    if kwargs.get("module") and kwargs.get("script"):
        from ferry.model.errors import UsageError

        first, second = [k for k in kwargs if k in ("module", "script")][:2]
        raise UsageError(f"the argument '--{first}' cannot be used with '--{second}'")


# Everything from the first positional on is the command's (its options included); an
# unknown option before it is a usage error, before anything is locked or synced (as uv).
@click.command(cls=IndexCommand, context_settings={"allow_interspersed_args": False})
@selection_options
@sync_options
@click.option("--no-sync", is_flag=True, help="Leave the environment exactly as it is.")
@click.option("--exact", is_flag=True, help="Also remove packages the lockfile does not name.")
@click.option(
    "--with", "-w", "with_packages", multiple=True, help="Run with these packages on top."
)
@click.option(
    "--with-editable",
    "with_editables",
    multiple=True,
    metavar="PATH",
    help="Run with this local project installed editable on top (repeatable).",
)
@click.option(
    "--with-requirements",
    "with_requirements",
    multiple=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="Run with the packages of this requirements file on top.",
)
@click.option(
    "-m", "--module", is_flag=True, help="Run the command as a module (`python -m <command>`)."
)
@click.option(
    "-s",
    "--script",
    is_flag=True,
    help="Run the file as a PEP 723 script, whatever its name ends with.",
)
@click.option(
    "--env-file",
    "env_files",
    multiple=True,
    metavar="PATH",
    help="Give the command the variables of this dotenv file; later files win "
    "(repeatable). [env: FERRY_ENV_FILE, space separated]",
)
@click.option(
    "--no-env-file",
    is_flag=True,
    help="Read no dotenv file (not even FERRY_ENV_FILE's). [env: FERRY_NO_ENV_FILE]",
)
@click.option("--max-recursion-depth", type=click.IntRange(0, 2**32 - 1), hidden=True,
              help="How many nested `ferry run` invocations to allow (uv's hidden option; "
              "default 100).")
@click.option("--isolated", is_flag=True, help="Run in a fresh, temporary environment.")
@click.option("--no-project", is_flag=True, help="Ignore the project in this directory.")
@click.argument("command", nargs=-1, type=click.UNPROCESSED)
@click.pass_obj
def run(options: GlobalOptions, /, **kwargs: Any) -> None:
    """Run a command or script in the project's environment."""
    from ferry.cli.render import render_install, render_summary
    from ferry.commands.run import RunRequest, plan_run
    from ferry.commands.sync import SyncRequest

    check_only_dev(kwargs)
    _check_module_or_script(kwargs)
    command = tuple(kwargs.pop("command"))
    modes = lock_fields(kwargs, options)
    run_keys = (
        "no_sync", "exact", "with_packages", "with_requirements", "isolated", "no_project",
        "module", "with_editables", "script", "env_files", "no_env_file", "max_recursion_depth",
    )
    run_args = {k: kwargs.pop(k) for k in run_keys}
    merge_index_flags(kwargs)
    selection_given = any(kwargs.get(k) for k in SELECTION_KEYS)
    request = RunRequest(
        command=command,
        sync=SyncRequest(**modes, **kwargs),
        selection_given=selection_given,
        **run_args,
    )
    try:
        plan = plan_run(request, options)
    except FerryError as error:  # a stale lock under --locked: uv's `run` says no `Resolved`
        if hasattr(error, "resolved_line"):
            error.resolved_line = False
        raise
    printer = Printer(options)
    for warning in plan.warnings:
        printer.warn(warning)
    for outcome in plan.outcomes:
        if plan.summary:
            render_summary(outcome, printer)
            continue
        changed = outcome.execution is not None and (
            outcome.execution.installed or outcome.execution.removed
        )
        if changed or options.verbosity > 0 or getattr(outcome, "notes", None):
            render_install(outcome, printer)
        else:  # uv says what the lock's resolution warns about even when it shows nothing else
            for warning in getattr(outcome, "lock_diagnostics", []):
                printer.warn(warning)
    if plan.selection_note:  # said on every run it applies to, not only when it moved packages
        printer.status(plan.selection_note)
    if plan.changed:
        printer.status(
            "hint: `ferry run` synced the environment with the lockfile; "
            "pass `--no-sync` to run without changing it"
        )
    if plan.outcomes and not request.no_sync:
        from ferry.cli.main import ORIGINAL_ARGV
        from ferry.commands.fastpath import write_record

        write_record(ORIGINAL_ARGV, 0, 0)
    sys.stdout.flush()
    sys.stderr.flush()
    from ferry.commands.run_spawn import exec_command, run_then_remove

    if plan.cleanup is not None:
        sys.exit(run_then_remove(plan.argv, plan.env, plan.cleanup))
    exec_command(plan.argv, plan.env)
