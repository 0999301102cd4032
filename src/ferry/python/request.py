"""What the user asked for with ``--python``, FERRY_PYTHON or ``.python-version``.

Parsing is separate from searching so the CLI can reject a malformed request before any
interpreter runs, and so every accepted spelling is tested in one place. The spellings are uv's:
``3``, ``3.12``, ``3.12.1``, ``312``, ``3.13t``, ``>=3.11,<3.13``, ``cpython3.12``, ``cp312``,
``pypy3``, ``pypy@3.10``, a path to an interpreter or an environment, or an executable name.
"""

from __future__ import annotations

import os
import re
from enum import Enum
from pathlib import Path

from ferry.model.errors import UserError
from ferry.model.immutable import immutable
from ferry.model.lazy_regex import lazy_pattern
from ferry.model.pep440_specifiers import InvalidSpecifier, SpecifierSet
from ferry.python.interpreter import Interpreter

IMPLEMENTATIONS = {
    "cpython": "cpython",
    "cp": "cpython",
    "pypy": "pypy",
    "pp": "pypy",
    "graalpy": "graalpy",
    "gp": "graalpy",
}
# Compiled when a request is not a path (~0.35 ms that `-p /path` or a path in FERRY_PYTHON
# never needs).
_VERSION = lazy_pattern(r"^(\d+)(?:\.(\d+))?(?:\.(\d+))?(t)?$")
_NODOT = lazy_pattern(r"^(3)(\d{1,2})(t)?$")
_IMPLEMENTATION = lazy_pattern(r"^(cpython|cp|pypy|pp|graalpy|gp)[@-]?(.*)$", re.IGNORECASE)
_EXECUTABLE = lazy_pattern(r"^[A-Za-z0-9_][A-Za-z0-9_.+-]*$")


class RequestKind(Enum):
    ANY = "any"
    VERSION = "version"  # an implementation and/or a version constraint
    PATH = "path"
    NAME = "name"  # an executable name looked up on PATH


@immutable
class PythonRequest:
    """One parsed request. ``parts`` is a version prefix ((3,), (3, 12), (3, 12, 1));
    ``specifier`` a range; either may be absent."""

    text: str
    kind: RequestKind
    implementation: str | None = None
    parts: tuple[int, ...] = ()
    specifier: SpecifierSet | None = None
    free_threaded: bool = False
    path: Path | None = None
    name: str | None = None

    @classmethod
    def parse(cls, text: str) -> PythonRequest:
        raw = text.strip()
        if raw.lower() in {"", "any", "default"}:
            return cls(raw, RequestKind.ANY)
        if _looks_like_path(raw):
            return cls(raw, RequestKind.PATH, path=Path(raw).expanduser())
        version = _parse_version(raw, raw)
        if version is not None:
            return version
        m = _IMPLEMENTATION().match(raw)
        if m:
            implementation = IMPLEMENTATIONS[m.group(1).lower()]
            rest = m.group(2)
            if not rest:
                return cls(raw, RequestKind.VERSION, implementation=implementation)
            parsed = _parse_version(rest, raw)
            if parsed is not None:
                return cls(
                    raw,
                    RequestKind.VERSION,
                    implementation=implementation,
                    parts=parsed.parts,
                    specifier=parsed.specifier,
                    free_threaded=parsed.free_threaded,
                )
        # As uv: a bare word that names an existing file or directory (relative to the working
        # directory) is that path — `-p rv` after `ferry venv rv` — even when it could also be
        # an executable's name. Versions and implementations were tried first, so a directory
        # called `3.12` does not shadow the version request.
        if Path(raw).expanduser().exists():
            return cls(raw, RequestKind.PATH, path=Path(raw).expanduser())
        if _EXECUTABLE().match(raw):
            return cls(raw, RequestKind.NAME, name=raw)
        raise UserError(
            f"Invalid Python request `{text}`",
            hint="Use a version (`3.12`), a range (`>=3.11,<3.13`), an implementation "
            "(`pypy3.10`), a path to an interpreter, or an executable name (`python3.12`).",
        )

    @property
    def minor_pinned(self) -> bool:
        """True when the request names a minor version, so ``python3.X`` is the name to look for."""
        return len(self.parts) >= 2

    def satisfied_by(self, interpreter: Interpreter) -> bool:
        """Does ``interpreter`` meet the implementation/version part of this request?
        (Path and name requests are met by whatever they point at.)"""
        if self.kind in (RequestKind.PATH, RequestKind.NAME):
            return True
        if self.implementation and interpreter.implementation != self.implementation:
            return False
        if self.parts and interpreter.version.release[: len(self.parts)] != self.parts:
            return False
        if self.specifier is not None and not self.specifier.contains(
            interpreter.version, prereleases=True
        ):
            return False
        # As uv: free-threaded builds are chosen only when asked for ("3.13t").
        return self.free_threaded == interpreter.gil_disabled

    def __str__(self) -> str:
        if self.kind is RequestKind.ANY:
            return "any Python"
        if self.kind is RequestKind.PATH:
            return f"the interpreter at `{self.path}`"
        if self.kind is RequestKind.NAME:
            return f"the executable `{self.name}`"
        name = {"cpython": "CPython", "pypy": "PyPy", "graalpy": "GraalPy"}.get(
            self.implementation or "", "Python"
        )
        version = ".".join(map(str, self.parts)) if self.parts else ""
        if self.specifier is not None:
            version = str(self.specifier)
        suffix = "t" if self.free_threaded else ""
        return f"{name} {version}{suffix}".strip()


def _looks_like_path(raw: str) -> bool:
    separators = {os.sep, "/"} | ({os.altsep} if os.altsep else set())
    return any(s in raw for s in separators) or raw.startswith(("~", "."))


def _parse_version(raw: str, original: str) -> PythonRequest | None:
    m = _NODOT().match(raw) or _VERSION().match(raw)
    if m:
        parts = tuple(int(p) for p in m.groups()[:-1] if p is not None)
        return PythonRequest(
            original, RequestKind.VERSION, parts=parts, free_threaded=bool(m.groups()[-1])
        )
    if raw[:1] in "<>=!~":
        try:
            specifier = SpecifierSet(raw)
        except InvalidSpecifier as error:
            raise UserError(f"Invalid Python version range `{original}`: {error}") from error
        return PythonRequest(original, RequestKind.VERSION, specifier=specifier)
    return None
