"""``make_wheel``: valid wheels by default, and every broken wheel of RELIABILITY.md section B.

Tests describe a distribution in a line (``make_wheel(d, "a", "1.0", requires=["b>=2"])``) rather
than keep binary fixtures. The output is deterministic (fixed timestamps, sorted members, no
extra fields), so a wheel's sha256 is stable across runs and machines, and lockfile snapshots stay
stable. Each "broken" knob introduces exactly one defect, so a test that expects a refusal cannot
pass because of an unrelated flaw.

Map from section B to knobs:
B1-B3 ``extra_members=[("../../evil.py", b"")]`` (any name, str or bytes, NUL and backslash kept);
B4 ``symlink_member=("pkg/link", "/etc/passwd")``; B5 ``data_files={"unknownscheme/f": b""}``;
B6 ``entry_points={"console_scripts": {"../../x": "pkg:main"}}``; B7 ``bad_record_hash_for=path``;
B8 ``record_overrides={path: None}`` (drop a row) or ``{"missing.py": ""}`` (extra row);
B9 ``duplicate_member``, ``header_mismatch``, ``trailing_data``; B10 ``record_overrides=
{"../../../outside.txt": ""}``; B11 ``metadata_overrides={"Name": "b"}``; B12
``wheel_version="2.0"``; B13 ``files={"__pycache__/x.pyc": b""}``; B14 ``bomb_member=(path, size)``.
"""

from __future__ import annotations

import base64
import csv
import dataclasses
import hashlib
import io
import stat
from collections.abc import Mapping, Sequence
from pathlib import Path

from tests.support.metadata import (
    MetadataValue,
    dist_name,
    dist_version,
    entry_points_text,
    metadata_text,
)
from tests.support.sdists import make_sdist
from tests.support.zipfiles import ZipMember, stream_member, write_zip

__all__ = [
    "dist_name",
    "dist_version",
    "make_sdist",
    "make_wheel",
    "metadata_text",
    "record_hash",
    "wheel_filename",
]


def wheel_filename(
    name: str, version: str, tag: str = "py3-none-any", build: str | None = None
) -> str:
    parts = [dist_name(name), dist_version(version), *([build] if build else []), tag]
    return "-".join(parts) + ".whl"


def record_hash(data: bytes) -> str:
    """``sha256=<urlsafe b64, unpadded>`` as RECORD writes it."""
    return _encode_digest(hashlib.sha256(data).digest())


def _encode_digest(digest: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _hash_and_size(member: ZipMember) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    for chunk in member.chunks() if member.chunks is not None else (member.data,):
        digest.update(chunk)
        size += len(chunk)
    return _encode_digest(digest.digest()), size


def _text(data: bytes | str) -> bytes:
    return data.encode("utf-8") if isinstance(data, str) else data


def _member_name(name: str | bytes) -> str:
    return name if isinstance(name, str) else name.decode("utf-8", "backslashreplace")


def _wheel_file(version: str, tag: str, purelib: bool, build: str | None) -> bytes:
    lines = [
        f"Wheel-Version: {version}",
        "Generator: ferry-tests (make_wheel)",
        f"Root-Is-Purelib: {'true' if purelib else 'false'}",
    ]
    if build:
        lines.append(f"Build: {build}")
    pys, abis, plats = (part.split(".") for part in tag.split("-"))
    lines += [f"Tag: {p}-{a}-{pl}" for p in pys for a in abis for pl in plats]
    return ("\n".join(lines) + "\n").encode()


def _record(
    members: Sequence[ZipMember],
    record_path: str,
    bad_hash_for: str | None,
    overrides: Mapping[str, str | None],
) -> bytes:
    rows: dict[str, list[str]] = {}
    for member in members:
        path = _member_name(member.name)
        if path in rows:  # a duplicate member: RECORD lists the name once
            continue
        digest, size = _hash_and_size(member)
        if path == bad_hash_for:
            digest = record_hash(b"not the content of " + path.encode())
        rows[path] = [path, digest, str(size)]
    for path, row in overrides.items():
        if row is None:
            rows.pop(path, None)
        else:
            rows[path] = [path, *row.split(",", 1)] if row else [path, "", ""]
    rows.pop(record_path, None)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows([*rows.values(), [record_path, "", ""]])
    return buffer.getvalue().encode()


def _replace_first(members: list[ZipMember], path: str, local_name: str) -> None:
    for i, member in enumerate(members):
        if member.name == path:
            members[i] = dataclasses.replace(member, local_name=local_name)
            return
    raise ValueError(f"no member {path!r} in the wheel")


def make_wheel(
    directory: Path | str,
    name: str,
    version: str,
    *,
    requires: Sequence[str] = (),
    requires_python: str | None = None,
    extras: Mapping[str, Sequence[str]] | None = None,
    tag: str = "py3-none-any",
    build_tag: str | None = None,
    files: Mapping[str, bytes | str] | None = None,
    entry_points: Mapping[str, Mapping[str, str]] | None = None,
    data_files: Mapping[str, bytes | str] | None = None,
    metadata_overrides: Mapping[str, MetadataValue] | None = None,
    record_overrides: Mapping[str, str | None] | None = None,
    extra_members: Sequence[tuple[str | bytes, bytes] | ZipMember] = (),
    wheel_version: str = "1.0",
    root_is_purelib: bool | None = None,
    omit_record: bool = False,
    bad_record_hash_for: str | None = None,
    symlink_member: tuple[str, str] | None = None,
    duplicate_member: tuple[str, bytes] | None = None,
    header_mismatch: tuple[str, str] | None = None,
    bomb_member: tuple[str, int] | None = None,
    trailing_data: bytes = b"",
    filename: str | None = None,
) -> Path:
    """Write a wheel into ``directory`` and return its path.

    ``files`` are payload paths relative to the wheel root (default ``<pkg>/__init__.py`` with
    ``__version__``); ``data_files`` are relative to ``<name>-<ver>.data/`` (``scripts/x`` becomes
    an executable script). ``record_overrides`` maps a path to ``"hash,size"`` text (``""`` for
    empty fields), or to None to drop its row; paths that are not members add rows.
    ``duplicate_member=(path, data)`` adds a second member of that name with other bytes;
    ``header_mismatch=(path, other)`` writes ``other`` in the local header of ``path``.
    """
    out_dir = Path(directory)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"{dist_name(name)}-{dist_version(version)}"
    dist_info = f"{stem}.dist-info"
    if files is None:
        files = {f"{dist_name(name)}/__init__.py": f'__version__ = "{version}"\n'}
    members = [ZipMember(path, _text(data)) for path, data in sorted(files.items())]
    if symlink_member is not None:
        link, link_target = symlink_member
        link_mode = stat.S_IFLNK | 0o777
        members.append(ZipMember(link, link_target.encode(), mode=link_mode, compress=False))
    for path, data in sorted((data_files or {}).items()):
        mode = stat.S_IFREG | (0o755 if path.startswith("scripts/") else 0o644)
        members.append(ZipMember(f"{stem}.data/{path}", _text(data), mode=mode))
    if bomb_member is not None:
        members.append(stream_member(*bomb_member))
    members += [m if isinstance(m, ZipMember) else ZipMember(m[0], m[1]) for m in extra_members]

    metadata = metadata_text(
        name, version, requires=requires, requires_python=requires_python, extras=extras,
        overrides=metadata_overrides,
    )
    purelib = root_is_purelib if root_is_purelib is not None else tag.endswith("-none-any")
    info = {
        f"{dist_info}/METADATA": metadata.encode(),
        f"{dist_info}/WHEEL": _wheel_file(wheel_version, tag, purelib, build_tag),
    }
    if entry_points:
        info[f"{dist_info}/entry_points.txt"] = entry_points_text(entry_points).encode()
    members += [ZipMember(path, data) for path, data in sorted(info.items())]

    if duplicate_member is not None:
        members.append(ZipMember(duplicate_member[0], duplicate_member[1]))
    if not omit_record:
        record_path = f"{dist_info}/RECORD"
        record = _record(members, record_path, bad_record_hash_for, record_overrides or {})
        members.append(ZipMember(record_path, record))
    if header_mismatch is not None:
        _replace_first(members, header_mismatch[0], local_name=header_mismatch[1])

    target = out_dir / (filename or wheel_filename(name, version, tag, build_tag))
    return write_zip(target, members, trailing=trailing_data)
