"""The common commands never import ``logging`` nor ``concurrent.futures`` (~5.6 ms a run).

Every module logs through ``ferry.model.log`` (which imports logging only for a message that will
print) and pools are ``ferry.model.thread_pool``; one stray ``import logging`` anywhere on a
command's path, or a library that imports it, would put the cost back. Each command runs in a
subprocess against a local ``file://`` index, and the modules it loaded are listed at its end.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from tests.support.index import LocalIndex
from tests.support.runner import Result
from tests.unit import test_startup_imports
from tests.unit.test_startup_imports import loaded_modules

# that module's project: alpha (needing beta) from a file:// index, locked and synced
synced_project = test_startup_imports.synced_project

NEVER = ("logging", "concurrent")


def strays(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in NEVER)


def test_lock_sync_pip_install_compile_venv_run_load_neither(
    tmp_path: Path, synced_project: tuple[Path, dict[str, str | None]]
) -> None:
    project, env = synced_project  # locked and synced: the cache is warm
    seen: dict[str, list[str]] = {}

    def check(label: str, args: list[str], cwd: Path = project, **more: str) -> set[str]:
        modules = loaded_modules(args, cwd, {**env, **more})
        seen[label] = strays(modules)
        return modules

    (project / "uv.lock").unlink()
    assert "ferry.resolve.provider_index" in check("lock, warm cache", ["lock"])  # resolved
    check("lock, fresh", ["lock"])
    shutil.rmtree(project / ".venv")
    assert "ferry.install.execute" in check("sync, new environment", ["sync"],
                                            FERRY_NO_FAST_PATH="1")
    shutil.rmtree(project / ".venv")
    assert "ferry.commands.sync_replay" in check("sync, new environment replayed", ["sync"])
    check("sync, no-op", ["sync"], FERRY_NO_FAST_PATH="1")
    check("run", ["run", "python", "-c", "pass"])

    check("venv", ["venv", str(tmp_path / "env")], cwd=tmp_path)
    target = str(tmp_path / "env")
    modules = check("pip install, warm cache", ["pip", "install", "alpha"], cwd=tmp_path,
                    VIRTUAL_ENV=target)
    assert "ferry.install.execute" in modules  # it did install
    check("pip install, satisfied", ["pip", "install", "alpha"], cwd=tmp_path,
          VIRTUAL_ENV=target)
    (tmp_path / "in.txt").write_text("alpha\n")
    check("pip compile", ["pip", "compile", "in.txt", "-o", "out.txt"], cwd=tmp_path)
    assert "beta==2.0" in (tmp_path / "out.txt").read_text()

    assert seen == {label: [] for label in seen}


def test_v_still_logs_through_logging(
    tmp_path: Path, local_index: LocalIndex, run: Callable[..., Result], isolated_env: Path
) -> None:
    """The control: with ``-v`` the DEBUG lines need logging, and it is loaded."""
    local_index.add_wheel("alpha", "1.0")
    (tmp_path / "in.txt").write_text("alpha\n")
    env: dict[str, str | None] = {"FERRY_INDEX_URL": local_index.file_url}
    assert "logging" in loaded_modules(["pip", "compile", "-v", "in.txt"], tmp_path, env)
    result = run("pip", "compile", "-v", "in.txt", env=env)
    assert result.code == 0 and "DEBUG " in result.stderr


# The only modules that may import logging: the shim, which forwards to it when a message will
# print, and the CLI's formatter, which the shim loads then.
MAY_IMPORT_LOGGING = {"model/log.py", "cli/log_format.py"}


def test_src_logs_through_ferry_model_log_and_pools_through_thread_pool() -> None:
    """The static side of the test above, for the paths it does not run: a module must log
    with ``ferry.model.log.get_logger(__name__)`` and pool with ``ferry.model.thread_pool``."""
    import ast

    src = Path(__file__).resolve().parents[2] / "src" / "ferry"
    found = []
    for path in sorted(src.rglob("*.py")):
        name = path.relative_to(src).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for block in ast.walk(tree):  # annotations only: never imported at run time
            if isinstance(block, ast.If) and ast.unparse(block.test) == "TYPE_CHECKING":
                block.body = []
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            else:
                continue
            for module in modules:
                top = module.split(".")[0]
                if top == "concurrent" or (top == "logging" and name not in MAY_IMPORT_LOGGING):
                    found.append(f"{name}:{node.lineno} imports {module}")
    assert found == []
