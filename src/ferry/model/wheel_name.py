"""Wheel filenames split as packaging 26.3's ``parse_wheel_filename`` splits them.

Why not packaging's: ``packaging.utils`` imports ``packaging.tags`` (logging, subprocess,
platform, sysconfig, the manylinux/musllinux probes: ~6 ms), and the index client checks the
name of every file on every project page of a warm lock through this. The rules (and what is
refused) are packaging's; tags come back as their text (``py3-none-any``, lowercase, one per
member of a compressed set), which is all ferry reads of a file name's tags
(``tests/unit/test_wheel_name_s10.py`` compares with packaging).
"""

from __future__ import annotations

import re

from ferry._regex_cache import compile_pattern
from ferry.model.names import NormalizedName, canonicalize_name
from ferry.model.pep440_version import InvalidVersion, Version

__all__ = ["InvalidWheelName", "expand_tag", "parse_wheel_filename"]

_NAME = compile_pattern(r"^[\w._]+\Z", re.UNICODE)
_BUILD = compile_pattern(r"(\d+)(.*)", re.ASCII)


class InvalidWheelName(ValueError):
    """Not a valid wheel filename (PEP 427)."""


def parse_wheel_filename(
    filename: str,
) -> tuple[NormalizedName, Version, tuple[()] | tuple[int, str], frozenset[str]]:
    """Name, version, build tag and the tags' text of a wheel filename."""
    if not filename.endswith(".whl"):
        raise InvalidWheelName(f"Invalid wheel filename (extension must be '.whl'): {filename!r}")
    stem = filename[:-4]
    dashes = stem.count("-")
    if dashes not in (4, 5):
        raise InvalidWheelName(f"Invalid wheel filename (wrong number of parts): {stem!r}")
    parts = stem.split("-", dashes - 2)
    if "__" in parts[0] or _NAME.match(parts[0]) is None:
        raise InvalidWheelName(f"Invalid project name: {stem!r}")
    try:
        version = Version(parts[1])
    except InvalidVersion:
        raise InvalidWheelName(f"Invalid wheel filename (invalid version): {stem!r}") from None
    build: tuple[()] | tuple[int, str] = ()
    if dashes == 5:
        found = _BUILD.match(parts[2])
        if found is None:
            raise InvalidWheelName(f"Invalid build number: {parts[2]} in {stem!r}")
        build = (int(found.group(1)), found.group(2))
    components = [component.split(".") for component in parts[-1].split("-")]
    if len(components) != 3 or any("" in members for members in components) or not all(
            interpreter.isidentifier() for interpreter in components[0]):
        raise InvalidWheelName(f"Invalid wheel filename (invalid tag component): {stem!r}")
    interpreters, abis, platforms = components
    tags = frozenset(f"{i}-{a}-{p}".lower()
                     for i in interpreters for a in abis for p in platforms)
    return canonicalize_name(parts[0]), version, build, tags


def expand_tag(tag: str) -> frozenset[str]:
    """A compressed tag set (``py2.py3-none-any``, a WHEEL file's ``Tag:`` line) as the text
    of each tag, lowercase, as ``packaging.tags.parse_tag`` expands it; ``ValueError`` unless it
    has exactly three parts."""
    interpreters, abis, platforms = tag.lower().split("-")
    return frozenset(f"{i}-{a}-{p}" for i in interpreters.split(".")
                     for a in abis.split(".") for p in platforms.split("."))
