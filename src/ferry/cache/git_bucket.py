"""The ``git-v0`` bucket as ``cache clean <pkg>`` and ``cache prune`` see it.

The layout is :mod:`ferry.dist.git`'s (this layer may not import it; the names below must agree)::

    db/<key>/                                   a bare repository per repository URL
    db/<key>.lock                               held while git writes to it
    checkouts/<key>/<commit>/                   one commit checked out
    built/<key>/<commit>/<sub>/<target>.json    {"wheel": "<path in built-v1>"}

Nothing in the bucket names a package except the built records, through their wheel's file
name; so a package is found through them:

- ``clean <pkg>`` removes the records of wheels of ``pkg``, those wheels (their ``built-v1``
  entry with its metadata and the ``archives-v1`` copy unpacked from it) and the checkouts of
  those commits. A repository's database goes too when nothing else is known to come from it:
  no other package's record and no checkout of another commit (which may hold a package that
  was only read for its metadata, never built). Otherwise it stays, since a monorepo's other
  packages need it and a database is the one part that costs a fetch.
- ``prune`` removes only what no command can use: records that cannot be read or whose wheel
  is gone (``built_wheel`` ignores them anyway), databases whose ``git init`` was interrupted
  (no ``HEAD``: the next fetch would start over), lock files of databases that are gone, and
  empty directories. Complete databases and checkouts stay even when no lock refers to them
  any more: the cache cannot see every project's lock, and they are what make an ``--offline``
  install of a commit possible. ``clean`` (whole or per package) is how they are dropped.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

from ferry.cache.jsonfile import read_json_file
from ferry.model.immutable import immutable
from ferry.model.names import canonicalize_name

DB, CHECKOUTS, BUILT = "db", "checkouts", "built"


@immutable
class BuiltRecord:
    """One ``built/<key>/<commit>/<sub>/<target>.json`` record (``wheel`` ``None``: damaged)."""

    path: Path
    key: str
    commit: str
    wheel: Path | None

    @property
    def project(self) -> str | None:
        """The normalised project name of the recorded wheel (from its file name)."""
        if self.wheel is None or not self.wheel.name.endswith(".whl"):
            return None
        return canonicalize_name(self.wheel.name.split("-", 1)[0])


def built_records(bucket: Path) -> list[BuiltRecord]:
    base = bucket / BUILT
    found = []
    for path in sorted(base.glob("*/*/*/*.json")):
        key, commit = path.relative_to(base).parts[:2]
        value = read_json_file(path)
        wheel = value.get("wheel") if isinstance(value, dict) else None
        found.append(BuiltRecord(path, key, commit, Path(wheel) if isinstance(wheel, str)
                                 else None))
    return found


def readable_children(directory: Path) -> list[Path]:
    """The entries of ``directory``, sorted; none where it cannot be listed (a cache walk that
    only looks for entries to report or remove skips what it cannot read)."""
    try:
        return sorted(directory.iterdir())
    except OSError:
        return []


def _sha256(path: Path) -> str | None:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    except OSError:
        return None
    return digest.hexdigest()


def package_entries(bucket: Path, built: Path, archives: Path, name: str) -> Iterator[Path]:
    """Every path of ``git-v0`` (and the wheels it points to) that belongs to project ``name``
    (see the module docstring)."""
    wanted = canonicalize_name(name)
    records = built_records(bucket)
    mine = [r for r in records if r.project == wanted]
    for record in mine:
        yield record.path
        yield bucket / CHECKOUTS / record.key / record.commit
        wheel = record.wheel
        assert wheel is not None
        if wheel.parent.parent.parent == built:  # built-v1/<source key>/<target>/<wheel>
            sha256 = _sha256(wheel)
            if sha256 is not None:
                yield archives / sha256
            yield wheel.parent
            yield wheel.parent.with_name(f"{wheel.parent.name}.metadata.json")
    for key in sorted({r.key for r in mine}):
        others = [r for r in records if r.key == key and r.project != wanted]
        commits = {r.commit for r in mine if r.key == key}
        checked_out = {p.name for p in readable_children(bucket / CHECKOUTS / key)}
        if not others and checked_out <= commits:
            yield bucket / DB / key
            yield bucket / DB / f"{key}.lock"


def prunable(bucket: Path) -> Iterator[tuple[Path, str]]:
    """Paths ``prune`` removes, each with the reason (see the module docstring)."""
    for record in built_records(bucket):
        if record.wheel is None:
            yield record.path, "a damaged record"
        elif not record.wheel.is_file():
            yield record.path, "its wheel is gone"
    databases = bucket / DB
    for entry in readable_children(databases):
        if entry.is_dir() and not (entry / "HEAD").is_file():
            yield entry, "a database whose creation was interrupted"
        elif entry.suffix == ".lock" and not (databases / entry.stem).is_dir():
            yield entry, "the lock of a database that is gone"


def containers(bucket: Path) -> list[Path]:
    """The directories that only group entries (``checkouts/<key>``, ``built/<key>/…``), deepest
    first: ``prune`` removes those left empty (never a directory inside a checkout)."""
    levels = (f"{BUILT}/*/*/*", f"{BUILT}/*/*", f"{BUILT}/*", f"{CHECKOUTS}/*")
    return [path for level in levels for path in sorted(bucket.glob(level)) if path.is_dir()]
