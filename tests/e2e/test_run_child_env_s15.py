"""What ``ferry run`` gives its command, against uv 0.13.8 (s9 review R11.4).

uv sets ``UV`` (its own path, symlinks resolved) for the child; ferry sets ``FERRY`` to the
installed ``ferry`` script that ran (symlinks resolved), on the full path and on the no-op fast
path — and leaves it unset under ``python -m ferry``, which no single path re-invokes (an
inherited value is removed rather than passed on as if it were this ferry). ``VIRTUAL_ENV`` is
set only when the command runs in a virtual environment: outside a project, on a base
interpreter, uv sets none (ferry used to give the base interpreter's prefix), and an inherited
value is left as it was."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from tests.e2e.seedkit import ok, uv_executable, write_project
from tests.support.runner import Runner, ferry_env

SHOW = ("import os, sys; print(repr(os.environ.get('FERRY'))); "
        "print(repr(os.environ.get('VIRTUAL_ENV'))); print(sys.prefix)")


def _console_script(directory: Path) -> Path:
    """A ``ferry`` script as an installer writes it (``[project.scripts]``)."""
    directory.mkdir(parents=True, exist_ok=True)
    script = directory / "ferry"
    script.write_text(f"#!{sys.executable}\nimport sys\nfrom ferry.cli.fast import main\n"
                      "if __name__ == '__main__':\n    sys.exit(main())\n", encoding="utf-8")
    script.chmod(0o755)
    return script


def _lines(stdout: str) -> list[str]:
    return stdout.strip().splitlines()


@pytest.mark.usefixtures("isolated_env")
def test_ferry_names_the_installed_script(tmp_path: Path, python_exe) -> None:  # type: ignore[no-untyped-def]
    script = _console_script(tmp_path / "tool" / "bin")
    link = tmp_path / "bin" / "ferry"
    link.parent.mkdir()
    link.symlink_to(script)
    project = write_project(tmp_path / "app", "app", [])
    env = ferry_env({"FERRY_PYTHON": str(python_exe("3.12")), "FERRY": "/somewhere/else"})
    for _ in range(2):  # the full path, then the recorded no-op answer replayed
        done = subprocess.run([str(link), "run", "--offline", "python", "-c", SHOW],
                              cwd=project, env=env, capture_output=True, text=True,
                              check=False, timeout=120)
        assert done.returncode == 0, done.stderr
        assert _lines(done.stdout)[:2] == [repr(str(script)), repr(str(project / ".venv"))]
    assert any(p.name.startswith("ferry-fast-") for p in (project / ".venv").iterdir())
    # the path stays right when --directory changed the working directory first
    done = subprocess.run([str(link), "--directory", str(project), "run", "--offline",
                           "python", "-c", SHOW], cwd=tmp_path, env=env,
                          capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 0, done.stderr
    assert _lines(done.stdout)[0] == repr(str(script))
    # and a child can use it to run ferry again
    again = subprocess.run(
        [str(link), "run", "--offline", "sh", "-c", '"$FERRY" --version'],
        cwd=project, env=env, capture_output=True, text=True, check=False, timeout=120)
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith("ferry")


def test_python_dash_m_sets_no_ferry(run: Runner, tmp_path: Path, python_exe) -> None:  # type: ignore[no-untyped-def]
    project = write_project(tmp_path / "app", "app", [])
    env = {"FERRY_PYTHON": str(python_exe("3.12")), "FERRY": "/not/this/ferry"}
    for _ in range(2):
        result = ok(run("run", "--offline", "python", "-c", SHOW, cwd=project, env=env))
        assert _lines(result.stdout)[:2] == ["None", repr(str(project / ".venv"))]


def _uv_run(cwd: Path, tmp_path: Path, path: str, **extra: str) -> list[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("UV_", "VIRTUAL_ENV"))}
    env.update(UV_CACHE_DIR=str(tmp_path / "uv-cache"), UV_PYTHON_DOWNLOADS="never",
               PATH=path, **extra)
    done = subprocess.run([uv_executable(), "run", "--offline", "python", "-c", SHOW], cwd=cwd,
                          env=env, capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 0, done.stderr
    return _lines(done.stdout)


@pytest.mark.parametrize("inherited", [None, "/no/such/environment"])
def test_outside_a_project_a_base_interpreter_gets_no_virtual_env(
    run: Runner, tmp_path: Path, python_exe, inherited: str | None  # type: ignore[no-untyped-def]
) -> None:
    python = python_exe("3.12")
    empty = tmp_path / "nowhere"
    empty.mkdir()
    path = os.pathsep.join([str(python.parent), "/usr/bin", "/bin"])
    extra = {} if inherited is None else {"VIRTUAL_ENV": inherited}
    result = ok(run("run", "python", "-c", SHOW, cwd=empty,
                    env={"PATH": path, "VIRTUAL_ENV": inherited}))
    ours = _lines(result.stdout)
    assert ours[1] == repr(inherited)
    assert not (Path(ours[2]) / "pyvenv.cfg").exists()  # it ran on the base interpreter
    theirs = _uv_run(empty, tmp_path, path, **extra)
    assert theirs[1:] == ours[1:]


def test_outside_a_project_a_virtual_environment_is_named(
    run: Runner, tmp_path: Path, python_exe  # type: ignore[no-untyped-def]
) -> None:
    python = python_exe("3.12")
    here = tmp_path / "here"
    here.mkdir()
    subprocess.run([str(python), "-m", "venv", "--without-pip", str(here / ".venv")], check=True)
    path = os.pathsep.join([str(python.parent), "/usr/bin", "/bin"])
    ours = _lines(ok(run("run", "python", "-c", SHOW, cwd=here, env={"PATH": path})).stdout)
    assert ours[1:] == [repr(str(here / ".venv")), str(here / ".venv")]
    assert _uv_run(here, tmp_path, path)[1:] == ours[1:]
