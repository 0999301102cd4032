"""The setup the workspace interop tests share: the kit's index served on loopback and the
environment uv runs in (its own cache and config, the interpreter given)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.e2e.workspace_kit import populate
from tests.interop.test_uv_lock_interop import uv_env
from tests.support.index import IndexServer, LocalIndex


@contextmanager
def served_index(
    tmp_path: Path, python: Path, *more: Callable[[LocalIndex], None]
) -> Iterator[tuple[IndexServer, dict[str, str]]]:
    """``workspace_kit``'s packages (plus what ``more`` adds) on a loopback index, and uv's
    environment."""
    index = LocalIndex(tmp_path / "index")
    populate(index)
    for add in more:
        add(index)
    with IndexServer(index) as server:
        yield server, uv_env(tmp_path, python)
