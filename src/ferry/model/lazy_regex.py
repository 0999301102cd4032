"""Regular expressions compiled the first time they are used.

Compiling a pattern costs 50-500 µs; a module that every command imports, holding patterns only
a rare input needs (a ``--python-platform``, an ``exclude-newer`` span, an error message's
password), would pay that on every run. ``lazy_pattern`` gives a getter instead: the pattern is
compiled on its first call and the same object returned after. A pattern used on every run (a
hot loop's, or one each command reaches anyway) stays a module-level ``re.compile``.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ferry._regex_cache import compile_pattern


def lazy_pattern(pattern: str, flags: int = 0) -> Callable[[], re.Pattern[str]]:
    """A getter of ``re.compile(pattern, flags)``, compiled on the first call (from the engine
    code remembered between runs, :mod:`ferry._regex_cache`)."""
    compiled: list[re.Pattern[str]] = []

    def get() -> re.Pattern[str]:
        if not compiled:
            compiled.append(compile_pattern(pattern, flags))
        return compiled[0]

    return get
