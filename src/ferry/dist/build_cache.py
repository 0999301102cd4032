"""The ``built-v1`` bucket: wheels built from source, and the metadata backends prepared.

Layout::

    built-v1/<source key>/<target>/<name>-<version>-<tags>.whl    one complete wheel per entry
    built-v1/<source key>/<target>.lock                           held while it is built
    built-v1/<source key>/<target>.metadata.json                  prepare_metadata's answer

``<source key>`` is an sdist's sha256 (what ``ferry cache clean <pkg>`` removes for a package),
``tree-<sha256>`` for a source tree (its file hash: a change means a new entry), or
``editable-<sha256>`` for an editable build (tree hash *and* absolute path, since the wheel points
into the tree). ``<target>`` is the interpreter's most specific tag, plus ``-cs<digest>`` when
backend config settings were given. An entry arrives by renaming a finished folder into place, so
a reader sees a complete wheel or nothing.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Mapping
from pathlib import Path

from ferry.cache.store import Cache
from ferry.dist.source_tree import file_sha256, tree_hash
from ferry.fs.atomic import rename_dir_into_place
from ferry.model.log import get_logger
from ferry.python.interpreter import Interpreter
from ferry.wheel.unpack import unpack_wheel
from ferry.wheel.validate import validate_wheel

__all__ = ["BuiltWheels", "wheel_metadata"]

logger = get_logger(__name__)


class BuiltWheels:
    """Addresses and stores entries of ``built-v1`` (see the module docstring)."""

    def __init__(self, cache: Cache) -> None:
        self.cache = cache

    def entry(
        self,
        source: Path,
        *,
        is_archive: bool,
        interpreter: Interpreter,
        editable: bool,
        sha256: str | None = None,
        config_settings: Mapping[str, object] | None = None,
    ) -> Path:
        if is_archive:
            source_key = sha256 or file_sha256(source)
        elif editable:
            digest = hashlib.sha256(f"{source}\0{tree_hash(source)}".encode()).hexdigest()
            source_key = f"editable-{digest}"
        else:
            source_key = f"tree-{tree_hash(source)}"
        target = interpreter.tags[0] if interpreter.tags else interpreter.python_version
        if config_settings:
            settings = json.dumps(config_settings, sort_keys=True).encode()
            target += f"-cs{hashlib.sha256(settings).hexdigest()[:12]}"
        return self.cache.bucket("built") / source_key / target

    @staticmethod
    def lock_path(entry: Path) -> Path:
        return entry.with_name(entry.name + ".lock")

    @staticmethod
    def find(entry: Path) -> Path | None:
        """The entry's wheel, or ``None`` when there is no complete entry."""
        try:
            wheels = sorted(p for p in entry.iterdir() if p.name.endswith(".whl"))
        except OSError:
            return None
        return wheels[0] if len(wheels) == 1 else None

    def store(self, entry: Path, wheel: Path, scratch: Path) -> Path:
        """Move the checked ``wheel`` into ``entry`` (``scratch``: an empty folder in the cache's
        temporary area); if another process stored one first, that one is kept and returned."""
        staging = scratch / "entry"
        staging.mkdir()
        wheel.rename(staging / wheel.name)
        if not rename_dir_into_place(staging, entry):
            logger.debug("Another process stored %s first; using its wheel", entry)
        stored = self.find(entry)
        if stored is None:  # pragma: no cover - the rename above or a winner put it there
            raise FileNotFoundError(f"the built wheel vanished from {entry}")
        return stored

    def metadata_key(self, entry: Path) -> str:
        return f"{entry.parent.name}/{entry.name}.metadata"

    def read_metadata(self, entry: Path) -> bytes | None:
        stored = self.cache.read_json("built", self.metadata_key(entry))
        if isinstance(stored, dict) and isinstance(stored.get("metadata"), str):
            return str(stored["metadata"]).encode("utf-8")
        return None

    def write_metadata(self, entry: Path, data: bytes) -> None:
        text = data.decode("utf-8", "replace")
        self.cache.write_json("built", self.metadata_key(entry), {"metadata": text})

    def unpacked(self, wheel: Path) -> Path:
        """The built ``wheel`` unpacked in ``archives-v1`` (keyed by its sha256), as the
        installer links from; unpacked once, like a downloaded wheel."""
        sha256 = file_sha256(wheel)
        archive = self.cache.find_archive(sha256)
        if archive is not None:
            return archive
        with self.cache.temp_dir("unpack-") as tmp:
            target = tmp / "unpacked"
            unpack_wheel(wheel, target)
            return self.cache.persist_archive(sha256, target)


def wheel_metadata(wheel: Path) -> bytes:
    """The ``METADATA`` of a (built) wheel."""
    info = validate_wheel(wheel)
    with zipfile.ZipFile(wheel) as zf:
        return zf.read(f"{info.dist_info}/METADATA")
