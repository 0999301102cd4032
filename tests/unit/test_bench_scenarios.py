"""Scenario plans and the tools' command builders: isolated, aimed at the mirror, complete."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from bench.scenarios import (
    SCENARIOS,
    Command,
    CopyFile,
    ExpectFiles,
    ExpectInstalled,
    ExpectSeeded,
    Plan,
    Remove,
)
from bench.tools import Ferry, Pip, Sandbox, Uv, scrubbed_env
from bench.toolset import make_tool

INDEX = "http://127.0.0.1:9/simple/"


@pytest.fixture
def box(tmp_path: Path) -> Sandbox:
    return Sandbox(root=tmp_path / "box", python=Path("/opt/py/bin/python3.11"),
                   index_url=INDEX, requirements=tmp_path / "pins.txt",
                   pyproject=tmp_path / "workload" / "pyproject.toml",
                   expected=frozenset({"a", "b"}))


@pytest.fixture(autouse=True)
def leaky_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The machine's installer settings, which no tool may see."""
    monkeypatch.setenv("PIP_INDEX_URL", "http://leak.invalid/simple")
    monkeypatch.setenv("UV_INDEX_URL", "http://leak.invalid/simple")
    monkeypatch.setenv("FERRY_OFFLINE", "1")
    monkeypatch.setenv("VIRTUAL_ENV", "/somewhere")


def test_scrubbed_env_drops_installer_settings_and_keeps_the_rest() -> None:
    env = scrubbed_env({"PATH": "/bin", "HOME": "/h", "PIP_FIND_LINKS": "x", "UV_X": "1",
                        "FERRY_Y": "2", "VIRTUAL_ENV": "/v", "PYTHONPATH": "/p"})
    assert env == {"PATH": "/bin", "HOME": "/h"}


@pytest.mark.parametrize("tool", [Ferry(), Uv(), Pip()], ids=lambda t: t.name)
def test_every_tool_is_isolated(tool: Ferry | Uv | Pip, box: Sandbox) -> None:
    env = tool.environment(box)
    assert "http://leak.invalid/simple" not in env.values()
    assert "VIRTUAL_ENV" not in env and "FERRY_OFFLINE" not in env
    assert env["PATH"] == os.environ["PATH"]


def test_ferry_commands(box: Sandbox) -> None:
    ferry = Ferry()
    env = ferry.environment(box)
    assert env["FERRY_CACHE_DIR"] == str(box.cache)
    assert env["FERRY_INDEX_URL"] == INDEX
    assert ferry.pip_install(box, box.venv) == (
        sys.executable, "-m", "ferry", "pip", "install", "--python",
        str(box.venv / "bin" / "python"), "-r", str(box.requirements), "--index-url", INDEX,
    )
    assert ferry.venv(box, box.venv)[3:] == ("venv", str(box.venv), "--python", str(box.python))
    assert ferry.run(box, ("python", "-c", "pass"))[3:] == ("run", "python", "-c", "pass")


def test_uv_commands(box: Sandbox) -> None:
    uv = Uv("/x/uv")
    env = uv.environment(box)
    assert (env["UV_CACHE_DIR"], env["UV_INDEX_URL"], env["UV_PYTHON"]) == (
        str(box.cache), INDEX, str(box.python))
    assert env["UV_PYTHON_DOWNLOADS"] == "never"
    argv = uv.pip_install(box, box.venv)
    assert argv[:3] == ("/x/uv", "pip", "install")
    assert "--no-config" in argv
    assert argv[argv.index("--index-url") + 1] == INDEX
    assert argv[argv.index("--python") + 1] == str(box.venv / "bin" / "python")
    assert uv.lock(box) == ("/x/uv", "lock", "--no-config")


def test_pip_commands(box: Sandbox) -> None:
    pip = Pip("/py")
    assert pip.environment(box)["PIP_CONFIG_FILE"] == os.devnull
    argv = pip.pip_install(box, box.venv)
    assert argv[:5] == ("/py", "-m", "pip", "--python", str(box.venv / "bin" / "python"))
    assert argv[argv.index("--cache-dir") + 1] == str(box.cache)
    assert argv[argv.index("--index-url") + 1] == INDEX
    assert pip.venv(box, box.venv) == (str(box.python), "-m", "venv", "--without-pip",
                                        str(box.venv))
    assert pip.lock(box) is None and pip.sync(box) is None


def test_make_tool_rejects_unknown_names() -> None:
    assert make_tool("uv").name == "uv"
    with pytest.raises(ValueError, match="unknown tool 'hatch'"):
        make_tool("hatch")


def _plan(name: str, box: Sandbox, tool: Ferry | Uv | Pip | None = None) -> Plan:
    plan = SCENARIOS[name].build(tool or Uv("/x/uv"), box)
    assert plan is not None
    return plan


def test_cold_install_empties_the_cache_and_makes_a_fresh_env_every_round(box: Sandbox) -> None:
    plan = _plan("pip-install-cold", box)
    assert plan.warmup == ()
    assert plan.prepare[:2] == (Remove(box.cache), Remove(box.venv))
    make_env = plan.prepare[2]
    assert isinstance(make_env, Command)
    assert make_env.argv == (str(box.python), "-m", "venv", "--without-pip", str(box.venv))
    assert plan.timed.argv[:3] == ("/x/uv", "pip", "install")
    assert plan.expect == ExpectInstalled(box.venv, frozenset({"a", "b"}))


def test_warm_install_warms_once_with_the_timed_command(box: Sandbox) -> None:
    plan = _plan("pip-install-warm", box, Pip("/py"))
    assert plan.warmup[-1] == plan.timed
    assert Remove(box.cache) not in plan.prepare
    assert Remove(box.venv) in plan.prepare


def test_project_scenarios(box: Sandbox) -> None:
    fresh = (Remove(box.project), CopyFile(box.pyproject, box.project / "pyproject.toml"))
    cold = _plan("lock-cold", box)
    assert cold.prepare == (Remove(box.cache), *fresh)
    assert cold.timed.cwd == box.project
    assert cold.expect == ExpectFiles((box.project / "uv.lock",))
    warm = _plan("lock-warm", box)
    assert warm.prepare == (Remove(box.project / "uv.lock"),)
    sync = _plan("sync-warm", box)
    assert [a.argv[1] for a in sync.warmup if isinstance(a, Command)] == ["lock", "sync"]
    assert sync.prepare == (Remove(box.project_venv),)
    assert _plan("sync-noop", box).prepare == ()
    run = _plan("run", box, Ferry())
    assert run.timed.argv[-4:] == ("run", "python", "-c", "pass")
    assert run.baseline is not None  # the number is run's overhead over the bare interpreter
    assert run.warmup[-1] == run.timed  # steady state: the first run's one-off costs untimed
    assert run.baseline.argv == (str(box.project_venv / "bin" / "python"), "-c", "pass")


def test_a_tool_without_the_operation_gets_no_plan(box: Sandbox) -> None:
    for name in ("lock-cold", "lock-warm", "sync-warm", "sync-noop", "run"):
        assert SCENARIOS[name].build(Pip(), box) is None


def test_expectations_report_what_is_missing(tmp_path: Path) -> None:
    site = tmp_path / "env" / "lib" / "python3.11" / "site-packages"
    (site / "Foo_Bar-1.0.dist-info").mkdir(parents=True)
    assert ExpectInstalled(tmp_path / "env", frozenset({"foo-bar"})).problem() is None
    problem = ExpectInstalled(tmp_path / "env", frozenset({"foo-bar", "zed"})).problem()
    assert problem == "exited 0 but 1 pinned packages are not installed: zed"
    assert ExpectFiles((tmp_path / "env",)).problem() is None
    assert "did not create" in str(ExpectFiles((tmp_path / "nope",)).problem())


def test_venv_seed_makes_an_environment_with_pip_in_it_from_the_mirror(box: Sandbox) -> None:
    uv = _plan("venv-seed", box)
    assert uv.timed.argv == ("/x/uv", "venv", "--seed", str(box.venv), "--python",
                             str(box.python), "--index-url", INDEX, "--no-config")
    assert uv.timed.env["UV_INDEX_URL"] == INDEX
    ferry = _plan("venv-seed", box, Ferry())
    assert ferry.timed.argv[3:] == ("venv", "--seed", str(box.venv), "--python",
                                    str(box.python))
    assert ferry.timed.env["FERRY_INDEX_URL"] == INDEX  # where ferry's seed comes from
    pip = _plan("venv-seed", box, Pip("/py"))
    assert pip.timed.argv == (str(box.python), "-m", "venv", str(box.venv))  # ensurepip
    for plan in (uv, ferry, pip):  # warm: one untimed run, a fresh env every round
        assert plan.warmup == (Remove(box.venv), plan.timed)
        assert plan.prepare == (Remove(box.venv),)
    assert uv.expect == ferry.expect == ExpectSeeded(box.venv, frozenset({"setuptools",
                                                                          "wheel"}))
    assert pip.expect == ExpectSeeded(box.venv, frozenset({"setuptools"}))
    assert _plan("venv", box, Pip("/py")).timed.argv[3] == "--without-pip"  # venv unchanged


def test_venv_seed_is_not_a_peer_scenario(box: Sandbox) -> None:
    for name in ("pdm", "poetry", "pip-tools"):
        tool = make_tool(name)
        assert "issue 2" in tool.not_applicable["venv-seed"]
        assert tool.venv_seed(box, box.venv) is None


@pytest.mark.parametrize(
    ("minor", "dists", "problem"),
    [
        (11, ["pip-24.0", "setuptools-70.0", "wheel-0.45.0"], None),
        (11, ["pip-24.0", "setuptools-70.0"], "did not seed wheel (Python 3.11)"),
        (12, ["pip-24.0"], None),
        (12, ["setuptools-70.0"], "did not seed pip (Python 3.12)"),
        (None, [], "has no lib/python3.*/site-packages"),
    ],
)
def test_seeded_expectation_follows_the_environments_python(
    tmp_path: Path, minor: int | None, dists: list[str], problem: str | None
) -> None:
    env = tmp_path / "env"
    site = env / "lib" / f"python3.{minor}" / "site-packages"
    if minor is not None:
        site.mkdir(parents=True)
    for dist in dists:
        (site / f"{dist}.dist-info").mkdir()
    found = ExpectSeeded(env, frozenset({"setuptools", "wheel"})).problem()
    assert found == problem if problem is None else problem in str(found)
