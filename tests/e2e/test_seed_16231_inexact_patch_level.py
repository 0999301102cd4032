"""Seed report uv#16231: `sync --frozen --no-dev --inexact` must never lose a package.

The reporter's environment came from another build stage (`COPY --from=…`), held an extraneous
package, and its interpreter had changed at patch level; uv deleted and recreated it. ferry keeps
the package, repairs a patch-level change in place, and says why whenever it must recreate.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from tests.e2e.seedkit import installed, ok, uv_lock, write_project

SYNC = ("sync", "--frozen", "--no-dev", "--inexact")


@pytest.fixture
def project(tmp_path: Path, index_server, python_exe) -> Path:  # type: ignore[no-untyped-def]
    index = index_server.index
    index.add_wheel("lib", "1.0.0")
    index.add_wheel("anarci", "1.3.0")  # the reporter's extraneous package
    root = write_project(tmp_path / "app", "app", ["lib"], requires_python=">=3.9")
    (root / ".python-version").write_text("3.11\n", encoding="utf-8")
    uv_lock(root, index_server.simple_url, python_exe("3.11"))
    return root


def _stdlib_venv(root: Path, python: Path) -> Path:
    venv = root / ".venv"
    subprocess.run([str(python), "-m", "venv", "--without-pip", str(venv)], check=True)
    return venv


def _copy_in_extraneous(run, venv: Path, index_url: str) -> None:  # type: ignore[no-untyped-def]
    ok(run("pip", "install", "--python", str(venv), "--index-url", index_url, "anarci"))


def test_inexact_keeps_a_package_from_another_stage(
    project: Path, run, index_server, python_exe  # type: ignore[no-untyped-def]
) -> None:
    venv = _stdlib_venv(project, python_exe("3.11"))
    _copy_in_extraneous(run, venv, index_server.simple_url)
    result = ok(run(*SYNC, cwd=project))
    assert "Recreating" not in result.stderr and "Removed" not in result.stderr
    assert installed(venv) == {"anarci": "1.3.0", "lib": "1.0.0"}


def test_patch_level_change_is_repaired_in_place(
    project: Path, run, index_server, python_exe  # type: ignore[no-untyped-def]
) -> None:
    venv = _stdlib_venv(project, python_exe("3.11"))
    _copy_in_extraneous(run, venv, index_server.simple_url)
    cfg = venv / "pyvenv.cfg"
    actual = [line for line in cfg.read_text().splitlines() if line.startswith("version")]
    # The base image moved from 3.11.1 to whatever this interpreter is: pyvenv.cfg lags behind.
    cfg.write_text(
        "\n".join(
            "version = 3.11.1" if line.startswith("version") else line
            for line in cfg.read_text().splitlines()
        )
        + "\n"
    )
    marker = venv / "lib" / "keep-me"
    marker.write_text("the environment is the same directory")
    result = ok(run(*SYNC, "-v", cwd=project))
    assert "Recreating" not in result.stderr
    assert "patch level" in result.stderr
    assert marker.exists()
    assert installed(venv) == {"anarci": "1.3.0", "lib": "1.0.0"}
    assert any(line in cfg.read_text().splitlines() for line in actual)


def test_real_patch_change_between_two_3_11_builds(
    project: Path, run, index_server, python_exe  # type: ignore[no-untyped-def]
) -> None:
    system, pyenv = Path("/usr/bin/python3.11"), python_exe("3.11")
    if not system.exists() or os.path.realpath(system) == os.path.realpath(pyenv):
        pytest.skip("needs two different 3.11 interpreters")
    if subprocess.run([str(system), "-c", "import venv"], check=False).returncode:
        pytest.skip("the system 3.11 has no venv module")
    venv = _stdlib_venv(project, system)
    _copy_in_extraneous(run, venv, index_server.simple_url)
    # The image's interpreter is replaced by another 3.11 build, as in the report.
    for link in venv.glob("bin/python*"):
        link.unlink()
        link.symlink_to(pyenv)
    cfg = venv / "pyvenv.cfg"
    cfg.write_text(
        "\n".join(
            f"home = {pyenv.parent}" if line.startswith("home") else line
            for line in cfg.read_text().splitlines()
        )
        + "\n"
    )
    result = ok(run(*SYNC, cwd=project))
    assert "Recreating" not in result.stderr
    assert installed(venv) == {"anarci": "1.3.0", "lib": "1.0.0"}


def test_minor_change_with_inexact_names_what_would_be_lost(
    project: Path, run, index_server, python_exe, env_snapshot  # type: ignore[no-untyped-def]
) -> None:
    python_exe("3.12")
    venv = _stdlib_venv(project, python_exe("3.11"))
    _copy_in_extraneous(run, venv, index_server.simple_url)
    ok(run(*SYNC, cwd=project))
    (project / ".python-version").write_text("3.12\n", encoding="utf-8")
    before = env_snapshot(venv)
    result = run(*SYNC, cwd=project)
    assert result.code == 1, result.output
    assert "anarci==1.3.0" in result.stderr
    assert "--recreate" in result.stderr
    assert "Traceback" not in result.stderr
    assert env_snapshot(venv) == before
    recreated = ok(run(*SYNC, "--recreate", cwd=project))
    assert "Recreating virtual environment" in recreated.stderr
    assert installed(venv) == {"lib": "1.0.0"}


def test_needed_recreation_says_why_without_verbose(
    project: Path, run, python_exe  # type: ignore[no-untyped-def]
) -> None:
    python_exe("3.12")
    ok(run("sync", "--frozen", cwd=project))
    (project / ".python-version").write_text("3.12\n", encoding="utf-8")
    result = ok(run("sync", "--frozen", cwd=project))
    line = next(ln for ln in result.stderr.splitlines() if "Recreating" in ln)
    assert "3.11" in line and "3.12" in line
