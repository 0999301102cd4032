"""Reading TOML files into dicts, with errors that point at the offending text.

Why a helper: ``tomllib`` reports positions only inside its message (``… (at line 3, column 10)``);
both ``pyproject.toml`` and ``uv.lock`` need the same translation into a :class:`ParseError`
carrying path, line, column and the source line, so the CLI can draw a caret under it. Schema
errors found after parsing go through :class:`KeyPathError` helpers that name the dotted key path
(``project.dependencies[2]``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, NoReturn

from ferry.fs import toml_memo
from ferry.model.errors import FilesystemError, ParseError
from ferry.model.lazy_regex import lazy_pattern

# Only a syntax error needs them: compiled then.
_POSITION = lazy_pattern(r"\(at line (\d+), column (\d+)\)\s*$")
_AT_END = lazy_pattern(r"\(at end of document\)\s*$")


def display_path(path: Path | str) -> str:
    """The path as a user would type it: relative to the working directory when inside it."""
    path = Path(path)
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)


def read_text(path: Path) -> str:
    """Read a UTF-8 file, turning I/O failures into :class:`FilesystemError`."""
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ParseError(
            f"Failed to parse `{display_path(path)}`: not valid UTF-8 ({exc.reason})",
            path=str(path),
        ) from exc
    except OSError as exc:
        raise FilesystemError(
            f"Failed to read `{display_path(path)}`: {exc.strerror or exc}"
        ) from exc


def load_toml(text: str, path: Path | str | None, what: str) -> dict[str, Any]:
    """Parse ``text``; on a syntax error raise ``ParseError("Failed to parse `what`")`` with the
    line, column and source line of the error.

    A file read before with the same text comes back from :mod:`toml_memo` (``tomllib`` is
    then not even imported)."""
    if path is not None:
        remembered = toml_memo.recall(os.fspath(path), text)
        if remembered is not None:
            return remembered
    import tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        detail = str(exc)
        line: int | None = None
        column: int | None = None
        if match := _POSITION().search(detail):
            line, column = int(match.group(1)), int(match.group(2))
        elif _AT_END().search(detail):
            lines = text.split("\n")
            line = len(lines)
            column = len(lines[-1]) + 1
        source_line = None
        if line is not None:
            lines = text.split("\n")
            if 0 < line <= len(lines):
                source_line = lines[line - 1].rstrip("\r")
        label = display_path(path) if path is not None else what
        raise ParseError(
            f"Failed to parse `{label}`: TOML syntax error: {detail}",
            path=os.fspath(path) if path is not None else None,
            line=line,
            column=column,
            source_line=source_line,
            causes=[detail],
        ) from exc
    if path is not None:
        toml_memo.keep(os.fspath(path), text, data)
    return data


def schema_error(
    label: str,
    path: Path | str | None,
    key_path: str,
    detail: str,
    *,
    hint: str | None = None,
    causes: list[str] | None = None,
) -> NoReturn:
    """Raise the error for a value of the wrong shape at ``key_path``."""
    raise ParseError(
        f"Failed to parse `{label}`: `{key_path}`: {detail}",
        path=os.fspath(path) if path is not None else None,
        hint=hint,
        causes=causes or [],
    )


def type_name(value: object) -> str:
    """TOML's name for the type of a parsed value, for 'expected a string, found an array'."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a float"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return "a date/time"
