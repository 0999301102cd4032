"""Console output in uv's style: summary lines on stderr, `` + name==version`` change lines."""

from __future__ import annotations

import sys

import click

from ferry.model.settings import GlobalOptions


def elapsed(seconds: float) -> str:
    """``120ms`` under a second, ``1.20s`` above, as uv prints durations."""
    if seconds < 1:
        return f"{max(seconds * 1000, 0):.0f}ms"
    return f"{seconds:.2f}s"


def human_bytes(size: int) -> str:
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f}{unit}" if unit == "B" else f"{value:.1f}{unit}"
        value /= 1024
    return f"{value:.1f}GiB"


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


class Printer:
    """Writes status lines unless ``-q``; data (``pip list``, ``pip freeze``) goes to stdout."""

    def __init__(self, options: GlobalOptions) -> None:
        self.options = options

    def status(self, line: str) -> None:
        if self.options.verbosity >= 0:
            click.echo(line, err=True)

    def change(self, sign: str, text: str) -> None:
        if self.options.verbosity < 0:
            return
        if self.options.color:
            colour = {"+": "green", "-": "red", "~": "yellow"}.get(sign)
            click.echo(
                " " + click.style(sign, fg=colour) + " " + click.style(text, bold=True), err=True
            )
        else:
            click.echo(f" {sign} {text}", err=True)

    def warn(self, line: str) -> None:
        if self.options.verbosity >= 0:
            label = (
                click.style("warning", fg="yellow", bold=True) if self.options.color else "warning"
            )
            click.echo(f"{label}: {line}", err=True)

    def data(self, text: str) -> None:
        sys.stdout.write(text if text.endswith("\n") or not text else text + "\n")
