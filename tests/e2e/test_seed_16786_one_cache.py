"""Seed report uv#16786: what `pip install` cached, `sync` must not download again.

uv's pip interface stored wheels without their hashes, so the project interface (which looks
files up by the lock's hashes) downloaded them again. ferry hashes every download while it
streams and keys the cache by that digest, whichever command put it there.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from tests.e2e.seedkit import installed, ok, uv_lock, write_project


@pytest.fixture
def project(tmp_path: Path, index_server, python_exe) -> Path:  # type: ignore[no-untyped-def]
    index = index_server.index
    index.add_wheel("lib", "1.0.0", requires=["helper>=1"])
    index.add_wheel("helper", "1.2.0")
    index.add_wheel("extra-tool", "2.0.0")
    root = write_project(tmp_path / "app", "app", ["lib==1.0.0"], requires_python=">=3.9")
    uv_lock(root, index_server.simple_url, python_exe("3.12"))
    index_server.clear_log()
    return root


def _throwaway_install(run, tmp_path: Path, index_url: str, *packages: str) -> None:  # type: ignore[no-untyped-def]
    venv = tmp_path / "throwaway"
    ok(run("venv", str(venv), "-p", "3.12"))
    ok(run("pip", "install", "--python", str(venv), "--index-url", index_url, *packages))
    shutil.rmtree(venv)


def test_pip_install_then_sync_downloads_nothing(
    project: Path, run, index_server, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    _throwaway_install(run, tmp_path, index_server.simple_url, "lib==1.0.0")
    assert len(index_server.file_downloads()) == 2
    index_server.clear_log()
    result = ok(run("sync", "--frozen", "-p", "3.12", cwd=project))
    assert index_server.file_downloads() == []
    assert "0 downloaded" in result.stderr or "downloaded" not in result.stderr
    assert installed(project / ".venv") == {"lib": "1.0.0", "helper": "1.2.0"}


def test_sync_then_pip_install_downloads_nothing(
    project: Path, run, index_server, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    ok(run("sync", "--frozen", "-p", "3.12", cwd=project))
    assert len(index_server.file_downloads()) == 2
    index_server.clear_log()
    _throwaway_install(run, tmp_path, index_server.simple_url, "lib==1.0.0")
    assert index_server.file_downloads() == []


def test_run_with_reuses_the_cache(
    project: Path, run, index_server, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    _throwaway_install(run, tmp_path, index_server.simple_url, "extra-tool==2.0.0")
    ok(run("sync", "--frozen", "-p", "3.12", cwd=project))
    index_server.clear_log()
    result = ok(
        run(
            "run", "--frozen", "--index-url", index_server.simple_url, "--with",
            "extra-tool==2.0.0", "python", "-c",
            "import extra_tool, lib; print(extra_tool.__version__)",
            cwd=project,
        )
    )
    assert result.stdout.strip() == "2.0.0"
    assert index_server.file_downloads() == []
    assert "extra-tool" not in installed(project / ".venv")


def test_a_built_sdist_is_shared_too(
    run, index_server, tmp_path: Path, python_exe  # type: ignore[no-untyped-def]
) -> None:
    index_server.index.add_sdist("from-source", "0.3.0")
    root = write_project(tmp_path / "built", "built", ["from-source"], requires_python=">=3.9")
    uv_lock(root, index_server.simple_url, python_exe("3.12"))
    _throwaway_install(run, tmp_path, index_server.simple_url, "from-source==0.3.0")
    index_server.clear_log()
    result = ok(run("sync", "--frozen", "-p", "3.12", "-v", cwd=root))
    assert index_server.file_downloads() == []
    assert "built earlier" in result.stderr
    assert installed(root / ".venv") == {"from-source": "0.3.0"}

