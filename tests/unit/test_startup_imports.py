"""What the fast paths import: ``--version``, a no-op ``sync`` and a no-op ``run``.

A no-op sync (fresh ``uv.lock``, environment as last synced) needs discovery, the pyproject and
lock parsers, the freshness check, the cached interpreter, the lock selection and a listing of
site-packages; at ~1 ms per module, importing the HTTP client, the resolver or the installer on
that path costs more than the work. These tests run ferry in a subprocess and list
``sys.modules`` when it is done (for ``run``, at the moment it would exec the command).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.support.index import LocalIndex
from tests.support.runner import Result, ferry_env

# The command ran to completion: run ferry's CLI in-process, then dump the modules it loaded.
_DRIVER = """
import json, os, runpy, sys
out, args = sys.argv[1], sys.argv[2:]

real_exit = os._exit

def dump(*_: object, status: int = 0) -> None:
    with open(out, "w") as handle:
        json.dump(sorted(sys.modules), handle)
    real_exit(status)

os.execvpe = dump  # `run` execs its command: record the modules instead
os._exit = lambda status: dump(status=status)  # ferry leaves without teardown (cli.fast)
sys.argv = ["ferry", *args]
try:
    runpy.run_module("ferry", run_name="__main__")
except SystemExit as exit:
    if exit.code:
        raise
dump()
"""

# Never needed when there is nothing to do.
HEAVY = (
    "httpx",
    "httpcore",
    "resolvelib",
    "tomlkit",
    "rich",
    "installer",
    "zipfile",
    "ferry.index.client",
    "ferry.index.http",
    "ferry.resolve.engine",
    "ferry.resolve.algorithm",
    "ferry.resolve.universal",
    "ferry.dist.build",
    "ferry.dist.prepare",
    "ferry.install.execute",
    "ferry.install.plan",
    "ferry.wheel.install",
    "ferry.wheel.validate",
    "ferry.wheel.unpack",
)


def loaded_modules(args: list[str], cwd: Path, env: dict[str, str | None]) -> set[str]:
    out = cwd / "modules.json"
    done = subprocess.run(
        [sys.executable, "-c", _DRIVER, str(out), *args],
        cwd=cwd,
        env=ferry_env(env),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    modules: list[str] = json.loads(out.read_text())
    out.unlink()
    return set(modules)


def heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY))


@pytest.fixture
def synced_project(
    tmp_path: Path,
    local_index: LocalIndex,
    run: Callable[..., Result],
) -> tuple[Path, dict[str, str | None]]:
    local_index.add_wheel("alpha", "1.0", requires=["beta"])
    local_index.add_wheel("beta", "2.0")
    project = tmp_path / "proj"
    project.mkdir()
    (project / "pyproject.toml").write_text(
        '[project]\nname = "proj"\nversion = "0.1.0"\nrequires-python = ">=3.8"\n'
        'dependencies = ["alpha"]\n'
    )
    env: dict[str, str | None] = {
        "FERRY_INDEX_URL": local_index.file_url,
        "FERRY_PYTHON": sys.executable,
    }
    for command in ("lock", "sync"):
        result = run(command, cwd=project, env=env)
        assert result.code == 0, result.output
    return project, env


FAST_PATH_MODULES = {
    "ferry._code_bundle",  # serves the rest of ferry's modules
    "ferry.cli",
    "ferry.cli.fast",
    "ferry.commands",
    "ferry.commands.fastpath",
    "ferry.python",
    "ferry.python.interpreter_cache",
    "ferry.model",
    "ferry.model.builtin_sha256",  # hashlib would load OpenSSL
    "ferry.model.console_text",  # the lines it prints, as the full path prints them
}


def test_version_imports_no_command(tmp_path: Path, isolated_env: Path) -> None:
    modules = loaded_modules(["--version"], tmp_path, {})
    commands = [m for m in modules if m.startswith(("ferry.commands", "ferry.project"))]
    # The entry point tries the no-op fast path first; it is standard-library only.
    assert set(commands) <= {"ferry.commands", "ferry.commands.fastpath"}
    assert not [m for m in modules if m.startswith(("ferry.cache", "ferry.python", "packaging"))]
    assert heavy(modules) == []
    assert "click" not in modules  # the answer is printed before the CLI is loaded


@pytest.mark.parametrize("flag", ["--version", "-V"])
def test_version_is_uvs_line(flag: str, tmp_path: Path) -> None:
    from ferry import __version__

    done = subprocess.run([sys.executable, "-m", "ferry", flag], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout, done.stderr) == (0, f"ferry {__version__}\n", "")


def test_noop_sync_imports_nothing_heavy(
    synced_project: tuple[Path, dict[str, str | None]], isolated_env: Path
) -> None:
    project, env = synced_project
    modules = loaded_modules(["sync"], project, {**env, "FERRY_NO_FAST_PATH": "1"})
    assert "ferry.commands.sync" in modules  # the driver did run the command
    assert heavy(modules) == []


def test_a_repeated_noop_sync_is_answered_before_click_loads(
    synced_project: tuple[Path, dict[str, str | None]], isolated_env: Path
) -> None:
    project, env = synced_project
    loaded_modules(["sync"], project, env)  # the full path writes the record
    modules = loaded_modules(["sync"], project, env)
    assert "click" not in modules and "ferry.cli.main" not in modules
    assert not [m for m in modules if m.startswith("ferry.") and m not in FAST_PATH_MODULES]


def test_noop_run_imports_nothing_heavy(
    synced_project: tuple[Path, dict[str, str | None]], isolated_env: Path
) -> None:
    project, env = synced_project
    modules = loaded_modules(
        ["run", "python", "-c", "pass"], project, {**env, "FERRY_NO_FAST_PATH": "1"}
    )
    assert "ferry.commands.run" in modules
    assert heavy(modules) == []


def test_a_sync_from_the_cache_loads_the_installer_only(
    synced_project: tuple[Path, dict[str, str | None]], isolated_env: Path
) -> None:
    """The lazy imports are where the work is: a sync with something to do gets there."""
    project, env = synced_project
    site = next((project / ".venv").glob("lib/python*/site-packages"))
    for dist_info in site.glob("beta-*.dist-info"):
        for path in sorted(dist_info.iterdir()):
            path.unlink()
        dist_info.rmdir()
    modules = loaded_modules(["sync"], project, env)
    assert {"ferry.install.execute", "ferry.wheel.install"} <= modules
    # ... but everything it needs is in the cache: no index client, no HTTP, no build machinery
    assert not {"ferry.index.client", "httpx", "ferry.dist.build"} & modules
    # ... nor OpenSSL, nor secrets' random: a warm install hashes only a few small files
    assert not {"hashlib", "_hashlib", "secrets", "configparser"} & modules
    assert (site / "beta").is_dir() or any(site.glob("beta-*.dist-info"))
