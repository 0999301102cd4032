"""Reading ``uv.lock`` into the :mod:`ferry.project.lock_model` values.

The reader is tolerant where uv is: every revision uv has written (1 to 5 so far) is accepted,
unknown keys from newer revisions are skipped with a DEBUG line, and ``{ name = "idna" }``
dependencies are resolved to the single locked package of that name. It is strict where
correctness depends on it: a newer schema ``version`` is refused with a dedicated error (guessing
at a format we do not know could install the wrong thing), and garbage, truncation, missing
required keys, duplicate packages and dangling dependencies are :class:`ParseError` naming the
key path.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from ferry.fs.atomic import atomic_write_text
from ferry.model.errors import UserError
from ferry.model.log import get_logger
from ferry.model.names import canonicalize_name
from ferry.model.pep440_version import InvalidVersion, Version
from ferry.project.lock_model import (
    LOCK_REVISION,
    LOCK_VERSION,
    SOURCE_KINDS,
    Lock,
    LockDependency,
    LockedPackage,
    LockSource,
    LockWheel,
    PackageId,
    PackageMetadata,
    SourceDist,
)
from ferry.project.lock_read_parts import (
    read_conflicts,
    read_manifest,
    read_options,
    read_requirements,
)
from ferry.project.lock_write import dump_lock
from ferry.project.toml_read import display_path, load_toml, read_text
from ferry.project.toml_walk import Walker

__all__ = ["UnsupportedLockVersionError", "dump_lock", "parse_lock", "read_lock", "write_lock"]

log = get_logger(__name__)


class UnsupportedLockVersionError(UserError):
    """The lock was written by a tool that knows a newer schema than this ferry."""


def read_lock(path: Path) -> Lock:
    """Read and validate the ``uv.lock`` at ``path``."""
    return parse_lock(read_text(path), path)


def write_lock(path: Path, lock: Lock, *, text: str | None = None) -> bool:
    """Write ``lock`` atomically; returns False (and leaves the file, and its mtime, alone) when
    the file already holds exactly these bytes, so a no-op ``lock`` touches nothing. ``text`` is
    ``dump_lock(lock)`` when the caller already has it (serialising costs milliseconds)."""
    if text is None:
        text = dump_lock(lock)
    try:
        if path.read_text(encoding="utf-8") == text:
            log.debug("%s is unchanged; not rewriting it", display_path(path))
            return False
    except (OSError, UnicodeDecodeError):
        pass
    atomic_write_text(path, text)
    return True


def parse_lock(text: str, path: Path | str | None = None) -> Lock:
    """Parse the text of a ``uv.lock``; ``path`` only labels errors."""
    label = display_path(path) if path is not None else "uv.lock"
    data = load_toml(text, path, "uv.lock")
    w = Walker(label, path)
    version = w.integer(data, "version", "version", required=True)
    assert version is not None
    if version > LOCK_VERSION or version < 1:
        # The hint must not send the user to a command that refuses the same way: every
        # ferry command that reads the lock (`ferry lock` too) stops here.
        raise UnsupportedLockVersionError(
            f"unsupported lockfile version {version} (max {LOCK_VERSION}); upgrade ferry",
            hint=f"`{label}` was written by a newer tool; upgrade ferry to read it, or delete"
            f" `{label}` and run `ferry lock` to re-lock from scratch (its pins are lost).",
        )
    revision = w.integer(data, "revision", "revision") or 0
    if revision > LOCK_REVISION:
        log.debug("%s has revision %d, newer than %d; reading it anyway", label, revision, 5)
    w.warn_unknown(
        data,
        "",
        {
            "version",
            "revision",
            "requires-python",
            "resolution-markers",
            "supported-markers",
            "required-markers",
            "conflicts",
            "options",
            "manifest",
            "package",
            "distribution",
        },
    )
    requires_python = w.string(data, "requires-python", "requires-python", required=True)
    assert requires_python is not None
    raw_packages = data.get("package", data.get("distribution", []))
    raw_packages = w.array(raw_packages, "package")
    packages = _read_packages(w, raw_packages)
    return Lock(
        version=version,
        revision=revision,
        requires_python=requires_python,
        resolution_markers=w.strings(data, "resolution-markers", "resolution-markers"),
        supported_markers=w.strings(data, "supported-markers", "supported-markers"),
        required_markers=w.strings(data, "required-markers", "required-markers"),
        conflicts=read_conflicts(w, data.get("conflicts", []), "conflicts"),
        options=read_options(w, w.table(data.get("options", {}), "options")),
        manifest=read_manifest(w, w.table(data.get("manifest", {}), "manifest")),
        packages=packages,
    )


# -- packages ----------------------------------------------------------------------------------


def _read_source(w: Walker, value: Any, kp: str) -> LockSource:
    table = w.table(value, kp)
    kinds = [k for k in SOURCE_KINDS if k in table]
    if len(kinds) != 1:
        w.fail(kp, "expected exactly one of " + ", ".join(f"`{k}`" for k in SOURCE_KINDS))
    kind = kinds[0]
    source_value = w.string(table, kind, f"{kp}.{kind}", required=True)
    assert source_value is not None
    subdirectory = w.string(table, "subdirectory", f"{kp}.subdirectory")
    return LockSource(kind, source_value, subdirectory)


def _read_version(w: Walker, table: dict[str, Any], kp: str) -> str | None:
    version = w.string(table, "version", f"{kp}.version")
    if version is not None:
        try:
            Version(version)
        except InvalidVersion:
            w.fail(f"{kp}.version", f"invalid version {version!r}")
    return version


def _read_packages(w: Walker, raw_packages: list[Any]) -> tuple[LockedPackage, ...]:
    ids: list[PackageId] = []
    tables: list[dict[str, Any]] = []
    seen: dict[PackageId, int] = {}
    for index, raw in enumerate(raw_packages):
        kp = f"package[{index}]"
        table = w.table(raw, kp)
        name = w.string(table, "name", f"{kp}.name", required=True)
        assert name is not None
        if "source" not in table:
            w.fail(f"{kp}.source", f"missing required key `source` in package `{name}`")
        source = _read_source(w, table["source"], f"{kp}.source")
        version = _read_version(w, table, kp)
        if version is None and source.kind == "registry":
            # as uv: only a registry package needs its version to be found again; source trees
            # with a dynamic version omit it, and url/path/git name their artifact themselves
            w.fail(f"{kp}.version",
                   f"package `{name}` from a registry source has a missing `version` field")
        package_id = PackageId(canonicalize_name(name), version, source)
        if package_id in seen:
            w.fail(kp, f"duplicate package `{package_id}` (also package[{seen[package_id]}])")
        seen[package_id] = index
        ids.append(package_id)
        tables.append(table)

    by_name: dict[str, list[PackageId]] = defaultdict(list)
    for package_id in ids:
        by_name[package_id.name].append(package_id)
    return tuple(
        _read_package(w, table, package_id, by_name, f"package[{index}]")
        for index, (table, package_id) in enumerate(zip(tables, ids, strict=True))
    )


_PACKAGE_KEYS = {
    "name",
    "version",
    "source",
    "resolution-markers",
    "environment-markers",
    "default-groups",
    "dependencies",
    "sdist",
    "wheels",
    "optional-dependencies",
    "dev-dependencies",
    "metadata",
}


def _read_package(
    w: Walker,
    table: dict[str, Any],
    package_id: PackageId,
    by_name: dict[str, list[PackageId]],
    kp: str,
) -> LockedPackage:
    w.warn_unknown(table, kp, _PACKAGE_KEYS)
    default_groups: tuple[str, ...] | str | None = None
    if "default-groups" in table:
        raw = table["default-groups"]
        if raw == "all":
            default_groups = "all"
        else:
            default_groups = w.strings(table, "default-groups", f"{kp}.default-groups")
    sdist = None
    if "sdist" in table:
        sdist = _read_sdist(w, table["sdist"], f"{kp}.sdist")
    wheels = tuple(
        _read_wheel(w, raw, f"{kp}.wheels[{i}]")
        for i, raw in enumerate(w.array(table.get("wheels", []), f"{kp}.wheels"))
    )

    def deps(value: Any, dkp: str) -> tuple[LockDependency, ...]:
        return tuple(
            _read_dependency(w, raw, by_name, f"{dkp}[{i}]")
            for i, raw in enumerate(w.array(value, dkp))
        )

    def dep_map(key: str) -> tuple[tuple[str, tuple[LockDependency, ...]], ...]:
        mapping = w.table(table.get(key, {}), f"{kp}.{key}")
        return tuple((k, deps(v, f"{kp}.{key}.{k}")) for k, v in mapping.items())

    markers_key = "resolution-markers" if "resolution-markers" in table else "environment-markers"
    return LockedPackage(
        id=package_id,
        resolution_markers=w.strings(table, markers_key, f"{kp}.{markers_key}"),
        default_groups=default_groups,  # type: ignore[arg-type]
        dependencies=deps(table.get("dependencies", []), f"{kp}.dependencies"),
        sdist=sdist,
        wheels=wheels,
        optional_dependencies=dep_map("optional-dependencies"),
        dev_dependencies=dep_map("dev-dependencies"),
        metadata=_read_metadata(w, table.get("metadata", {}), f"{kp}.metadata"),
    )


def _read_dependency(
    w: Walker, raw: Any, by_name: dict[str, list[PackageId]], kp: str
) -> LockDependency:
    table = w.table(raw, kp)
    name = w.string(table, "name", f"{kp}.name", required=True)
    assert name is not None
    normalized = canonicalize_name(name)
    version = _read_version(w, table, kp)
    source = _read_source(w, table["source"], f"{kp}.source") if "source" in table else None
    candidates = [
        c
        for c in by_name.get(normalized, [])
        if (version is None or c.version == version) and (source is None or c.source == source)
    ]
    if not candidates:
        w.fail(kp, f"dependency `{name}` does not match any locked package")
    if len(candidates) > 1:
        w.fail(
            kp,
            f"dependency `{name}` is ambiguous: {len(candidates)} locked packages have that name;"
            " it needs `version` and `source`",
        )
    extras = w.strings(table, "extra", f"{kp}.extra")
    marker = w.string(table, "marker", f"{kp}.marker")
    return LockDependency(candidates[0], extras, marker)


def _read_file_fields(
    w: Walker, table: dict[str, Any], kp: str
) -> tuple[str | None, int | None, str | None]:
    return (
        w.string(table, "hash", f"{kp}.hash"),
        w.integer(table, "size", f"{kp}.size"),
        w.string(table, "upload-time", f"{kp}.upload-time"),
    )


def _read_sdist(w: Walker, raw: Any, kp: str) -> SourceDist:
    table = w.table(raw, kp)
    hash_, size, upload_time = _read_file_fields(w, table, kp)
    return SourceDist(
        url=w.string(table, "url", f"{kp}.url"),
        path=w.string(table, "path", f"{kp}.path"),
        hash=hash_,
        size=size,
        upload_time=upload_time,
    )


def _read_wheel(w: Walker, raw: Any, kp: str) -> LockWheel:
    table = w.table(raw, kp)
    locations = [k for k in ("url", "path", "filename") if k in table]
    if len(locations) != 1:
        w.fail(kp, "expected exactly one of `url`, `path`, `filename`")
    hash_, size, upload_time = _read_file_fields(w, table, kp)
    zstd = w.table(table["zstd"], f"{kp}.zstd") if "zstd" in table else None
    return LockWheel(
        url=w.string(table, "url", f"{kp}.url"),
        path=w.string(table, "path", f"{kp}.path"),
        filename=w.string(table, "filename", f"{kp}.filename"),
        hash=hash_,
        size=size,
        upload_time=upload_time,
        zstd_hash=w.string(zstd, "hash", f"{kp}.zstd.hash") if zstd is not None else None,
        zstd_size=w.integer(zstd, "size", f"{kp}.zstd.size") if zstd is not None else None,
        has_zstd=zstd is not None,
    )


def _read_metadata(w: Walker, raw: Any, kp: str) -> PackageMetadata:
    table = w.table(raw, kp)
    requires_dev = w.table(table.get("requires-dev", {}), f"{kp}.requires-dev")
    return PackageMetadata(
        requires_dist=read_requirements(w, table.get("requires-dist", []), f"{kp}.requires-dist"),
        provides_extras=w.strings(table, "provides-extras", f"{kp}.provides-extras"),
        requires_dev=tuple(
            (group, read_requirements(w, reqs, f"{kp}.requires-dev.{group}"))
            for group, reqs in requires_dev.items()
        ),
    )
