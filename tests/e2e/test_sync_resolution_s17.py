"""``ferry sync --resolution/--prerelease/--fork-strategy``: the lock is re-resolved with the
strategy when it was made with another one, side by side with uv 0.13.8 (which also ignores the
old lock's versions then: ``--resolution lowest`` after a highest lock gets the lowest ones)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from tests.e2e.sync_pair_s17 import call, fill, write_script
from tests.support.index import IndexServer
from tests.support.runner import filter_output

PYPROJECT = ('[project]\nname = "p"\nversion = "0.1"\nrequires-python = ">=3.11"\n'
             'dependencies = ["beta", "gamma"]\n')
# uv says why it resolves afresh; ferry says it under -v only (a known difference)
_IGNORING = re.compile(r"^Ignoring existing lockfile due to change in .*$\n?", re.M)


@pytest.fixture
def server(index_server: IndexServer) -> IndexServer:
    return fill(index_server)


def shown(done: subprocess.CompletedProcess[str]) -> tuple[int, list[str]]:
    """stderr without uv's ``Ignoring existing lockfile`` line, the hints (each names its own
    command) and ``Prepared`` (ferry counts cache hits too: not what these tests are about)."""
    text = filter_output(_IGNORING.sub("", done.stderr))
    return done.returncode, [line for line in text.splitlines() if line.strip()
                             and not line.startswith(("hint:", "Prepared "))]


def locked_versions(folder: Path) -> dict[str, str]:
    text = (folder / "uv.lock").read_text(encoding="utf-8")
    return dict(re.findall(r'\[\[package\]\]\nname = "([^"]+)"\nversion = "([^"]+)"', text))


@pytest.mark.usefixtures("isolated_env")
def test_sync_relocks_with_the_strategies_as_uv_does(
    tmp_path: Path, server: IndexServer, python_exe  # type: ignore[no-untyped-def]
) -> None:
    python = str(python_exe("3.12"))
    steps = [(), ("--resolution", "lowest"), ("--resolution", "lowest"),
             ("--locked", "--resolution", "highest"), ("--frozen", "--resolution", "highest"),
             ("--prerelease", "allow"), ("--fork-strategy", "fewest"),
             ("--resolution", "lowest-direct")]
    seen: dict[str, list[tuple[int, list[str]]]] = {}
    locks: dict[str, list[dict[str, str]]] = {}
    for tool in ("uv", "ferry"):
        folder = tmp_path / tool / "work"
        folder.mkdir(parents=True)
        (folder / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
        seen[tool], locks[tool] = [], []
        for step in steps:
            seen[tool].append(shown(call(tool, folder, "sync", *step, python=python,
                                         index=server.simple_url)))
            locks[tool].append(locked_versions(folder))
    assert seen["ferry"] == seen["uv"]
    assert locks["ferry"] == locks["uv"]
    assert locks["ferry"][1] == {"p": "0.1", "alpha": "1.0", "beta": "1.0", "gamma": "1.0"}
    assert seen["ferry"][2] == (0, ["Resolved 4 packages in [TIME]",
                                    "Checked 3 packages in [TIME]"])
    assert seen["ferry"][3][0] == 1  # the lock says lowest: `--locked` with highest fails
    assert locks["ferry"][5]["gamma"] == "2.0b1"
    assert locks["ferry"][7]["beta"] == "1.0" and locks["ferry"][7]["alpha"] == "2.0"
    head = (tmp_path / "ferry" / "work" / "uv.lock").read_text(encoding="utf-8").split("[[")[0]
    assert 'resolution-mode = "lowest-direct"' in head


@pytest.mark.usefixtures("isolated_env")
def test_a_dry_run_with_another_resolution_says_what_would_change_and_writes_nothing(
    tmp_path: Path, server: IndexServer, python_exe  # type: ignore[no-untyped-def]
) -> None:
    python = str(python_exe("3.12"))
    folder = tmp_path / "ferry" / "work"
    folder.mkdir(parents=True)
    (folder / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    assert call("ferry", folder, "sync", python=python, index=server.simple_url).returncode == 0
    before = (folder / "uv.lock").read_bytes()
    code, lines = shown(call("ferry", folder, "sync", "--dry-run", "--resolution", "lowest",
                             python=python, index=server.simple_url))
    assert code == 0
    tail = lines[lines.index("Would update lockfile at: uv.lock"):]
    assert [line for line in tail if not line.startswith("warning:")] == [
        "Would update lockfile at: uv.lock", "Would download 2 packages",
        "Would uninstall 2 packages", "Would install 2 packages", " - alpha==2.0",
        " + alpha==1.0", " - beta==1.5", " + beta==1.0"]
    assert (folder / "uv.lock").read_bytes() == before


@pytest.mark.usefixtures("isolated_env")
def test_a_locked_script_is_relocked_with_the_resolution(
    tmp_path: Path, server: IndexServer, python_exe  # type: ignore[no-untyped-def]
) -> None:
    python = str(python_exe("3.12"))
    folder = write_script(tmp_path / "ferry" / "work", "beta").parent
    assert call("ferry", folder, "lock", "--script", "s.py", python=python,
                index=server.simple_url).returncode == 0
    code, lines = shown(call("ferry", folder, "sync", "--script", "s.py", "--resolution",
                             "lowest", python=python, index=server.simple_url))
    assert code == 0
    assert lines[-3:] == ["Installed 2 packages in [TIME]", " + alpha==1.0", " + beta==1.0"]
    lock = (folder / "s.py.lock").read_text(encoding="utf-8")
    assert 'resolution-mode = "lowest"' in lock and 'version = "1.5"' not in lock
