"""What a ``sync --dry-run`` says it would fetch: uv 0.13.8's ``Would download N packages``.

uv's ``sync`` (of a project or of a script) counts every distribution it would install from a
registry or a remote URL, whether or not its cache holds the file already (a warm cache still
says ``Would download 2 packages``), and leaves out local paths, which are built or linked rather
than downloaded. ``pip install --dry-run`` counts against the cache instead
(:func:`ferry.commands.pip_install.would_download`), as ``uv pip`` does.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ferry.model.dist import PinnedDist


def sync_downloads(pins: Sequence[PinnedDist]) -> int:
    """How many of the ``pins`` a dry run would install says it would download."""
    return sum(1 for pin in pins
               if not pin.editable and not (pin.direct_url or "").startswith("file:"))
