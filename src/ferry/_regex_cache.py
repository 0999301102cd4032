"""Regular expressions compiled once per installation rather than once per command.

``re.compile`` parses a pattern and translates it into the regex engine's code in Python:
50-800 µs a pattern, ~3.5 ms for the ~35 that a lock or an install compiles as its modules are
imported (the PEP 440/508 grammars above all). The engine's code is plain data, a list of
integers that ``_sre.compile`` turns back into the same pattern object in microseconds, so
:func:`compile_pattern` keeps it, with the group names and final flags, in
``ferry/__pycache__/regex.<cache tag>.bin``, next to the code bundle and under the same rules:
written by an exit function after a run that compiled a pattern it lacked, never where Python
writes no bytecode, ignored when damaged or written by another interpreter (the key is the exact
``sys.version`` and the engine's ``MAGIC``). ``FERRY_NO_CODE_BUNDLE`` turns it off with the
bundle. ``re.compile`` answers whatever this cannot (a bad pattern raises its ``re.error``).
"""

from __future__ import annotations

import _sre  # type: ignore[import-not-found]

# os.path, not pathlib: this runs while ferry's first modules are imported.
# ruff: noqa: PTH100, PTH120
import marshal
import os
import re
import sys

from ferry._code_bundle import pycache_file, replace_file

# Final flags, engine code, group count less one, group names -> numbers, numbers -> names.
Parts = tuple[int, list[int], int, dict[str, int], tuple[str | None, ...]]
Key = tuple[str, int]

_FORMAT = b"fr01"
_STAMP = (sys.version, _sre.MAGIC)
_HERE = os.path.dirname(os.path.abspath(__file__))


def table_path() -> str:
    return pycache_file(_HERE, "regex")


class _Table:
    """The table read from disk (once, on the first pattern) and what this run added."""

    known: dict[Key, Parts] | None = None
    added: dict[Key, Parts] = {}


def compile_pattern(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """``re.compile(pattern, flags)``, from the remembered engine code when there is some."""
    flags = int(flags)
    if os.environ.get("FERRY_NO_CODE_BUNDLE") or flags & re.DEBUG:
        return re.compile(pattern, flags)
    key = (pattern, flags)
    parts = _known().get(key)
    if parts is not None:
        try:
            return _sre.compile(pattern, *parts)  # type: ignore[no-any-return]
        except (TypeError, ValueError, RuntimeError, OverflowError):
            pass  # damaged: the engine refuses code it cannot run; compile afresh
    compiled, parts = _compile(pattern, flags)
    if parts is not None:
        _remember(key, parts)
    return compiled


def _compile(pattern: str, flags: int) -> tuple[re.Pattern[str], Parts | None]:
    """What ``re._compiler.compile`` does (the same in 3.11 to 3.13), keeping its parts."""
    try:
        from re import _compiler, _parser  # type: ignore[attr-defined]

        parsed = _parser.parse(pattern, flags)
        code = _compiler._code(parsed, flags)
        groupindex = dict(parsed.state.groupdict)
        indexgroup: list[str | None] = [None] * parsed.state.groups
        for name, number in groupindex.items():
            indexgroup[number] = name
        parts: Parts = (int(flags | parsed.state.flags), [int(c) for c in code],
                        parsed.state.groups - 1,
                        groupindex, tuple(indexgroup))
        return _sre.compile(pattern, *parts), parts
    except Exception:  # a private API that moved, or a bad pattern: re decides
        return re.compile(pattern, flags), None


def _known() -> dict[Key, Parts]:
    if _Table.known is None:
        _Table.known = read(table_path())
    return _Table.known


def _remember(key: Key, parts: Parts) -> None:
    if not _Table.added and not sys.dont_write_bytecode:
        import atexit

        atexit.register(_write_added)
    _Table.added[key] = parts


def read(path: str) -> dict[Key, Parts]:
    """The table at ``path``; empty when absent, damaged or another interpreter's."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
        if data[:len(_FORMAT)] != _FORMAT:
            return {}
        stamp, table = marshal.loads(data[len(_FORMAT):])
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    if stamp != _STAMP or type(table) is not dict:
        return {}
    return table


def _write_added() -> None:
    """Once the command is over: the table on disk and this run's patterns, replaced
    atomically (a concurrent run's patterns are merged, not lost, unless both write at once)."""
    path = table_path()
    table = read(path)
    table.update(_Table.added)
    try:
        data = marshal.dumps((_STAMP, table))
    except ValueError:  # a value marshal refuses: compiled as usual
        return
    replace_file(path, _FORMAT + data)
