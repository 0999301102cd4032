"""``ferry lock --check`` / ``--check-exists`` / ``--dry-run`` and ``FERRY_LOCKED`` /
``FERRY_FROZEN``, against what uv 0.13.8 prints for the same project and index."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.parity5.parity5_kit import run_uv, seed_index, shape, write_project
from tests.support.index import IndexServer
from tests.support.runner import Result, Runner

MISSING_HINT = "hint: To create a lockfile, run `ferry lock` or `ferry sync` without the flag.\n"


def frozen_warning(flag: str, name: str = "uv.lock") -> str:
    return (f"warning: The lockfile at `{name}` was only checked for validity, not whether it is "
            f"up-to-date, because `{flag}` was provided; use `--check` instead\n")


@pytest.fixture
def server(index_server: IndexServer) -> IndexServer:
    seed_index(index_server)
    return index_server


def listing(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() if p.is_file() else b""
            for p in sorted(root.rglob("*"))}


def both(run: Runner, tmp_path: Path, server: IndexServer, deps: list[str],
         *steps: tuple[str, ...]) -> list[tuple[Result, Result]]:
    """Each step run by ferry in one project and by uv in a twin, after locking both."""
    ours = write_project(tmp_path / "ferry", server, deps)
    theirs = write_project(tmp_path / "uv", server, deps)
    results = []
    for step in steps:
        results.append((run("lock", *step, cwd=ours), run_uv(["lock", *step], theirs, tmp_path)))
    return results


def test_dry_run_without_a_lock_adds_everything_and_writes_nothing(
    run: Runner, tmp_path: Path, server: IndexServer
) -> None:
    project = write_project(tmp_path / "p", server, ["alpha<1.1", "gamma"])
    before = listing(project)
    result = run("lock", "--dry-run", cwd=project)
    assert result.code == 0, result.stderr
    assert shape(result.stderr) == (
        "Resolved 3 packages in [TIME]\nAdd alpha v1.0\nAdd demo v0.1.0\nAdd gamma v2.0\n")
    assert listing(project) == before  # no uv.lock, no .ferry/, nothing


def test_dry_run_reports_add_update_remove_and_keeps_the_lock(
    run: Runner, tmp_path: Path, server: IndexServer
) -> None:
    project = write_project(tmp_path / "p", server, ["alpha<1.1", "gamma"])
    assert run("lock", cwd=project).code == 0
    write_project(project, server, ["alpha", "beta"])
    before = listing(project)
    result = run("lock", "--dry-run", "-U", cwd=project)
    assert result.code == 0, result.stderr
    assert shape(result.stderr) == (
        "Resolved 3 packages in [TIME]\n"
        "Update alpha v1.0 -> v1.1\nAdd beta v1.0\nRemove gamma v2.0\n")
    assert listing(project) == before
    quiet = run("lock", "--dry-run", "-q", cwd=project)
    assert (quiet.code, quiet.stderr) == (0, "")


def test_dry_run_output_is_uvs(run: Runner, tmp_path: Path, server: IndexServer) -> None:
    steps = both(run, tmp_path, server, ["alpha<1.1", "gamma"],
                 ("--dry-run",), (), ("--dry-run",), ("--check",), ("--check-exists",),
                 ("--frozen",))
    for ours, theirs in steps:
        assert (ours.code, shape(ours.stderr)) == (theirs.code, shape(theirs.stderr))
    assert shape(steps[2][0].stderr) == (
        "Resolved 3 packages in [TIME]\nNo lockfile changes detected\n")
    # a changed requirement, in both projects
    for name in ("ferry", "uv"):
        write_project(tmp_path / name, server, ["alpha", "beta"])
    ours = run("lock", "--dry-run", "--upgrade", cwd=tmp_path / "ferry")
    theirs = run_uv(["lock", "--dry-run", "--upgrade"], tmp_path / "uv", tmp_path)
    assert (ours.code, shape(ours.stderr)) == (theirs.code, shape(theirs.stderr))


def test_check_is_locked_named_as_given(run: Runner, tmp_path: Path, server: IndexServer) -> None:
    project = write_project(tmp_path / "p", server, ["alpha"])
    missing = run("lock", "--check", cwd=project)
    assert missing.code == 1
    assert shape(missing.stderr) == shape(  # without the `Using CPython …` line
        "error: Unable to find lockfile at `uv.lock`, but `--check` was provided.\n" + MISSING_HINT)
    assert not (project / "uv.lock").exists()
    assert run("lock", cwd=project).code == 0
    fresh = run("lock", "--check", cwd=project)
    assert (fresh.code, shape(fresh.stderr)) == (0, "Resolved 2 packages in [TIME]\n")
    before = (project / "uv.lock").read_bytes()
    write_project(project, server, ["alpha", "gamma"])
    stale = run("lock", "--check", cwd=project)
    assert stale.code == 1
    assert shape(stale.stderr).startswith(  # the resolution that found it stale first, as uv
        "Resolved 3 packages in [TIME]\n"
        "error: The lockfile at `uv.lock` needs to be updated, but `--check` was provided.\n"
        "hint: "), stale.stderr
    assert (project / "uv.lock").read_bytes() == before


def test_check_exists_only_reads_the_lock(
    run: Runner, tmp_path: Path, server: IndexServer
) -> None:
    project = write_project(tmp_path / "p", server, ["alpha"])
    missing = run("lock", "--check-exists", cwd=project)
    assert missing.code == 1
    assert missing.stderr == ("error: Unable to find lockfile at `uv.lock`, but "
                              "`--check-exists` was provided.\n" + MISSING_HINT)
    assert run("lock", cwd=project).code == 0
    write_project(project, server, ["alpha", "gamma"])  # stale, and not looked at
    before = (project / "uv.lock").read_bytes()
    server.clear_log()
    for flag in ("--check-exists", "--frozen"):
        result = run("lock", flag, cwd=project)
        assert (result.code, result.stderr) == (0, frozen_warning(flag))
    assert server.count() == 0
    assert (project / "uv.lock").read_bytes() == before


def test_the_environment_variables(run: Runner, tmp_path: Path, server: IndexServer) -> None:
    project = write_project(tmp_path / "p", server, ["alpha"])
    frozen = run("lock", cwd=project, env={"FERRY_FROZEN": "1"})
    assert frozen.code == 1
    assert frozen.stderr.startswith(
        "error: Unable to find lockfile at `uv.lock`, but `FERRY_FROZEN=1` was provided.\n")
    locked = run("lock", cwd=project, env={"FERRY_LOCKED": "true"})
    assert locked.code == 1
    assert "but `FERRY_LOCKED=1` was provided." in locked.stderr
    assert run("lock", cwd=project, env={"FERRY_FROZEN": "0", "FERRY_LOCKED": ""}).code == 0
    assert run("lock", cwd=project, env={"FERRY_FROZEN": "yes"}).stderr == frozen_warning(
        "FERRY_FROZEN=1")
    # a flag beats the other mode's variable, and says so
    result = run("lock", "--check", cwd=project, env={"FERRY_FROZEN": "1"})
    assert result.code == 0
    assert shape(result.stderr) == ("warning: Ignoring `TOOL_FROZEN` because `--check` was "
                                    "provided\nResolved 2 packages in [TIME]\n")
    result = run("lock", "--frozen", cwd=project, env={"FERRY_LOCKED": "1"})
    assert result.stderr == ("warning: Ignoring `FERRY_LOCKED` because `--frozen` was provided\n"
                             + frozen_warning("--frozen"))
    # under FERRY_FROZEN a dry run only reads the lock, as uv does
    result = run("lock", "--dry-run", cwd=project, env={"FERRY_FROZEN": "1"})
    assert result.stderr == frozen_warning("FERRY_FROZEN=1") + "No lockfile changes detected\n"
    # under FERRY_LOCKED a dry run that would change the lock fails
    write_project(project, server, ["alpha", "gamma"])
    result = run("lock", "--dry-run", cwd=project, env={"FERRY_LOCKED": "1"})
    assert result.code == 1
    assert "but `FERRY_LOCKED=1` was provided." in result.stderr
    both_set = run("lock", cwd=project, env={"FERRY_FROZEN": "1", "FERRY_LOCKED": "1"})
    assert both_set.code == 2
    assert "`FERRY_LOCKED` and `FERRY_FROZEN` cannot be used together" in both_set.stderr
    bad = run("lock", cwd=project, env={"FERRY_FROZEN": "maybe"})
    assert bad.code == 2
    assert "`FERRY_FROZEN`" in bad.stderr


def test_environment_messages_are_uvs(run: Runner, tmp_path: Path, server: IndexServer) -> None:
    ours = write_project(tmp_path / "ferry", server, ["alpha"])
    theirs = write_project(tmp_path / "uv", server, ["alpha"])
    for env, args in (({}, ()), ({"FROZEN": "1"}, ()),
                      ({"FROZEN": "1"}, ("--check",)), ({"LOCKED": "1"}, ("--frozen",)),
                      ({"FROZEN": "1"}, ("--dry-run",))):
        mine = run("lock", *args, cwd=ours, env={f"FERRY_{k}": v for k, v in env.items()})
        uvs = run_uv(["lock", *args], theirs, tmp_path, {f"UV_{k}": v for k, v in env.items()})
        assert (mine.code, shape(mine.stdout + mine.stderr)) == (
            uvs.code, shape(uvs.stdout + uvs.stderr)), (env, args)


@pytest.mark.parametrize(("first", "second"), [
    ("--dry-run", "--check"), ("--dry-run", "--locked"), ("--dry-run", "--check-exists"),
    ("--dry-run", "--frozen"), ("--check", "--check-exists"), ("--locked", "--frozen"),
    ("--check", "--frozen"), ("--locked", "--check-exists"),
])
def test_two_modes_are_a_usage_error(
    run: Runner, tmp_path: Path, server: IndexServer, first: str, second: str
) -> None:
    project = write_project(tmp_path / "p", server, ["alpha"])
    result = run("lock", second, first, cwd=project)
    assert result.code == 2
    if {first, second} == {"--locked", "--frozen"}:  # uv's parser refuses this pair (clap)
        assert result.stderr == ("error: the argument '--frozen' cannot be used with '--locked'"
                                 "\n\nUsage: ferry lock [OPTIONS]\n\n"
                                 "For more information, try '--help'.\n")
    else:
        assert result.stderr == f"error: `{first}` and `{second}` cannot be used together\n"
    assert not (project / "uv.lock").exists()


def test_help_lists_the_modes(run: Runner) -> None:
    text = run("lock", "--help").stdout
    for option in ("--check ", "--check-exists", "--dry-run", "--locked", "--frozen",
                   "FERRY_LOCKED", "FERRY_FROZEN"):
        assert option in text


def test_script_dry_run_and_check(run: Runner, tmp_path: Path, server: IndexServer) -> None:
    script = tmp_path / "s.py"
    script.write_text(
        "# /// script\n# requires-python = \">=3.11\"\n# dependencies = [\"alpha\"]\n"
        f"# [[tool.uv.index]]\n# url = \"{server.simple_url}\"\n# default = true\n# ///\n",
        encoding="utf-8")
    dry = run("lock", "--script", str(script), "--dry-run")
    assert (dry.code, shape(dry.stderr)) == (0, "Resolved 1 package in [TIME]\nAdd alpha v1.1\n")
    assert not (tmp_path / "s.py.lock").exists()
    missing = run("lock", "--script", str(script), "--check")
    assert missing.code == 1
    assert "Unable to find lockfile at `s.py.lock`, but `--check` was provided" in missing.stderr
    assert run("lock", "--script", str(script)).code == 0
    script.write_text(script.read_text(encoding="utf-8").replace('"alpha"', '"alpha<1.1"'),
                      encoding="utf-8")
    before = (tmp_path / "s.py.lock").read_bytes()
    dry = run("lock", "--script", str(script), "--dry-run")
    assert shape(dry.stderr) == "Resolved 1 package in [TIME]\nUpdate alpha v1.1 -> v1.0\n"
    exists = run("lock", "--script", str(script), "--check-exists")
    assert exists.stderr == frozen_warning("--check-exists", "s.py.lock")
    assert (tmp_path / "s.py.lock").read_bytes() == before
