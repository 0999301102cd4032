"""Parsed ``pyproject.toml`` and ``uv.lock`` remembered between commands, in the cache.

Why: every lock, sync, add or compile reads the same few TOML files, and ``tomllib`` is slow
for what it does — ~3 ms to import (its regexes, ``datetime``, ``string``, and a ``NamedTuple``
whose string annotations make typing run the compiler for the first time, ~1 ms more) and
~5 ms to parse a 60-package ``uv.lock`` — against ~0.2 ms to read the same data back as JSON.

One entry per file path (``toml-v1/<digest of the path>.json``): the path, the file's exact text
and the parsed data. An entry answers only for the identical text, so an edit is never missed;
it is rewritten when the text changes, so the bucket grows with the number of projects, not of
edits (``cache prune`` drops entries whose file changed or is gone). Documents holding TOML
dates or times are not remembered: JSON has no such type, and an exact round trip is the rule;
nor are documents with credentials in a URL (``https://user:token@host``): they never reach the
cache.

Entries are written only into a cache that already exists (the root the command line and
environment name: ``--cache-dir``, ``FERRY_CACHE_DIR``, the user cache; never with
``--no-cache``), atomically through the cache's ``.tmp``; any failure to read or write one is
a miss, never an error.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

from ferry.model.builtin_sha256 import sha256
from ferry.model.lazy_regex import lazy_pattern
from ferry.model.log import get_logger

BUCKET_DIR = "toml-v1"
_TMP_DIR = ".tmp"  # the cache's scratch directory (ferry.cache.store.TMP_NAME)

logger = get_logger(__name__)

# A URL's user information (``scheme://user[:password]@``), anywhere in the text.
_USERINFO = lazy_pattern(r"://[^\s/\\\"'@]+@")

_root: Path | None = None


def remember_in(cache_root: str | None) -> None:
    """Use ``cache_root`` (a prepared cache) for this process's entries; ``None``: none."""
    global _root
    _root = Path(cache_root) if cache_root is not None else None


def recall(path: str, text: str) -> dict[str, Any] | None:
    """The data remembered for ``path`` holding exactly ``text``, or ``None``."""
    if _root is None:
        return None
    import json  # not at import: setting the root must stay free for lean commands

    location = os.path.abspath(path)  # noqa: PTH100 (resolve() would follow links)
    try:
        entry = json.loads(_entry_file(_root, location).read_bytes())
        if entry["path"] == location and entry["text"] == text:
            data: dict[str, Any] = entry["data"]
            return data
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return None


def keep(path: str, text: str, data: dict[str, Any]) -> None:
    """Remember ``data``, parsed from ``text`` at ``path``, when it round-trips through JSON."""
    if _root is None or not _plain(data):
        return
    if "@" in text and _USERINFO().search(text):
        logger.debug("Not remembering the parsed %s: it holds credentials", path)
        return
    import json

    location = os.path.abspath(path)  # noqa: PTH100 (resolve() would follow links)
    target = _entry_file(_root, location)
    scratch = _root / _TMP_DIR / f"toml-{os.getpid()}-{os.urandom(4).hex()}"
    try:
        target.parent.mkdir(exist_ok=True)
        scratch.write_text(json.dumps({"path": location, "text": text, "data": data}),
                           encoding="utf-8")
        scratch.replace(target)
    except (OSError, ValueError) as error:
        logger.debug("Not remembering the parsed %s: %s", location, error)
        with contextlib.suppress(OSError):
            scratch.unlink()


def is_stale(entry_file: Path) -> bool:
    """Whether an entry no longer answers for anything: its file changed or is gone, or the
    entry cannot be read (``cache prune``)."""
    import json

    try:
        entry = json.loads(entry_file.read_bytes())
        return bool(Path(entry["path"]).read_text(encoding="utf-8") != entry["text"])
    except (OSError, ValueError, KeyError, TypeError):
        return True


def _entry_file(root: Path, location: str) -> Path:
    return root / BUCKET_DIR / (sha256(location.encode()).hexdigest()[:32] + ".json")


def _plain(value: object) -> bool:
    """Only strings, numbers, booleans, lists and tables: what JSON gives back unchanged."""
    if isinstance(value, dict):
        return all(isinstance(key, str) and _plain(item) for key, item in value.items())
    if isinstance(value, list):
        return all(_plain(item) for item in value)
    return isinstance(value, (str, int, float))  # bool is an int
