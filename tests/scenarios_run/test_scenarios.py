"""Every packse-derived scenario (tests/scenarios), graded through ``ferry pip compile``.

The grader is the suite's own ``check_tool.py``, run exactly as an outsider would run it against
any tool: a command template, the scenario's index as the only index, its requirements file, the
target Python (``--python-version``), and ``--universal`` / ``--python-platform`` /
``--prerelease allow`` / ``--no-binary`` / ``--only-binary`` where a scenario asks for them.

The number of passes may never drop below ``expected_passes.txt``; every scenario that fails must
be listed, with the reason, in ``known_failures.txt`` (a new failure is a regression even when
another scenario started passing). Raise the recorded number when ferry improves.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from tests.support.runner import ferry_env

HERE = Path(__file__).resolve().parent
SCENARIOS = HERE.parent / "scenarios"

TEMPLATE = (
    "{python} -m ferry pip compile --index-url {{index_url}} --python-version {{python_version}} "
    "{{prerelease}} {{no_binary}} {{no_build}} {{universal}} {{python_platform}} "
    "{{requirements_file}}"
)
FLAGS = [
    "--prerelease-flag=--prerelease allow",
    "--no-binary-flag=--no-binary {package}",
    "--no-build-flag=--only-binary {package}",
    "--universal-flag=--universal",
    "--platform-flag=--python-platform {platform}",
]


def expected_passes() -> int:
    return int((HERE / "expected_passes.txt").read_text(encoding="utf-8").split()[0])


def known_failures() -> dict[str, str]:
    known: dict[str, str] = {}
    for line in (HERE / "known_failures.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, reason = line.partition(":")
            known[name.strip()] = reason.strip()
    return known


def run_checker(out: Path, env: dict[str, str], *only: str) -> tuple[str, list[dict[str, str]]]:
    """Build the indexes into ``out`` (once) and grade ferry; returns the summary line and the
    per-scenario results."""
    if not (out / "scenarios.json").exists():
        subprocess.run([sys.executable, str(SCENARIOS / "build_index.py"), str(out)],
                       check=True, capture_output=True)
    results = out / "results.json"
    command = TEMPLATE.format(python=shlex.quote(sys.executable))
    jobs = max(2, min(8, (os.cpu_count() or 2)))
    proc = subprocess.run(
        [sys.executable, str(SCENARIOS / "check_tool.py"), str(out), "--cmd", command, *FLAGS,
         "-j", str(jobs), "--timeout", "300", "--json-out", str(results),
         *(["--only", *only] if only else [])],
        capture_output=True, text=True, env=env, check=False,
    )
    summary = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else proc.stderr
    return summary, json.loads(results.read_text(encoding="utf-8"))


@pytest.fixture
def checker_env(tmp_path: Path, isolated_env: Path) -> dict[str, str]:
    """The isolated environment, with one cache shared by every scenario run (as a user's).

    pyenv's shims leave PATH: each one is a shell script that takes ~0.4 s to fail for a version
    it does not manage, and discovery would ask one on each of the ~120 runs. The interpreters
    themselves stay reachable through PYENV_ROOT.
    """
    path = os.pathsep.join(p for p in os.environ.get("PATH", "").split(os.pathsep)
                           if not p.rstrip("/").endswith("shims"))
    return ferry_env({"FERRY_CACHE_DIR": str(tmp_path / "cache"), "PATH": path})


@pytest.mark.slow
def test_every_scenario_through_pip_compile(
    tmp_path: Path, checker_env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    summary, results = run_checker(tmp_path / "indexes", checker_env)
    with capsys.disabled():
        print(f"\nscenarios through `ferry pip compile`: {summary}")
    match = re.match(r"(\d+) passed, (\d+) failed", summary)
    assert match, summary
    passed = int(match.group(1))
    known = known_failures()
    failed = {r["name"]: r for r in results if r["status"] == "FAIL"}
    unexpected = {
        name: f"{r['detail']}\n    $ {r.get('command', '')}\n    "
        + "\n    ".join((r.get("stderr") or "").strip().splitlines()[-8:])
        for name, r in failed.items() if name not in known
    }
    assert not unexpected, "new failures:\n" + "\n".join(f"{k}: {v}" for k, v in
                                                         unexpected.items())
    assert passed >= expected_passes(), summary
    assert len(results) == sum(1 for _ in (tmp_path / "indexes").glob("*/scenario.json"))


def test_checker_grades_a_pass_and_an_expected_failure(
    tmp_path: Path, checker_env: dict[str, str]
) -> None:
    """The wiring itself: a satisfiable and an unsatisfiable scenario, graded quickly."""
    summary, results = run_checker(tmp_path / "indexes", checker_env,
                                   "example", "requires-package-does-not-exist")
    assert summary == "2 passed, 0 failed", results
    by_name = {r["name"]: r for r in results}
    assert by_name["example"]["detail"] == "resolved to expected versions"
    assert by_name["requires-package-does-not-exist"]["exit_code"] == 1


def test_known_failures_are_real_scenarios() -> None:
    listing = subprocess.run([sys.executable, str(SCENARIOS / "build_index.py"), "--list"],
                             capture_output=True, text=True, check=True).stdout
    names = {line.split()[0] for line in listing.splitlines() if line.strip()}
    assert set(known_failures()) <= names
    assert expected_passes() + len(known_failures()) <= len(names)
