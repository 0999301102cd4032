"""Joining untrusted relative names (wheel members, RECORD rows, index filenames) onto a directory.

Archive formats let a name say anything: ``../../etc/x``, ``/abs``, ``C:\\x``,
``\\\\server\\share``, a NUL byte. A name that could land outside ``base`` on *any* platform is
refused here, fatally, rather than "cleaned up": a wheel that carries such a name is hostile or
broken, and installing part of it would be worse than installing none (RELIABILITY B1 to B3).
Names that stay inside (``pkg/./a``, ``pkg/sub/../b``) are normalised, as uv's ``enclosed_name``
does.
"""

from __future__ import annotations

from pathlib import Path

from ferry._regex_cache import compile_pattern
from ferry.model.errors import InvalidWheelError

_DRIVE = compile_pattern(r"^[A-Za-z]:")
_CONTROL = compile_pattern(r"[\x00-\x1f\x7f]")


def safe_parts(relative: str) -> list[str]:
    """The normalised components of ``relative``; :class:`InvalidWheelError` if it is unsafe.

    One trailing ``/`` (how a ZIP marks a directory member) is allowed.
    """
    parts: list[str] = []
    reason = _unsafe_reason(relative) or _normalise(relative, parts)
    if reason is not None:
        raise InvalidWheelError(f"Unsafe path {relative!r}: it {reason}")
    return parts


def safe_join(base: Path, relative: str) -> Path:
    """``base / relative`` if ``relative`` stays inside ``base``; otherwise refuse it."""
    return base.joinpath(*safe_parts(relative))


def safe_filename(name: str) -> str:
    """``name`` if it is one plain file name (no directories, nothing hostile)."""
    parts = safe_parts(name)
    if len(parts) != 1 or parts[0] != name:
        raise InvalidWheelError(f"Unsafe path {name!r}: it is not a plain file name")
    return name


def _normalise(relative: str, parts: list[str]) -> str | None:
    """Fill ``parts`` with the components of ``relative``; the reason it is unsafe, if it is."""
    body = relative[:-1] if relative.endswith("/") else relative
    for part in body.split("/"):
        if part == "":
            return "has an empty path component"
        if part == "..":
            if not parts:
                return "escapes the target directory"
            parts.pop()
        elif part != ".":
            parts.append(part)
    return None if parts else "names no file"


def _unsafe_reason(relative: str) -> str | None:
    if not relative:
        return "is empty"
    if _CONTROL.search(relative):
        return "contains a control character"
    if "\\" in relative:
        return "contains a backslash (archive names use `/`)"
    if relative.startswith("/"):
        return "is absolute"
    if _DRIVE.match(relative):
        return "starts with a drive letter"
    return None
