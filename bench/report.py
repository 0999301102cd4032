"""The result as Markdown: one row per scenario, medians per tool, then the ratios that count.

Ratios are the headline (ferry/uv: lower is better; pip/ferry, pdm/ferry…: higher is better),
each marked against the issue's target; absolute times stay beside them only so a reader can
tell a 2x on 5 ms from a 2x on 5 s.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bench.measure import Outcome
from bench.scenarios import Scenario, Target

__all__ = [
    "Ratio",
    "format_ratio",
    "format_seconds",
    "ratio_columns",
    "render_failures",
    "render_not_applicable",
    "render_rounds",
    "render_table",
]

FERRY, UV = "ferry", "uv"
TIMES = "\N{MULTIPLICATION SIGN}"
NONE = "\N{EN DASH}"  # no value: the tool was not measured or did not finish


@dataclass(frozen=True, slots=True)
class Ratio:
    """``numerator/denominator`` of two tools' medians."""

    numerator: str
    denominator: str

    @property
    def label(self) -> str:
        return f"{self.numerator}/{self.denominator}"

    def value(self, medians: Mapping[str, float | None]) -> float | None:
        top, bottom = medians.get(self.numerator), medians.get(self.denominator)
        if top is None or bottom is None or bottom <= 0:
            return None
        return top / bottom

    def meets(self, value: float, target: Target) -> bool | None:
        """Whether ``value`` meets ``target``; None when the target says nothing of this pair."""
        if self.numerator == FERRY and self.denominator == UV:
            return value <= target.vs_uv
        if self.denominator == FERRY and self.numerator in target.slow.split(", "):
            return value >= target.vs_slow
        return None


def ratio_columns(tools: Sequence[str]) -> list[Ratio]:
    """ferry/uv, then <slow tool>/ferry for every other tool — when ferry is measured."""
    if FERRY not in tools:
        return []
    ratios = [Ratio(FERRY, UV)] if UV in tools else []
    return ratios + [Ratio(t, FERRY) for t in tools if t not in (FERRY, UV)]


def format_seconds(seconds: float | None) -> str:
    if seconds is None:
        return NONE
    if seconds < 0.0095:
        return f"{seconds * 1000:.1f} ms"
    if seconds < 0.9995:  # what rounds to "1000 ms" reads better as "1.00 s"
        return f"{seconds * 1000:.0f} ms"
    return f"{seconds:.2f} s"


def format_ratio(value: float | None, meets: bool | None = None) -> str:
    if value is None:
        return NONE
    text = f"{value:.2f}{TIMES}" if value < 10 else f"{value:.0f}{TIMES}"
    return text + {True: " ✓", False: " ✗", None: ""}[meets]


def _cell(outcome: Outcome | None) -> str:
    if outcome is None:
        return NONE
    if outcome.status == "ok":
        return format_seconds(outcome.median)
    return "not installed" if outcome.status == "missing" else outcome.status


def render_table(
    scenarios: Sequence[Scenario], tools: Sequence[str],
    outcomes: Mapping[tuple[str, str], Outcome],
) -> str:
    """Markdown table; ``outcomes`` is keyed by (scenario name, tool name)."""
    ratios = ratio_columns(tools)
    header = ["scenario", *tools, *(r.label for r in ratios), "target"]
    lines = ["| " + " | ".join(header) + " |",
             "|" + "|".join(["---"] + ["---:"] * (len(header) - 2) + ["---"]) + "|"]
    for scenario in scenarios:
        row = [scenario.name]
        medians: dict[str, float | None] = {}
        for tool in tools:
            outcome = outcomes.get((scenario.name, tool))
            medians[tool] = outcome.median if outcome else None
            row.append(_cell(outcome))
        for ratio in ratios:
            value = ratio.value(medians)
            meets = ratio.meets(value, scenario.target) if value is not None else None
            row.append(format_ratio(value, meets))
        row.append(scenario.target.describe())
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines) + "\n"


def render_rounds(outcomes: Sequence[Outcome]) -> str:
    """Every round's time, so a reader can judge the noise behind each median."""
    rows = [o for o in outcomes if o.status == "ok"]
    if not rows:
        return ""
    lines = ["## Rounds", "", "| scenario | tool | times |", "|---|---|---|"]
    for o in rows:
        times = ", ".join(format_seconds(t) for t in o.times)
        lines.append(f"| {o.scenario} | {o.tool} | {times} |")
    return "\n".join(lines) + "\n"


def render_failures(outcomes: Sequence[Outcome]) -> str:
    """A section with each failure's command and output tail ("" when nothing failed)."""
    failed = [o for o in outcomes if o.status == "failed"]
    if not failed:
        return ""
    parts = ["## Failures", ""]
    for outcome in failed:
        parts += [f"**{outcome.tool}, {outcome.scenario}**", "", "```", outcome.error, "```", ""]
    return "\n".join(parts)


def render_not_applicable(outcomes: Sequence[Outcome]) -> str:
    """Why each ``n/a`` cell is one: per tool and reason, the scenarios it covers."""
    grouped: dict[tuple[str, str], list[str]] = {}
    for o in outcomes:
        if o.status == "n/a":
            grouped.setdefault((o.tool, o.error or "no such operation"), []).append(o.scenario)
    if not grouped:
        return ""
    lines = ["## Not applicable", ""]
    lines += [f"- **{tool}** ({', '.join(scenarios)}): {reason}"
              for (tool, reason), scenarios in grouped.items()]
    return "\n".join(lines) + "\n"
