"""``run --with`` overlay environments that nothing can use any more, for ``cache prune``.

An overlay (``environments/run-with/with-<key>``, made by ``ferry.commands.run_with``) sees its
base environment through a ``.pth`` file naming the base's site-packages, and its key names
them too: once they are gone, no run can reach the overlay (a new base, even at the same path,
is looked up with the same key only if made again — and then the overlay is cheap to make
again too), so it only takes room. ``run --isolated`` used to leave one such overlay per run,
its base a temporary environment removed when the command ended. ``cache prune`` drops them,
as it drops a remembered TOML file whose source is gone (``ferry.fs.toml_memo.is_stale``).

Only overlays whose ``.pth`` reads as ferry writes it are judged; an environment without one
(a ``--with`` environment for temporary bases links none: it is reused by every such run) is
kept. The caller holds the cache exclusively, so no command is using what is removed.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from ferry.model.log import get_logger

logger = get_logger(__name__)

OVERLAY_FILE = "_ferry_overlay.pth"
KIND = "run-with"
_LINE_START = "import site; site.addsitedir("


def orphaned_overlays(environments: Path) -> Iterator[Path]:
    """Each overlay under the ``environments`` bucket whose base is gone, and its lock file."""
    try:
        overlays = sorted(p for p in (environments / KIND).iterdir() if p.is_dir())
    except OSError:
        return
    for overlay in overlays:
        missing = _missing_base(overlay)
        if missing is None:
            continue
        logger.debug("Removing the overlay %s: its base %s is gone", overlay, missing)
        yield overlay
        lock = overlay.with_suffix(".lock")
        if lock.exists():
            yield lock


def _missing_base(overlay: Path) -> str | None:
    """The first directory the overlay's ``.pth`` names that does not exist (None: all do, or
    no ``.pth`` ferry wrote)."""
    for pth in [*overlay.glob(f"lib/*/site-packages/{OVERLAY_FILE}"),
                overlay / "Lib" / "site-packages" / OVERLAY_FILE]:
        try:
            text = pth.read_text(encoding="utf-8")
        except OSError:
            continue
        named = [_named(line) for line in text.splitlines() if line.strip()]
        if not named or any(name is None for name in named):
            return None  # not as ferry writes it: not ours to judge
        for name in named:
            assert name is not None
            if not Path(name).is_dir():
                return name
    return None


def _named(line: str) -> str | None:
    """The directory in ``import site; site.addsitedir('<dir>')`` (None for any other line)."""
    if not (line.startswith(_LINE_START) and line.endswith(")")):
        return None
    try:
        value = ast.literal_eval(line[len(_LINE_START):-1])
    except (ValueError, SyntaxError):
        return None
    return value if isinstance(value, str) else None
