"""The slow peers (pdm, poetry, pip-tools): project files, commands, isolation, installs, n/a."""

from __future__ import annotations

import os
import sys
import tomllib
from pathlib import Path

import pytest
from bench.measure import Outcome, perform
from bench.mirror import WORKLOADS_DIR, PreparedWorkload, find_target_python
from bench.peer_envs import PEER_SPECS, PeerInstallError, PeerSpec, ensure_peer
from bench.peers import Pdm, PipTools, Poetry
from bench.project_files import ProjectFileError, pdm_pyproject, poetry_pyproject
from bench.report import render_not_applicable
from bench.run import parse_args, run_scenarios
from bench.scenarios import SCENARIOS, Command, CopyFile, ExpectFiles, Plan, Remove, WriteFile
from bench.server import MirrorServer
from bench.tools import Pip, Sandbox
from bench.toolset import DEFAULT_TOOLS, TOOLS

INDEX = "http://127.0.0.1:9/simple/"
WORKLOAD = """\
# the workload
[project]
name = "demo"
version = "0.1.0"
requires-python = ">=3.11"
dependencies = ["a>=1", "b[x]"]
"""


@pytest.fixture
def box(tmp_path: Path) -> Sandbox:
    pyproject = tmp_path / "workload" / "pyproject.toml"
    pyproject.parent.mkdir()
    pyproject.write_text(WORKLOAD)
    return Sandbox(root=tmp_path / "box", python=Path("/opt/py/bin/python3.11"),
                   index_url=INDEX, requirements=tmp_path / "pins.txt", pyproject=pyproject,
                   expected=frozenset({"a", "b"}))


@pytest.fixture(autouse=True)
def leaky_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PDM_PYPI_URL", "http://leak.invalid/simple")
    monkeypatch.setenv("POETRY_REPOSITORIES_X_URL", "http://leak.invalid/simple")
    monkeypatch.setenv("PIP_INDEX_URL", "http://leak.invalid/simple")
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.invalid:3128")
    monkeypatch.setenv("VIRTUAL_ENV", "/somewhere")


# --- project files -------------------------------------------------------------------------

def test_pdm_project_file_keeps_the_project_and_adds_only_the_mirror() -> None:
    text = pdm_pyproject(WORKLOAD, INDEX)
    doc = tomllib.loads(text)
    assert doc["project"] == tomllib.loads(WORKLOAD)["project"]
    assert doc["tool"]["pdm"] == {
        "distribution": False,
        "source": [{"name": "pypi", "url": INDEX, "verify_ssl": True}],
    }
    assert text.startswith("# the workload\n")  # an edit of the document, not a rewrite


def test_poetry_project_file_makes_the_mirror_the_primary_and_only_source() -> None:
    doc = tomllib.loads(poetry_pyproject(WORKLOAD, INDEX))
    assert doc["project"] == tomllib.loads(WORKLOAD)["project"]
    assert doc["tool"] == {
        "poetry": {"source": [{"name": "bench-mirror", "url": INDEX, "priority": "primary"}]}
    }


def test_sources_already_there_are_replaced_and_other_settings_kept() -> None:
    text = WORKLOAD + (
        '\n[tool.uv]\nprerelease = "allow"\n\n[tool.pdm]\nallow_prereleases = true\n\n'
        '[[tool.pdm.source]]\nname = "corp"\nurl = "https://corp.invalid/simple"\n'
        '\n[[tool.poetry.source]]\nname = "corp"\nurl = "https://corp.invalid/simple"\n'
    )
    pdm = tomllib.loads(pdm_pyproject(text, INDEX))["tool"]
    assert pdm["uv"] == {"prerelease": "allow"}
    assert pdm["pdm"]["allow_prereleases"] is True
    assert [s["url"] for s in pdm["pdm"]["source"]] == [INDEX]
    poetry = tomllib.loads(poetry_pyproject(text, INDEX))["tool"]["poetry"]
    assert [s["url"] for s in poetry["source"]] == [INDEX]


@pytest.mark.parametrize("workload", sorted(p.name for p in WORKLOADS_DIR.iterdir()
                                             if p.is_dir()))
def test_every_workload_translates(workload: str) -> None:
    original = (WORKLOADS_DIR / workload / "pyproject.toml").read_text()
    for translate in (pdm_pyproject, poetry_pyproject):
        doc = tomllib.loads(translate(original, INDEX))
        assert doc["project"] == tomllib.loads(original)["project"]


@pytest.mark.parametrize(
    ("text", "message"),
    [('[tool.x]\na = 1\n', "no \\[project\\] table"),
     ('[project]\nversion = "1"\n', "no \\[project\\] table"),
     ("[project\n", "not valid TOML"),
     ('tool = 1\n[project]\nname = "x"\n', "`tool` key that is no table")],
)
def test_a_workload_pdm_and_poetry_cannot_read_is_refused(text: str, message: str) -> None:
    for translate in (pdm_pyproject, poetry_pyproject):
        with pytest.raises(ProjectFileError, match=message):
            translate(text, INDEX)


# --- commands and isolation ----------------------------------------------------------------

@pytest.mark.parametrize("tool", [Pdm(Path("/p")), Poetry(Path("/p")), PipTools(Path("/p"))],
                         ids=lambda t: t.name)
def test_peers_are_isolated_from_the_machine_and_the_network(
    tool: Pdm | Poetry | PipTools, box: Sandbox,
) -> None:
    env = tool.environment(box)
    assert "http://leak.invalid/simple" not in env.values()
    assert "VIRTUAL_ENV" not in env and "PDM_PYPI_URL" not in env
    for var in ("http_proxy", "HTTPS_PROXY", "all_proxy"):
        assert env[var] == "http://127.0.0.1:9"  # nothing listens: no network beyond the mirror
    assert env["NO_PROXY"] == "127.0.0.1,localhost"
    assert env["PATH"].split(os.pathsep)[0] == str(box.python.parent)
    assert env["XDG_CONFIG_HOME"] == str(box.root / "config")
    assert any(value.startswith(str(box.cache)) for value in env.values())


def test_pdm_commands(box: Sandbox) -> None:
    pdm = Pdm(Path("/peers/pdm"))
    env = pdm.environment(box)
    assert (env["PDM_CACHE_DIR"], env["PDM_CHECK_UPDATE"]) == (str(box.cache), "false")
    assert pdm.lock(box) == ("/peers/pdm/bin/pdm", "lock")
    assert pdm.sync(box) == ("/peers/pdm/bin/pdm", "sync")
    assert pdm.run(box, ("python", "-c", "pass")) == ("/peers/pdm/bin/pdm", "run", "python",
                                                      "-c", "pass")
    assert pdm.compile(box) is None and pdm.venv(box, box.venv) is None
    assert pdm.project_file(box) == pdm_pyproject(WORKLOAD, INDEX)


def test_poetry_commands(box: Sandbox) -> None:
    poetry = Poetry(Path("/peers/poetry"))
    env = poetry.environment(box)
    assert env["POETRY_CACHE_DIR"] == str(box.cache)
    assert env["POETRY_VIRTUALENVS_IN_PROJECT"] == "true"  # .venv, where the checks look
    assert poetry.sync(box) == ("/peers/poetry/bin/poetry", "sync", "--no-root")
    assert poetry.project_file(box) == poetry_pyproject(WORKLOAD, INDEX)


def test_pip_tools_commands(box: Sandbox) -> None:
    tools = PipTools(Path("/peers/pt"))
    env = tools.environment(box)
    assert env["PIP_CONFIG_FILE"] == os.devnull
    assert env["PIP_CACHE_DIR"] == str(box.cache / "pip")
    argv = tools.compile(box)
    assert argv[:2] == ("/peers/pt/bin/pip-compile", str(box.project / "pyproject.toml"))
    assert argv[argv.index("--index-url") + 1] == INDEX
    assert argv[argv.index("--cache-dir") + 1] == str(box.cache / "pip-tools")
    assert argv[-2:] == ("--output-file", "-")
    assert tools.lock(box)[-1] == str(box.project / "requirements.txt")
    sync = tools.sync(box)
    assert sync[:2] == ("/peers/pt/bin/pip-sync", str(box.project / "requirements.txt"))
    assert sync[sync.index("--python-executable") + 1] == str(box.project_venv / "bin/python")
    assert tools.make_project_env(box) == (str(box.python), "-m", "venv", str(box.project_venv))
    assert tools.project_file(box) is None and tools.run(box, ("python",)) is None


def test_a_peer_not_installed_has_no_version() -> None:
    assert Pdm().version() is None


# --- scenarios -----------------------------------------------------------------------------

def _plan(name: str, tool: Pdm | Poetry | PipTools, box: Sandbox) -> Plan:
    plan = SCENARIOS[name].build(tool, box)
    assert plan is not None
    return plan


def test_project_scenarios_use_the_translated_file_and_the_tools_lock(box: Sandbox) -> None:
    pdm = Pdm(Path("/p"))
    fresh = (Remove(box.project),
             WriteFile(box.project / "pyproject.toml", pdm_pyproject(WORKLOAD, INDEX)))
    cold = _plan("lock-cold", pdm, box)
    assert cold.prepare == (Remove(box.cache), *fresh)
    assert cold.expect == ExpectFiles((box.project / "pdm.lock",))
    warm = _plan("lock-warm", Poetry(Path("/p")), box)
    assert warm.prepare == (Remove(box.project / "poetry.lock"),)
    sync = _plan("sync-warm", pdm, box)
    assert sync.prepare == (Remove(box.project_venv), Remove(box.project / ".pdm-python"))


def test_pip_sync_gets_an_environment_made_for_it_untimed(box: Sandbox) -> None:
    tools = PipTools(Path("/p"))
    plan = _plan("sync-warm", tools, box)
    made = plan.prepare[-1]
    assert plan.prepare[0] == Remove(box.project_venv)
    assert isinstance(made, Command) and made.argv == tools.make_project_env(box)
    steps = [a.argv[0].rsplit("/", 1)[-1] for a in plan.warmup if isinstance(a, Command)]
    assert steps == ["pip-compile", "python3.11", "pip-sync"]
    assert plan.timed.argv == tools.sync(box)
    compile_plan = _plan("compile-warm", tools, box)
    assert CopyFile(box.pyproject, box.project / "pyproject.toml") in compile_plan.warmup


def test_write_file_action(tmp_path: Path) -> None:
    perform(WriteFile(tmp_path / "new" / "pyproject.toml", "x = 1\n"), 10)
    assert (tmp_path / "new" / "pyproject.toml").read_text() == "x = 1\n"


def test_not_applicable_cells_carry_their_reason(tmp_path: Path, box: Sandbox) -> None:
    workload = box.pyproject.parent
    prepared = PreparedWorkload("demo", workload, box.requirements, (), (), ())
    scenarios = [SCENARIOS[n] for n in ("venv", "compile-warm")]
    with MirrorServer(tmp_path) as server:
        outcomes = run_scenarios(scenarios, [Pdm(), PipTools()], prepared,
                                 find_target_python(sys.executable), server, tmp_path / "w",
                                 rounds=1, timeout=10, keep=False,
                                 missing=frozenset({"pip-tools"}))
    reasons = {(o.scenario, o.tool): o.error for o in outcomes if o.status == "n/a"}
    assert set(reasons) == {("venv", "pdm"), ("compile-warm", "pdm")}
    assert "pdm has no pip-compile" in reasons["compile-warm", "pdm"]
    assert "issue 2 compares venv and pip install with pip" in reasons["venv", "pdm"]
    assert {o.status for o in outcomes if o.tool == "pip-tools"} == {"missing"}
    assert "pip has no projects" in Pip.not_applicable["lock-cold"]


def test_not_applicable_section_groups_scenarios_by_reason() -> None:
    outcomes = [Outcome("venv", "pdm", "n/a", error="not here"),
                Outcome("run", "pdm", "n/a", error="not here"),
                Outcome("run", "pip-tools", "n/a", error="no run"),
                Outcome("lock-cold", "pdm", "ok", (1.0,))]
    assert render_not_applicable(outcomes) == (
        "## Not applicable\n\n- **pdm** (venv, run): not here\n- **pip-tools** (run): no run\n"
    )
    assert render_not_applicable(outcomes[-1:]) == ""


def test_tools_option_keeps_the_quick_default_and_offers_all() -> None:
    assert parse_args([]).tools == list(DEFAULT_TOOLS) == ["ferry", "uv", "pip"]
    assert parse_args(["--tools", "all"]).tools == list(TOOLS)
    assert parse_args(["--tools", "ferry,pdm,poetry,pip-tools"]).tools == [
        "ferry", "pdm", "poetry", "pip-tools"]


# --- installs ------------------------------------------------------------------------------

def test_every_peer_requirement_is_pinned() -> None:
    for spec in PEER_SPECS.values():
        assert spec.requirements and all("==" in line for line in spec.requirements)


def test_a_peer_is_installed_once_and_again_when_its_pins_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[list[str]] = []

    def fake_run(argv: list[str], what: str) -> None:
        calls.append(argv)
        if argv[1:3] == ["-m", "venv"]:
            Path(argv[3], "bin").mkdir(parents=True)

    monkeypatch.setattr("bench.peer_envs._run", fake_run)
    python = Path("/opt/py/bin/python3.11")
    spec = PeerSpec("demo", ("demo==1.0",))
    venv = ensure_peer(spec, python, tmp_path)
    assert [c[1:3] for c in calls] == [["-m", "venv"], ["-m", "pip"]]
    assert calls[1][-1] == "demo==1.0"
    assert (tmp_path / ".gitignore").read_text() == "*\n"
    assert ensure_peer(spec, python, tmp_path) == venv and len(calls) == 2  # reused
    newer = ensure_peer(PeerSpec("demo", ("demo==2.0",)), python, tmp_path)
    assert newer != venv and len(calls) == 4


def test_a_failed_install_names_the_tool(tmp_path: Path) -> None:
    broken = tmp_path / "python"
    broken.write_text("#!/bin/sh\necho 'no venv here' >&2\nexit 3\n")
    broken.chmod(0o755)
    with pytest.raises(PeerInstallError, match=r"creating the demo venv.*exited 3"):
        ensure_peer(PeerSpec("demo", ("demo==1.0",)), broken, tmp_path / "peers")
