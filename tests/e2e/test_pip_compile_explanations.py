"""What ``ferry pip compile`` says when there is no solution: snapshots of the exact text.

Each case is an unsatisfiable scenario of tests/scenarios (built without the name prefix, so the
packages read ``a``, ``b``, ``c``), compiled through the CLI for a fixed target (``--python-platform
linux`` and the scenario's Python), so the words do not depend on the machine. The snapshots in
``snapshots/explain/`` are meant to be read: each names the user's requirements and the chain of
dependencies that conflict. ``UPDATE_SNAPSHOTS=1`` rewrites them after a deliberate change.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.support.runner import Runner

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
SNAPSHOTS = Path(__file__).resolve().parent / "snapshots" / "explain"

CASES = [
    "requires-package-does-not-exist",
    "transitive-requires-package-does-not-exist",
    "backtrack-to-missing-package",
    "requires-greater-version-does-not-exist",
    "excluded-only-version",
    "post-equal-not-available",
    "dependency-excludes-range-of-compatible-versions",
    "transitive-incompatible-with-root-version",
    "transitive-incompatible-with-transitive",
    "extra-incompatible-with-extra",
    "extra-incompatible-with-root",
    "local-transitive-conflicting",
    "package-only-yanked",
    "transitive-yanked-and-unyanked-dependency",
    "python-greater-than-current-excluded",
    "only-wheels-no-binary",
    "no-sdist-no-wheels-with-matching-platform",
    "transitive-prerelease-and-stable-dependency",
    "fork-marker-disjoint",
]


@pytest.fixture(scope="module")
def indexes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("explain")
    subprocess.run(
        [sys.executable, str(SCENARIOS / "build_index.py"), str(out), "--no-prefix",
         "--only", *CASES],
        check=True, capture_output=True,
    )
    return out


def compile_args(scenario: dict[str, object], folder: Path) -> list[str]:
    """The scenario's compile command, as check_tool.py would phrase it for ferry."""
    options = scenario["resolver_options"]
    target = scenario["target"]
    assert isinstance(options, dict) and isinstance(target, dict)
    args = ["pip", "compile", "-p", sys.executable,
            "--index-url", (folder / "simple").as_uri() + "/"]
    if options.get("universal"):
        args += ["--universal", "--python-version", str(target["python_floor"])]
    else:
        args += ["--python-version", str(target["python_version"]),
                 "--python-platform", options.get("python_platform") or "linux"]
    if options.get("prereleases"):
        args += ["--prerelease", "allow"]
    for name in options.get("no_binary") or []:
        args += ["--no-binary", name]
    for name in options.get("no_build") or []:
        args += ["--only-binary", name]
    return [*args, str(folder / "requirements.in")]


@pytest.mark.parametrize("name", CASES)
def test_explanation_snapshot(
    name: str, indexes: Path, run: Runner, filter_output: Callable[[str], str]
) -> None:
    folder = indexes / name
    scenario = json.loads((folder / "scenario.json").read_text(encoding="utf-8"))
    assert scenario["expected"]["satisfiable"] is False
    result = run(*compile_args(scenario, folder))
    assert result.code == 1, result.stderr
    assert result.stdout == ""
    text = filter_output(result.stderr).replace(str(indexes), "[INDEXES]")
    assert "Traceback" not in text
    snapshot = SNAPSHOTS / f"{name}.txt"
    if os.environ.get("UPDATE_SNAPSHOTS") or not snapshot.exists():
        snapshot.parent.mkdir(parents=True, exist_ok=True)
        snapshot.write_text(text, encoding="utf-8")
        if not os.environ.get("UPDATE_SNAPSHOTS"):
            pytest.fail(f"wrote the missing snapshot {snapshot.name}; check it and run again")
    assert text == snapshot.read_text(encoding="utf-8")


def test_every_snapshot_has_a_case() -> None:
    """A renamed or dropped case must not leave a stale snapshot behind."""
    assert sorted(p.stem for p in SNAPSHOTS.glob("*.txt")) == sorted(CASES)
