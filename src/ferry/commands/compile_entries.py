"""The entries of ``pip compile``'s output, from the resolved packages: what each pin says, its
hashes, and its ``# via`` annotations (sources from the inputs, dependents from the graph).

Projects whose metadata was built (``setup.py``, dynamic dependencies) are not pinned themselves;
their label (``demo (setup.py)``) stands in for them where their dependencies are annotated.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ferry.commands.compile_inputs import CompileInputs
from ferry.commands.compile_output import Entry, sort_sources
from ferry.commands.compile_resolve import Resolved
from ferry.model.dist import parse_filename
from ferry.model.names import NormalizedName, canonicalize_name
from ferry.model.pep440_version import Version
from ferry.model.url import redact
from ferry.resolve.options import TargetEnvironment

if TYPE_CHECKING:
    from ferry.index.client import IndexClient
    from ferry.resolve.source import PackageSource


def file_hashes(
    packages: Sequence[Resolved], source: PackageSource, client: IndexClient
) -> dict[tuple[NormalizedName, Version], tuple[str, ...]]:
    """``sha256:`` digests of every file of each pinned version (uv lists them all, so the file
    installs on any platform), or of the archive of a direct URL."""
    out: dict[tuple[NormalizedName, Version], tuple[str, ...]] = {}
    for package in packages:
        if package.url is not None:
            files = [package.file] if package.file is not None else []
        else:
            files = []
            for file in source.files(package.name):
                parsed = parse_filename(file.filename)
                if parsed is not None and parsed.version == package.version:
                    files.append(file)
        digests = set()
        for file in files:
            sha = file.sha256 or client.download(file).sha256
            digests.add(f"sha256:{sha}")
        out[(package.name, package.version)] = tuple(sorted(digests))
    return out


def make_entries(
    packages: Sequence[Resolved],
    inputs: CompileInputs,
    target: TargetEnvironment,
    universal: bool,
    keep_extras: bool,
    build_labels: dict[NormalizedName, str],
    hashes: dict[tuple[NormalizedName, Version], tuple[str, ...]],
) -> list[Entry]:
    """One entry per package. A source annotates a package when one of its requirements names
    it and (for a single target) applies there, so a requirement dropped by its marker does not
    claim to have brought the package in."""
    from ferry.resolve.engine import marker_true

    env = target.marker_environment("")
    labels: dict[NormalizedName, list[str]] = {}
    for group in (inputs.requirements, inputs.constraints, inputs.overrides):
        for sourced in group:
            if sourced.label and (universal
                                  or marker_true(sourced.requirement.marker, env)):
                name = canonicalize_name(sourced.requirement.name)
                labels.setdefault(name, []).append(sourced.label)
    entries: list[Entry] = []
    for package in packages:
        sources = list(labels.get(package.name, []))
        sources.extend(build_labels[p] for p in package.parents if p in build_labels)
        dependents = sorted(str(p) for p in package.parents if p not in build_labels)
        entries.append(Entry(
            name=package.name,
            version=package.version,
            requirement=_pin_text(package, keep_extras,
                                  inputs.editable_dirs.get(package.name)),
            marker=package.marker,
            hashes=hashes.get((package.name, package.version), ()),
            sources=sort_sources(sources),
            dependents=tuple(dependents),
            editable=package.editable,
            index=_origin(package),
        ))
    return entries


def _origin(package: Resolved) -> str | None:
    """The index or find-links location the pinned file came from, as a URL (uv writes a
    find-links directory as its ``file://`` URL); ``None`` for a direct URL or a local tree."""
    location = package.file.index_url if package.file is not None and not package.url else None
    if not location or "://" in location:
        return location
    return Path(os.path.abspath(Path(location).expanduser())).as_uri()  # noqa: PTH100


def _pin_text(package: Resolved, keep_extras: bool, base: Path | None) -> str:
    extras = f"[{','.join(sorted(package.extras))}]" if keep_extras and package.extras else ""
    if package.editable and package.url:
        return f"-e {_editable_text(package.url, base)}"
    if package.url:
        return f"{package.name}{extras} @ {redact(package.url)}"
    return f"{package.name}{extras}=={package.version}"


def _editable_text(url: str, base: Path | None) -> str:
    """An editable's folder relative to the requirements file that named it (``./pkg``), as the
    user wrote it and as uv writes it back; other URLs unchanged."""
    if base is None or not url.startswith("file:"):
        return redact(url)
    from ferry.dist.metadata import file_url_path

    relative = os.path.relpath(file_url_path(url), base)
    return relative if relative.startswith("..") else f"./{relative}"


__all__ = ["file_hashes", "make_entries"]
