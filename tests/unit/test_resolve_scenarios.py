"""The packse-derived scenarios (tests/scenarios), resolved in memory from each scenario.json.

Only platform-specific scenarios are run: universal (lock-style) resolution is not this
resolver's job. Two scenarios are known divergences, kept visible as strict xfails.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from packaging import tags as ptags
from test_resolve_semantics import MARKERS

from ferry.model.errors import ResolutionError
from ferry.model.pep440_version import Version
from ferry.model.pep508_requirements import Requirement
from ferry.resolve.algorithm import resolve
from ferry.resolve.memory import MemorySource
from ferry.resolve.options import ResolverOptions, TargetEnvironment

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
PLATFORM = ["manylinux_2_17_x86_64", "manylinux2014_x86_64", "linux_x86_64"]
DIVERGENT = {
    "package-only-prereleases-in-range": "a range only pre-releases satisfy admits them (pip)",
    "transitive-package-only-prereleases-in-range": "same rule, one level down",
}


def _names() -> list[Any]:
    if not (SCENARIOS / "build_index.py").exists():
        return []
    listing = subprocess.run([sys.executable, str(SCENARIOS / "build_index.py"), "--list"],
                             capture_output=True, text=True, check=True).stdout
    names = [line.split()[0] for line in listing.splitlines() if line.strip()]
    return [
        pytest.param(n, marks=pytest.mark.xfail(strict=True, reason=DIVERGENT[n]))
        if n in DIVERGENT else n
        for n in names
    ]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("scenarios")
    subprocess.run([sys.executable, str(SCENARIOS / "build_index.py"), str(out)],
                   capture_output=True, check=True)
    return out


def _target(scenario: dict[str, Any]) -> TargetEnvironment:
    version = Version(scenario["target"]["python_version"])
    short = version.release[:2]
    tags = [*ptags.cpython_tags(python_version=short, platforms=PLATFORM),
            *ptags.compatible_tags(python_version=short, platforms=PLATFORM)]
    options = scenario["resolver_options"]
    return TargetEnvironment(MARKERS, [str(t) for t in tags], version,
                             no_binary=frozenset(options["no_binary"]),
                             no_build=frozenset(options["no_build"]))


@pytest.mark.parametrize("name", _names())
def test_scenario(built: Path, name: str) -> None:
    path = built / name / "scenario.json"
    if not path.exists():
        pytest.skip("not built")
    scenario = json.loads(path.read_text())
    if scenario["target"]["universal"]:
        pytest.skip("universal resolution is out of scope for the pip resolver")
    options = ResolverOptions(
        prerelease="allow" if scenario["resolver_options"]["prereleases"] else
        "if-necessary-or-explicit")
    expected = scenario["expected"]
    try:
        result = resolve([Requirement(r) for r in scenario["root"]["requires"]], [],
                         MemorySource(scenario["packages"]), _target(scenario), options)
    except ResolutionError as error:
        assert not expected["satisfiable"], f"{scenario['description']}: {error.causes}"
        assert error.causes
        return
    assert expected["satisfiable"], f"{scenario['description']}: got {result.pins()}"
    pins = {f"{d.name}=={d.version}" for d in result.dists}
    assert set(expected["pins"]) <= pins
