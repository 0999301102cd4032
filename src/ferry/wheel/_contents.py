"""Checks on what a wheel contains, shared by the zip validator and the unpacked-tree reader.

The same rules apply whether the wheel is still a ZIP (``validate_wheel``) or already unpacked in
the cache (``install_unpacked`` re-reads the tree, because a cache entry is only as trustworthy as
the disk under it): one ``.dist-info`` whose name and METADATA agree with the filename, a
``.data`` directory with known schemes only, a WHEEL file this installer understands, and entry
points that cannot name a path.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import cache
from typing import TYPE_CHECKING, Protocol

from ferry.model.immutable import immutable
from ferry.model.names import NormalizedName, canonicalize_name
from ferry.model.pep440_version import InvalidVersion, Version
from ferry.wheel._problem import ZipProblem
from ferry.wheel.scripts import EntryPointError, EntryPointScript, parse_entry_points

if TYPE_CHECKING:
    from email.message import Message
    from email.policy import Compat32

SCHEME_KEYS = frozenset({"purelib", "platlib", "scripts", "data", "headers"})
SUPPORTED_WHEEL_MAJOR = 1

Reader = Callable[[str], bytes | None]


@immutable
class Contents:
    """What the content checks learned; ``validate`` turns it into a ``WheelInfo``."""

    name: NormalizedName
    version: Version
    dist_info: str
    root_is_purelib: bool
    wheel_version: str
    wheel_tags: tuple[str, ...]
    scripts: tuple[EntryPointScript, ...]


@cache
def _policy() -> Compat32:
    """The email policy ``parse_headers`` uses, built on first use (``email`` costs ~9 ms)."""
    from email.policy import Compat32

    class _PlainPolicy(Compat32):
        """compat32, except that a header value is always a ``str``.

        compat32 hands back an ``email.header.Header`` object for a value holding bytes that are
        not UTF-8, and every caller does ``.strip()`` on it: a wheel with one such byte in WHEEL
        or METADATA crashed ferry (found by the parser fuzz test). The bad bytes become U+FFFD
        instead, so the value still prints and simply fails whatever check it is put to.
        """

        def header_fetch_parse(self, name: str, value: str) -> str:
            return value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")

    return _PlainPolicy()


def _header_block(data: bytes) -> bytes:
    """``data`` cut after its first certainly-empty line: where the headers end at the latest.

    Only the headers are ever read, but a METADATA's body (the long description) is often most
    of its bytes, and the email parser walks every line of it. A cut after a ``\n\n`` or
    ``\r\n\r\n`` is never before the parser's own end of headers (it may find an earlier one),
    so the headers come out the same.
    """
    ends = [i for i in (data.find(b"\n\n"), data.find(b"\r\n\r\n")) if i >= 0]
    return data[: min(ends) + 1] if ends else data


def parse_headers(data: bytes) -> Message:
    """Parse METADATA/WHEEL/PKG-INFO: RFC 822 headers, UTF-8, tolerant of bad bytes."""
    from email.parser import BytesParser

    data = _header_block(data)
    text = data.decode("utf-8", "surrogateescape").encode("utf-8", "surrogateescape")
    return BytesParser(policy=_policy()).parsebytes(text, headersonly=True)


class Fields(Protocol):
    """The part of ``email.message.Message`` the content checks use."""

    def get(self, name: str) -> str | None: ...

    def get_all(self, name: str) -> list[str] | None: ...


class _SimpleFields:
    """Header values by lower-cased name, for a header block ``_simple_fields`` could read.

    Values stay raw until asked for: a METADATA has dozens of fields and the checks read two.
    """

    __slots__ = ("_values",)

    def __init__(self, values: dict[str, list[list[bytes]]]) -> None:
        self._values = values

    def get(self, name: str) -> str | None:
        values = self._values.get(name.lower())
        return _value(values[0]) if values else None

    def get_all(self, name: str) -> list[str] | None:
        values = self._values.get(name.lower())
        return [_value(parts) for parts in values] if values else None


# A header line the email parser reads as ``name: value`` with nothing special about it.
_NAME = re.compile(rb"[\x21-\x39\x3b-\x7e]+:")
# Where Python's email parser may break a line besides ``\n`` (str.splitlines): not handled here.
_ODD_BREAKS = re.compile(rb"[\r\x0b\x0c\x1c-\x1e]")


def _simple_fields(data: bytes) -> _SimpleFields | None:
    """The headers of ``data`` as the compat32 parser reads them, or ``None`` if unusual.

    Wheels' WHEEL and METADATA are plain ``Name: value`` lines, perhaps with continuation lines
    and non-ASCII values; for those this gives exactly ``parse_headers``'s values (first line
    ``lstrip``-ed, continuation lines kept with their line breaks, then ``rstrip("\r\n")``,
    bytes decoded as UTF-8 with U+FFFD for bad ones) without loading ``email``. Anything else
    (``\r``, a ``From `` line, a malformed line, a leading continuation) is ``None``, and the
    email parser decides.
    """
    block = _header_block(data)
    if _ODD_BREAKS.search(block):
        return None
    lines = block.split(b"\n")
    if lines[-1] == b"":
        lines.pop()
        lines = [line + b"\n" for line in lines]
    else:
        last = lines.pop()
        lines = [line + b"\n" for line in lines]
        lines.append(last)
    values: dict[str, list[list[bytes]]] = {}
    name = ""
    parts: list[bytes] = []
    for line in lines:
        if line[:1] in (b" ", b"\t"):
            if not name:
                return None
            parts.append(line)
            continue
        if name:
            values.setdefault(name, []).append(parts)
        match = _NAME.match(line)
        if match is None:
            return None
        name = line[: match.end() - 1].decode("ascii").lower()
        parts = [line[match.end():].lstrip(b" \t")]
    if name:
        values.setdefault(name, []).append(parts)
    return _SimpleFields(values)


def _value(parts: list[bytes]) -> str:
    return b"".join(parts).rstrip(b"\r\n").decode("utf-8", "replace")


def read_fields(data: bytes) -> Fields:
    """The header fields of METADATA/WHEEL: the fast reader, else the email parser."""
    return _simple_fields(data) or parse_headers(data)


def find_dist_info(names: Sequence[str]) -> str:
    """The single top-level ``*.dist-info`` directory."""
    found = sorted({n.split("/", 1)[0] for n in names if "/" in n} - {""})
    dist_infos = [d for d in found if d.endswith(".dist-info")]
    if not dist_infos:
        raise ZipProblem("has no `.dist-info` directory")
    if len(dist_infos) > 1:
        listed = ", ".join(f"`{d}`" for d in dist_infos)
        raise ZipProblem(f"has more than one `.dist-info` directory: {listed}")
    return dist_infos[0]


def _split_dist_info(dist_info: str) -> tuple[NormalizedName, Version]:
    stem = dist_info[: -len(".dist-info")]
    name, sep, version = stem.rpartition("-")
    try:
        if not sep or not name:
            raise InvalidVersion(version)
        return canonicalize_name(name), Version(version)
    except InvalidVersion:
        raise ZipProblem(
            "is not named `{name}-{version}.dist-info` as the wheel spec requires", dist_info
        ) from None


def check_data_dir(names: Sequence[str], dist_info: str) -> None:
    """Only ``<dist-info stem>.data/<known scheme>/…`` may sit in a ``.data`` directory."""
    data_dir = dist_info[: -len(".dist-info")] + ".data"
    for name in names:
        top, _, rest = name.partition("/")
        if not top.endswith(".data"):
            continue
        if top != data_dir:
            raise ZipProblem(f"is in a `.data` directory other than `{data_dir}`", name)
        key, _, inner = rest.partition("/")
        if not key and name.endswith("/"):
            continue  # the data directory's own entry
        if key not in SCHEME_KEYS:
            raise ZipProblem(f"is in an unknown `.data` scheme `{key}`", name)
        if not inner and not name.endswith("/"):
            raise ZipProblem("is a file where a `.data` scheme directory belongs", name)


def _read_required(read: Reader, member: str) -> bytes:
    data = read(member)
    if data is None:
        raise ZipProblem("is missing", member)
    return data


def _check_wheel_file(read: Reader, dist_info: str) -> tuple[str, bool, tuple[str, ...]]:
    member = f"{dist_info}/WHEEL"
    wheel = read_fields(_read_required(read, member))
    version = (wheel.get("Wheel-Version") or "").strip()
    try:
        major = int(version.split(".")[0])
    except ValueError:
        raise ZipProblem(f"has no valid `Wheel-Version` (found `{version}`)", member) from None
    if major > SUPPORTED_WHEEL_MAJOR:
        raise ZipProblem(
            f"declares an Incompatible Wheel-Version {version} "
            f"(ferry supports {SUPPORTED_WHEEL_MAJOR}.x)",
            member,
        )
    purelib = (wheel.get("Root-Is-Purelib") or "").strip().lower()
    if purelib not in ("true", "false"):
        raise ZipProblem("has no `Root-Is-Purelib: true|false` line", member)
    tags = tuple(t.strip() for t in wheel.get_all("Tag") or ())
    return version, purelib == "true", tags


def _check_metadata(
    read: Reader, dist_info: str, name: NormalizedName, version: Version, origin: str
) -> None:
    member = f"{dist_info}/METADATA"
    metadata = read_fields(_read_required(read, member))
    meta_name = (metadata.get("Name") or "").strip()
    meta_version = (metadata.get("Version") or "").strip()
    if not meta_name or not meta_version:
        raise ZipProblem("has no `Name` or no `Version` field", member)
    if canonicalize_name(meta_name) != name:
        raise ZipProblem(
            f"says `Name: {meta_name}`, but the {origin} says `{name}` (mismatched name)", member
        )
    try:
        same_version = Version(meta_version) == version
    except InvalidVersion:
        same_version = False
    if not same_version:
        raise ZipProblem(
            f"says `Version: {meta_version}`, but the {origin} says `{version}` "
            "(mismatched version)",
            member,
        )


def check_contents(
    names: Sequence[str],
    read: Reader,
    *,
    name: NormalizedName | None,
    version: Version | None,
    origin: str = "filename",
) -> Contents:
    """Run every content rule. ``name``/``version`` come from the filename when there is one."""
    dist_info = find_dist_info(names)
    di_name, di_version = _split_dist_info(dist_info)
    if name is not None and di_name != name:
        raise ZipProblem(f"does not match the {origin}'s name `{name}`", dist_info)
    if version is not None and di_version != version:
        raise ZipProblem(f"does not match the {origin}'s version `{version}`", dist_info)
    name, version = di_name, di_version
    check_data_dir(names, dist_info)
    wheel_version, root_is_purelib, tags = _check_wheel_file(read, dist_info)
    _check_metadata(read, dist_info, name, version, origin)
    if read(f"{dist_info}/RECORD") is None:
        raise ZipProblem("is missing", f"{dist_info}/RECORD")
    scripts: list[EntryPointScript] = []
    entry_points = read(f"{dist_info}/entry_points.txt")
    if entry_points is not None:
        try:
            scripts = parse_entry_points(entry_points.decode("utf-8", "replace"))
        except EntryPointError as exc:
            member = f"{dist_info}/entry_points.txt"
            raise ZipProblem(f"declares an invalid {exc}", member) from None
    return Contents(
        name, version, dist_info, root_is_purelib, wheel_version, tags, tuple(scripts)
    )
