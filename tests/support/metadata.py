"""Core metadata and name escaping shared by the wheel and sdist factories.

Kept apart so that ``wheels`` and ``sdists`` write identical METADATA / PKG-INFO for the same
arguments: a test that compares the metadata of a wheel with that of its sdist must not see a
difference that only the harness introduced.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

__all__ = ["MetadataValue", "dist_name", "dist_version", "entry_points_text", "metadata_text"]

MetadataValue = str | Sequence[str] | None


def dist_name(name: str) -> str:
    """The escaped project name used in file names and ``.dist-info`` directories."""
    return canonicalize_name(name).replace("-", "_")


def dist_version(version: str) -> str:
    """The normalised version for file names; an invalid one is kept (minus dashes) on purpose."""
    try:
        return str(Version(version))
    except InvalidVersion:
        return version.replace("-", "_")


def _with_extra(requirement: str, extra: str) -> str:
    left, sep, marker = requirement.partition(";")
    if sep and marker.strip():
        return f'{left.strip()} ; ({marker.strip()}) and extra == "{extra}"'
    return f'{left.strip()} ; extra == "{extra}"'


def metadata_text(
    name: str,
    version: str,
    *,
    requires: Sequence[str] = (),
    requires_python: str | None = None,
    extras: Mapping[str, Sequence[str]] | None = None,
    overrides: Mapping[str, MetadataValue] | None = None,
    summary: str | None = None,
) -> str:
    """Core metadata 2.1 (the METADATA of a wheel, the PKG-INFO of an sdist).

    Extra names are normalised (PEP 685) as modern backends write them. ``overrides`` replaces
    every line of a field in place (a list gives several lines, None removes the field); a
    field not present yet is appended.
    """
    fields: list[tuple[str, str]] = [
        ("Metadata-Version", "2.1"),
        ("Name", name),
        ("Version", version),
        ("Summary", summary if summary is not None else f"Test package {name} {version}"),
    ]
    if requires_python is not None:
        fields.append(("Requires-Python", requires_python))
    fields += [("Requires-Dist", r) for r in requires]
    for extra, reqs in sorted((extras or {}).items()):
        norm = canonicalize_name(extra)
        fields.append(("Provides-Extra", norm))
        fields += [("Requires-Dist", _with_extra(r, norm)) for r in reqs]
    for key, value in (overrides or {}).items():
        position = next((i for i, (k, _) in enumerate(fields) if k.lower() == key.lower()), None)
        fields = [(k, v) for k, v in fields if k.lower() != key.lower()]
        values = [] if value is None else [value] if isinstance(value, str) else list(value)
        at = len(fields) if position is None else position
        fields[at:at] = [(key, v) for v in values]
    return "".join(f"{k}: {v}\n" for k, v in fields)


def entry_points_text(groups: Mapping[str, Mapping[str, str]]) -> str:
    """``entry_points.txt``: sorted groups and names, so the bytes are stable."""
    out = []
    for group in sorted(groups):
        out.append(f"[{group}]")
        out += [f"{key} = {value}" for key, value in sorted(groups[group].items())]
        out.append("")
    return "\n".join(out)
