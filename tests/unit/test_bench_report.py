"""The benchmark's table: medians per tool, ratios marked against the issues' targets."""

# The table's own characters (multiplication sign, en dash) are what is asserted here.
# ruff: noqa: RUF001

from __future__ import annotations

import pytest
from bench.measure import Outcome
from bench.report import (
    Ratio,
    format_ratio,
    format_seconds,
    ratio_columns,
    render_failures,
    render_rounds,
    render_table,
)
from bench.scenarios import SCENARIOS


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(None, "–"), (0.0042, "4.2 ms"), (0.0123, "12 ms"), (0.5, "500 ms"),
     (0.9996, "1.00 s"), (1.0, "1.00 s"), (14.087, "14.09 s")],
)
def test_format_seconds(seconds: float | None, text: str) -> None:
    assert format_seconds(seconds) == text


def test_format_ratio() -> None:
    assert format_ratio(None) == "–"
    assert format_ratio(1.234) == "1.23×"
    assert format_ratio(1.234, True) == "1.23× ✓"
    assert format_ratio(35.6, False) == "36× ✗"


def test_ratio_columns_need_ferry_and_name_the_slow_tools_against_it() -> None:
    assert ratio_columns(["uv", "pip"]) == []
    assert ratio_columns(["ferry", "uv", "pip"]) == [Ratio("ferry", "uv"), Ratio("pip", "ferry")]
    assert ratio_columns(["pip", "ferry"]) == [Ratio("pip", "ferry")]


def test_ratio_is_judged_only_against_the_targets_it_has() -> None:
    pip_target = SCENARIOS["pip-install-warm"].target  # ferry/uv <= 2, pip/ferry >= 10
    assert Ratio("ferry", "uv").meets(2.0, pip_target) is True
    assert Ratio("ferry", "uv").meets(2.01, pip_target) is False
    assert Ratio("pip", "ferry").meets(9.9, pip_target) is False
    assert Ratio("pdm", "ferry").meets(100, pip_target) is None  # issue 2 names pip only
    lock_target = SCENARIOS["lock-cold"].target
    assert Ratio("poetry", "ferry").meets(5, lock_target) is True
    assert Ratio("ferry", "uv").value({"ferry": 3.0, "uv": 0.0}) is None
    assert Ratio("ferry", "uv").value({"ferry": 3.0, "uv": None}) is None


def test_table_rows_show_medians_ratios_and_failures() -> None:
    scenarios = [SCENARIOS["pip-install-warm"], SCENARIOS["lock-cold"]]
    outcomes = {
        ("pip-install-warm", "ferry"): Outcome("pip-install-warm", "ferry", "ok", (0.6, 0.5, 9)),
        ("pip-install-warm", "uv"): Outcome("pip-install-warm", "uv", "ok", (0.4,)),
        ("pip-install-warm", "pip"): Outcome("pip-install-warm", "pip", "ok", (12.0,)),
        ("lock-cold", "ferry"): Outcome("lock-cold", "ferry", "failed", error="boom"),
        ("lock-cold", "uv"): Outcome("lock-cold", "uv", "ok", (0.25,)),
        ("lock-cold", "pip"): Outcome("lock-cold", "pip", "n/a"),
        ("lock-cold", "pdm"): Outcome("lock-cold", "pdm", "missing"),
    }
    lines = render_table(scenarios, ["ferry", "uv", "pip", "pdm"], outcomes).splitlines()
    assert lines[0] == (
        "| scenario | ferry | uv | pip | pdm | ferry/uv | pip/ferry | pdm/ferry | target |"
    )
    assert lines[1] == "|---|---:|---:|---:|---:|---:|---:|---:|---|"
    assert lines[2] == (
        "| pip-install-warm | 600 ms | 400 ms | 12.00 s | – | 1.50× ✓ | 20× ✓ | – "
        "| ferry/uv ≤ 2×; pip/ferry ≥ 10× |"
    )
    assert lines[3] == (
        "| lock-cold | failed | 250 ms | n/a | not installed | – | – | – "
        "| ferry/uv ≤ 2×; pdm/ferry, poetry/ferry ≥ 5× |"
    )


def test_failures_section_quotes_each_error() -> None:
    ok = Outcome("venv", "uv", "ok", (0.01,))
    assert render_failures([ok]) == ""
    failed = Outcome("venv", "ferry", "failed", error="`ferry venv` exited 2:\nno")
    text = render_failures([ok, failed])
    assert text.startswith("## Failures")
    assert "**ferry, venv**\n\n```\n`ferry venv` exited 2:\nno\n```" in text


def test_median_only_for_successes() -> None:
    assert Outcome("s", "t", "ok", (3.0, 1.0, 2.0)).median == 2.0
    assert Outcome("s", "t", "failed", (3.0,)).median is None
    assert Outcome("s", "t", "ok").median is None


def test_rounds_section_lists_every_time_of_the_successes() -> None:
    outcomes = [Outcome("venv", "uv", "ok", (0.02, 0.03)), Outcome("venv", "ferry", "failed")]
    assert render_rounds(outcomes) == (
        "## Rounds\n\n| scenario | tool | times |\n|---|---|---|\n| venv | uv | 20 ms, 30 ms |\n"
    )
    assert render_rounds(outcomes[1:]) == ""
