"""``python bench/run.py``: ferry beside uv, pip, pdm, poetry and pip-tools, on a loopback mirror.

    python bench/run.py [--workload web] [--rounds 3] [--tools ferry,uv,pip|all]
                        [--scenario venv,pip-install-cold,pip-install-warm,...]

Prints a Markdown table (medians, then ratios marked against the issues' targets) and writes
it, with the exact command line on top, to ``bench/results/<workload>.md``. See bench/README.md.
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.measure import Outcome, measure
from bench.mirror import (
    BENCH_DIR,
    WORKLOADS_DIR,
    Mirror,
    PreparedWorkload,
    TargetPython,
    find_target_python,
    prepare_workload,
)
from bench.peer_envs import PeerInstallError
from bench.report import render_failures, render_not_applicable, render_rounds, render_table
from bench.scenarios import SCENARIOS, Scenario
from bench.server import MirrorServer
from bench.tools import Sandbox, Tool
from bench.toolset import ALL, DEFAULT_TOOLS, TOOLS, make_tool
from bench.upstream import UpstreamError

__all__ = ["main", "parse_args"]

logger = logging.getLogger("bench")



def _names(value: str, known: Sequence[str], what: str) -> list[str]:
    names = [n.strip() for n in value.split(",") if n.strip()]
    if names == [ALL]:
        return list(known)
    unknown = [n for n in names if n not in known]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown {what}: {', '.join(unknown) or '(none)'} (known: {', '.join(known)})"
        )
    return names


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="bench/run.py", description="Benchmark ferry beside uv and pip on a loopback mirror."
    )
    parser.add_argument("--workload", default="web",
                        choices=sorted(p.name for p in WORKLOADS_DIR.iterdir() if p.is_dir()))
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds per tool (median)")
    parser.add_argument("--tools", default=",".join(DEFAULT_TOOLS),
                        type=lambda v: _names(v, list(TOOLS), "tool"),
                        help=f"comma-separated, in column order, or `all` ({', '.join(TOOLS)});"
                             f" default {','.join(DEFAULT_TOOLS)}")
    parser.add_argument("--scenario", "--scenarios", dest="scenarios",
                        default=",".join(SCENARIOS),
                        type=lambda v: _names(v, list(SCENARIOS), "scenario"))
    parser.add_argument("--python", default="python3",
                        help="the interpreter environments are made from (default: python3)")
    parser.add_argument("--port", type=int, default=0, help="mirror port (default: any free)")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per command")
    parser.add_argument("--refresh-mirror", action="store_true",
                        help="re-pin the workload against the upstream index")
    parser.add_argument("--keep", action="store_true", help="keep the work directory afterwards")
    parser.add_argument("--work-dir", type=Path, default=None,
                        help="where caches, environments and projects go (default: bench/.work;"
                             " a tmpfs takes the disk out of the numbers)")
    parser.add_argument("--no-write", action="store_true",
                        help="print only; do not write bench/results/<workload>.md")
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    return args


def _checkout() -> str:
    """The commit of the ferry checkout measured (with "+dirty" when it has local changes)."""
    repo = BENCH_DIR.parent

    def git(*args: str) -> str:
        proc = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True,
                              check=False)
        return proc.stdout.strip() if proc.returncode == 0 else ""

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    return commit + ("+dirty" if git("status", "--porcelain", "--", "src") else "")


def _load() -> str:
    """The 1-minute load average: on a busy machine every time is longer and noisier."""
    return f"{os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else "?"


def _header(
    argv: Sequence[str], prepared: PreparedWorkload, target: TargetPython, tools: Sequence[Tool],
    versions: dict[str, str], rounds: int, files: str, load: str,
) -> str:
    lines = [
        f"# Benchmark: `{prepared.name}` workload",
        "",
        "```",
        shlex.join(["python", "bench/run.py", *argv]),
        "```",
        "",
        f"- {time.strftime('%Y-%m-%d %H:%M %Z')}; {platform.system()} {platform.machine()}, "
        f"{os.cpu_count()} CPUs; target Python {target.version} (`{target.executable}`)",
        f"- {len(prepared.pins)} pinned packages, from a loopback mirror of {files} "
        "(all workloads; HTML pages, HTTP ranges, no PEP 658 metadata)",
        f"- median of {rounds} round(s) per tool, tools interleaved round by round; "
        f"load average {load}",
        "- " + "; ".join(
            f"{tool}: {version}" + (f" (checkout {_checkout()})" if tool == "ferry" else "")
            for tool, version in versions.items()
        ),
    ]
    pinned = [f"{tool.name}: `{pins}`" for tool in tools if (pins := tool.pins())]
    if pinned:
        lines.append(
            "- installed by the bench into private venvs (`bench/.peers/`) from pip's configured "
            "index, pinned: " + "; ".join(pinned) + ". Each runs with its own cache, config and "
            "data directories, the mirror as its only index, and every proxy variable on a "
            "closed loopback port (no network beyond the mirror); see bench/peers.py"
        )
    if prepared.unavailable:
        names = ", ".join(prepared.unavailable)
        lines.append(f"- no wheel mirrored for universal-only pins: {names}")
    return "\n".join(lines) + "\n"


def run_scenarios(
    scenarios: Sequence[Scenario], tools: Sequence[Tool], prepared: PreparedWorkload,
    target: TargetPython, server: MirrorServer, work: Path, *, rounds: int, timeout: float,
    keep: bool, missing: frozenset[str] = frozenset(),
) -> list[Outcome]:
    """Measure every scenario for every tool; ``missing`` tools are reported, not run."""
    outcomes: list[Outcome] = []
    expected = frozenset(p.name for p in prepared.pins)
    for scenario in scenarios:
        plans = []
        reasons: dict[str, str] = {}  # why a tool has no plan here, for the report
        for tool in tools:
            if tool.name in missing:
                continue
            root = work / scenario.name / tool.name
            root.mkdir(parents=True, exist_ok=True)
            box = Sandbox(root=root, python=target.executable, index_url=server.simple_url,
                          requirements=prepared.requirements,
                          pyproject=prepared.project_dir / "pyproject.toml", expected=expected)
            reason = tool.not_applicable.get(scenario.name)
            plan = None if reason else scenario.build(tool, box)
            if plan is None:
                reasons[tool.name] = reason or f"{tool.name} has no such operation"
            plans.append((tool.name, plan))
        logger.info("scenario %s: %s", scenario.name, scenario.summary)
        measured = measure(scenario.name, plans, rounds=rounds, timeout=timeout,
                           progress=logger.info)
        outcomes += [replace(o, error=reasons[o.tool]) if o.status == "n/a" else o
                     for o in measured]
        outcomes += [Outcome(scenario.name, name, "missing") for name in sorted(missing)]
        if not keep:
            shutil.rmtree(work / scenario.name, ignore_errors=True)
    return outcomes


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(arguments)
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    mirror = Mirror(BENCH_DIR / ".mirror")
    try:
        target = find_target_python(args.python)
        prepared = prepare_workload(mirror, WORKLOADS_DIR / args.workload, target,
                                    refresh=args.refresh_mirror)
    except UpstreamError as exc:
        print(f"error: preparing the mirror failed: {exc}", file=sys.stderr)
        return 2
    tools = [make_tool(name) for name in args.tools]
    for tool in tools:
        try:
            tool.install(target.executable)
        except PeerInstallError as exc:
            logger.error("%s is not installed: %s", tool.name, exc)
    versions = {tool.name: tool.version() or "not installed" for tool in tools}
    missing = frozenset(name for name, version in versions.items() if version == "not installed")
    scenarios = [SCENARIOS[name] for name in args.scenarios]
    # Absolute: the tools run in their sandbox directories, where a relative path means another.
    work = (args.work_dir or BENCH_DIR / ".work").resolve() / prepared.name
    shutil.rmtree(work, ignore_errors=True)
    load_before = _load()
    with MirrorServer(mirror.root, args.port) as server:
        logger.info("mirror on %s", server.simple_url)
        outcomes = run_scenarios(scenarios, tools, prepared, target, server, work,
                                 rounds=args.rounds, timeout=args.timeout, keep=args.keep,
                                 missing=missing)
    load = f"{load_before} at the start, {_load()} at the end"
    wheels = sum(1 for p in mirror.files.iterdir() if p.name.endswith(".whl"))
    sdists = sum(1 for p in mirror.files.iterdir() if p.name.endswith((".tar.gz", ".zip")))
    files = f"{wheels} wheels and {sdists} sdists"
    table = render_table(scenarios, args.tools, {(o.scenario, o.tool): o for o in outcomes})
    repo = str(BENCH_DIR.parent) + os.sep
    failures = render_failures(outcomes).replace(repo, "")
    parts = [_header(arguments, prepared, target, tools, versions, args.rounds, files, load),
             table, render_not_applicable(outcomes), failures, render_rounds(outcomes)]
    report = "\n".join(part for part in parts if part).rstrip() + "\n"
    print(report)
    if not args.no_write:
        out = BENCH_DIR / "results" / f"{prepared.name}.md"
        out.parent.mkdir(exist_ok=True)
        out.write_text(report)
        logger.info("written to %s", out.relative_to(BENCH_DIR.parent))
    return 0


if __name__ == "__main__":
    sys.exit(main())
