"""examples/hello-ferry stays consistent: its pins satisfy its dependencies, and it runs."""

from __future__ import annotations

import subprocess
import sys
import tomllib

import pytest
from packaging.utils import canonicalize_name
from tests.support.runner import REPO_ROOT

from ferry.model.pep508_requirements import Requirement

EXAMPLE = REPO_ROOT / "examples" / "hello-ferry"


def test_requirements_pin_every_dependency_exactly() -> None:
    project = tomllib.loads((EXAMPLE / "pyproject.toml").read_text())["project"]
    assert project["name"] == "hello-ferry" and project["requires-python"] == ">=3.9"
    deps = {canonicalize_name(r.name): r for r in map(Requirement, project["dependencies"])}
    lines = (EXAMPLE / "requirements.txt").read_text().splitlines()
    pins = [Requirement(line) for line in lines if line.strip() and not line.startswith("#")]
    assert {canonicalize_name(p.name) for p in pins} == set(deps)
    for pin in pins:
        (spec,) = pin.specifier
        assert spec.operator == "=="
        assert deps[canonicalize_name(pin.name)].specifier.contains(spec.version)


def test_greeting_runs() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", "import hello_ferry; hello_ferry.main()"],
        env={"PYTHONPATH": str(EXAMPLE / "src"), "PYTHONDONTWRITEBYTECODE": "1"},
        capture_output=True, text=True, check=False,
    )
    if "No module named 'idna'" in proc.stderr or "No module named 'certifi'" in proc.stderr:
        pytest.skip("idna/certifi are not installed in the test environment")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("Hello from ferry! fähre.example travels as xn--fhre-loa.example")
