"""JSON cache entries: written atomically, and a damaged one is a miss, not a failure.

A truncated or garbled entry (a disk that filled up under another tool, a hand edit, a bug in an
older ferry) must not break every later command: it is logged at DEBUG, removed, and the caller
fetches the data again, as uv does for its metadata cache (RELIABILITY G7).
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

from ferry.fs.atomic import write_entry
from ferry.fs.errors import os_error
from ferry.model.log import get_logger

logger = get_logger(__name__)


def read_json_file(path: Path) -> Any | None:
    """The value stored at ``path``; ``None`` when absent or damaged (then it is removed)."""
    try:
        data = path.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        return None
    except IsADirectoryError:
        logger.debug("cache entry `%s` is a directory, not a JSON file; ignoring it", path)
        return None
    except OSError as error:
        raise os_error("read cache entry", path, error) from error
    try:
        return json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        logger.debug("discarding damaged cache entry `%s`: %s", path, error)
        with contextlib.suppress(OSError):
            path.unlink()
        return None


def write_json_file(path: Path, value: Any) -> None:
    """Store ``value`` at ``path`` atomically (not fsynced: a lost entry is only a cache miss)."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    write_entry(path, text.encode("utf-8"))


def is_valid_json_file(path: Path) -> bool:
    """Whether ``path`` parses, without removing it (for ``ferry cache verify``)."""
    try:
        json.loads(path.read_bytes())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return False
    return True
