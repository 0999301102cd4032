"""Which ``run --with`` overlays ``cache prune`` drops (``ferry.cache.overlays``): those whose
``.pth``, as ferry writes it, names a base directory that is gone; nothing it cannot read."""

from __future__ import annotations

from pathlib import Path

from ferry.cache.overlays import KIND, OVERLAY_FILE, orphaned_overlays
from ferry.commands.run_with import OVERLAY_PTH


def _overlay(bucket: Path, name: str, pth: str | None) -> Path:
    root = bucket / KIND / name
    site = root / "lib" / "python3.12" / "site-packages"
    site.mkdir(parents=True)
    if pth is not None:
        (site / OVERLAY_FILE).write_text(pth, encoding="utf-8")
    (bucket / KIND / f"{name}.lock").write_text("", encoding="utf-8")
    return root


def test_only_overlays_whose_base_is_gone(tmp_path: Path) -> None:
    assert OVERLAY_PTH == OVERLAY_FILE
    present = tmp_path / "base" / "site-packages"
    present.mkdir(parents=True)
    gone = tmp_path / "was-here"
    line = "import site; site.addsitedir({!r})\n"
    bucket = tmp_path / "environments-v1"
    _overlay(bucket, "with-kept", line.format(str(present)))
    dropped = _overlay(bucket, "with-dropped", line.format(str(present)) + line.format(str(gone)))
    _overlay(bucket, "with-layered-x", None)  # links no base: reused by any isolated run
    _overlay(bucket, "with-foreign", f"{gone}\n")  # not a line ferry writes: not judged
    _overlay(bucket, "with-odd", line.format(str(gone)) + "import os\n")
    assert list(orphaned_overlays(bucket)) == [dropped, dropped.with_suffix(".lock")]


def test_no_bucket_no_overlays(tmp_path: Path) -> None:
    assert list(orphaned_overlays(tmp_path / "missing")) == []
