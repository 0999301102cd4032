"""The import rule of docs/architecture.md, enforced: a layer imports only the layers below it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "ferry"

ALLOWED: dict[str, set[str]] = {
    "model": set(),
    "fs": {"model"},
    "cache": {"model", "fs"},
    "wheel": {"model", "fs"},
    "python": {"model", "fs", "cache"},
    "index": {"model", "fs", "cache"},
    "dist": {"model", "fs", "cache", "index", "python", "wheel"},
    # resolve: the algorithm uses model only; provider*.py may also reach the I/O layers.
    "resolve": {"model"},
    "project": {"model", "fs", "python"},
    "install": {"model", "fs", "cache", "dist", "wheel", "python"},
    "commands": {
        "model",
        "fs",
        "cache",
        "wheel",
        "python",
        "index",
        "dist",
        "resolve",
        "project",
        "install",
    },
    "cli": {"commands", "model"},
}
PROVIDER_EXTRA = {"index", "dist", "cache", "python"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] == "ferry" and len(parts) > 1 and (SRC / parts[1]).is_dir():
                found.add(parts[1])
    return found


def _modules() -> list[Path]:
    return sorted(p for p in SRC.rglob("*.py") if p.parent != SRC)


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(SRC)))
def test_layer_imports_follow_the_design(path: Path) -> None:
    layer = path.relative_to(SRC).parts[0]
    allowed = set(ALLOWED[layer]) | {layer}
    if layer == "resolve" and path.name.startswith("provider"):
        allowed |= PROVIDER_EXTRA
    wrong = _imports(path) - allowed
    assert not wrong, (
        f"{path.relative_to(SRC)} imports {sorted(wrong)}; {layer} may import {sorted(allowed)}"
    )


def test_every_layer_is_in_the_table() -> None:
    layers = {p.name for p in SRC.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert layers == set(ALLOWED)
