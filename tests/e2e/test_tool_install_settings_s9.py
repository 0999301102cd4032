"""``[tool.uv] link-mode`` and ``compile-bytecode`` shape a project sync as they do uv's (they were
accepted and ignored); a flag still wins."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.seedkit import ok, write_project
from tests.support.index import IndexServer
from tests.support.runner import Runner


def _module_files(project: Path) -> list[Path]:
    return [p for p in (project / ".venv").glob("lib/python3*/site-packages/lib/*.py")]


def test_project_link_mode_and_bytecode_settings_apply(
    run: Runner, tmp_path: Path, index_server: IndexServer
) -> None:
    index_server.index.add_wheel("lib", "1.0")
    project = write_project(tmp_path / "app", "app", ["lib"], requires_python=">=3.8",
                            extra='\n[tool.uv]\nlink-mode = "copy"\ncompile-bytecode = true\n')
    ok(run("sync", "--index-url", index_server.simple_url, cwd=project))
    files = _module_files(project)
    assert files and all(f.stat().st_nlink == 1 for f in files)
    assert list((files[0].parent / "__pycache__").glob("*.pyc"))

    ok(run("sync", "--reinstall", "--link-mode", "hardlink", "--index-url",
           index_server.simple_url, cwd=project))
    assert all(f.stat().st_nlink > 1 for f in _module_files(project))


def test_a_bad_link_mode_is_reported_with_its_key(run: Runner, tmp_path: Path) -> None:
    project = write_project(tmp_path / "app", "app", [], requires_python=">=3.8",
                            extra='\n[tool.uv]\nlink-mode = "teleport"\n')
    result = run("sync", cwd=project)
    assert result.code == 1
    assert "tool.uv.link-mode" in result.stderr and "teleport" in result.stderr


def test_a_frozen_sync_resolves_nothing_and_says_nothing_of_it(
    run: Runner, tmp_path: Path, index_server: IndexServer
) -> None:
    """As uv: `--frozen` reads the lock; no `Resolved N packages` line (s8 late review L6)."""
    index_server.index.add_wheel("lib", "1.0")
    project = write_project(tmp_path / "app", "app", ["lib"], requires_python=">=3.8")
    ok(run("lock", "--index-url", index_server.simple_url, cwd=project))
    for args in (("--frozen", "--dry-run"), ("--frozen",)):
        result = ok(run("sync", *args, "--index-url", index_server.simple_url, cwd=project))
        assert "Resolved" not in result.stderr
        assert " + lib==1.0" in result.stderr
    unfrozen = ok(run("sync", "--index-url", index_server.simple_url, cwd=project))
    assert "Resolved 2 packages" in unfrozen.stderr
