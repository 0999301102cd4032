"""``--no-extra NAME`` and ``--only-dev`` on ``sync``, ``run``, ``export`` and ``tree``, as uv has
them: ``--no-extra`` leaves an extra out whatever selects it (``--all-extras`` with a declared
``cpu``/``gpu`` conflict works once one side is left out), ``--only-dev`` is the ``dev`` group
without the project's dependencies, and ``--only-dev`` beside ``--no-dev``/``--group``/
``--all-groups`` is refused with clap's words, exit code 2, before anything is created."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.e2e.seedkit import installed, ok, write_project
from tests.support.index import LocalIndex
from tests.support.runner import Result, Runner

EXTRAS = """
[project.optional-dependencies]
cpu = ["torch==1.0"]
gpu = ["torch==2.0"]
cli = ["click"]
fancy = ["rich"]

[dependency-groups]
dev = ["idna"]
lint = ["toml"]

[tool.uv]
conflicts = [[{ extra = "cpu" }, { extra = "gpu" }]]
"""


def add_wheels(index: LocalIndex) -> None:
    for name, version in (("torch", "1.0"), ("torch", "2.0"), ("click", "1.0"),
                          ("rich", "1.0"), ("six", "1.0"), ("idna", "1.0"), ("toml", "1.0")):
        index.add_wheel(name, version)


@pytest.fixture
def project(tmp_path: Path, local_index: LocalIndex, run: Runner) -> Path:
    add_wheels(local_index)
    root = write_project(tmp_path / "app", "app", ["six"], extra=EXTRAS)
    ok(run("lock", "-q", "--index-url", local_index.file_url, cwd=root))
    return root


def _sync(run: Runner, project: Path, *args: str, env: dict[str, str | None] | None = None):  # type: ignore[no-untyped-def]
    return run("sync", "--frozen", *args, cwd=project, env=env)


def test_all_extras_but_one_side_of_a_conflict(run: Runner, project: Path) -> None:
    refused = _sync(run, project, "--all-extras")
    assert refused.code != 0
    assert "Extras `cpu` and `gpu` are incompatible with the declared conflicts" in refused.stderr

    ok(_sync(run, project, "--all-extras", "--no-extra", "gpu"))
    assert installed(project / ".venv") == {
        "click": "1.0", "idna": "1.0", "rich": "1.0", "six": "1.0", "torch": "1.0"}

    ok(_sync(run, project, "--all-extras", "--no-extra=cpu", "--no-extra", "cli"))
    assert installed(project / ".venv") == {
        "idna": "1.0", "rich": "1.0", "six": "1.0", "torch": "2.0"}


def test_no_extra_wins_over_extra_and_names_are_checked(run: Runner, project: Path) -> None:
    ok(_sync(run, project, "--extra", "cli", "--no-extra", "cli"))
    assert installed(project / ".venv") == {"idna": "1.0", "six": "1.0"}
    ok(_sync(run, project, "--extra", "cpu", "--extra", "gpu", "--no-extra", "gpu"))
    assert installed(project / ".venv")["torch"] == "1.0"

    unknown = _sync(run, project, "--all-extras", "--no-extra", "gpu", "--no-extra", "nope")
    assert unknown.code != 0
    assert "Extra `nope` is not defined" in unknown.stderr


def test_only_dev(run: Runner, project: Path) -> None:
    ok(_sync(run, project, "--only-dev"))
    assert installed(project / ".venv") == {"idna": "1.0"}
    ok(_sync(run, project, "--only-dev", "--only-group", "lint"))
    assert installed(project / ".venv") == {"idna": "1.0", "toml": "1.0"}
    ok(_sync(run, project, "--only-dev", "--no-default-groups"))
    assert installed(project / ".venv") == {"idna": "1.0"}
    ok(_sync(run, project, "--only-dev", "--extra", "cli"))  # extras are the project's
    assert installed(project / ".venv") == {"idna": "1.0"}
    ok(_sync(run, project, "--only-dev", "--no-group", "dev"))
    assert installed(project / ".venv") == {}


def test_only_dev_needs_no_dev_group(
    tmp_path: Path, run: Runner, local_index: LocalIndex
) -> None:
    """``--only-group dev`` refuses an undeclared group; ``--only-dev`` does not (as uv)."""
    add_wheels(local_index)
    root = write_project(tmp_path / "b", "b", ["six"],
                         extra='\n[dependency-groups]\nlint = ["toml"]\n')
    ok(run("lock", "-q", "--index-url", local_index.file_url, cwd=root))
    ok(_sync(run, root, "--only-dev"))
    assert installed(root / ".venv") == {}
    refused = _sync(run, root, "--only-group", "dev")
    assert "Group `dev` is not defined" in refused.stderr
    exported = ok(run("export", "--frozen", "--only-dev", "--no-header", cwd=root))
    assert exported.stdout.strip() == ""


def test_run_reuses_a_sync_without_one_extra(run: Runner, project: Path) -> None:
    ok(_sync(run, project, "--all-extras", "--no-extra", "gpu"))
    record = json.loads((project / ".venv" / "ferry-sync.json").read_text(encoding="utf-8"))
    assert record["selection"]["no_extras"] == ["gpu"]
    check = "import importlib.metadata as m; print(m.version('torch'))"
    reused = ok(run("run", "--frozen", "python", "-c", check, cwd=project))
    assert reused.stdout.strip() == "1.0"
    assert ("Using the selection this environment was last synced with "
            "(all extras; without extras gpu)") in reused.stderr
    assert " - " not in reused.stderr and " + " not in reused.stderr

    # a run given its own selection is a one-off: the next plain run goes back
    one_off = ok(run("run", "--frozen", "--all-extras", "--no-extra", "cpu", "python", "-c",
                     check, cwd=project))
    assert one_off.stdout.strip() == "2.0"
    again = ok(run("run", "--frozen", "python", "-c", check, cwd=project))
    assert again.stdout.strip() == "1.0"

    # the value of `--no-extra` is not the command to run (the fast path splits argv too)
    for _ in range(2):
        twice = ok(run("run", "--frozen", "--no-extra", "gpu", "--all-extras", "python", "-c",
                       check, cwd=project))
        assert twice.stdout.strip() == "1.0"


def test_add_syncs_with_the_recorded_selection_less_the_extra(
    run: Runner, project: Path, local_index: LocalIndex
) -> None:
    """``add`` syncs with what was last synced, ``--no-extra`` included: all extras alone
    would enable both sides of the conflict."""
    ok(_sync(run, project, "--all-extras", "--no-extra", "gpu"))
    ok(run("add", "toml", "--index-url", local_index.file_url, cwd=project))
    assert installed(project / ".venv") == {
        "click": "1.0", "idna": "1.0", "rich": "1.0", "six": "1.0", "toml": "1.0",
        "torch": "1.0"}


def test_run_only_dev_is_a_one_off(run: Runner, project: Path) -> None:
    """(``run`` is inexact, as uv's: it only adds, so the environment starts empty.)"""
    probe = "import importlib.util as u; print(bool(u.find_spec('six')))"
    assert ok(run("run", "--frozen", "--only-dev", "python", "-c", probe,
                  cwd=project)).stdout.strip() == "False"
    assert ok(run("run", "--frozen", "python", "-c", probe,
                  cwd=project)).stdout.strip() == "True"


def test_a_version_1_record_is_still_reused(run: Runner, project: Path) -> None:
    """Records written before ``--no-extra`` existed keep their selection."""
    ok(_sync(run, project, "--extra", "cli"))
    path = project / ".venv" / "ferry-sync.json"
    record = json.loads(path.read_text(encoding="utf-8"))
    record["version"] = 1
    for key in ("no_extras", "only_dev"):
        del record["selection"][key]
    path.write_text(json.dumps(record), encoding="utf-8")
    result = ok(run("run", "--frozen", "python", "-c", "import click", cwd=project))
    assert "last synced with (extras cli)" in result.stderr


def test_export(run: Runner, project: Path) -> None:
    exported = ok(run("export", "--frozen", "--no-hashes", "--no-header", "--no-annotate",
                      "--all-extras", "--no-extra", "gpu", cwd=project))
    assert exported.stdout.split() == [
        "click==1.0", "idna==1.0", "rich==1.0", "six==1.0", "torch==1.0"]
    only_dev = ok(run("export", "--frozen", "--no-hashes", "--no-header", "--only-dev",
                      cwd=project))
    assert only_dev.stdout.split() == ["idna==1.0"]
    refused = run("export", "--frozen", "--all-extras", cwd=project)
    assert "Extras `cpu` and `gpu` are incompatible" in refused.stderr
    unknown = run("export", "--frozen", "--no-extra", "nope", cwd=project)
    assert ("Extra `nope` is not defined in the `optional-dependencies` table for `app`"
            in unknown.stderr)


def test_tree_only_dev(run: Runner, project: Path) -> None:
    drawn = ok(run("tree", "--frozen", "--only-dev", cwd=project))
    assert drawn.stdout.splitlines() == ["app v0.1.0", "└── idna v1.0 (group: dev)"]


CONTRADICTIONS = [
    (["--only-dev", "--no-dev"], "the argument '--only-dev' cannot be used with '--no-dev'"),
    (["--no-dev", "--only-dev"], "the argument '--no-dev' cannot be used with '--only-dev'"),
    (["--only-dev", "--group", "lint"],
     "the argument '--only-dev' cannot be used with '--group <GROUP>'"),
    (["--group", "lint", "--no-dev", "--only-dev"],
     "the argument '--group <GROUP>' cannot be used with '--only-dev'"),
    (["--all-groups", "--only-dev"],
     "the argument '--all-groups' cannot be used with '--only-dev'"),
    (["--only-dev", "--no-dev", "--group", "lint"],
     "the argument '--only-dev' cannot be used with:\n  --no-dev\n  --group <GROUP>"),
]


@pytest.mark.parametrize(("flags", "message"), CONTRADICTIONS)
@pytest.mark.parametrize("parser", ["lean", "click"])
def test_contradictions_in_sync(
    run: Runner, project: Path, flags: list[str], message: str, parser: str
) -> None:
    # FERRY_COMPILE_BYTECODE is one the lean reader leaves to click: both parsers answer alike
    env: dict[str, str | None] = {"FERRY_COMPILE_BYTECODE": "1"} if parser == "click" else {}
    result = _sync(run, project, *flags, env=env)
    _refused(result, message, "sync")
    assert not (project / ".venv").exists()


def _refused(result: Result, message: str, command: str) -> None:
    """uv's words, then clap's usage line and pointer to --help (the usage line's contents are
    tests/unit/test_usage_errors_s17.py's)."""
    assert result.code == 2, result.stderr
    said, usage, more = result.stderr.split("\n\n")
    assert said == f"error: {message}"
    assert usage.startswith(f"Usage: ferry {command} ")
    assert more == "For more information, try '--help'.\n"


@pytest.mark.parametrize(("flags", "message"), CONTRADICTIONS[::2])
@pytest.mark.parametrize("command", ["run", "export", "tree"])
def test_contradictions_elsewhere(
    run: Runner, project: Path, flags: list[str], message: str, command: str
) -> None:
    tail = ["python", "-c", "pass"] if command == "run" else []
    result = run(command, "--frozen", *flags, *tail, cwd=project)
    _refused(result, message, command)
    assert not (project / ".venv").exists()
