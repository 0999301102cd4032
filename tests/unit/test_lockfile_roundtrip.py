"""Byte-for-byte round trip of real uv locks, and the string encoding it depends on."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ferry.project.lock_model import Lock, LockedPackage, LockSource, PackageId
from ferry.project.lock_write import dump_lock
from ferry.project.lockfile import parse_lock, read_lock
from ferry.project.toml_encode import toml_key, toml_string

GOLDEN = Path(__file__).resolve().parents[1] / "data" / "lockfiles"
LOCKS = sorted(GOLDEN.glob("*/uv.lock"))


def test_golden_locks_exist() -> None:
    assert len(LOCKS) >= 8


@pytest.mark.parametrize("path", LOCKS, ids=[p.parent.name for p in LOCKS])
def test_round_trip_is_byte_exact(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert dump_lock(read_lock(path)) == text


@pytest.mark.parametrize("path", LOCKS, ids=[p.parent.name for p in LOCKS])
def test_dump_sorts_like_uv(path: Path) -> None:
    """Shuffling packages and dependency lists in the model does not change the bytes."""
    lock = read_lock(path)
    shuffled = Lock(
        requires_python=lock.requires_python,
        packages=tuple(
            LockedPackage(
                id=p.id,
                resolution_markers=p.resolution_markers,
                default_groups=p.default_groups,
                dependencies=tuple(reversed(p.dependencies)),
                sdist=p.sdist,
                wheels=p.wheels,
                optional_dependencies=tuple(
                    (k, tuple(reversed(v))) for k, v in reversed(p.optional_dependencies)
                ),
                dev_dependencies=tuple(
                    (k, tuple(reversed(v))) for k, v in reversed(p.dev_dependencies)
                ),
                metadata=p.metadata,
            )
            for p in reversed(lock.packages)
        ),
        version=lock.version,
        revision=lock.revision,
        resolution_markers=lock.resolution_markers,
        supported_markers=lock.supported_markers,
        required_markers=lock.required_markers,
        conflicts=lock.conflicts,
        options=lock.options,
        manifest=lock.manifest,
    )
    # Dependencies with the same target keep their relative order (uv's order among markers is
    # not reproducible from strings), so only reverse where that cannot happen.
    if any(
        len({d.package for d in deps}) != len(deps)
        for p in lock.packages
        for deps in [p.dependencies, *[v for _, v in p.optional_dependencies]]
    ):
        pytest.skip("a dependency list names one package twice")
    assert dump_lock(shuffled) == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("revision", [None, 1, 2, 3, 4])
def test_older_revisions_are_read_and_rewritten_as_they_were(revision: int | None) -> None:
    """Older revisions lack upload-time and default-groups; the writer keeps what is there."""
    text = (GOLDEN / "groups" / "uv.lock").read_text(encoding="utf-8")
    text = re.sub(r", upload-time = \"[^\"]+\"", "", text)
    text = text.replace('default-groups = ["dev", "test"]\n', "")
    text = text.replace("revision = 5\n", "" if revision is None else f"revision = {revision}\n")
    lock = parse_lock(text)
    assert lock.revision == (revision or 0)
    assert all(w.upload_time is None for p in lock.packages for w in p.wheels)
    assert dump_lock(lock) == text


def test_dependency_gets_version_and_source_only_when_ambiguous() -> None:
    registry = LockSource("registry", "http://127.0.0.1:1/simple")
    a1 = PackageId("a", "1.0", registry)  # type: ignore[arg-type]
    a2 = PackageId("a", "2.0", registry)  # type: ignore[arg-type]
    b = PackageId("b", "1.0", registry)  # type: ignore[arg-type]
    from ferry.project.lock_model import LockDependency

    root = LockedPackage(
        id=PackageId("root", "0.1", LockSource("virtual", ".")),  # type: ignore[arg-type]
        dependencies=(
            LockDependency(b),
            LockDependency(a2, marker="python_full_version >= '3.12'"),
            LockDependency(a1, marker="python_full_version < '3.12'"),
        ),
    )
    lock = Lock(
        requires_python=">=3.11",
        packages=(root, LockedPackage(id=b), LockedPackage(id=a2), LockedPackage(id=a1)),
    )
    text = dump_lock(lock)
    assert text.index('name = "a"\nversion = "1.0"') < text.index('name = "a"\nversion = "2.0"')
    assert (
        '    { name = "a", version = "1.0", source = { registry = "http://127.0.0.1:1/simple" },'
        " marker = \"python_full_version < '3.12'\" },\n"
        '    { name = "a", version = "2.0", source = { registry = "http://127.0.0.1:1/simple" },'
        " marker = \"python_full_version >= '3.12'\" },\n"
        '    { name = "b" },\n'
    ) in text
    assert dump_lock(parse_lock(text)) == text


@pytest.mark.parametrize(
    ("value", "encoded"),
    [
        ("", '""'),
        ("plain", '"plain"'),
        ("it's valid", '"it\'s valid"'),
        ('contains"quote', "'contains\"quote'"),
        ("contains\\backslash", "'contains\\backslash'"),
        ("contains\ttab", '"contains\\ttab"'),
        ("contains\nnewline", '"""\ncontains\nnewline"""'),
        ("contains\x7fdelete", '"contains\\u007Fdelete"'),
        ("unicode-\u03bb", '"unicode-\u03bb"'),
        ("both ' and \"", '"""both \' and """"'),
        ("back\\slash and 'quote'", "'''back\\slash and 'quote''''"),
    ],
)
def test_string_encoding_matches_toml_writer(value: str, encoded: str) -> None:
    assert toml_string(value) == encoded
    import tomllib

    assert tomllib.loads(f"k = {encoded}")["k"] == value


@pytest.mark.parametrize(
    ("key", "encoded"),
    [("dev", "dev"), ("a_b-C9", "a_b-C9"), ("has.dot", '"has.dot"'), ('q"', "'q\"'"), ("", '""')],
)
def test_key_encoding(key: str, encoded: str) -> None:
    assert toml_key(key) == encoded
