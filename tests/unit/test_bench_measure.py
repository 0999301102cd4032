"""Timing plans: warm-ups, rounds interleaved across tools, failures recorded, not raised."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from bench.measure import StepFailed, measure, perform, time_command
from bench.scenarios import Command, CopyFile, ExpectFiles, Plan, Remove


def _no_sync() -> None:
    """The tests' commands write nothing worth flushing; os.sync() on a busy machine is slow."""


def _py(code: str, cwd: Path) -> Command:
    return Command((sys.executable, "-c", code), cwd, {"PATH": "/usr/bin:/bin"})


def _append(log: Path, word: str) -> Command:
    return _py(f"open({str(log)!r}, 'a').write({word + ' '!r})", log.parent)


def test_time_command_measures_and_reports_failures(tmp_path: Path) -> None:
    assert time_command(_py("import time; time.sleep(0.05)", tmp_path), 10) >= 0.05
    failing = _py("import sys; print('line 1\\nthe reason', file=sys.stderr); sys.exit(3)",
                  tmp_path)
    with pytest.raises(StepFailed, match=r"exited 3:\nline 1\nthe reason$"):
        time_command(failing, 10)
    with pytest.raises(StepFailed, match=r"timed out after 0\.2s"):
        time_command(_py("import time; time.sleep(5)", tmp_path), 0.2)
    with pytest.raises(StepFailed, match="could not start"):
        time_command(Command((str(tmp_path / "missing"),), tmp_path, {}), 10)


def test_perform_removes_and_copies(tmp_path: Path) -> None:
    tree = tmp_path / "tree" / "deep"
    tree.mkdir(parents=True)
    (tmp_path / "src.txt").write_text("x")
    perform(Remove(tmp_path / "tree"), 10)
    perform(Remove(tmp_path / "never-existed"), 10)
    perform(CopyFile(tmp_path / "src.txt", tmp_path / "new" / "dst.txt"), 10)
    assert not (tmp_path / "tree").exists()
    assert (tmp_path / "new" / "dst.txt").read_text() == "x"


def test_rounds_interleave_tools_after_their_warmups(tmp_path: Path) -> None:
    log = tmp_path / "log"
    plans = [
        (name, Plan(timed=_append(log, f"{name}-timed"), warmup=(_append(log, f"{name}-warm"),),
                    prepare=(_append(log, f"{name}-prep"),)))
        for name in ("a", "b")
    ]
    outcomes = measure("s", plans, rounds=2, timeout=10, before_timing=_no_sync)
    assert log.read_text().split() == [
        "a-warm", "b-warm",
        "a-prep", "a-timed", "b-prep", "b-timed",
        "a-prep", "a-timed", "b-prep", "b-timed",
    ]
    assert [(o.tool, o.status, len(o.times)) for o in outcomes] == [("a", "ok", 2),
                                                                      ("b", "ok", 2)]


def test_failures_and_missing_operations_do_not_stop_the_others(tmp_path: Path) -> None:
    ok = Plan(timed=_py("pass", tmp_path))
    broken_warmup = Plan(timed=_py("pass", tmp_path),
                         warmup=(_py("raise SystemExit('no warm')", tmp_path),))
    lying = Plan(timed=_py("pass", tmp_path), expect=ExpectFiles((tmp_path / "result",)))
    outcomes = measure("s", [("ok", ok), ("warm", broken_warmup), ("lying", lying),
                             ("none", None)], rounds=3, timeout=10, before_timing=_no_sync)
    by_tool = {o.tool: o for o in outcomes}
    assert [o.tool for o in outcomes] == ["ok", "warm", "lying", "none"]
    assert by_tool["ok"].status == "ok" and len(by_tool["ok"].times) == 3
    assert by_tool["warm"].status == "failed"
    assert by_tool["warm"].error.startswith("warm-up: ")
    assert by_tool["warm"].error.endswith("no warm")
    assert by_tool["lying"].status == "failed"
    assert "did not create" in by_tool["lying"].error
    assert by_tool["none"].status == "n/a"


def test_a_baseline_is_subtracted_from_each_round(tmp_path: Path) -> None:
    plan = Plan(timed=_py("import time; time.sleep(0.06)", tmp_path),
                baseline=_py("import time; time.sleep(0.03)", tmp_path))
    [outcome] = measure("s", [("t", plan)], rounds=1, timeout=10, before_timing=_no_sync)
    assert outcome.status == "ok"
    assert 0.0 <= outcome.times[0] < 0.06


def test_an_overhead_is_the_fastest_timed_run_minus_the_fastest_bare_one(tmp_path: Path
                                                                          ) -> None:
    # Slow only the first time (a one-off hiccup, as load makes): the fastest run ignores it.
    marker = tmp_path / "seen"
    hiccup = f"import pathlib, time; p = pathlib.Path({str(marker)!r})\n" \
             "if not p.exists(): p.touch(); time.sleep(0.5)"
    plan = Plan(timed=_py(hiccup, tmp_path), baseline=_py("pass", tmp_path))
    [outcome] = measure("s", [("t", plan)], rounds=1, timeout=10, before_timing=_no_sync)
    assert marker.exists()
    assert 0.0 <= outcome.times[0] < 0.3
