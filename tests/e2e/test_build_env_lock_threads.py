"""One `ferry sync` building two sdists that share a build environment: no lock warning.

The two builds run on two threads of one process and both want the build environment for the
same requirements. ferry used to tell the user `waiting for lock on build environment … is
another ferry process running?` about its own lock; threads now take turns silently (a DEBUG
line under `-v`), while another process holding the lock still gets the warning.
"""

from __future__ import annotations

from pathlib import Path

from tests.e2e.seedkit import installed, ok, write_project


def _two_sdists_sharing_a_build_env(index_server) -> None:  # type: ignore[no-untyped-def]
    index = index_server.index
    index.add_wheel("helper", "1.0")
    index.add_sdist("one", "1.0", build_requires=["helper"])
    index.add_sdist("two", "1.0", build_requires=["helper"])
    # The first build holds the environment's lock while its requirement downloads slowly, so
    # the second build certainly finds it taken.
    index_server.delay("*/helper-1.0*", 1.0)


def test_sync_building_two_sdists_does_not_warn_about_its_own_lock(
    run, index_server, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    _two_sdists_sharing_a_build_env(index_server)
    project = write_project(tmp_path / "proj", "proj", ["one", "two"])
    result = ok(run("sync", "-v", "--index-url", index_server.simple_url, cwd=project))
    assert "another ferry process" not in result.stderr, result.stderr
    assert not [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert installed(project / ".venv") == {"one": "1.0", "two": "1.0"}
    # The second build waited for the first and reused its environment: one was created.
    assert len(list((tmp_path / "cache" / "environments-v1" / "build").glob("*.lock"))) == 1
    assert "Reusing the build environment" in result.stderr
