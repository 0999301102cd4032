"""``exclude-newer`` values read as uv 0.13.8 reads them (its outputs recorded side by side)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ferry.model.errors import UsageError
from ferry.model.exclude_newer import (
    ExcludeNewerError,
    exclude_newer_flag,
    parse_exclude_newer,
)

# value -> what uv writes as `exclude-newer-span`
SPANS = {
    "3650 days": "P3650D", "1 week": "P1W", "2 weeks": "P2W", "P3D": "P3D", "p3d": "P3D",
    "3 days ago": "-P3D", "-3 days": "-P3D", "PT12H": "PT12H", "24 hours": "PT24H",
    "10d": "P10D", "0 days": "PT0S", "P0D": "PT0S", "3 weeks 2 days": "P3W2D", "1h": "PT1H",
    "2 days 3 hours": "P2DT3H", "2 days, 3 hours": "P2DT3H", "P1DT2H": "P1DT2H",
    "1 minute": "PT1M", "1.5 hours": "PT1H30M", "3days": "P3D", "3 d": "P3D", "1 day": "P1D",
    "1 wk": "P1W", "5 secs": "PT5S", "P3DT0H": "P3D", "PT36H": "PT36H",
}


@pytest.mark.parametrize(("value", "span"), sorted(SPANS.items()))
def test_spans_are_recorded_as_uv_records_them(value: str, span: str) -> None:
    assert parse_exclude_newer(value).span == span
    assert parse_exclude_newer(value).timestamp is None


@pytest.mark.parametrize("value", ["notadate", "3 DAYS", "1.5 days", "3 days 3 days",
                                   "2 hours 3 days", "P", "PT", "", "P1.5D"])
def test_what_uv_cannot_read_is_refused(value: str) -> None:
    with pytest.raises(ExcludeNewerError, match="could not be parsed as a valid exclude-newer"):
        parse_exclude_newer(value)


@pytest.mark.parametrize("value", ["1 month", "2 years", "P1M", "P1Y"])
def test_calendar_units_are_refused_with_uvs_advice(value: str) -> None:
    with pytest.raises(ExcludeNewerError, match="not allowed; use days instead"):
        parse_exclude_newer(value)


def test_a_span_cuts_off_that_long_before_now() -> None:
    now = datetime(2026, 1, 10, tzinfo=UTC)
    assert parse_exclude_newer("1 week").cutoff(now) == now - timedelta(days=7)
    assert parse_exclude_newer("PT1H30M").cutoff(now) == now - timedelta(minutes=90)


def test_timestamps_are_normalised_to_utc_seconds() -> None:
    parsed = parse_exclude_newer("2024-03-25T10:00:00+02:00")
    assert parsed.timestamp == "2024-03-25T08:00:00Z"
    assert parsed.cutoff() == datetime(2024, 3, 25, 8, tzinfo=UTC)


def test_the_flag_form_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="Invalid `--exclude-newer` value"):
        exclude_newer_flag("soon")
