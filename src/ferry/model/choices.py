"""The spellings of settings that several layers accept, written once.

Why: the index strategies, link modes, resolution and pre-release modes are read by the command
line (click and the lean parser), by ``[tool.uv]`` settings and by the index client or the lock;
each used to spell the list out, so adding a value (as ``unsafe-first-match`` was) meant finding
every copy.
"""

from __future__ import annotations

from typing import Literal, get_args

IndexStrategy = Literal["first-index", "unsafe-first-match", "unsafe-best-match"]
INDEX_STRATEGIES: tuple[IndexStrategy, ...] = get_args(IndexStrategy)

LINK_MODES: tuple[str, ...] = ("clone", "hardlink", "copy", "symlink")

RESOLUTIONS: tuple[str, ...] = ("highest", "lowest", "lowest-direct")
"""``--resolution`` / ``resolution``."""
PRERELEASE_MODES: tuple[str, ...] = (
    "disallow", "allow", "if-necessary", "explicit", "if-necessary-or-explicit")
"""``--prerelease`` / ``prerelease``."""
FORK_STRATEGIES: tuple[str, ...] = ("requires-python", "fewest")
"""``--fork-strategy`` / ``fork-strategy``."""

BuildBackend = Literal["uv", "hatch", "flit", "pdm", "poetry", "setuptools", "maturin", "scikit"]
"""``ferry init --build-backend`` (the templates: ``ferry.project.init_template_backends``)."""
BUILD_BACKENDS: tuple[BuildBackend, ...] = get_args(BuildBackend)

__all__ = ["BUILD_BACKENDS", "FORK_STRATEGIES", "INDEX_STRATEGIES", "LINK_MODES",
           "PRERELEASE_MODES", "RESOLUTIONS", "BuildBackend", "IndexStrategy"]
