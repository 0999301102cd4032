"""``run``'s argv is split where the child's command begins by a table of options that take a
value (``commands.fastpath.RUN_VALUED``), shared by the fast path and the full CLI's hoisting of
global options. An option missing from it makes its value look like the command to run."""

from __future__ import annotations

import click

from ferry.cli.main import GLOBAL_VALUED, cli
from ferry.commands.fastpath import RUN_VALUED, split_run


def _valued_options(command: click.Command) -> set[str]:
    found: set[str] = set()
    for param in command.params:
        if isinstance(param, click.Option) and not param.is_flag and not param.count:
            found.update(param.opts)
            found.update(param.secondary_opts)
    return found


def test_every_valued_run_option_is_in_the_table() -> None:
    run = cli.get_command(click.Context(cli), "run")
    assert run is not None
    assert _valued_options(run) - RUN_VALUED == set()
    assert set(GLOBAL_VALUED) - RUN_VALUED == set()


def test_split_after_a_valued_option() -> None:
    assert split_run(["--package", "lib", "python", "-c", "pass"]) == (
        ["--package", "lib"], ["python", "-c", "pass"])
    assert split_run(["--cache-dir", "/c", "pytest", "-x"]) == (["--cache-dir", "/c"],
                                                               ["pytest", "-x"])
