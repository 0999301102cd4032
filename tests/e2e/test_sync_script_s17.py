"""``ferry sync --script``: a PEP 723 script's environment brought up to date, side by side with
uv 0.13.8 where the two keep the same environment, and the environment is the one
``ferry run`` then uses (it neither resolves nor installs)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from tests.e2e.sync_pair_s17 import call, fill
from tests.e2e.sync_pair_s17 import write_script as write_block
from tests.support.index import IndexServer
from tests.support.runner import ferry_env, filter_output

SHOW = ("import importlib.metadata as m, sys\n"
        "print(sorted((d.metadata['Name'], d.version) for d in m.distributions()))\n"
        "print(sys.prefix)\n")
_ENV_LINE = re.compile(r"^(Would use|Would create|Using|Creating|Updating) script environment at: "
                       r"(\S+)$", re.M)


@pytest.fixture
def server(index_server: IndexServer) -> IndexServer:
    return fill(index_server)


def write_script(folder: Path, *deps: str) -> Path:
    return write_block(folder, *deps, body=SHOW)


def shown(done: subprocess.CompletedProcess[str]) -> list[str]:
    """stderr without what the two tools say differently by design: the environment's path
    (uv keys it by the script's path, ferry by what it holds) and the detail ferry adds to
    ``Prepared``."""
    text = filter_output(_ENV_LINE.sub(r"\1 script environment at: [ENV]", done.stderr))
    return [re.sub(r"^(Prepared .*) \(.*\)$", r"\1", line) for line in text.splitlines()]


def env_path(done: subprocess.CompletedProcess[str]) -> Path:
    found = _ENV_LINE.search(done.stderr)
    assert found, done.stderr
    return Path(found.group(2))


@pytest.mark.usefixtures("isolated_env")
def test_an_unlocked_script_is_synced_as_uv_syncs_it(
    tmp_path: Path, server: IndexServer, python_exe  # type: ignore[no-untyped-def]
) -> None:
    python = str(python_exe("3.12"))
    steps = [("sync", "--script", "s.py", "--dry-run"), ("sync", "--script", "s.py"),
             ("sync", "--script", "s.py"), ("sync", "--script", "s.py", "--dry-run"),
             ("sync", "--script", "s.py", "--reinstall"),
             ("sync", "--script", "s.py", "--locked"), ("sync", "--script", "s.py", "--frozen")]
    seen: dict[str, list[tuple[int, list[str]]]] = {}
    for tool in ("uv", "ferry"):
        folder = tmp_path / tool / "work"
        write_script(folder, "beta")
        seen[tool] = []
        for step in steps:
            done = call(tool, folder, *step, python=python, index=server.simple_url)
            lines = shown(done)
            if done.returncode:  # the words differ (`uv sync`, `ferry lock`): the kind agrees
                lines = [line.split(" requires")[0].replace("uv", "TOOL").replace("ferry", "TOOL")
                         for line in lines if line.startswith("error:")]
            seen[tool].append((done.returncode, lines))
        assert not (folder / "s.py.lock").exists()  # nothing written beside the script
    assert seen["ferry"] == seen["uv"]
    assert seen["ferry"][0] == (0, [
        "Would create script environment at: [ENV]", "Resolved 2 packages in [TIME]",
        "Would download 2 packages", "Would install 2 packages", " + alpha==2.0",
        " + beta==1.5"])
    assert seen["ferry"][2] == (0, ["Using script environment at: [ENV]",
                                    "Resolved 2 packages in [TIME]",
                                    "Checked 2 packages in [TIME]"])
    assert seen["ferry"][5] == (2, ["error: `TOOL sync --locked`"])


@pytest.mark.usefixtures("isolated_env")
def test_a_locked_script_is_synced_from_its_lock_as_uv_syncs_it(
    tmp_path: Path, server: IndexServer, python_exe  # type: ignore[no-untyped-def]
) -> None:
    python = str(python_exe("3.12"))
    steps = [("lock", "--script", "s.py"), ("sync", "--script", "s.py", "--dry-run"),
             ("sync", "--script", "s.py"), ("sync", "--script", "s.py", "--frozen"),
             ("sync", "--script", "s.py", "--locked")]
    seen: dict[str, list[tuple[int, list[str]]]] = {}
    for tool in ("uv", "ferry"):
        folder = tmp_path / tool / "work"
        write_script(folder, "beta")
        seen[tool] = [(done.returncode, shown(done)) for done in
                      (call(tool, folder, *step, python=python, index=server.simple_url)
                       for step in steps)]
    assert seen["ferry"] == seen["uv"]
    assert seen["ferry"][1] == (0, [
        "Would create script environment at: [ENV]", "Resolved 2 packages in [TIME]",
        "Found up-to-date lockfile at: s.py.lock", "Would download 2 packages",
        "Would install 2 packages", " + alpha==2.0", " + beta==1.5"])
    assert seen["ferry"][3] == (0, ["Using script environment at: [ENV]",
                                    "Checked 2 packages in [TIME]"])


@pytest.mark.usefixtures("isolated_env")
def test_a_changed_block_relocks_and_run_uses_the_synced_environment(
    tmp_path: Path, server: IndexServer, python_exe  # type: ignore[no-untyped-def]
) -> None:
    python = str(python_exe("3.12"))
    folder = tmp_path / "ferry" / "work"
    script = write_script(folder, "beta")
    lock = script.with_name("s.py.lock")

    def ferry(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return call("ferry", folder, *args, python=python, index=server.simple_url,
                    extra_env=env)

    assert ferry("lock", "--script", "s.py").returncode == 0
    assert ferry("sync", "--script", "s.py").returncode == 0
    script.write_text(script.read_text().replace('"beta"]', '"beta", "gamma"]'))
    before = lock.read_bytes()
    stale = ferry("sync", "--script", "s.py", "--locked")
    assert stale.returncode == 1 and "needs to be updated" in stale.stderr
    frozen = ferry("sync", "--script", "s.py", "--frozen")  # the lock as it is: no gamma
    assert frozen.returncode == 0 and shown(frozen)[-1] == "Checked 2 packages in [TIME]"
    dry = ferry("sync", "--script", "s.py", "--dry-run")
    assert "Would update lockfile at: s.py.lock" in shown(dry)
    assert lock.read_bytes() == before  # neither --locked, --frozen nor a dry run writes
    synced = ferry("sync", "--script", "s.py")
    assert synced.returncode == 0, synced.stderr
    assert b'name = "gamma"' in lock.read_bytes()
    assert " + gamma==1.0" in shown(synced)
    environment = env_path(synced)
    server.clear_log()
    ran = ferry("run", "-v", "s.py")
    assert ran.returncode == 0, ran.stderr
    assert "('gamma', '1.0')" in ran.stdout
    assert ran.stdout.splitlines()[-1] == str(environment)
    assert "making the scripts environment" not in ran.stderr  # the synced one, as it is
    assert server.count("/simple/*") == 0


@pytest.mark.usefixtures("isolated_env")
def test_an_unlocked_sync_prepares_the_environment_run_uses(
    tmp_path: Path, server: IndexServer, python_exe  # type: ignore[no-untyped-def]
) -> None:
    python = str(python_exe("3.12"))
    folder = tmp_path / "ferry" / "work"
    write_script(folder, "beta")
    synced = call("ferry", folder, "sync", "--script", "s.py", python=python,
                  index=server.simple_url)
    assert synced.returncode == 0, synced.stderr
    server.clear_log()
    ran = call("ferry", folder, "run", "-v", "s.py", python=python, index=server.simple_url)
    assert ran.returncode == 0, ran.stderr
    assert "('alpha', '2.0'), ('beta', '1.5')" in ran.stdout
    assert "making the scripts environment" not in ran.stderr
    assert server.count("/simple/*") == 0
    assert ran.stdout.splitlines()[-1] == str(env_path(synced))
    # an extraneous package put into it by hand is removed by the next (exact) sync
    environment = env_path(synced)
    extra = server.index.root / "files" / "gamma-1.0-py3-none-any.whl"
    subprocess.run([sys.executable, "-m", "ferry", "pip", "install", "--python",
                    str(environment / "bin" / "python"), str(extra)], check=True,
                   env=ferry_env({"FERRY_CACHE_DIR": str(tmp_path / "ferry" / "ferry-cache")}),
                   capture_output=True)
    again = call("ferry", folder, "sync", "--script", "s.py", python=python,
                 index=server.simple_url)
    assert any(line.startswith(" - gamma==1.0") for line in shown(again))


def test_project_selection_flags_are_refused_beside_script(
    tmp_path: Path, server: IndexServer, python_exe  # type: ignore[no-untyped-def]
) -> None:
    python = str(python_exe("3.12"))
    folder = tmp_path / "ferry" / "work"
    write_script(folder, "beta")
    first = call("ferry", folder, "sync", "--script", "s.py", "--extra", "x", python=python,
                 index=server.simple_url)
    assert first.returncode == 2
    assert "the argument '--script <SCRIPT>' cannot be used with '--extra <EXTRA>'" in first.stderr
    later = call("ferry", folder, "sync", "--no-dev", "--script", "s.py", python=python,
                 index=server.simple_url)
    assert later.returncode == 2
    assert "the argument '--no-dev' cannot be used with '--script <SCRIPT>'" in later.stderr


def test_a_file_without_a_block_is_refused(tmp_path: Path, python_exe) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "work"
    folder.mkdir()
    (folder / "plain.py").write_text("print(1)\n", encoding="utf-8")
    done = call("ferry", folder, "sync", "--script", "plain.py",
                python=str(python_exe("3.12")), index="http://127.0.0.1:9/simple/")
    assert done.returncode == 1
    assert "`plain.py` does not contain a PEP 723 metadata tag" in done.stderr
    assert "ferry init --script plain.py" in done.stderr


def test_the_lock_variable_is_refused_for_a_script_without_a_lock(
    tmp_path: Path, python_exe  # type: ignore[no-untyped-def]
) -> None:
    folder = tmp_path / "work"
    write_script(folder, "beta")
    done = call("ferry", folder, "sync", "--script", "s.py", python=str(python_exe("3.12")),
                index="http://127.0.0.1:9/simple/", extra_env={"FERRY_LOCKED": "1"})
    assert done.returncode == 2
    assert "`ferry sync` with `FERRY_LOCKED=1` requires a script lockfile" in done.stderr


@pytest.mark.usefixtures("isolated_env")
def test_a_block_without_requires_python_is_warned_about_only_when_locked(
    tmp_path: Path, server: IndexServer, python_exe  # type: ignore[no-untyped-def]
) -> None:
    python = str(python_exe("3.12"))
    steps = [("sync", "--script", "s.py"), ("lock", "--script", "s.py"),
             ("sync", "--script", "s.py")]
    seen: dict[str, list[list[str]]] = {}
    for tool in ("uv", "ferry"):
        folder = tmp_path / tool / "work"
        folder.mkdir(parents=True)
        (folder / "s.py").write_text('# /// script\n# dependencies = ["beta"]\n# ///\n',
                                     encoding="utf-8")
        # (uv says "found in the workspace" of a script; ferry's lock says "in the script".
        # Locking moves ferry to the environment of the lock's pins, so only the warnings are
        # compared: uv keeps one environment per script path.)
        seen[tool] = [[line.replace("the workspace", "the script") for line in shown(
            call(tool, folder, *step, python=python, index=server.simple_url))
            if line.startswith("warning:")] for step in steps]
    assert seen["ferry"] == seen["uv"]
    warned = "warning: No `requires-python` value found in the script. Defaulting to `>=3.12`."
    assert seen["ferry"] == [[], [warned], [warned]]
