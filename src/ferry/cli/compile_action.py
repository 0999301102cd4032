"""What ``ferry pip compile`` does once its command line is read — by click
(:mod:`ferry.cli.pip`) or by the lean parser (:mod:`ferry.cli.lean`)."""

from __future__ import annotations

import sys
from typing import Any

from ferry.cli.output import Printer, elapsed, plural
from ferry.cli.process import allow_insecure_hosts
from ferry.model.settings import GlobalOptions


def compile_command() -> str:
    """The words after ``ferry`` on the command line, for the output's header."""
    from ferry.commands.compile_output import header_command

    argv = sys.argv[1:]
    return header_command(
        argv, keep_index_url="--emit-index-url" in argv, keep_find_links="--emit-find-links" in argv
    )


def compile_action(options: GlobalOptions, **kwargs: Any) -> None:
    """Compile and print as ``uv pip compile`` does; ``kwargs`` are the command's options
    (:class:`ferry.commands.pip_compile.PipCompileRequest`'s fields, plus
    ``allow_insecure_host``); an option left out keeps its default."""
    from ferry.commands.pip_compile import PipCompileRequest, pip_compile

    allow_insecure_hosts(kwargs.pop("allow_insecure_host", ()))
    request = PipCompileRequest.from_cli(command=compile_command(), **kwargs)
    result = pip_compile(request, options)
    printer = Printer(options)
    for line in result.warnings:
        printer.warn(line)
    printer.status(
        f"Resolved {plural(result.resolved, 'package')} in {elapsed(result.resolve_seconds)}"
    )
    for line in result.diagnostics:  # uv's order: the resolution's warnings follow `Resolved`
        printer.warn(line)
    if result.output_file is None or options.verbosity >= 0:
        printer.data(result.text)
