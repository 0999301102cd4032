"""``pip list``, ``freeze``, ``show`` and ``check``: read-only views of an environment."""

from __future__ import annotations

import json

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from ferry.commands.common import installed_dists, open_cache, target_environment
from ferry.model.settings import GlobalOptions
from ferry.wheel.installed import InstalledDist


def _editable_location(dist: InstalledDist) -> str | None:
    info = dist.direct_url or {}
    url = info.get("url")
    if dist.editable and isinstance(url, str) and url.startswith("file://"):
        return url[len("file://") :]
    return None


def _load(options: GlobalOptions, python: str | None, system: bool) -> list[InstalledDist]:
    with open_cache(options) as cache:
        environment = target_environment(cache, python, system)
        return sorted(installed_dists(environment), key=lambda d: d.name)


def pip_list(
    *,
    options: GlobalOptions,
    fmt: str,
    editable_only: bool,
    exclude_editable: bool,
    python: str | None,
    system: bool,
) -> str:
    dists = [
        d
        for d in _load(options, python, system)
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
        return json.dumps(rows)
    if fmt == "freeze":
        return "".join(f"{d.name}=={d.version}\n" for d in dists)
    if not dists:
        return ""
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
    return "\n".join(lines) + "\n"


def pip_freeze(
    *, options: GlobalOptions, exclude_editable: bool, python: str | None, system: bool
) -> str:
    out = []
    for dist in _load(options, python, system):
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
    return "".join(out)


def pip_show(
    *,
    options: GlobalOptions,
    packages: tuple[str, ...],
    files: bool,
    python: str | None,
    system: bool,
) -> tuple[str, list[str]]:
    dists = _load(options, python, system)
    by_name = {d.name: d for d in dists}
    required_by: dict[str, list[str]] = {}
    for dist in dists:
        for name in _requirement_names(dist):
            required_by.setdefault(name, []).append(dist.name)
    blocks: list[str] = []
    missing: list[str] = []
    for raw in packages:
        found = by_name.get(canonicalize_name(raw))
        if found is None:
            missing.append(raw)
            continue
        dist = found
        meta = dist.metadata
        lines = [
            f"Name: {meta.get('Name', dist.name)}",
            f"Version: {dist.version}",
            f"Location: {dist.site_dir}",
            f"Requires: {', '.join(sorted(_requirement_names(dist)))}",
            f"Required-by: {', '.join(sorted(required_by.get(dist.name, [])))}",
        ]
        location = _editable_location(dist)
        if location:
            lines.append(f"Editable project location: {location}")
        if files:
            lines.append("Files:")
            record = dist.dist_info / "RECORD"
            if record.exists():
                for line in record.read_text(encoding="utf-8").splitlines():
                    if line.strip():
                        lines.append("  " + line.split(",")[0])
        blocks.append("\n".join(lines))
    return "\n---\n".join(blocks), missing


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


def pip_check(*, options: GlobalOptions, python: str | None, system: bool) -> tuple[list[str], int]:
    """Problems found (pip's wording), and how many packages were checked."""
    with open_cache(options) as cache:
        environment = target_environment(cache, python, system)
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
    return problems, len(dists)
