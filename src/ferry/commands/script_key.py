"""The cache key of a lock-less PEP 723 script's environment: everything its resolution reads.

A script without a lock is resolved from its block (:mod:`ferry.commands.script_env`). To run
it a second time without resolving again — and without any network request — its environment
must be found by what decides that resolution, known before resolving:

- the block itself (dependencies, ``requires-python`` and the whole ``[tool`` table, in a
  normal form, so reformatting a comment changes nothing while any setting does);
- the index and ``exclude-newer`` flags of this run (``--index-url``, ``FERRY_INDEX_URL``…);
- ``sync --script``'s ``--resolution``/``--prerelease``/``--fork-strategy``, when given;
- for blocks with ``[tool.uv.sources]``, the script's directory (relative paths are read from
  there) and, for each local path dependency, the stamps of the files its metadata comes from
  (``pyproject.toml``, ``setup.py``, ``setup.cfg``, or the archive itself), the files uv's
  default ``cache-keys`` watch;
- the interpreter.

An index that publishes a new release changes none of these, as with uv's cached script
environments; ``--upgrade`` or ``--refresh`` resolves again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ferry.model.log import get_logger

if TYPE_CHECKING:
    from ferry.commands.sync import SyncRequest
    from ferry.python.interpreter import Interpreter

log = get_logger(__name__)

KEY_VERSION = 1
"""Bumped when the inputs below change meaning, so old environments are not reused."""

_METADATA_FILES = ("pyproject.toml", "setup.py", "setup.cfg")


def block_key(
    script: Path, metadata: Mapping[str, Any], sync: SyncRequest, interpreter: Interpreter
) -> str:
    """``block-<digest>``: see the module docstring."""
    parts: dict[str, Any] = {
        "version": KEY_VERSION,
        "interpreter": str(interpreter.executable),
        "block": metadata,
        "index_url": sync.index_url,
        "extra_index_url": list(sync.extra_index_url),
        "find_links": list(sync.find_links),
        "no_index": sync.no_index,
        "exclude_newer": sync.exclude_newer,
    }
    if sync.index_strategy is not None:  # only when given, so earlier keys stay valid
        parts["index_strategy"] = sync.index_strategy
    for name in ("resolution", "prerelease", "fork_strategy"):  # `sync --script --resolution`
        if getattr(sync, name) is not None:
            parts[name] = getattr(sync, name)
    directory = script.absolute().parent
    local = sorted(set(_local_paths(metadata, directory)))
    if _has_sources(metadata) or local:
        parts["directory"] = str(directory)
        parts["stamps"] = {str(path): _stamps(path) for path in local}
    text = json.dumps(parts, sort_keys=True, default=str)
    digest = hashlib.sha256(text.encode()).hexdigest()[:16]
    log.debug("the environment of %s is keyed by its block and settings: %s", script, digest)
    return f"block-{digest}"


def _uv_table(metadata: Mapping[str, Any]) -> Mapping[str, Any]:
    tool = metadata.get("tool")
    uv = tool.get("uv") if isinstance(tool, Mapping) else None
    return uv if isinstance(uv, Mapping) else {}


def _has_sources(metadata: Mapping[str, Any]) -> bool:
    return bool(_uv_table(metadata).get("sources"))


def _local_paths(metadata: Mapping[str, Any], directory: Path) -> Iterator[Path]:
    """The local paths the resolution reads: ``path`` sources and ``file:`` references."""
    sources = _uv_table(metadata).get("sources")
    if isinstance(sources, Mapping):
        for value in sources.values():
            for spec in value if isinstance(value, list) else [value]:
                if isinstance(spec, Mapping) and isinstance(spec.get("path"), str):
                    yield directory / spec["path"]
    dependencies = metadata.get("dependencies")
    for text in dependencies if isinstance(dependencies, list) else []:
        if isinstance(text, str) and "file:" in text:
            from urllib.parse import unquote, urlsplit

            from ferry.model.pep508_requirements import InvalidRequirement, Requirement

            try:
                url = Requirement(text).url
            except InvalidRequirement:
                continue  # the resolution reports it
            if url and url.startswith("file:"):
                yield Path(unquote(urlsplit(url).path))


def _stamps(path: Path) -> list[str]:
    """Size and modification time of ``path`` (an archive) or of the files a directory's
    metadata comes from; a missing path stamps as missing (the resolution reports it)."""
    candidates = [path / name for name in _METADATA_FILES] if path.is_dir() else [path]
    stamps = []
    for candidate in candidates:
        try:
            stat = candidate.stat()
        except OSError:
            continue
        stamps.append(f"{candidate.name}:{stat.st_size}:{stat.st_mtime_ns}")
    return stamps or ["<missing>"]
