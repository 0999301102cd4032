"""The no-op fast path: replayed only while every input is unchanged (commands/fastpath.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.e2e.seedkit import installed, ok, uv_lock, write_project


@pytest.fixture
def project(tmp_path: Path, index_server, python_exe, run) -> Path:  # type: ignore[no-untyped-def]
    index_server.index.add_wheel("lib", "1.0.0")
    index_server.index.add_wheel("other", "2.0.0")
    root = write_project(tmp_path / "app", "app", ["lib"], requires_python=">=3.9")
    (root / ".python-version").write_text("3.12\n", encoding="utf-8")
    uv_lock(root, index_server.simple_url, python_exe("3.12"))
    (root / "pyproject.toml").write_text(
        (root / "pyproject.toml").read_text()
        + f'\n[[tool.uv.index]]\nurl = "{index_server.simple_url}"\ndefault = true\n',
        encoding="utf-8",
    )
    ok(run("lock", cwd=root))
    ok(run("sync", cwd=root))
    return root


def _replayed(result) -> bool:  # type: ignore[no-untyped-def]
    # The full path prints "Checked N packages in <real time>"; the replay says 0ms and, being
    # the second identical call, must not show any change line.
    return result.stderr.endswith("in 0ms\n") and " + " not in result.stderr


def test_a_repeated_sync_is_replayed(project: Path, run) -> None:  # type: ignore[no-untyped-def]
    ok(run("sync", cwd=project))
    second = ok(run("sync", cwd=project))
    assert second.stderr.splitlines()[-1] == "Checked 1 package in 0ms"
    assert len(list((project / ".venv").glob("ferry-fast-*"))) == 1


def test_a_package_installed_by_another_tool_is_noticed(
    project: Path, run, index_server  # type: ignore[no-untyped-def]
) -> None:
    ok(run("sync", cwd=project))
    venv = project / ".venv"
    ok(run("pip", "install", "--python", str(venv), "-i", index_server.simple_url, "other"))
    result = ok(run("sync", cwd=project))
    assert " - other==2.0.0" in result.stderr
    assert installed(venv) == {"lib": "1.0.0"}


def test_an_edited_pyproject_takes_the_full_path(project: Path, run) -> None:  # type: ignore[no-untyped-def]
    ok(run("sync", cwd=project))
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + "\n# a comment\n", encoding="utf-8")
    result = ok(run("sync", "--frozen", cwd=project))
    assert "Checked 1 package" in result.stderr
    verbose = ok(run("sync", "--frozen", "-v", cwd=project))
    assert "DEBUG" in verbose.stderr


def test_run_is_replayed_and_passes_the_exit_code(project: Path, run) -> None:  # type: ignore[no-untyped-def]
    ok(run("run", "python", "-c", "pass", cwd=project))
    result = run("run", "python", "-c", "import lib, sys; sys.exit(3)", cwd=project)
    assert result.code == 3, result.output
    assert result.stderr == ""


def test_no_record_for_projects_with_sources(tmp_path: Path, index_server, run, python_exe) -> None:  # type: ignore[no-untyped-def]
    index_server.index.add_wheel("lib", "1.0.0")
    helper = write_project(tmp_path / "helper", "helper", [], requires_python=">=3.9")
    root = write_project(
        tmp_path / "app2", "app2", ["lib", "helper"], requires_python=">=3.9",
        extra=f'\n[tool.uv.sources]\nhelper = {{ path = "{helper}" }}\n',
    )
    (helper / "pyproject.toml").write_text(
        (helper / "pyproject.toml").read_text()
        + '\n[build-system]\nrequires = []\nbuild-backend = "nothing"\n'
    )
    (root / ".python-version").write_text("3.12\n", encoding="utf-8")
    result = run("sync", "--frozen", cwd=root)
    assert not list((root / ".venv").glob("ferry-fast-*")) or result.code != 0
