"""The pieces of uv's console lines that every path prints alike: durations, counts, colour.

Kept apart from the printer (``ferry.cli.output``) because the lean paths — the no-op replay
(``commands.fastpath``) and the fresh-environment replay (``commands.sync_replay``) — print some
of the same lines before anything else of ferry is loaded, and must print them byte for byte as
the full path does. Imports: ``os`` and ``sys`` only.
"""

from __future__ import annotations

import os
import sys

_COLOURS = {"red": 31, "green": 32, "yellow": 33}


def style(text: str, *, fg: str | None = None, bold: bool = False) -> str:
    """``text`` in a foreground colour and/or bold, reset afterwards (as ``click.style``)."""
    codes = ([str(_COLOURS[fg])] if fg else []) + (["1"] if bold else [])
    return f"\x1b[{';'.join(codes)}m{text}\x1b[0m" if codes else text


def elapsed(seconds: float) -> str:
    """``120ms`` under a second, ``1.20s`` above, as uv prints durations."""
    if seconds < 1:
        return f"{max(seconds * 1000, 0):.0f}ms"
    return f"{seconds:.2f}s"


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def want_color(choice: str) -> bool:
    """``--color always|never|auto``: auto colours a terminal unless ``NO_COLOR`` is set."""
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    return sys.stderr.isatty()
