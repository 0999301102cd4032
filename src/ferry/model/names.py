"""Package-name helpers, so no layer re-implements PEP 503 normalisation.

Why not ``packaging.utils``: importing it imports ``packaging.tags`` (and with it logging,
subprocess, platform, sysconfig and the manylinux/musllinux probes), ~10 ms on every command for
a three-line function. ``canonicalize_name`` here is packaging's, character for character
(tests compare them).
"""

from __future__ import annotations

import re
from typing import NewType

from ferry._regex_cache import compile_pattern

__all__ = [
    "InvalidName",
    "NormalizedName",
    "canonicalize_name",
    "dist_info_name",
    "is_normalized_name",
]

NormalizedName = NewType("NormalizedName", str)
"""A name that went through :func:`canonicalize_name` (packaging's type of the same name is a
``NewType`` of ``str`` too, so the two are interchangeable at run time)."""

# The core metadata's `Name` rule and the normalised form, as packaging spells them.
_VALID = compile_pattern(r"[a-z0-9]|[a-z0-9][a-z0-9._-]*[a-z0-9]", re.IGNORECASE | re.ASCII)
_NORMALIZED = compile_pattern(r"[a-z0-9]+(?:-[a-z0-9]+)*", re.ASCII)


class InvalidName(ValueError):
    """A distribution name that is not valid (``canonicalize_name(…, validate=True)``)."""


def canonicalize_name(name: str, *, validate: bool = False) -> NormalizedName:
    """PEP 503 normalisation: ``re.sub(r"[-_.]+", "-", name).lower()``."""
    if validate and not is_valid_name(name):
        raise InvalidName(f"name is invalid: {name!r}")
    value = name.lower().replace("_", "-").replace(".", "-")
    while "--" in value:
        value = value.replace("--", "-")
    return NormalizedName(value)


def is_valid_name(name: str) -> bool:
    """Whether ``name`` is a valid distribution name (ASCII letters and digits at both ends,
    ``.``, ``_`` or ``-`` between): one compiled rule for every place that checks one."""
    return _VALID.fullmatch(name) is not None


def is_normalized_name(name: str) -> bool:
    """Whether ``name`` is a valid name already in normalised form."""
    return _NORMALIZED.fullmatch(name) is not None


def dist_info_name(name: str) -> str:
    """The escaped form used in wheel and ``.dist-info`` names (``foo_bar``)."""
    return canonicalize_name(name).replace("-", "_")

