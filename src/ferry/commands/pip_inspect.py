"""``pip list``, ``freeze``, ``show`` and ``check``: read-only views of an environment."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from ferry.commands.common import (
    inspected_environment,
    installed_dists,
    named_environment_note,
    open_cache,
)
from ferry.model.immutable import immutable
from ferry.model.names import canonicalize_name
from ferry.model.pep508_requirements import InvalidRequirement, Requirement
from ferry.model.settings import GlobalOptions
from ferry.wheel.installed import InstalledDist

if TYPE_CHECKING:
    from ferry.cache.store import Cache
    from ferry.python.environment import PythonEnvironment


@immutable
class Inspection:
    """What a read-only command found. ``notice`` names the environment unless it is the
    working directory's ``.venv`` (uv's ``Using Python X environment at: P``), so a listing of
    another environment or a system interpreter is never mistaken for the project's."""

    text: str = ""
    notice: str | None = None
    missing: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()
    checked: int = 0


def _editable_location(dist: InstalledDist) -> str | None:
    info = dist.direct_url or {}
    url = info.get("url")
    if dist.editable and isinstance(url, str) and url.startswith("file://"):
        return url[len("file://") :]
    return None


def _load(
    options: GlobalOptions, python: str | None, system: bool
) -> tuple[list[InstalledDist], str | None]:
    with open_cache(options) as cache:
        environment, notice = _inspected(cache, python, system)
        return sorted(installed_dists(environment), key=lambda d: d.name), notice


def _inspected(
    cache: Cache, python: str | None, system: bool
) -> tuple[PythonEnvironment, str | None]:
    """The environment looked at, named as uv names it: every environment but the working
    directory's own ``.venv`` (an active ``VIRTUAL_ENV``, a parent's ``.venv``, the environment
    the working directory is inside, ``--python``, or the interpreter that stood in for none)."""
    environment, _ = inspected_environment(cache, python, system)
    return environment, named_environment_note(environment)


def pip_list(
    *,
    options: GlobalOptions,
    fmt: str,
    editable_only: bool,
    exclude_editable: bool,
    python: str | None,
    system: bool,
) -> Inspection:
    found, notice = _load(options, python, system)
    dists = [
        d
        for d in found
        if not (editable_only and not d.editable) and not (exclude_editable and d.editable)
    ]
    if fmt == "json":
        rows: list[dict[str, str]] = []
        for dist in dists:
            row = {"name": str(dist.name), "version": str(dist.version)}
            location = _editable_location(dist)
            if location:
                row["editable_project_location"] = location
            rows.append(row)
        return Inspection(json.dumps(rows), notice)
    if fmt == "freeze":
        return Inspection("".join(f"{d.name}=={d.version}\n" for d in dists), notice)
    if not dists:
        return Inspection("", notice)
    with_location = any(d.editable for d in dists)
    header = ["Package", "Version"] + (["Editable project location"] if with_location else [])
    table = [header]
    for dist in dists:
        cells = [str(dist.name), str(dist.version)]
        if with_location:
            cells.append(_editable_location(dist) or "")
        table.append(cells)
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    lines = [
        " ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip() for r in table
    ]
    lines.insert(1, " ".join("-" * w for w in widths))
    return Inspection("\n".join(lines) + "\n", notice)


def pip_freeze(
    *, options: GlobalOptions, exclude_editable: bool, python: str | None, system: bool
) -> Inspection:
    out = []
    dists, notice = _load(options, python, system)
    for dist in dists:
        if dist.editable:
            if exclude_editable:
                continue
            out.append(f"-e {(dist.direct_url or {}).get('url')}\n")
            continue
        info = dist.direct_url
        if info and isinstance(info.get("url"), str):
            out.append(f"{dist.name} @ {info['url']}\n")
        else:
            out.append(f"{dist.name}=={dist.version}\n")
    return Inspection("".join(out), notice)


def pip_show(
    *,
    options: GlobalOptions,
    packages: tuple[str, ...],
    files: bool,
    python: str | None,
    system: bool,
) -> Inspection:
    dists, notice = _load(options, python, system)
    by_name = {d.name: d for d in dists}
    required_by_names: dict[str, list[str]] = {}
    for dist in dists:
        for name in _requirement_names(dist):
            required_by_names.setdefault(name, []).append(dist.name)
    blocks: list[str] = []
    wanted = sorted({canonicalize_name(raw) for raw in packages})  # as uv: by name, once each
    missing = [str(name) for name in wanted if name not in by_name]
    for name in wanted:
        found = by_name.get(name)
        if found is None:
            continue
        dist = found
        meta = dist.metadata
        # uv's (and pip's) order: the editable location right after the location
        lines = [
            f"Name: {meta.get('Name', dist.name)}",
            f"Version: {dist.version}",
            f"Location: {dist.site_dir}",
        ]
        location = _editable_location(dist)
        if location:
            lines.append(f"Editable project location: {location}")
        requires = ", ".join(sorted(_requirement_names(dist)))
        required_by = ", ".join(sorted(required_by_names.get(dist.name, [])))
        lines += [f"Requires: {requires}".rstrip(), f"Required-by: {required_by}".rstrip()]
        if files:
            lines.append("Files:")
            record = dist.dist_info / "RECORD"
            if record.exists():
                paths = [line.split(",")[0] for line in
                         record.read_text(encoding="utf-8").splitlines() if line.strip()]
                lines.extend("  " + path for path in sorted(paths))
        blocks.append("\n".join(lines))
    return Inspection("\n---\n".join(blocks), notice, missing=tuple(missing))


def _requirement_names(dist: InstalledDist) -> set[str]:
    names: set[str] = set()
    for text in dist.requires:
        try:
            req = Requirement(text)
        except InvalidRequirement:
            continue
        if req.marker is None or req.marker.evaluate({"extra": ""}):
            names.add(canonicalize_name(req.name))
    return names


def pip_check(*, options: GlobalOptions, python: str | None, system: bool) -> Inspection:
    """Problems found (pip's wording), and how many packages were checked."""
    with open_cache(options) as cache:
        environment, notice = _inspected(cache, python, system)
        dists = installed_dists(environment)
        markers = dict(environment.interpreter.markers)
    by_name = {d.name: d for d in dists}
    problems = []
    for dist in sorted(dists, key=lambda d: d.name):
        for text in dist.requires:
            try:
                req = Requirement(text)
            except InvalidRequirement:
                continue
            if req.marker is not None and not req.marker.evaluate({**markers, "extra": ""}):
                continue
            have = by_name.get(canonicalize_name(req.name))
            if have is None:
                problems.append(
                    f"The package `{dist.name}` requires `{req}`, but it's not installed"
                )
            elif not req.specifier.contains(have.version, prereleases=True):
                problems.append(
                    f"The package `{dist.name}` requires `{req}`, but `{have.version}` is installed"
                )
    return Inspection(notice=notice, problems=tuple(problems), checked=len(dists))
