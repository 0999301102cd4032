"""The single-value settings of ``[tool.ferry]``/``[tool.uv]``: each parser checks one key's
value at its key path (so a bad value is reported with file, line and key) and returns the
``ToolSettings`` fields it sets. Kept apart from :mod:`ferry.project.tool_settings`, which
holds the tables (sources, indexes, conflicts, workspace) and the merge of the two tables."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ferry.model.choices import INDEX_STRATEGIES, LINK_MODES
from ferry.model.names import canonicalize_name
from ferry.project.toml_read import type_name
from ferry.project.toml_walk import Walker

Parser = Callable[[Walker, Any, str], dict[str, Any]]


def boolean(attr: str) -> Parser:
    def parse(w: Walker, raw: Any, kp: str) -> dict[str, Any]:
        if not isinstance(raw, bool):
            w.fail(kp, f"expected a boolean, found {type_name(raw)}")
        return {attr: raw}

    return parse


def string(attr: str) -> Parser:
    def parse(w: Walker, raw: Any, kp: str) -> dict[str, Any]:
        if not isinstance(raw, str):
            w.fail(kp, f"expected a string, found {type_name(raw)}")
        return {attr: raw}

    return parse


def default_groups(w: Walker, raw: Any, kp: str) -> dict[str, Any]:
    if raw == "all":
        return {"default_groups": "all"}
    groups = w.strings({"value": raw}, "value", kp)
    return {"default_groups": tuple(canonicalize_name(g) for g in groups)}


def keyring_provider(w: Walker, raw: Any, kp: str) -> dict[str, Any]:
    if raw not in ("disabled", "subprocess"):
        w.fail(kp, f"expected `disabled` or `subprocess`, found {raw!r}")
    return {"keyring_provider": raw}


def exclude_newer(w: Walker, raw: Any, kp: str) -> dict[str, Any]:
    """A date, a timestamp or a span (``1 week``, ``P7D``), checked now: a value uv cannot read
    must not reach the lock, and a span must cut off the index, not be carried silently."""
    from ferry.model.exclude_newer import ExcludeNewerError, parse_exclude_newer

    if not isinstance(raw, str):
        w.fail(kp, f"expected a string, found {type_name(raw)}")
    try:
        parse_exclude_newer(raw)
    except ExcludeNewerError as error:
        w.fail(kp, str(error))
    return {"exclude_newer": raw}


def link_mode(w: Walker, raw: Any, kp: str) -> dict[str, Any]:
    if raw not in LINK_MODES:
        w.fail(kp, f"expected one of {', '.join(LINK_MODES)}, found {raw!r}")
    return {"link_mode": raw}


def index_strategy(w: Walker, raw: Any, kp: str) -> dict[str, Any]:
    if raw not in INDEX_STRATEGIES:
        w.fail(kp, f"expected one of {', '.join(INDEX_STRATEGIES)}, found {raw!r}")
    return {"index_strategy": raw}


def string_list(attr: str) -> Parser:
    return lambda w, raw, kp: {attr: w.strings({"value": raw}, "value", kp)}
