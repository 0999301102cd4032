"""Seed report uv#8860: a fresh environment (a nox/tox session) should be able to take the
version already in the cache instead of the newest release.

`--prefer-offline` resolves from cached index pages without revalidating them and prefers, among
satisfying versions, the highest one the cache already holds; `--offline` never touches the
network and fails clearly for anything the cache lacks.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.e2e.seedkit import installed, ok, uv_lock, write_project


@pytest.fixture
def warm(run, index_server, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    """The cache holds tool 0.6.9; then the index publishes 0.7.2."""
    index_server.index.add_wheel("tool", "0.6.9")
    first = tmp_path / "first"
    ok(run("venv", str(first), "-p", "3.12"))
    ok(run("pip", "install", "--python", str(first), "-i", index_server.simple_url, "tool"))
    assert installed(first) == {"tool": "0.6.9"}
    index_server.index.add_wheel("tool", "0.7.2")
    index_server.clear_log()
    fresh = tmp_path / "session"
    ok(run("venv", str(fresh), "-p", "3.12"))
    return fresh


def test_prefer_offline_takes_the_cached_version_without_network(
    warm: Path, run, index_server  # type: ignore[no-untyped-def]
) -> None:
    ok(run("pip", "install", "--prefer-offline", "--python", str(warm),
           "-i", index_server.simple_url, "tool"))
    assert installed(warm) == {"tool": "0.6.9"}
    assert index_server.requests == []


def test_without_the_flag_the_newest_release_wins(
    warm: Path, run, index_server  # type: ignore[no-untyped-def]
) -> None:
    ok(run("pip", "install", "--python", str(warm), "-i", index_server.simple_url, "tool"))
    assert installed(warm) == {"tool": "0.7.2"}


def test_offline_installs_from_the_cache_with_the_index_down(
    warm: Path, run, index_server  # type: ignore[no-untyped-def]
) -> None:
    url = index_server.simple_url
    index_server.stop()
    ok(run("pip", "install", "--offline", "--python", str(warm), "-i", url, "tool"))
    assert installed(warm) == {"tool": "0.6.9"}


def test_offline_names_what_the_cache_lacks(
    warm: Path, run, index_server, env_snapshot  # type: ignore[no-untyped-def]
) -> None:
    index_server.index.add_wheel("never-fetched", "1.0.0")
    url = index_server.simple_url
    index_server.stop()
    before = env_snapshot(warm)
    result = run("pip", "install", "--offline", "--python", str(warm), "-i", url, "never-fetched")
    assert result.code == 1, result.output
    assert "never-fetched" in result.stderr and "offline" in result.stderr.lower()
    assert "Traceback" not in result.stderr
    assert env_snapshot(warm) == before


def test_sync_and_run_offline_from_a_warm_cache(
    run, index_server, tmp_path: Path, python_exe  # type: ignore[no-untyped-def]
) -> None:
    index_server.index.add_wheel("tool", "0.6.9")
    root = write_project(tmp_path / "app", "app", ["tool"], requires_python=">=3.9")
    uv_lock(root, index_server.simple_url, python_exe("3.12"))
    ok(run("sync", "--frozen", "-p", "3.12", cwd=root))
    copy = write_project(tmp_path / "copy", "app", ["tool"], requires_python=">=3.9")
    (copy / "uv.lock").write_bytes((root / "uv.lock").read_bytes())
    index_server.stop()
    ok(run("sync", "--frozen", "--offline", "-p", "3.12", cwd=copy))
    result = ok(run("run", "--frozen", "--offline", "python", "-c",
                    "import tool; print(tool.__version__)", cwd=copy))
    assert result.stdout.strip() == "0.6.9"


def test_lock_and_sync_prefer_the_cached_version(
    warm: Path, run, index_server, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    root = write_project(
        tmp_path / "proj", "proj", ["tool"], requires_python=">=3.9",
        extra=f'\n[[tool.uv.index]]\nurl = "{index_server.simple_url}"\ndefault = true\n',
    )
    (root / ".python-version").write_text("3.12\n", encoding="utf-8")
    index_server.clear_log()
    ok(run("lock", "--prefer-offline", cwd=root))
    assert 'name = "tool"\nversion = "0.6.9"' in (root / "uv.lock").read_text()
    assert index_server.file_downloads() == []
    ok(run("sync", "--prefer-offline", "--frozen", cwd=root))
    assert installed(root / ".venv") == {"tool": "0.6.9"}
    assert index_server.file_downloads() == []
    (root / "uv.lock").unlink()
    ok(run("lock", cwd=root))
    assert 'name = "tool"\nversion = "0.7.2"' in (root / "uv.lock").read_text()
