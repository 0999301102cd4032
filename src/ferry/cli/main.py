"""The ``ferry`` command: global options, lazy sub-commands, and error rendering.

Sub-command modules are imported only when their command runs, so ``ferry --version`` and the
no-op paths stay fast. This is the only package that prints or exits.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Any

import click

from ferry import __version__
from ferry.cli.process import global_options, run_guarded, with_interrupt_handler

# name -> "module:attribute"; each attribute is a click command or group.
SUBCOMMANDS: dict[str, str] = {
    "venv": "ferry.cli.venv:venv",
    "pip": "ferry.cli.pip:pip",
    "cache": "ferry.cli.cache:cache",
    "build": "ferry.cli.build:build",
    "lock": "ferry.cli.lock:lock",
    "sync": "ferry.cli.sync:sync",
    "run": "ferry.cli.run:run",
    "add": "ferry.cli.edit:add",
    "remove": "ferry.cli.edit:remove",
    "init": "ferry.cli.init:init",
    "tree": "ferry.cli.tree:tree",
    "export": "ferry.cli.export:export",
    "version": "ferry.cli.version:version",
}
# Shown by `ferry --help` without importing every command module.
SUMMARIES: dict[str, str] = {
    "venv": "Create a virtual environment.",
    "pip": "Manage packages in an environment with a pip-compatible interface.",
    "cache": "Inspect and maintain the cache.",
    "build": "Build Python packages into source distributions and wheels.",
    "lock": "Update the project's lockfile (uv.lock).",
    "sync": "Update the project's environment to match the lockfile.",
    "run": "Run a command or script in the project's environment.",
    "add": "Add dependencies to the project.",
    "remove": "Remove dependencies from the project.",
    "init": "Create a new project.",
    "tree": "Display the project's dependency tree.",
    "export": "Export the lockfile to requirements.txt or pylock.toml.",
    "version": "Read or bump the project's version.",
}


class LazyGroup(click.Group):
    """A click group whose commands are imported on first use."""

    def __init__(self, *args: Any, lazy: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = lazy or {}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, SUMMARIES.get(name, "")) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy:
            module_name, attr = self.lazy[cmd_name].split(":")
            command = getattr(importlib.import_module(module_name), attr)
            assert isinstance(command, click.Command)
            warn_before(command)
            return command
        return super().get_command(ctx, cmd_name)


@click.group(
    cls=LazyGroup,
    lazy=SUBCOMMANDS,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(__version__, "-V", "--version", prog_name="ferry")
@click.option("-v", "--verbose", count=True, help="Explain every decision (-vv: trace).")
@click.option(
    "-q", "--quiet", count=True, help="Print only errors (-qq: print nothing but the results)."
)
@click.option(
    "--cache-dir",
    type=click.Path(path_type=Path),
    envvar="FERRY_CACHE_DIR",
    help="Root of the cache [env: FERRY_CACHE_DIR].",
)
@click.option(
    "-n", "--no-cache", is_flag=True, help="Use a temporary cache [env: FERRY_NO_CACHE]."
)
@click.option("--offline", is_flag=True, help="Never use the network [env: FERRY_OFFLINE].")
@click.option(
    "--prefer-offline",
    is_flag=True,
    help="Use cached index pages and files before the network [env: FERRY_PREFER_OFFLINE].",
)
@click.option(
    "--refresh",
    is_flag=True,
    help="Check every cached index page, metadata, file and archive again [env: FERRY_REFRESH].",
)
@click.option(
    "--refresh-package",
    "refresh_packages",
    multiple=True,
    metavar="PKG",
    help="Like --refresh, for this package only (repeatable).",
)
@click.option(
    "--keyring-provider",
    type=click.Choice(["disabled", "subprocess"]),
    envvar=["FERRY_KEYRING_PROVIDER", "UV_KEYRING_PROVIDER"],
    help="Ask the `keyring` executable for index credentials (default: disabled) "
    "[env: FERRY_KEYRING_PROVIDER, UV_KEYRING_PROVIDER].",
)
@click.option(
    "--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True
)
@click.option(
    "--directory",
    type=click.Path(path_type=Path, file_okay=False),
    help="Change to this directory before doing anything.",
)
@click.pass_context
def cli(
    ctx: click.Context,
    verbose: int,
    quiet: int,
    cache_dir: Path | None,
    no_cache: bool,
    offline: bool,
    prefer_offline: bool,
    refresh: bool,
    refresh_packages: tuple[str, ...],
    keyring_provider: str | None,
    color: str,
    directory: Path | None,
) -> None:
    """An extremely fast Python package and project manager."""
    ctx.obj = global_options(
        verbose=verbose, quiet=quiet, cache_dir=cache_dir, no_cache=no_cache, offline=offline,
        prefer_offline=prefer_offline, refresh=refresh, refresh_packages=refresh_packages,
        keyring_provider=keyring_provider, color=color, directory=directory,
    )


GLOBAL_FLAGS = {
    "-v",
    "-vv",
    "-vvv",
    "--verbose",
    "-q",
    "--quiet",
    "--offline",
    "--prefer-offline",
    "-n",
    "--no-cache",
    "--refresh",
}
GLOBAL_VALUED = {
    "--cache-dir",
    "--color",
    "--directory",
    "--refresh-package",
    "--keyring-provider",
}
# Commands whose sub-commands are a level of their own on uv's command line (`uv pip list`).
GROUPS = frozenset({"pip", "cache"})


def hoist_global_options(argv: list[str]) -> list[str]:
    """Accept global options after the sub-command too (``ferry sync -v``), as uv does.

    Stops at ``--`` and, for ``run``, at the command to run: its arguments are the child's.
    """
    front, rest = _split(argv)
    return [token for _, token in front] + rest


def _split(argv: list[str]) -> tuple[list[tuple[int, str]], list[str]]:
    """The global options of ``argv``, each with the level it was typed at (0 before the
    sub-command, 1 after it, 2 after a group's own sub-command: ``pip list``), and the rest."""
    front: list[tuple[int, str]] = []
    rest: list[str] = []
    words: list[str] = []  # the sub-command words seen (a group's second one counts)
    index = 0
    while index < len(argv):
        token = argv[index]
        level = min(len(words), 2 if words[:1] and words[0] in GROUPS else 1)
        if token == "--" or (words and rest[0] == "run" and _is_run_command(rest, token)):
            rest.extend(argv[index:])
            break
        if token in GLOBAL_FLAGS or is_counted_flag(token) or is_verbosity_flag(token):
            front.append((level, token))
        elif token in GLOBAL_VALUED and index + 1 < len(argv):
            front.extend((level, t) for t in argv[index : index + 2])
            index += 1
        elif any(token.startswith(flag + "=") for flag in GLOBAL_VALUED):
            front.append((level, token))
        else:
            if not token.startswith("-") and len(words) < 2:
                words.append(token)
            rest.append(token)
        index += 1
    return front, rest


def is_counted_flag(token: str) -> bool:
    """``-q``/``-v`` repeated in one token (``-qq``, ``-vvvv``): uv counts them anywhere on the
    command line (``uv export -qq``), so they are global options after the sub-command too."""
    return token[:2] in ("-q", "-v") and token[1:] == token[1] * (len(token) - 1)


def _is_run_command(consumed: list[str], token: str) -> bool:
    """Whether ``token`` (after ``run`` and its options in ``consumed``) is the command itself."""
    if token.startswith("-"):
        return False
    from ferry.commands.fastpath import RUN_VALUED

    previous = consumed[-1]
    return not (previous in RUN_VALUED and len(consumed) > 1)


def is_verbosity_flag(token: str) -> bool:
    """``-q``/``-v`` in any mix and number in one token (``-qq``, ``-qv``), or a long form."""
    return token in ("--quiet", "--verbose") or (
        len(token) > 1 and token[0] == "-" and set(token[1:]) <= {"q", "v"})


def verbosity(argv: list[str]) -> tuple[int, int]:
    """``(quiet, verbose)`` as uv 0.13.8's parser counts them, refusing both at one level.

    Each sub-command word starts a level (``uv -q pip -v list -q``: three). Within a level the
    flags add up, and ``-q`` with ``-v`` is a usage error naming the first typed; across levels
    the deepest level that has a flag gives its count (``-qq lock -q``: quiet once), and a
    ``-q`` and a ``-v`` on different levels both hold: debug logging, quiet output.
    """
    levels: dict[int, list[str]] = {}
    front, rest = _split(argv)
    for level, token in front:
        if is_verbosity_flag(token):
            levels.setdefault(level, []).append(token)
    quiet = verbose = 0
    for level in sorted(levels):
        letters = "".join(t[2] if t.startswith("--") else t[1:] for t in levels[level])
        if "q" in letters and "v" in letters:
            from ferry.cli.usage_errors import conflict_usage
            from ferry.model.argument_errors import ArgumentConflict

            names = {"q": "--quiet...", "v": "--verbose..."}
            first = letters[0]
            error = ArgumentConflict(names[first], names["v" if first == "q" else "q"])
            path = [token for token in rest if not token.startswith("-")][:level]
            raise error.with_usage(conflict_usage(error, path, argv))
        quiet = letters.count("q") or quiet
        verbose = letters.count("v") or verbose
    return quiet, verbose


def command_line(argv: list[str]) -> list[str]:
    """``argv`` as click reads it: global options first, the verbosity flags counted as uv
    counts them (:func:`verbosity`) and given once, in their plain spelling."""
    quiet, verbose = verbosity(argv)
    front, rest = _split(argv)
    kept = [t for _, t in front if not is_verbosity_flag(t)]
    return ["-q"] * quiet + ["-v"] * verbose + kept + rest


def warn_before(command: click.Command) -> None:
    """Have ``command`` (each of a group's) say the project's settings warnings first, as uv
    says them at start-up once its command line is read: not for ``--help`` or a usage error,
    which end before the callback runs (the conflicts click cannot see are checked first,
    :func:`~ferry.cli.selection_flags.check_arguments`). ``--project`` names the project, as
    it does for uv."""
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            warn_before(sub)
        return
    callback, name = command.callback, command.name or ""
    if callback is None or getattr(callback, "warns_first", False):
        return

    def warned(*args: Any, **kwargs: Any) -> Any:
        from ferry.cli.argument_checks import check_command_line
        from ferry.commands.common import warn_project_settings

        path = click.get_current_context().command_path.split(" ")[1:]
        check_command_line(path, ORIGINAL_ARGV, kwargs)  # uv's parser errors come first
        warn_project_settings(name, kwargs)
        return callback(*args, **kwargs)

    warned.warns_first = True  # type: ignore[attr-defined]
    command.callback = warned


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI and map errors to exit codes (1 input, 2 surroundings, 130 ^C)."""
    with_interrupt_handler(lambda: _main(argv))


#: The command line as the user typed it (before global options are hoisted): what the no-op
#: fast path keys its records by.
ORIGINAL_ARGV: list[str] = []


def _main(argv: list[str] | None) -> None:
    ORIGINAL_ARGV[:] = list(sys.argv[1:] if argv is None else argv)
    run_guarded(lambda: _run_click(command_line(list(ORIGINAL_ARGV))))


def _run_click(args: list[str]) -> None:
    """click's own outcomes: ``--help``/``--version`` exits, usage errors in uv's words (exit
    code 2; :mod:`ferry.cli.usage_errors`)."""
    try:
        cli.main(args=args, prog_name="ferry", standalone_mode=False)
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except click.ClickException as usage:
        from ferry.cli.usage_errors import render, shows_help

        if shows_help(usage, ORIGINAL_ARGV):
            usage.show()  # a bare `ferry pip`: its help, as uv prints it
        else:
            sys.stderr.write(render(usage, ORIGINAL_ARGV) + "\n")
        sys.exit(2)
    except click.exceptions.Abort:
        raise KeyboardInterrupt from None
