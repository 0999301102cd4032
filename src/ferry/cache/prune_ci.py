"""``cache prune --ci``: shrink the cache to what a CI cache should carry between runs.

uv documents the mode for CI caches (``uv cache prune --ci``): pre-built wheels are cheaper to
download again than to restore from a cache archive, wheels built from source are not (a build can
take minutes). So this removes, on top of what a plain prune removes:

* downloaded wheels (``files-v1`` entries holding a ``.whl``) and their metadata (``metadata-v1``
  holds only wheel metadata: an sdist's lives in ``built-v1``), as uv drops its whole pre-built
  wheel bucket;
* every unpacked wheel (``archives-v1``): they are expanded copies, made again from the wheel on
  the next install, as uv drops its unzipped wheels, built ones included;
* cached environments (``environments-v1``: build and script environments), which point at the
  runner's interpreters; uv's prune removes them too; and the descriptions of fresh project
  environments (``replay-v1``), which link the unpacked wheels removed here.

It keeps the wheels built from source and their metadata (``built-v1``), the source
distributions they were built from (``files-v1`` entries that are not wheels: ferry finds a built
wheel through its sdist's digest, so keeping the small archive spares a fetch and a rebuild), the
index pages, the interpreter facts, git checkouts and parsed TOML. The name and URL pointers of
removed files are then stale and go with the plain prune that follows.
"""

from __future__ import annotations

from pathlib import Path

from ferry.cache.maintenance import Removed, children, remove_entry, rmdir_if_empty
from ferry.model.log import get_logger

logger = get_logger(__name__)


def prune_for_ci(root: Path, buckets: dict[str, str]) -> Removed:
    """Remove the pre-built wheels, unpacked wheels, wheel metadata and environments under
    ``root`` (``buckets``: bucket name -> directory name, as the store lays them out)."""
    removed = _remove_downloaded_wheels(root / buckets["files"])
    for name in ("archives", "metadata", "environments", "replay"):
        for entry in children(root / buckets[name]):
            logger.debug("--ci: removing `%s`", entry)
            removed += remove_entry(entry)
    return removed


def _remove_downloaded_wheels(bucket: Path) -> Removed:
    """``files-v1/<sha[:2]>/<sha>/`` entries that hold a wheel (each entry holds one file)."""
    removed = Removed()
    for prefix in children(bucket):
        for entry in children(prefix):
            if any(path.name.endswith(".whl") for path in children(entry)):
                logger.debug("--ci: removing the downloaded wheel `%s`", entry)
                removed += remove_entry(entry)
        rmdir_if_empty(prefix)
    return removed

