"""The ``ferry`` entry point: the no-op fast path first, the full CLI otherwise.

Kept free of click and of ferry's heavier modules, so a no-op ``sync``/``run`` costs little more
than starting Python (see ferry.commands.fastpath for what makes a replay safe).
"""

from __future__ import annotations

import sys


def main() -> None:
    argv = sys.argv[1:]
    try:
        from ferry.commands.fastpath import try_fast_path

        answer = try_fast_path(argv)
    except Exception:  # the full path will report whatever is wrong
        answer = None
    if answer is not None:
        from ferry.commands.fastpath import replay

        replay(answer, argv)
        sys.exit(0)
    from ferry.cli.main import main as full

    full()
