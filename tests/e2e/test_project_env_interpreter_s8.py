"""The project environment's interpreter: honoured when asked for, kept when nothing asks
(review s8 findings F1-F4, F8; seed report uv#16231).

Two different CPython 3.11 builds (the system's 3.11.2 and pyenv's 3.11.7), a 3.12 and a link
``base/bin/python3.11`` stand in for a machine whose interpreter is upgraded at the same path:
re-pointing the link is what a base image upgrade does. Every test skips cleanly when an
interpreter it needs is absent.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from tests.e2e.seedkit import installed, ok
from tests.support.runner import Result

SYSTEM_311 = Path("/usr/bin/python3.11")


def _version(python: Path) -> str:
    done = subprocess.run(
        [str(python), "-c", "import platform; print(platform.python_version())"],
        capture_output=True, text=True, check=True,
    )
    return done.stdout.strip()


@pytest.fixture
def pythons(python_exe) -> dict[str, Path]:  # type: ignore[no-untyped-def]
    """Two 3.11 builds of different patch levels, and a 3.12."""
    newer = python_exe("3.11")
    if not SYSTEM_311.exists() or os.path.realpath(SYSTEM_311) == os.path.realpath(newer):
        pytest.skip("needs two different CPython 3.11 installations")
    older = SYSTEM_311
    if _version(older) == _version(newer):
        pytest.skip("the two 3.11 installations have the same patch version")
    return {"older": older, "newer": newer, "3.12": python_exe("3.12")}


@pytest.fixture
def project(tmp_path: Path, index_server, run, monkeypatch) -> Path:  # type: ignore[no-untyped-def]
    index_server.index.add_wheel("lib", "1.0.0")
    index_server.index.add_wheel("anarci", "1.3.0")  # the seed's package from another stage
    monkeypatch.setenv("FERRY_INDEX_URL", index_server.simple_url)
    root = tmp_path / "app"
    root.mkdir()
    (root / "pyproject.toml").write_text(
        '[project]\nname = "app"\nversion = "0.1.0"\nrequires-python = ">=3.9"\n'
        'dependencies = ["lib"]\n',
        encoding="utf-8",
    )
    ok(run("lock", cwd=root))
    return root


@pytest.fixture
def base(tmp_path: Path) -> Path:
    """``base/bin/python3.11``: the interpreter path a base image upgrades in place."""
    (tmp_path / "base" / "bin").mkdir(parents=True)
    return tmp_path / "base" / "bin" / "python3.11"


def _point(link: Path, target: Path) -> None:
    if link.is_symlink():
        link.unlink()
    link.symlink_to(target)


def _add_foreign(run, project: Path) -> None:  # type: ignore[no-untyped-def]
    """A package the lock does not name, as `COPY --from=…` brought it in the seed."""
    ok(run("pip", "install", "--python", str(project / ".venv"), "anarci", cwd=project))


def _path_first(directory: Path, python: Path) -> dict[str, str | None]:
    """An environment whose PATH finds ``python`` (as ``python3``) before anything else."""
    directory.mkdir(exist_ok=True)
    _point(directory / "python3", python)
    return {"PATH": f"{directory}{os.pathsep}{os.environ.get('PATH', '')}"}


def _cfg(project: Path) -> dict[str, str]:
    lines = (project / ".venv" / "pyvenv.cfg").read_text(encoding="utf-8").splitlines()
    return {k.strip(): v.strip() for k, _, v in (line.partition("=") for line in lines)}


def _runs(project: Path) -> str:
    return _version(project / ".venv" / "bin" / "python")


def _line(result: Result, start: str) -> str:
    found = [line for line in result.stderr.splitlines() if line.startswith(start)]
    assert len(found) == 1, result.output
    return found[0]


# F1: an explicit interpreter is honoured on an existing environment


def test_path_request_of_another_minor_recreates_and_says_why(
    project: Path, run, pythons, env_snapshot  # type: ignore[no-untyped-def]
) -> None:
    ok(run("sync", "-p", pythons["older"], cwd=project))
    _add_foreign(run, project)
    before = env_snapshot(project / ".venv")
    refused = run("sync", "--inexact", "-p", pythons["3.12"], cwd=project)
    assert refused.code == 1, refused.output
    assert "anarci==1.3.0" in refused.stderr and "--recreate" in refused.stderr
    assert "3.12" in refused.stderr
    assert env_snapshot(project / ".venv") == before
    result = ok(run("sync", "-p", pythons["3.12"], cwd=project))
    line = _line(result, "Recreating virtual environment at: .venv (")
    assert "3.11" in line and "3.12" in line
    assert _runs(project).startswith("3.12.")
    assert installed(project / ".venv") == {"lib": "1.0.0"}


def test_name_request_of_another_minor_recreates(
    project: Path, run, pythons  # type: ignore[no-untyped-def]
) -> None:
    ok(run("sync", "-p", pythons["older"], cwd=project))
    result = ok(run("sync", "-p", "python3.12", cwd=project))
    assert "Recreating virtual environment at: .venv (" in result.stderr
    assert _runs(project).startswith("3.12.")
    ran = ok(run("run", "-p", "python3.12", "python", "-c",
                 "import platform; print(platform.python_version())", cwd=project))
    assert ran.stdout.startswith("3.12.")


def test_path_request_of_the_same_minor_repoints_in_place(
    project: Path, run, pythons  # type: ignore[no-untyped-def]
) -> None:
    older, newer = pythons["older"], pythons["newer"]
    ok(run("sync", "-p", older, cwd=project))
    _add_foreign(run, project)
    marker = project / ".venv" / "lib" / "keep-me"
    marker.write_text("the same directory", encoding="utf-8")
    result = ok(run("sync", "--inexact", "-p", newer, cwd=project))
    line = _line(result, "Updated .venv in place to ")
    assert line == (f"Updated .venv in place to CPython {_version(newer)} at {newer} "
                     f"(was {_version(older)} at {older})")
    assert "Recreating" not in result.stderr and "Creating" not in result.stderr
    cfg = _cfg(project)
    assert cfg["home"] == str(newer.parent) and cfg["version_info"] == _version(newer)
    assert os.readlink(project / ".venv" / "bin" / "python") == str(newer)
    assert _runs(project) == _version(newer)
    assert marker.exists()
    assert installed(project / ".venv") == {"anarci": "1.3.0", "lib": "1.0.0"}
    # The same command again: a no-op (replayed or not), and still the requested interpreter.
    again = ok(run("sync", "--inexact", "-p", newer, cwd=project))
    assert "Updated" not in again.stderr and "Checked" in again.stderr
    assert _runs(project) == _version(newer)
    # The first command line again must not replay its old answer: the environment moved.
    back = ok(run("sync", "--inexact", "-p", older, cwd=project))
    assert "Updated .venv in place to CPython" in back.stderr
    assert _runs(project) == _version(older)
    assert installed(project / ".venv") == {"anarci": "1.3.0", "lib": "1.0.0"}
    ran = ok(run("run", "--inexact", "-p", newer, "python", "-c",
                 "import platform; print(platform.python_version())", cwd=project))
    assert ran.stdout.strip() == _version(newer)
    assert "Updated .venv in place" in ran.stderr


def test_explicit_patch_request_finds_that_interpreter(
    project: Path, run, pythons, env_snapshot  # type: ignore[no-untyped-def]
) -> None:
    older = _version(pythons["older"])
    ok(run("sync", "-p", pythons["newer"], cwd=project))
    _add_foreign(run, project)
    result = ok(run("sync", "--inexact", "-p", older, cwd=project))
    assert f"Updated .venv in place to CPython {older} at " in result.stderr
    assert _runs(project) == older
    assert installed(project / ".venv") == {"anarci": "1.3.0", "lib": "1.0.0"}
    before = env_snapshot(project / ".venv")
    missing = run("sync", "--inexact", "-p", "3.11.99", cwd=project)
    assert missing.code == 2, missing.output  # uv 0.13.8's code for no interpreter
    assert "No interpreter found for Python 3.11.99" in missing.stderr
    assert env_snapshot(project / ".venv") == before
    assert _runs(project) == older


def test_no_request_leaves_the_interpreter_alone(
    project: Path, run, pythons  # type: ignore[no-untyped-def]
) -> None:
    ok(run("sync", "-p", pythons["older"], cwd=project))
    cfg = _cfg(project)
    result = ok(run("sync", cwd=project, env={"FERRY_NO_FAST_PATH": "1"}))
    assert "Updated" not in result.stderr and "Recreating" not in result.stderr
    assert _cfg(project) == cfg
    (project / ".python-version").write_text(f"{_version(pythons['newer'])}\n", encoding="utf-8")
    # A patch version in .python-version (pyenv writes them) binds major.minor only.
    kept = ok(run("sync", cwd=project))
    assert "Updated" not in kept.stderr and "Recreating" not in kept.stderr
    assert _cfg(project) == cfg


# F2/F3: the base interpreter changed under the same path


def test_patch_change_at_the_same_path_is_repaired_and_said(
    project: Path, run, pythons, base  # type: ignore[no-untyped-def]
) -> None:
    _point(base, pythons["older"])
    ok(run("sync", "-p", base, cwd=project))
    _add_foreign(run, project)
    _point(base, pythons["newer"])
    result = ok(run("sync", "--frozen", "--no-dev", "--inexact", cwd=project))
    assert _line(result, "Updated .venv in place") == (
        f"Updated .venv in place to CPython {_version(pythons['newer'])} at {base} "
        f"(was {_version(pythons['older'])})"
    )
    assert _cfg(project)["version_info"] == _version(pythons["newer"])
    assert installed(project / ".venv") == {"anarci": "1.3.0", "lib": "1.0.0"}


def test_minor_change_at_the_same_path_is_not_repaired(
    project: Path, run, pythons, base, env_snapshot  # type: ignore[no-untyped-def]
) -> None:
    _point(base, pythons["older"])
    ok(run("sync", "-p", base, cwd=project))
    _add_foreign(run, project)
    _point(base, pythons["3.12"])
    before = env_snapshot(project / ".venv")
    # Nothing asks for a version: discovery's first pick (a 3.12, first on PATH) would be used.
    first = _path_first(base.parent.parent / "first", pythons["3.12"])
    refused = run("sync", "--frozen", "--inexact", cwd=project, env=first)
    assert refused.code == 1, refused.output
    assert "anarci==1.3.0" in refused.stderr and "--recreate" in refused.stderr
    assert (f"its interpreter changed from Python {_version(pythons['older'])} to CPython 3.12"
            in refused.stderr)
    assert env_snapshot(project / ".venv") == before
    assert _cfg(project)["version_info"] == _version(pythons["older"])
    recreated = ok(run("sync", "--frozen", "-p", "3.12", cwd=project))
    line = _line(recreated, "Recreating virtual environment at: .venv (")
    assert "its interpreter changed from Python 3.11" in line and "3.12" in line
    assert [p.name for p in (project / ".venv" / "lib").iterdir()] == ["python3.12"]
    assert installed(project / ".venv") == {"lib": "1.0.0"}


@pytest.mark.parametrize("how", ["requested", "discovered"])
def test_minor_change_keeps_packages_when_a_fitting_interpreter_is_chosen(
    project: Path, run, pythons, base, how: str  # type: ignore[no-untyped-def]
) -> None:
    """The interpreter a new environment would get can run the old site-packages as they are
    (asked for, or simply first on PATH): the environment is re-pointed, nothing deleted."""
    _point(base, pythons["older"])
    ok(run("sync", "-p", base, cwd=project))
    _add_foreign(run, project)
    _point(base, pythons["3.12"])
    if how == "requested":
        result = ok(run("sync", "--frozen", "--inexact", "-p", pythons["newer"], cwd=project))
    else:
        first = _path_first(base.parent.parent / "first", pythons["newer"])
        result = ok(run("sync", "--frozen", "--inexact", cwd=project, env=first))
    line = _line(result, "Updated .venv in place")
    assert f"at {base}, which now runs CPython 3.12" in line
    assert installed(project / ".venv") == {"anarci": "1.3.0", "lib": "1.0.0"}
    assert _runs(project) == _version(pythons["newer"])


# F4: the base interpreter is gone


def test_gone_base_is_replaced_by_an_equivalent_interpreter(
    project: Path, run, pythons, base  # type: ignore[no-untyped-def]
) -> None:
    _point(base, pythons["older"])
    ok(run("sync", "-p", base, cwd=project))
    _add_foreign(run, project)
    base.unlink()
    result = ok(run("sync", "--frozen", "--inexact", cwd=project))
    line = _line(result, "Updated .venv in place to CPython 3.11.")
    assert line.endswith(f"(was {_version(pythons['older'])} at {base}, which is gone)")
    assert "Recreating" not in result.stderr
    assert _runs(project).startswith("3.11.")
    assert installed(project / ".venv") == {"anarci": "1.3.0", "lib": "1.0.0"}


def test_gone_base_with_inexact_names_what_would_be_lost(
    project: Path, run, pythons, base, env_snapshot  # type: ignore[no-untyped-def]
) -> None:
    _point(base, pythons["older"])
    ok(run("sync", "-p", base, cwd=project))
    _add_foreign(run, project)
    base.unlink()
    before = env_snapshot(project / ".venv")
    refused = run("sync", "--frozen", "--inexact", "-p", "3.12", cwd=project)
    assert refused.code == 1, refused.output
    assert f"its base interpreter `{base}` is gone" in refused.stderr
    assert "anarci==1.3.0" in refused.stderr and "lib==" not in refused.stderr
    assert env_snapshot(project / ".venv") == before
    recreated = ok(run("sync", "--frozen", "-p", "3.12", cwd=project))
    assert f"(its base interpreter `{base}` is gone)" in recreated.stderr
    assert _runs(project).startswith("3.12.")


# F8: an active environment that is not the project's is ignored, with uv's warning

WARNING = (
    "`VIRTUAL_ENV={}` does not match the project environment path `.venv` and will be "
    "ignored; use `--active` to target the active environment instead"
)


def test_ignored_virtual_env_is_warned_about(
    project: Path, run, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    other = tmp_path / "other"
    ok(run("venv", other))
    env = {"VIRTUAL_ENV": str(other), "FERRY_NO_FAST_PATH": "1"}
    synced = ok(run("sync", cwd=project, env=env))
    assert synced.stderr.count(WARNING.format(other)) == 1, synced.stderr
    ran = ok(run("run", "python", "-c", "import sys; print(sys.prefix)", cwd=project, env=env))
    assert ran.stderr.count(WARNING.format(other)) == 1, ran.stderr
    assert Path(ran.stdout.strip()) == project / ".venv"
    own = ok(run("sync", cwd=project, env={**env, "VIRTUAL_ENV": str(project / ".venv")}))
    assert "does not match" not in own.stderr
    active = ok(run("sync", "--active", cwd=project, env=env))
    assert "does not match" not in active.stderr
    assert installed(other) == {"lib": "1.0.0"}
    quiet = ok(run("sync", "-q", cwd=project, env=env))
    assert quiet.stderr == ""


def test_gone_base_under_dry_run_is_said_and_left_alone(
    project: Path, run, pythons, base  # type: ignore[no-untyped-def]
) -> None:
    """A dry run says it would re-point, and writes nothing (it used to fail on an assertion,
    s8 late review L1)."""
    _point(base, pythons["older"])
    ok(run("sync", "-p", base, cwd=project))
    base.unlink()
    cfg = (project / ".venv" / "pyvenv.cfg").read_bytes()
    result = ok(run("sync", "--frozen", "--dry-run", cwd=project))
    assert "Would update .venv in place to CPython 3.11." in result.stderr
    assert "Traceback" not in result.stderr
    assert (project / ".venv" / "pyvenv.cfg").read_bytes() == cfg
    assert not base.exists() and (project / ".venv" / "bin" / "python").is_symlink()
