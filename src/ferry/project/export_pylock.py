"""``pylock.toml`` (PEP 751) from a lock, laid out as ``uv export --format pylock.toml`` writes it.

The data is built as plain mappings in the key order uv writes, checked against the standard with
``packaging.pylock`` when the installed ``packaging`` has it (it does since 25.0; a file that does
not validate is a bug in ferry, raised as such), and printed by a small writer here, because
``packaging`` reads and validates pylock data but does not write TOML.

Per package: registry packages name their ``index`` and list ``sdist``/``wheels`` with URL,
upload time (whole seconds, as uv), size and hashes; a direct URL or local file is an ``archive``;
a git dependency a ``vcs`` entry with the requested revision and the locked commit; a source tree
a ``directory`` (``editable`` as locked) without a version, as PEP 751 requires.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from ferry.model.errors import FerryError
from ferry.model.log import get_logger
from ferry.project.export_graph import ExportNode
from ferry.project.lock_local import registry_directory
from ferry.project.lock_model import Lock, LockedPackage, LockWheel, SourceDist
from ferry.project.toml_encode import toml_key, toml_string

log = get_logger(__name__)

CREATED_BY = "ferry"


def _hashes(value: str | None) -> dict[str, str]:
    if not value:
        return {}
    algorithm, _, digest = value.partition(":")
    return {algorithm: digest}


def _upload_time(value: str | None) -> datetime | None:
    """uv writes pylock upload times to the second."""
    if not value:
        return None
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed.astimezone(UTC).replace(microsecond=0)


def _absolute_url(location: str, root: Path) -> str:
    if "://" in location:
        return location
    path = Path(location)
    return (path if path.is_absolute() else (root / path)).resolve().as_uri()


def _index_url(value: str, root: Path) -> str:
    """The index as the lock names it; a trailing ``/`` is kept, as uv keeps it."""
    return _absolute_url(value, root)


def _file(
    *,
    url: str | None,
    path: str | None,
    upload_time: str | None,
    size: int | None,
    hash_: str | None,
) -> dict[str, Any]:
    entry: dict[str, Any] = {}
    if url is not None:
        entry["url"] = url
    if path is not None:
        entry["path"] = path
    when = _upload_time(upload_time)
    if when is not None:
        entry["upload-time"] = when
    if size is not None:
        entry["size"] = size
    entry["hashes"] = _hashes(hash_)
    return entry


def _registry_files(package: LockedPackage, root: Path) -> dict[str, Any]:
    out: dict[str, Any] = {"index": _index_url(package.source.value, root)}
    if "://" not in package.source.value:
        # an index on disk: its files' relative paths start at its directory (lock_local)
        root = registry_directory(package.source.value, root)
    sdist: SourceDist | None = package.sdist
    if sdist is not None:
        location = sdist.url or sdist.path or ""
        out["sdist"] = _file(
            url=_absolute_url(location, root),
            path=None,
            upload_time=sdist.upload_time,
            size=sdist.size,
            hash_=sdist.hash,
        )
    if package.wheels:
        out["wheels"] = [_wheel(w, root) for w in package.wheels]
    return out


def _wheel(wheel: LockWheel, root: Path) -> dict[str, Any]:
    location = wheel.url or wheel.path or wheel.filename or ""
    return _file(
        url=_absolute_url(location, root),
        path=None,
        upload_time=wheel.upload_time,
        size=wheel.size,
        hash_=wheel.hash,
    )


def _archive(package: LockedPackage) -> dict[str, Any]:
    source = package.source
    if package.wheels:
        size, hash_ = package.wheels[0].size, package.wheels[0].hash
    elif package.sdist is not None:
        size, hash_ = package.sdist.size, package.sdist.hash
    else:
        size, hash_ = None, None
    url = source.value if source.kind == "url" else None
    path = source.value if source.kind == "path" else None
    entry = _file(url=url, path=path, upload_time=None, size=size, hash_=hash_)
    if source.subdirectory:
        hashes = entry.pop("hashes")
        entry["subdirectory"] = source.subdirectory
        entry["hashes"] = hashes
    return entry


def _vcs(package: LockedPackage) -> dict[str, Any]:
    parts = urlsplit(package.source.value)
    query = dict(parse_qsl(parts.query))
    entry: dict[str, Any] = {
        "type": "git",
        "url": urlunsplit((parts.scheme, parts.netloc, parts.path, "", "")),
    }
    requested = query.get("tag") or query.get("branch") or query.get("rev")
    if requested:
        entry["requested-revision"] = requested
    entry["commit-id"] = parts.fragment
    if query.get("subdirectory"):
        entry["subdirectory"] = query["subdirectory"]
    return entry


def _package(node: ExportNode, root: Path, editable: bool) -> dict[str, Any] | None:
    package = node.package
    kind = package.source.kind
    if kind == "virtual":
        return None
    entry: dict[str, Any] = {"name": str(package.name)}
    if kind not in ("directory", "editable") and package.version is not None:
        entry["version"] = package.version
    if node.marker:
        entry["marker"] = node.marker
    if kind == "registry":
        entry.update(_registry_files(package, root))
    elif kind in ("url", "path"):
        entry["archive"] = _archive(package)
    elif kind == "git":
        entry["vcs"] = _vcs(package)
    else:
        directory: dict[str, Any] = {"path": package.source.value}
        if kind == "directory":
            directory["editable"] = False
        elif editable:
            directory["editable"] = True
        entry["directory"] = directory
    return entry


def pylock_data(
    lock: Lock,
    nodes: Sequence[ExportNode],
    root: Path,
    *,
    editable: bool = True,
    no_editable: Collection[str] = (),
) -> dict[str, Any]:
    """The pylock document as ordered mappings (see the module docstring); ``no_editable``
    names the packages exported as plain directories even when ``editable``."""
    data: dict[str, Any] = {"lock-version": "1.0", "created-by": CREATED_BY}
    if lock.supported_markers:
        data["environments"] = list(lock.supported_markers)
    data["requires-python"] = lock.requires_python
    ordered = sorted(nodes, key=lambda n: n.package.id.sort_key())
    entries = (
        _package(n, root, editable and n.package.name not in no_editable) for n in ordered
    )
    packages = [p for p in entries if p is not None]
    data["packages"] = packages
    missing = [p["name"] for p in packages if _lacks_hashes(p)]
    if missing:
        log.warning(
            "the lock records no hashes for %s; pylock.toml requires them", ", ".join(missing)
        )
    _validate(data)
    return data


def _lacks_hashes(package: Mapping[str, Any]) -> bool:
    files = [package.get("sdist"), package.get("archive"), *package.get("wheels", [])]
    return any(f is not None and not f.get("hashes") for f in files)


def _validate(data: dict[str, Any]) -> None:
    try:
        from packaging.pylock import Pylock, PylockValidationError
    except ImportError:  # pragma: no cover - packaging older than 25.0
        log.debug("packaging.pylock is not available; pylock.toml is not validated")
        return
    try:
        Pylock.from_dict(data)
    except PylockValidationError as error:
        raise FerryError(
            f"ferry produced an invalid pylock.toml: {error}",
            hint="this is a bug in ferry; please report it with the uv.lock that caused it",
        ) from error


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, Mapping):
        if not value:
            return "{}"
        return "{ " + ", ".join(f"{toml_key(k)} = {_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, Sequence):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {value!r} to pylock.toml")  # pragma: no cover


def _array(key: str, values: Sequence[Any]) -> str:
    if len(values) <= 1:
        return f"{key} = {_value(values)}\n"
    return f"{key} = [\n" + "".join(f"    {_value(v)},\n" for v in values) + "]\n"


def render_pylock(data: Mapping[str, Any], *, header_command: str | None = None) -> str:
    from ferry.project.export_requirements import header

    out = [header(header_command)] if header_command is not None else []
    for key, value in data.items():
        if key != "packages":
            out.append(f"{key} = {_value(value)}\n")
    packages = data["packages"]
    if not packages:
        out.append("packages = []\n")
    for package in packages:
        out.append("\n[[packages]]\n")
        for key, value in package.items():
            if key == "wheels":
                out.append(_array(key, value))
            else:
                out.append(f"{toml_key(key)} = {_value(value)}\n")
    return "".join(out)
