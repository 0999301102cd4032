"""Console and GUI scripts: parsing ``entry_points.txt`` and writing launchers.

Launchers are the ones ``installer.scripts.Script`` (the PyPA reference, which pip uses too)
writes: on POSIX ferry renders the same template itself (a shebang and a few lines of Python;
importing ``installer`` for it cost ~12 ms of CPU per install command), on Windows it asks
``installer`` for the ``.exe`` launcher. The ``#!python`` rewrite of scripts shipped in
``.data/scripts`` uses the same shebang rule, including the ``/bin/sh`` trick for interpreter
paths that contain spaces or are too long for the kernel's shebang limit.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from ferry._regex_cache import compile_pattern
from ferry.model.immutable import immutable
from ferry.wheel._paths import entry_point_name_problem

Section = Literal["console", "gui"]

# module[:attr] [extras]; module and attr must be dotted identifiers, which is also what stops a
# hostile entry point from injecting code into the generated launcher.
_ENTRY_POINT = compile_pattern(
    r"^(?P<module>[\w.]+)\s*(:\s*(?P<attr>[\w.]+))?\s*(?P<extras>\[[^\]]*\])?\s*$"
)
_SHEBANG_LIMIT = 127
# ``pip3.7`` and the like: versioned pip launchers, baked in when the wheel was built.
_VERSIONED_PIP = compile_pattern(r"pip3\.\d+")
# A scheme directory named for its Python: ``python3.12``, ``python3.13t``, ``pypy3.10``.
_VERSIONED_LIB = compile_pattern(r"(?:python|pypy)(\d+)\.(\d+)t?")


class EntryPointError(ValueError):
    """An ``entry_points.txt`` that cannot be turned into scripts; the message says why."""


@immutable
class EntryPointScript:
    name: str
    module: str
    attr: str
    section: Section


def _dotted(value: str) -> bool:
    return all(part.isidentifier() for part in value.split("."))


def _simple_sections(text: str) -> dict[str, dict[str, str]] | None:
    """The sections of an ``entry_points.txt`` made only of ``[section]``, ``key = value``,
    comment and blank lines, read as ``configparser`` reads them (later keys win); ``None`` for
    anything else (continuation lines, ``[DEFAULT]``, a line before the first section, a line
    without ``=``), which ``configparser`` itself then reads or refuses.

    Why: importing ``configparser`` cost ~1.4 ms of every install that links a wheel with
    entry points, warm ones included, and every real ``entry_points.txt`` is this simple."""
    sections: dict[str, dict[str, str]] = {}
    current: dict[str, str] | None = None
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped[0] in "#;":
            continue
        if line[0].isspace():
            return None
        if stripped[0] == "[" and stripped[-1] == "]":
            header = stripped[1:-1]
            if not header or header == "DEFAULT" or "[" in header or "]" in header:
                return None
            current = sections.setdefault(header, {})
            continue
        key, equals, value = stripped.partition("=")
        key = key.rstrip()
        if current is None or not equals or not key or "[" in key:
            return None
        current[key] = value.strip()
    return sections


def _sections(text: str) -> dict[str, dict[str, str]]:
    sections = _simple_sections(text)
    if sections is not None:
        return sections
    import configparser

    parser = configparser.ConfigParser(delimiters=("=",), interpolation=None, strict=False)
    parser.optionxform = str  # type: ignore[assignment, method-assign]
    try:
        parser.read_string(text)
    except configparser.Error as exc:
        raise EntryPointError(f"`entry_points.txt` cannot be parsed: {exc}") from exc
    return {name: dict(parser.items(name)) for name in parser.sections()}


def parse_entry_points(text: str) -> list[EntryPointScript]:
    """The ``console_scripts`` and ``gui_scripts`` of an ``entry_points.txt``, validated."""
    sections = _sections(text)
    scripts: list[EntryPointScript] = []
    for group, section in (("console_scripts", "console"), ("gui_scripts", "gui")):
        for name, value in sections.get(group, {}).items():
            problem = entry_point_name_problem(name)
            if problem:
                raise EntryPointError(f"entry point `{name}` in `[{group}]`: it {problem}")
            match = _ENTRY_POINT.match(value)
            module = match.group("module") if match else ""
            attr = (match.group("attr") or "") if match else ""
            if not (match and attr and _dotted(module) and _dotted(attr)):
                raise EntryPointError(
                    f"entry point `{name} = {value}` in `[{group}]`: it is not `module:callable`"
                )
            scripts.append(EntryPointScript(name, module, attr, section))  # type: ignore[arg-type]
    return scripts


def with_versioned_pip(
    scripts: Sequence[EntryPointScript], version: tuple[int, int] | None
) -> list[EntryPointScript]:
    """``scripts`` with pip's versioned launcher made for the target Python, as uv writes it.

    pip's wheel declares ``pip`` and ``pip3`` (old ones also ``pip3.X`` of the Python that built
    them); pip's installer, ensurepip and uv add ``pip3.<minor>`` of the Python the wheel is
    installed for, and scripts and docs call ``pip3.12``. uv's rule, whatever the distribution:
    every ``pip3.X`` console script of the wheel is dropped, and a ``pip3`` one gets a
    ``pip3.<minor>`` twin. With the target's version unknown the scripts stay as declared.
    """
    if version is None:
        return list(scripts)
    kept = [s for s in scripts if not (s.section == "console" and _VERSIONED_PIP.fullmatch(s.name))]
    for script in list(kept):
        if script.section == "console" and script.name == "pip3":
            kept.append(EntryPointScript(f"pip3.{version[1]}", script.module, script.attr,
                                         "console"))
    return kept


def scheme_python_version(purelib: Path, python_executable: Path) -> tuple[int, int] | None:
    """The (major, minor) of the Python a scheme belongs to, or None when nothing says.

    The install layer is handed a scheme and an executable, not the interpreter: the scheme's
    ``lib/python3.X`` directory (computed by that interpreter's own sysconfig, POSIX) tells,
    else the ``pyvenv.cfg`` of the executable's environment (Windows venvs).
    """
    for part in reversed(purelib.parts):
        match = _VERSIONED_LIB.fullmatch(part)
        if match:
            return int(match.group(1)), int(match.group(2))
    try:
        text = (python_executable.parent.parent / "pyvenv.cfg").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    for line in text.splitlines():
        key, _, value = line.partition("=")
        if key.strip() in ("version_info", "version"):
            numbers = value.strip().split(".")
            if len(numbers) >= 2 and numbers[0].isdigit() and numbers[1].isdigit():
                return int(numbers[0]), int(numbers[1])
    return None


def _launcher_kind() -> Literal["posix", "win-ia32", "win-amd64", "win-arm", "win-arm64"]:
    if os.name != "nt":
        return "posix"
    from installer.utils import get_launcher_kind

    return get_launcher_kind()


# installer.scripts._SCRIPT_TEMPLATE, byte for byte (tests/unit/test_wheel_scripts.py compares).
_SCRIPT_TEMPLATE = """\
# -*- coding: utf-8 -*-
import re
import sys
from {module} import {import_name}
if __name__ == "__main__":
    sys.argv[0] = re.sub(r"(-script\\.pyw|\\.exe)?$", "", sys.argv[0])
    sys.exit({func_path}())
"""


def render_launcher(script: EntryPointScript, executable: str) -> tuple[str, bytes]:
    """The file name and content of a launcher that runs ``script`` with ``executable``.

    ``installer`` is imported only for Windows launchers: importing it loads its whole package
    (records, destinations, sources, importlib.resources).
    """
    kind = _launcher_kind()
    if kind == "posix":
        code = _SCRIPT_TEMPLATE.format(
            module=script.module, import_name=script.attr.split(".")[0], func_path=script.attr
        )
        return script.name, shebang(executable) + b"\n" + code.encode("utf-8")
    from installer.scripts import Script

    generated = Script(script.name, script.module, script.attr, section=script.section)
    return generated.generate(executable, kind)


def shebang(executable: str) -> bytes:
    """The first line(s) that make a Python file run with ``executable``.

    Same rule as ``installer``/distlib: a plain ``#!`` when the path has no space and fits the
    kernel's limit, else a ``/bin/sh`` prologue that is also a harmless Python string literal.
    """
    raw = executable.encode("utf-8")
    if b" " not in raw and len(raw) + 3 <= _SHEBANG_LIMIT:
        return b"#!" + raw
    quoted = shlex.quote(executable).encode("utf-8")
    return b"#!/bin/sh\n'''exec' " + quoted + b' "$0" "$@"\n' + b"' '''"


def rewrite_python_shebang(data: bytes, executable: str) -> bytes | None:
    """``data`` with a ``#!python``/``#!pythonw`` first line pointed at ``executable``.

    ``None`` when the script has no such line and can be installed unchanged (and so linked).
    """
    if not data.startswith(b"#!python"):
        return None
    newline = data.find(b"\n")
    rest = b"" if newline < 0 else data[newline + 1 :]
    return shebang(executable) + b"\n" + rest
