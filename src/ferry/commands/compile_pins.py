"""The pins of ``pip compile``'s existing output file (``-o FILE``): the versions to keep.

As uv: every pin keeps its marker, so a ``--universal`` file prefers each fork's own pin, and a
pin whose marker is false for the target is no preference; a line that cannot be read is an
error (the file is about to be overwritten), not a reason to drop every pin.
"""

from __future__ import annotations

from pathlib import Path

from ferry.model.errors import ParseError
from ferry.model.names import NormalizedName, canonicalize_name
from ferry.model.pep440_version import Version
from ferry.resolve.nodes import exact_pin
from ferry.resolve.options import TargetEnvironment

__all__ = ["existing_pins", "pins_for_target"]


def existing_pins(path: Path | None) -> list[tuple[NormalizedName, Version, str | None]]:
    """``name==version`` pins of an existing output file, each with its marker (a
    ``--universal`` file pins one name per fork): the versions to keep if possible."""
    if path is None or not path.exists():
        return []
    from ferry.project.requirements_file import parse_requirements_file

    try:
        parsed = parse_requirements_file(path)
    except ParseError as error:
        # As uv: the file is about to be overwritten, and ignoring it would quietly upgrade
        # every package it pins (the readable lines too).
        error.hint = error.hint or (
            f"`{path.name}` is the output file, read for the versions to keep: fix or delete "
            "it, or pass `--upgrade`")
        raise
    pins: list[tuple[NormalizedName, Version, str | None]] = []
    for entry in parsed.requirements:
        requirement = entry.requirement
        if requirement is None or requirement.url:
            continue
        pin = exact_pin(requirement.specifier)
        if pin is not None:
            marker = str(requirement.marker) if requirement.marker else None
            pins.append((canonicalize_name(requirement.name), pin, marker))
    return pins


def pins_for_target(
    pins: list[tuple[NormalizedName, Version, str | None]], target: TargetEnvironment
) -> dict[NormalizedName, Version]:
    """The pins that hold for one target: a pin whose marker is false there (``rich==13.7 ;
    sys_platform == 'win32'`` on Linux) is no preference at all, as in uv."""
    from ferry.model.pep508_markers import Marker

    environment = target.marker_environment()
    kept: dict[NormalizedName, Version] = {}
    for name, version, marker in pins:
        if marker is None or Marker(marker).evaluate(environment):
            kept.setdefault(name, version)
    return kept
