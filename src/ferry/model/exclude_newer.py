"""``exclude-newer`` values: a moment (``2024-01-01``, ``2024-01-01T00:00:00Z``) or a span back
from now (``3 days``, ``1 week``, ``P3D``), read as uv reads them.

A span is what teams put in ``[tool.uv]`` to keep a cooling-off period before a new release can
be locked ("nothing younger than a week"), so it must cut the index off, not merely be carried
into the lock. uv parses it with jiff's "friendly" and ISO 8601 grammars and records it in
``uv.lock`` as jiff prints it (``exclude-newer-span = "P1W"``); ferry writes the same text so
that each tool reads the other's lock as up to date. Months and years are refused, as uv refuses
them: their length depends on the calendar.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ferry.model.errors import UsageError
from ferry.model.immutable import immutable
from ferry.model.lazy_regex import lazy_pattern

if TYPE_CHECKING:
    from datetime import datetime

    # Imported where spans are read: ~1.5 ms that a command without a span never needs.
    from decimal import Decimal

__all__ = [
    "SPAN_PLACEHOLDER", "ExcludeNewer", "ExcludeNewerError", "exclude_newer_flag", "flag_cutoff",
    "parse_exclude_newer",
]

# Each unit: its ISO letter, whether it belongs after the ``T``, and its length in seconds.
_UNITS: dict[str, tuple[str, bool, int]] = {
    "weeks": ("W", False, 7 * 86400),
    "days": ("D", False, 86400),
    "hours": ("H", True, 3600),
    "minutes": ("M", True, 60),
    "seconds": ("S", True, 1),
}
_ORDER = tuple(_UNITS)
_FRIENDLY_UNITS = {
    **dict.fromkeys(("y", "yr", "yrs", "year", "years"), "years"),
    **dict.fromkeys(("mo", "mos", "month", "months"), "months"),
    **dict.fromkeys(("w", "wk", "wks", "week", "weeks"), "weeks"),
    **dict.fromkeys(("d", "day", "days"), "days"),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), "hours"),
    **dict.fromkeys(("m", "min", "mins", "minute", "minutes"), "minutes"),
    **dict.fromkeys(("s", "sec", "secs", "second", "seconds"), "seconds"),
}
# Compiled when a value is read (~0.6 ms that a command without exclude-newer never needs).
_FRIENDLY_PART = lazy_pattern(r"\s*(\d+(?:\.\d+)?)\s*([a-z]+)\s*,?")
_ISO = lazy_pattern(
    r"([+-]?)P(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?",
    re.IGNORECASE,
)
_ISO_UNITS = ("years", "months", "weeks", "days", "hours", "minutes", "seconds")
_DATE = lazy_pattern(r"\d{4}-\d{2}-\d{2}")

# What a lock records as ``exclude-newer`` beside a span, as uv writes it (readers of older
# lock versions need a timestamp there; it has no effect).
SPAN_PLACEHOLDER = "0001-01-01T00:00:00Z"


class ExcludeNewerError(ValueError):
    """A value that is neither a date, a timestamp nor a span: the message is uv's."""


@immutable
class ExcludeNewer:
    """One ``exclude-newer`` value: exactly one of ``timestamp`` and ``span`` is set."""

    timestamp: str | None = None
    """RFC 3339 in UTC, seconds precision (``2024-01-01T00:00:00Z``)."""
    span: str | None = None
    """ISO 8601, as uv records it (``P1W``, ``PT1H30M``, ``-P3D``, ``PT0S``)."""
    seconds: Decimal | int = 0
    """The span's signed length."""

    def cutoff(self, now: datetime | None = None) -> datetime:
        """The moment after which uploads are ignored."""
        from datetime import UTC, datetime, timedelta

        if self.timestamp is not None:
            return datetime.fromisoformat(self.timestamp.replace("Z", "+00:00"))
        return (now or datetime.now(UTC)) - timedelta(seconds=float(self.seconds))


def parse_exclude_newer(text: str) -> ExcludeNewer:
    """``text`` read as uv reads an ``exclude-newer`` value; :class:`ExcludeNewerError` if it is
    none of the three forms."""
    from decimal import Decimal

    value = text.strip()
    if _DATE().match(value):
        return ExcludeNewer(timestamp=_timestamp(value, text))
    iso = value.lstrip("+-")[:1] in ("P", "p")
    parts = _iso_parts(value) if iso else _friendly_parts(value)
    if parts is None:
        raise _invalid(text)
    negative, amounts = parts
    for calendar in ("years", "months"):
        if amounts.get(calendar):
            raise ExcludeNewerError(f"Duration `{text}` uses '{calendar}' which is not allowed; "
                                    "use days instead, e.g., `30 days`.")
    amounts.pop("years", None)
    amounts.pop("months", None)
    whole = _balanced(amounts, text)
    seconds = sum((Decimal(whole[u]) * _UNITS[u][2] for u in whole), Decimal(0))
    return ExcludeNewer(span=_iso(whole, negative), seconds=-seconds if negative else seconds)


def exclude_newer_flag(value: str) -> ExcludeNewer:
    """``--exclude-newer``: as :func:`parse_exclude_newer`, a bad value a usage error."""
    try:
        return parse_exclude_newer(value)
    except ExcludeNewerError as error:
        raise UsageError(f"Invalid `--exclude-newer` value: {error}") from None


def flag_cutoff(value: str | None) -> datetime | None:
    """The cut-off an optional ``--exclude-newer`` asks for (``None``: no cut-off)."""
    return exclude_newer_flag(value).cutoff() if value else None


def _timestamp(value: str, text: str) -> str:
    """A date (midnight, local time, as uv reads it) or timestamp, normalised to UTC."""
    from datetime import UTC, datetime

    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            moment = datetime.fromisoformat(value).astimezone()
        else:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
            if moment.tzinfo is None:
                moment = moment.astimezone()
    except ValueError:
        raise _invalid(text) from None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _friendly_parts(value: str) -> tuple[bool, dict[str, Decimal]] | None:
    from decimal import Decimal

    text = value
    negative = False
    if text.startswith(("+", "-")):
        negative, text = text[0] == "-", text[1:]
    if text.endswith(" ago"):
        negative, text = not negative, text[: -len(" ago")]
    amounts: dict[str, Decimal] = {}
    position, last = 0, -1
    while position < len(text):
        match = _FRIENDLY_PART().match(text, position)
        if match is None:
            return None
        unit = _FRIENDLY_UNITS.get(match.group(2))
        rank = (("years", "months", *_ORDER).index(unit)) if unit is not None else -1
        if unit is None or rank <= last or (last != -1 and "." in _last_amount(amounts)):
            return None  # unknown unit, units out of order or repeated, a fraction not last
        amounts[unit] = Decimal(match.group(1))
        position, last = match.end(), rank
    return (negative, amounts) if amounts else None


def _last_amount(amounts: dict[str, Decimal]) -> str:
    return str(list(amounts.values())[-1]) if amounts else ""


def _iso_parts(value: str) -> tuple[bool, dict[str, Decimal]] | None:
    from decimal import Decimal

    match = _ISO().fullmatch(value)
    if match is None or value.upper().endswith(("P", "T")):
        return None
    negative = match.group(1) == "-"
    amounts = {unit: Decimal(amount) for unit, amount in zip(_ISO_UNITS, match.groups()[1:],
                                                             strict=True) if amount is not None}
    fractions = [u for u, a in amounts.items() if a != a.to_integral_value()]
    if not amounts or (fractions and fractions[0] != list(amounts)[-1]):
        return None
    return negative, amounts


def _balanced(amounts: dict[str, Decimal], text: str) -> dict[str, Decimal]:
    """Whole units, a fraction of the last time unit carried into the smaller ones (jiff:
    ``1.5 hours`` is ``PT1H30M``); a fraction of a week or day is refused, as uv refuses it."""
    from decimal import Decimal

    whole: dict[str, Decimal] = {}
    carry = Decimal(0)
    for unit in _ORDER:
        amount = amounts.get(unit, Decimal(0)) + carry
        carry = Decimal(0)
        if amount == 0 and unit not in amounts:
            continue
        integral = amount.to_integral_value(rounding="ROUND_FLOOR")
        fraction = amount - integral
        if fraction:
            if not _UNITS[unit][1]:
                raise _invalid(text)
            if unit != "seconds":
                carry = fraction * (_UNITS[unit][2] // _UNITS[_ORDER[_ORDER.index(unit) + 1]][2])
                amount = integral
        whole[unit] = amount
    return {u: a for u, a in whole.items() if a}


def _iso(amounts: dict[str, Decimal], negative: bool) -> str:
    if not amounts:
        return "PT0S"
    date = "".join(f"{_number(amounts[u])}{_UNITS[u][0]}" for u in _ORDER
                   if u in amounts and not _UNITS[u][1])
    time = "".join(f"{_number(amounts[u])}{_UNITS[u][0]}" for u in _ORDER
                   if u in amounts and _UNITS[u][1])
    return f"{'-' if negative else ''}P{date}{'T' + time if time else ''}"


def _number(amount: Decimal) -> str:
    return format(amount.normalize(), "f")


def _invalid(text: str) -> ExcludeNewerError:
    return ExcludeNewerError(
        f"`{text}` could not be parsed as a valid exclude-newer value (expected a date like "
        "`2024-01-01`, a timestamp like `2024-01-01T00:00:00Z`, or a duration like `3 days` or "
        "`P3D`)")
