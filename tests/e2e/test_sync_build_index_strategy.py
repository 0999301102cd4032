"""`ferry sync --index-strategy` also steers the resolution of build requirements.

An sdist in the lock is built at sync time; its build requirements are resolved from the
indexes then. They used to be resolved with `first-index` whatever the command line said.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.e2e.seedkit import installed, ok, write_project
from tests.support.index import LocalIndex


@pytest.mark.parametrize(("strategy", "helper"), [("first-index", "1.0"),
                                                  ("unsafe-best-match", "2.0")])
def test_build_requirements_follow_the_index_strategy(
    run, tmp_path: Path, strategy: str, helper: str  # type: ignore[no-untyped-def]
) -> None:
    first = LocalIndex(tmp_path / "first")
    first.add_wheel("helper", "1.0")
    first.add_sdist("one", "1.0", build_requires=["helper"])
    second = LocalIndex(tmp_path / "second")
    second.add_wheel("helper", "2.0")
    project = write_project(tmp_path / "proj", "proj", ["one"])
    indexes = ("--extra-index-url", first.file_url, "--index-url", second.file_url)
    ok(run("lock", *indexes, cwd=project))
    result = ok(run("sync", "-v", *indexes, "--index-strategy", strategy, cwd=project))
    assert installed(project / ".venv") == {"one": "1.0"}
    assert f"helper=={helper}" in result.stderr, result.stderr
