"""``dump_lock``: a :class:`Lock` as the exact bytes uv writes.

Hand-written rather than a generic TOML writer, because the layout is part of the format: key
order, which values are inline tables, one-line arrays for one requirement versus one-per-line for
several, four-space indents, trailing commas, a blank line before every table header. These rules
were taken from uv's serializer (``crates/uv-resolver/src/lock/serialize.rs``) and checked byte for
byte against locks written by uv 0.13 (``tests/data/lockfiles``).

Canonical order is applied here as uv applies it when it builds a lock: packages by (name,
version, source), dependency lists by target package then extras (stable, so equal keys keep their
order). Everything else is written in the order the model holds.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from ferry._regex_cache import compile_pattern
from ferry.model.exclude_newer import SPAN_PLACEHOLDER
from ferry.project.lock_model import (
    ConflictItem,
    DependencyMap,
    Lock,
    LockDependency,
    LockedPackage,
    LockManifest,
    LockOptions,
    LockRequirement,
    LockSource,
    LockWheel,
    PackageId,
    SourceDist,
)
from ferry.project.toml_encode import toml_key, toml_string

if TYPE_CHECKING:
    pass

_PLACEHOLDER_COMMENT = (
    " # This has no effect and is included for backwards compatibility when using relative"
    " exclude-newer values."
)


def dump_lock(lock: Lock) -> str:
    """Render ``lock`` as uv would write it."""
    out: list[str] = []
    _kv(out, "version", str(lock.version))
    if lock.revision > 0:
        _kv(out, "revision", str(lock.revision))
    _kv(out, "requires-python", toml_string(lock.requires_python))
    for key, markers in (
        ("resolution-markers", lock.resolution_markers),
        ("supported-markers", lock.supported_markers),
        ("required-markers", lock.required_markers),
    ):
        if markers:
            _multiline(out, key, [toml_string(m) for m in markers])
    if lock.conflicts:
        _write_conflicts(out, lock.conflicts)
    _write_options(out, lock.options)
    _write_manifest(out, lock.manifest)

    packages = sorted(lock.packages, key=lambda p: p.id.sort_key())
    counts: Counter[str] = Counter(str(p.name) for p in packages)
    for package in packages:
        _write_package(out, package, counts)
    return "".join(out)


# -- low-level pieces --------------------------------------------------------------------------


def _kv(out: list[str], key: str, encoded: str) -> None:
    out.append(f"{toml_key(key)} = {encoded}\n")


def _header(out: list[str], path: Sequence[str], array: bool = False) -> None:
    joined = ".".join(toml_key(part) for part in path)
    out.append(f"\n[[{joined}]]\n" if array else f"\n[{joined}]\n")


def _multiline(out: list[str], key: str, encoded: Iterable[str]) -> None:
    out.append(f"{toml_key(key)} = [\n")
    out.extend(f"    {value},\n" for value in encoded)
    out.append("]\n")


def _array(encoded: Iterable[str]) -> str:
    return "[" + ", ".join(encoded) + "]"


def _inline(pairs: Iterable[tuple[str, str]]) -> str:
    body = ", ".join(f"{toml_key(k)} = {v}" for k, v in pairs)
    return "{ " + body + " }" if body else "{}"


def _serialized_array(out: list[str], key: str, encoded: Sequence[str]) -> None:
    """uv's layout for sets of requirements: one line for zero or one item, else one per line."""
    if len(encoded) <= 1:
        _kv(out, key, _array(encoded))
    else:
        _multiline(out, key, encoded)


def _strings(values: Iterable[str]) -> list[str]:
    return [toml_string(v) for v in values]


# -- top-level sections ------------------------------------------------------------------------


def _write_conflicts(out: list[str], conflicts: Sequence[tuple[ConflictItem, ...]]) -> None:
    out.append("conflicts = [")
    for index, conflict_set in enumerate(conflicts):
        if index:
            out.append(", ")
        out.append("[\n")
        for item in conflict_set:
            out.append(f"    {_conflict_item(item)},\n")
        out.append("]")
    out.append("]\n")


def _conflict_item(item: ConflictItem) -> str:
    pairs = [("package", toml_string(item.package))]
    if item.extra is not None:
        pairs.append(("extra", toml_string(item.extra)))
    if item.group is not None:
        pairs.append(("group", toml_string(item.group)))
    return _inline(pairs)


def _write_options(out: list[str], options: LockOptions) -> None:
    if not options:
        return
    _header(out, ["options"])
    if options.resolution_mode:
        _kv(out, "resolution-mode", toml_string(options.resolution_mode))
    if options.prerelease_mode:
        _kv(out, "prerelease-mode", toml_string(options.prerelease_mode))
    if options.fork_strategy:
        _kv(out, "fork-strategy", toml_string(options.fork_strategy))
    if options.exclude_newer_span:
        placeholder = options.exclude_newer or SPAN_PLACEHOLDER
        out.append(f"exclude-newer = {toml_string(placeholder)}{_PLACEHOLDER_COMMENT}\n")
        _kv(out, "exclude-newer-span", toml_string(options.exclude_newer_span))
    elif options.exclude_newer:
        _kv(out, "exclude-newer", toml_string(options.exclude_newer))
    if options.prerelease_package:
        _header(out, ["options", "prerelease-package"])
        for name, mode in sorted(options.prerelease_package):
            _kv(out, name, toml_string(mode))
    if options.exclude_newer_package:
        _header(out, ["options", "exclude-newer-package"])
        for name, setting in options.exclude_newer_package:
            if setting.disabled:
                _kv(out, name, "false")
            elif setting.span:
                pairs = [
                    ("timestamp", toml_string(setting.timestamp or "")),
                    ("span", toml_string(setting.span)),
                ]
                _kv(out, name, _inline(pairs))
            else:
                _kv(out, name, toml_string(setting.timestamp or ""))


def _write_manifest(out: list[str], manifest: LockManifest) -> None:
    if not manifest:
        return
    _header(out, ["manifest"])
    if manifest.members:
        _multiline(out, "members", _strings(manifest.members))
    for key, reqs in (
        ("requirements", manifest.requirements),
        ("constraints", manifest.constraints),
        ("overrides", manifest.overrides),
    ):
        if reqs:
            _serialized_array(out, key, [requirement_inline(r) for r in reqs])
    if manifest.excludes:
        _serialized_array(out, "excludes", _strings(manifest.excludes))
    if manifest.build_constraints:
        encoded = [requirement_inline(r) for r in manifest.build_constraints]
        _serialized_array(out, "build-constraints", encoded)
    groups = [(g, reqs) for g, reqs in manifest.dependency_groups if reqs]
    if groups:
        _header(out, ["manifest", "dependency-groups"])
        for group, reqs in groups:
            _serialized_array(out, group, [requirement_inline(r) for r in reqs])
    for meta in manifest.dependency_metadata:
        _header(out, ["manifest", "dependency-metadata"], array=True)
        _kv(out, "name", toml_string(meta.name))
        if meta.version is not None:
            _kv(out, "version", toml_string(meta.version))
        if meta.requires_dist:
            _kv(out, "requires-dist", _array(_strings(meta.requires_dist)))
        if meta.requires_python is not None:
            _kv(out, "requires-python", toml_string(meta.requires_python))
        if meta.provides_extras:
            _kv(out, "provides-extras", _array(_strings(meta.provides_extras)))


# -- packages ----------------------------------------------------------------------------------


def _write_package(out: list[str], package: LockedPackage, counts: Counter[str]) -> None:
    _header(out, ["package"], array=True)
    _kv(out, "name", toml_string(package.name))
    if package.version is not None:
        _kv(out, "version", toml_string(package.version))
    _kv(out, "source", source_inline(package.source))
    if package.resolution_markers:
        _multiline(out, "resolution-markers", _strings(package.resolution_markers))
    if package.default_groups == "all":
        _kv(out, "default-groups", toml_string("all"))
    elif package.default_groups is not None:
        _kv(out, "default-groups", _array(_strings(package.default_groups)))
    if package.dependencies:
        _write_dependencies(out, "dependencies", package.dependencies, counts)
    if package.sdist is not None:
        _kv(out, "sdist", sdist_inline(package.sdist))
    if package.wheels:
        _multiline(out, "wheels", [wheel_inline(w) for w in package.wheels])
    _write_dependency_map(out, "optional-dependencies", package.optional_dependencies, counts)
    _write_dependency_map(out, "dev-dependencies", package.dev_dependencies, counts)

    metadata = package.metadata
    if metadata:
        _header(out, ["package", "metadata"])
        if metadata.requires_dist:
            encoded = [requirement_inline(r) for r in metadata.requires_dist]
            _serialized_array(out, "requires-dist", encoded)
        if metadata.provides_extras:
            _kv(out, "provides-extras", _array(_strings(metadata.provides_extras)))
        if metadata.requires_dev:
            _header(out, ["package", "metadata", "requires-dev"])
            for group, reqs in metadata.requires_dev:
                _serialized_array(out, group, [requirement_inline(r) for r in reqs])


def _write_dependency_map(
    out: list[str], table: str, mapping: DependencyMap, counts: Counter[str]
) -> None:
    entries = [(key, deps) for key, deps in mapping if deps]
    if not entries:
        return
    _header(out, ["package", table])
    for key, deps in sorted(entries, key=lambda kv: kv[0]):
        _write_dependencies(out, key, deps, counts)


def _write_dependencies(
    out: list[str], key: str, deps: Sequence[LockDependency], counts: Counter[str]
) -> None:
    ordered = sorted(deps, key=LockDependency.sort_key)
    _multiline(out, key, [dependency_inline(d, counts) for d in ordered])


def dependency_inline(dep: LockDependency, counts: Counter[str]) -> str:
    """``{ name = …, version = …, source = …, extra = […], marker = … }``; version and source
    only when several locked packages share the name."""
    pairs = _package_id_pairs(dep.package, counts)
    if dep.extras:
        pairs.append(("extra", _array(_strings(dep.extras))))
    if dep.marker is not None:
        pairs.append(("marker", toml_string(dep.marker)))
    return _inline(pairs)


def _package_id_pairs(package: PackageId, counts: Counter[str]) -> list[tuple[str, str]]:
    pairs = [("name", toml_string(package.name))]
    if counts.get(package.name, 0) != 1:
        if package.version is not None:
            pairs.append(("version", toml_string(package.version)))
        pairs.append(("source", source_inline(package.source)))
    return pairs


def source_inline(source: LockSource) -> str:
    pairs: list[tuple[str, str]] = [(source.kind, toml_string(source.value))]
    if source.kind == "url" and source.subdirectory is not None:
        pairs.append(("subdirectory", toml_string(source.subdirectory)))
    return _inline(pairs)


def _file_pairs(
    hash_: str | None, size: int | None, upload_time: str | None
) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    if hash_ is not None:
        pairs.append(("hash", toml_string(hash_)))
    if size is not None:
        pairs.append(("size", str(size)))
    if upload_time is not None:
        pairs.append(("upload-time", toml_string(upload_time)))
    return pairs


def sdist_inline(sdist: SourceDist) -> str:
    pairs: list[tuple[str, str]] = []
    if sdist.url is not None:
        pairs.append(("url", toml_string(sdist.url)))
    elif sdist.path is not None:
        pairs.append(("path", toml_string(sdist.path)))
    pairs += _file_pairs(sdist.hash, sdist.size, sdist.upload_time)
    return _inline(pairs)


def wheel_inline(wheel: LockWheel) -> str:
    pairs: list[tuple[str, str]] = []
    if wheel.url is not None:
        pairs.append(("url", toml_string(wheel.url)))
    elif wheel.path is not None:
        pairs.append(("path", toml_string(wheel.path)))
    elif wheel.filename is not None:
        pairs.append(("filename", toml_string(wheel.filename)))
    pairs += _file_pairs(wheel.hash, wheel.size, wheel.upload_time)
    if wheel.has_zstd:
        zstd = []
        if wheel.zstd_hash is not None:
            zstd.append(("hash", toml_string(wheel.zstd_hash)))
        if wheel.zstd_size is not None:
            zstd.append(("size", str(wheel.zstd_size)))
        pairs.append(("zstd", _inline(zstd)))
    return _inline(pairs)


def requirement_inline(req: LockRequirement) -> str:
    """A declared requirement, keys in uv's serde order: name, extras, groups, marker, then the
    source's own keys (git | url, subdirectory | path | directory | editable | virtual |
    specifier, index, conflict)."""
    pairs = [("name", toml_string(req.name))]
    if req.extras:
        pairs.append(("extras", _array(_strings(req.extras))))
    if req.groups:
        pairs.append(("groups", _array(_strings(req.groups))))
    if req.marker is not None:
        pairs.append(("marker", toml_string(req.marker)))
    optional: list[tuple[str, str | None]] = [
        ("git", req.git),
        ("url", req.url),
        ("subdirectory", req.subdirectory),
        ("path", req.path),
        ("directory", req.directory),
        ("editable", req.editable),
        ("virtual", req.virtual),
        ("specifier", req.specifier),
        ("index", req.index),
    ]
    pairs += [(key, toml_string(value)) for key, value in optional if value is not None]
    if req.conflict is not None:
        pairs.append(("conflict", _conflict_item(req.conflict)))
    return _inline(pairs)


def sort_wheels(wheels: Iterable[LockWheel]) -> tuple[LockWheel, ...]:
    """Wheels in the order uv lists them (by filename); for code that builds a lock."""
    return tuple(sorted(wheels, key=lambda w: w.name))


_TIMESTAMP = compile_pattern(
    r"^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|z|[+-]\d{2}:?\d{2})?$"
)


def lock_upload_time(value: str) -> str:
    """An index's ``upload-time`` the way uv records it: in UTC, cut (not rounded) to
    milliseconds, trailing zeros dropped (``…46.688123Z`` -> ``…46.688Z``, ``…07.500Z`` ->
    ``…07.5Z``, ``…00.000Z`` -> ``…00Z``). Values that are not RFC 3339 are kept as given."""
    match = _TIMESTAMP.match(value.strip())
    if match is None:
        return value
    date, time, fraction, offset = match.groups()
    zone = "+00:00" if offset in (None, "Z", "z") else offset
    if len(zone) == 5:  # +0100
        zone = f"{zone[:3]}:{zone[3:]}"
    from datetime import UTC, datetime  # not at import: only indexes that give times need it

    moment = datetime.fromisoformat(f"{date}T{time}{zone}").astimezone(UTC)
    millis = (fraction or "")[:3].rstrip("0")
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + (f".{millis}" if millis else "") + "Z"
