"""Carry out plans and time them, tools interleaved round by round.

Round-robin (round 1 of every tool, then round 2 of every tool …) rather than all rounds of one
tool then all of the next: a machine that gets busier or quieter during the run then shifts
every tool's numbers alike, and the ratios — the numbers that count — stay honest.

Only the timed command's wall time is measured (``perf_counter`` around the subprocess);
preparing a fresh environment or emptying a cache is not, and the file system is synced
before each timed command. A tool that fails (non-zero exit,
timeout, or an ``expect`` check) is recorded as failed with the tail of its output, and the run
goes on with the others.
"""

from __future__ import annotations

import os
import shlex
import shutil
import statistics
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from bench.scenarios import Action, Command, CopyFile, Plan, Remove, WriteFile

__all__ = ["Outcome", "StepFailed", "measure", "perform", "time_command"]

# n/a: the tool has no such operation; missing: the tool is not installed.
Status = Literal["ok", "failed", "n/a", "missing"]
TAIL_LINES = 15
BASELINE_RUNS = 5


@dataclass(frozen=True, slots=True)
class Outcome:
    """One tool in one scenario: its round times, or why it has none."""

    scenario: str
    tool: str
    status: Status
    times: tuple[float, ...] = ()
    error: str = ""

    @property
    def median(self) -> float | None:
        return statistics.median(self.times) if self.status == "ok" and self.times else None


class StepFailed(Exception):
    """A command of a plan failed; ``str()`` names the command and ends with its output's tail."""


def _tail(text: str, lines: int = TAIL_LINES) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def time_command(cmd: Command, timeout: float) -> float:
    """Run ``cmd`` and return its wall time in seconds; raise ``StepFailed`` if it fails."""
    start = time.perf_counter()
    try:
        proc = subprocess.run(list(cmd.argv), cwd=cmd.cwd, env=cmd.env, capture_output=True,
                              text=True, errors="replace", timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        raise StepFailed(f"`{shlex.join(cmd.argv)}` timed out after {timeout:g}s") from exc
    except OSError as exc:
        raise StepFailed(f"`{shlex.join(cmd.argv)}` could not start: {exc}") from exc
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        output = _tail(proc.stderr) or _tail(proc.stdout)
        raise StepFailed(f"`{shlex.join(cmd.argv)}` exited {proc.returncode}:\n{output}")
    return elapsed


def _overhead(timed: Command, baseline: Command, timeout: float) -> float:
    """What ``timed`` adds to ``baseline``: the fastest of a few runs of each, alternated.

    Both are small, and load only ever adds time: one sample of each would let the noise
    swamp a difference of a few milliseconds (or turn it negative), the fastest of several
    does not; alternating them lets a change in load hit both alike.
    """
    fastest_timed = fastest_base = float("inf")
    for _ in range(BASELINE_RUNS):
        fastest_timed = min(fastest_timed, time_command(timed, timeout))
        fastest_base = min(fastest_base, time_command(baseline, timeout))
    return max(0.0, fastest_timed - fastest_base)


def settle() -> None:
    """Flush dirty pages before a timed command, so it does not pay for the previous one's
    writes (a removed cache of a few hundred megabytes is still being written back)."""
    if hasattr(os, "sync"):
        os.sync()


def perform(action: Action, timeout: float) -> None:
    """Carry out one untimed action."""
    if isinstance(action, Command):
        time_command(action, timeout)
    elif isinstance(action, Remove):
        if action.path.is_dir() and not action.path.is_symlink():
            shutil.rmtree(action.path)
        else:
            action.path.unlink(missing_ok=True)
    elif isinstance(action, CopyFile):
        action.dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(action.src, action.dst)
    elif isinstance(action, WriteFile):
        action.dst.parent.mkdir(parents=True, exist_ok=True)
        action.dst.write_text(action.text)


def measure(
    scenario: str,
    plans: Sequence[tuple[str, Plan | None]],
    *,
    rounds: int,
    timeout: float,
    progress: Callable[[str], None] = lambda _: None,
    before_timing: Callable[[], None] = settle,
) -> list[Outcome]:
    """Warm up every tool, then time ``rounds`` rounds of each, interleaved; one Outcome each."""
    outcomes: dict[str, Outcome] = {}
    times: dict[str, list[float]] = {}
    live: list[tuple[str, Plan]] = []
    for tool, plan in plans:
        if plan is None:
            outcomes[tool] = Outcome(scenario, tool, "n/a")
            continue
        try:
            for action in plan.warmup:
                perform(action, timeout)
        except StepFailed as exc:
            outcomes[tool] = Outcome(scenario, tool, "failed", error=f"warm-up: {exc}")
            continue
        live.append((tool, plan))
        times[tool] = []
    for number in range(rounds):
        for tool, plan in list(live):
            try:
                for action in plan.prepare:
                    perform(action, timeout)
                before_timing()
                if plan.baseline is None:
                    elapsed = time_command(plan.timed, timeout)
                else:
                    elapsed = _overhead(plan.timed, plan.baseline, timeout)
                problem = plan.expect.problem() if plan.expect and number == 0 else None
                if problem:
                    raise StepFailed(f"`{shlex.join(plan.timed.argv)}` {problem}")
            except StepFailed as exc:
                outcomes[tool] = Outcome(scenario, tool, "failed", error=str(exc))
                live.remove((tool, plan))
                continue
            times[tool].append(elapsed)
            progress(f"{scenario} {tool} round {number + 1}/{rounds}: {elapsed:.3f}s")
    for tool, _ in live:
        outcomes[tool] = Outcome(scenario, tool, "ok", tuple(times[tool]))
    return [outcomes[tool] for tool, _ in plans]
