"""Console output in uv's style: summary lines on stderr, `` + name==version`` change lines.

Written without click (plain writes and ANSI codes), so the lean command line
(:mod:`ferry.cli.lean`) prints exactly what the full one prints without importing it.
"""

from __future__ import annotations

import sys

from ferry.model.console_text import elapsed, plural, style
from ferry.model.settings import GlobalOptions

__all__ = ["Printer", "elapsed", "human_bytes", "plural", "style"]

def _err(line: str) -> None:
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


def human_bytes(size: int) -> str:
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f}{unit}" if unit == "B" else f"{value:.1f}{unit}"
        value /= 1024
    return f"{value:.1f}GiB"


class Printer:
    """uv's printer: each kind of line has its own verbosity.

    ``status``/``change``/``warn`` (stderr) and ``info`` (stdout: ``cache dir``, ``version``,
    ``pip show``) print unless ``-q``; ``important`` (stderr: ``pip check``'s findings) and
    ``listing`` (stdout: ``pip list``/``freeze``, ``version --output-format json``) print under
    ``-q`` but not ``-qq``; ``data`` (``export``, ``tree``, ``pip compile``) always prints —
    uv writes those results outside its printer, so even ``-qq`` shows them.
    """

    def __init__(self, options: GlobalOptions) -> None:
        self.options = options

    def status(self, line: str) -> None:
        if self.options.verbosity >= 0:
            _err(line)

    def change(self, sign: str, text: str) -> None:
        if self.options.verbosity < 0:
            return
        if self.options.color:
            colour = {"+": "green", "-": "red", "~": "yellow"}.get(sign)
            _err(" " + style(sign, fg=colour) + " " + style(text, bold=True))
        else:
            _err(f" {sign} {text}")

    def warn(self, line: str) -> None:
        if self.options.verbosity >= 0:
            label = style("warning", fg="yellow", bold=True) if self.options.color else "warning"
            _err(f"{label}: {line}")

    def important(self, line: str) -> None:
        if self.options.verbosity >= -1:
            _err(line)

    def info(self, text: str) -> None:
        if self.options.verbosity >= 0:
            self.data(text)

    def listing(self, text: str) -> None:
        if self.options.verbosity >= -1:
            self.data(text)

    def data(self, text: str) -> None:
        sys.stdout.write(text if text.endswith("\n") or not text else text + "\n")
