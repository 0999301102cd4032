"""A ``run`` given its own ``--extra``/``--group``/``--no-dev`` is a one-off, as in uv: it is not
what a later plain ``run`` reuses (s9 review R1: ``run --only-group lint`` once left every later
``run`` without the project's own dependencies, silently). What a plain ``run`` reuses is what
``sync`` recorded (seed uv#14610), and it says so on every run it applies to."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.e2e.seedkit import installed, ok, write_project
from tests.support.index import IndexServer
from tests.support.runner import Runner

GROUPS = """
[project.optional-dependencies]
cli = ["click"]

[dependency-groups]
dev = ["idna"]
lint = ["toml"]
"""


@pytest.fixture
def project(tmp_path: Path, index_server: IndexServer) -> Path:
    for name in ("six", "click", "idna", "toml"):
        index_server.index.add_wheel(name, "1.0")
    return write_project(tmp_path / "app", "app", ["six"], requires_python=">=3.8", extra=GROUPS)


def _run(run: Runner, project: Path, server: IndexServer, *args: str):  # type: ignore[no-untyped-def]
    return run("run", "--index-url", server.simple_url, *args, cwd=project)


def test_a_plain_run_after_run_only_group_has_the_project_dependencies(
    run: Runner, project: Path, index_server: IndexServer
) -> None:
    ok(_run(run, project, index_server, "--only-group", "lint", "python", "-c", "import toml"))
    assert "six" not in installed(project / ".venv")
    result = ok(_run(run, project, index_server, "python", "-c", "import six, idna"))
    assert " + six==1.0" in result.stderr
    assert "last synced with" not in result.stderr


def test_a_run_without_dev_does_not_drop_dev_from_later_runs(
    run: Runner, project: Path, index_server: IndexServer
) -> None:
    ok(run("sync", "--index-url", index_server.simple_url, cwd=project))
    ok(_run(run, project, index_server, "--no-dev", "python", "-c", "pass"))
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text(encoding="utf-8").replace(
        'dev = ["idna"]', 'dev = ["idna", "toml"]'), encoding="utf-8")
    result = ok(_run(run, project, index_server, "python", "-c", "import toml"))
    assert " + toml==1.0" in result.stderr


def test_the_reused_selection_is_named_even_when_nothing_moves(
    run: Runner, project: Path, index_server: IndexServer
) -> None:
    ok(run("sync", "--extra", "cli", "--index-url", index_server.simple_url, cwd=project))
    result = ok(_run(run, project, index_server, "python", "-c", "import click"))
    assert "Using the selection this environment was last synced with (extras cli)" in \
        result.stderr
    assert " + " not in result.stderr and " - " not in result.stderr
