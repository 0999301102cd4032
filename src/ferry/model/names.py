"""Package-name helpers, so no layer re-implements PEP 503 normalisation."""

from __future__ import annotations

from packaging.utils import NormalizedName, canonicalize_name

__all__ = ["NormalizedName", "canonicalize_name", "dist_info_name"]


def dist_info_name(name: str) -> str:
    """The escaped form used in wheel and ``.dist-info`` names (``foo_bar``)."""
    return canonicalize_name(name).replace("-", "_")
