"""Whether a lock's ``[options]`` still say what the pyproject declares: resolution and
prerelease modes, fork strategy and ``exclude-newer`` (a moment, or a span compared as uv
records it). Part of :mod:`ferry.project.lock_fresh`'s verdict."""

from __future__ import annotations

from ferry.model.exclude_newer import ExcludeNewerError, parse_exclude_newer
from ferry.project.lock_model import LockOptions
from ferry.project.pyproject import PyProject

__all__ = ["expected_options", "options_reason"]

_DEFAULT_OPTIONS = {
    "resolution": "highest",
    "prerelease": "if-necessary-or-explicit",
    "fork-strategy": "requires-python",
}


def _normalize_timestamp(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return parse_exclude_newer(value).timestamp or value
    except ExcludeNewerError:
        return value


def expected_options(pyproject: PyProject) -> LockOptions:
    """``[options]`` as uv would record the settings the pyproject declares."""
    tool = pyproject.tool
    exclude_newer = tool.exclude_newer
    span = None
    if exclude_newer:  # checked when the pyproject was read
        parsed = parse_exclude_newer(exclude_newer)
        span, exclude_newer = parsed.span, parsed.timestamp

    def non_default(key: str, value: str | None) -> str | None:
        return None if value in (None, _DEFAULT_OPTIONS[key]) else value

    return LockOptions(
        resolution_mode=non_default("resolution", tool.resolution),
        prerelease_mode=non_default("prerelease", tool.prerelease),
        fork_strategy=non_default("fork-strategy", tool.fork_strategy),
        exclude_newer=_normalize_timestamp(exclude_newer),
        exclude_newer_span=span,
    )


def options_reason(expected: LockOptions, actual: LockOptions) -> str | None:
    for label, want, have in (
        ("resolution mode", expected.resolution_mode, actual.resolution_mode),
        ("prerelease mode", expected.prerelease_mode, actual.prerelease_mode),
        ("fork strategy", expected.fork_strategy, actual.fork_strategy),
    ):
        if want != have:
            return f"the {label} changed (locked: {have or 'default'}, now: {want or 'default'})"
    if expected.exclude_newer_span or actual.exclude_newer_span:
        if expected.exclude_newer_span != actual.exclude_newer_span:
            return (f"the `exclude-newer` span changed (locked: "
                    f"{actual.exclude_newer_span or actual.exclude_newer or 'none'}, now: "
                    f"{expected.exclude_newer_span or expected.exclude_newer or 'none'})")
        return None
    if _normalize_timestamp(expected.exclude_newer) != _normalize_timestamp(actual.exclude_newer):
        return (
            f"the `exclude-newer` cut-off changed (locked: {actual.exclude_newer or 'none'},"
            f" now: {expected.exclude_newer or 'none'})"
        )
    if expected.prerelease_package != actual.prerelease_package and expected.prerelease_package:
        return "the per-package prerelease settings changed"
    return None
