"""``ferry run``'s options from uv 0.13.8's ``uv run``: ``--env-file``/``--no-env-file``
(``FERRY_ENV_FILE``/``FERRY_NO_ENV_FILE``), ``--with-editable`` and ``-s``/``--script``.

The dotenv files are run through the real uv beside ferry, and both must give the command the
same variables and print the same warnings. The no-op fast path must never replay a run whose
command needs what only the full path does (reading env files, an editable overlay, a script
without ``.py``)."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.e2e.seedkit import installed, ok, uv_executable, write_project
from tests.support.index import LocalIndex
from tests.support.runner import Result, Runner
from tests.support.sdists import BACKEND_MODULE, backend_source

DUMP = "import json, os, sys; print(json.dumps({k: os.environ.get(k) for k in sys.argv[1:]}))"
NAMES = ("A", "B", "C", "D", "E", "H", "I", "R", "G1", "G2", "W", "OUTER", "PATH_SET")

COMMON = (
    "# comment\nA=1\nexport B=two\nC=\"q # not\"\nD='single $A'\nE=${A}x$A-y\n"
    'H="multi\nline"\nI=  spaced  # trailing\nMY_V=1\nR=$MY_V\nOUTER=file\n'
)


@pytest.fixture
def python(python_exe: Callable[[str], Path]) -> Path:
    return python_exe("3.12")


def _uv(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> Result:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("UV_", "VIRTUAL_ENV"))}
    clean.update(UV_CACHE_DIR=str(cwd.parent / "uv-cache"), UV_PYTHON_DOWNLOADS="never",
                 UV_NO_CONFIG="1", UV_OFFLINE="1", **(env or {}))
    done = subprocess.run([uv_executable(), *args], cwd=cwd, env=clean, capture_output=True,
                          text=True, check=False, timeout=120)
    return Result(done.returncode, done.stdout, done.stderr)


def _warnings(result: Result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("warning:")]


@pytest.mark.parametrize(
    "files",
    [
        {"a.env": COMMON},
        {"a.env": "A=1\nB=first\nC=${A}\n", "b.env": "A=2\nD=${B}\n"},
        {"a.env": "G1=1\nbad line\nG2=2\n", "b.env": "W=1\n"},
        {"a.env": 'A=1\nE="$A"\nW=2\n'},
        {"a.env": 'A="open\nB=2'},
    ],
    ids=["common", "later-wins", "bad-line", "bare-name-in-quotes", "unterminated"],
)
def test_env_files_give_what_uv_gives(
    run: Runner, tmp_path: Path, python: Path, files: dict[str, str]
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    flags: list[str] = []
    for name, text in files.items():
        (work / name).write_text(text, encoding="utf-8")
        flags += ["--env-file", name]
    tail = ["--no-project", "--python", str(python), *flags, "python", "-c", DUMP, *NAMES]
    env = {"OUTER": "outer"}
    theirs = _uv(["run", *tail], work, env)
    ours = run("run", *tail, cwd=work, env=env)
    assert theirs.code == 0, theirs.stderr
    assert ours.code == 0, ours.output
    assert json.loads(ours.stdout) == json.loads(theirs.stdout)
    assert _warnings(ours) == _warnings(theirs)


def test_the_variable_and_no_env_file(run: Runner, tmp_path: Path, python: Path) -> None:
    (tmp_path / "one.env").write_text("A=1\nB=one\n", encoding="utf-8")
    (tmp_path / "two.env").write_text("A=2\n", encoding="utf-8")
    base = ("run", "--no-project", "--python", str(python))
    dump = ("python", "-c", DUMP, "A", "B")
    both = run(*base, *dump, env={"FERRY_ENV_FILE": "one.env two.env"})
    assert json.loads(ok(both).stdout) == {"A": "2", "B": "one"}
    # a flag replaces the variable's files
    flag = run(*base, "--env-file", "two.env", *dump, env={"FERRY_ENV_FILE": "one.env"})
    assert json.loads(ok(flag).stdout) == {"A": "2", "B": None}
    # --no-env-file (or FERRY_NO_ENV_FILE) reads none, and a missing one is then no error
    none = run(*base, "--env-file", "missing.env", "--no-env-file", *dump)
    assert json.loads(ok(none).stdout) == {"A": None, "B": None}
    off = run(*base, *dump, env={"FERRY_ENV_FILE": "missing.env", "FERRY_NO_ENV_FILE": "1"})
    assert json.loads(ok(off).stdout) == {"A": None, "B": None}
    bad = run(*base, *dump, env={"FERRY_ENV_FILE": "one.env", "FERRY_NO_ENV_FILE": "maybe"})
    assert bad.code == 2
    assert "FERRY_NO_ENV_FILE" in bad.stderr


@pytest.fixture
def project(tmp_path: Path, run: Runner, python: Path) -> Path:
    root = write_project(tmp_path / "app", "app", [], requires_python=">=3.8")
    ok(run("sync", "-q", "--no-index", "--python", str(python), cwd=root))
    return root


def test_a_missing_env_file_stops_the_run_before_anything_is_synced(
    run: Runner, tmp_path: Path, python: Path
) -> None:
    root = write_project(tmp_path / "fresh", "fresh", [], requires_python=">=3.8")
    result = run("run", "--no-index", "--python", str(python), "--env-file", "nope.env",
                 "python", "-c", "pass", cwd=root)
    assert result.code == 2
    assert "No environment file found at: `nope.env`" in result.stderr
    assert "hint:" in result.stderr
    assert not (root / ".venv").exists()
    assert not (root / "uv.lock").exists()


def test_env_files_are_read_on_every_run_never_replayed(run: Runner, project: Path) -> None:
    """A repeated ``run`` may be answered by the no-op fast path, which knows nothing of env
    files: with ``--env-file`` or ``FERRY_ENV_FILE`` the full path must run every time, and
    an edit to the file counts at once."""
    env_file = project / ".env"
    env_file.write_text("SECRET=one\n", encoding="utf-8")
    dump = ("python", "-c", DUMP, "SECRET")
    for value in ("one", "two"):
        env_file.write_text(f"SECRET={value}\n", encoding="utf-8")
        for _ in range(2):
            flag = ok(run("run", "--no-index", "--env-file", ".env", *dump, cwd=project))
            assert json.loads(flag.stdout) == {"SECRET": value}
            variable = ok(run("run", "--no-index", *dump, cwd=project,
                              env={"FERRY_ENV_FILE": ".env"}))
            assert json.loads(variable.stdout) == {"SECRET": value}
    # the value after `--env-file` is not the command, and global options after it are ferry's
    env_file.write_text("SECRET=three\nbad line\n", encoding="utf-8")
    quiet = ok(run("run", "--env-file", ".env", "-q", "--no-index", *dump, cwd=project))
    assert json.loads(quiet.stdout) == {"SECRET": "three"}
    assert quiet.stderr == ""  # -q silences the warning, as uv's does
    loud = ok(run("run", "--env-file", ".env", "--no-index", *dump, cwd=project))
    assert "warning: Failed to parse environment file `.env` at position 4: bad line" in (
        loud.stderr)


def _editable_tree(root: Path, name: str, text: str) -> Path:
    """A local project built by the test suite's offline in-tree backend (editable: a ``.pth``
    naming ``src``)."""
    (root / "_backend").mkdir(parents=True)
    (root / "_backend" / f"{BACKEND_MODULE}.py").write_text(backend_source(), encoding="utf-8")
    (root / "pyproject.toml").write_text(
        f'[build-system]\nrequires = []\nbuild-backend = "{BACKEND_MODULE}"\n'
        f'backend-path = ["_backend"]\n\n[project]\nname = "{name}"\nversion = "1.0"\n',
        encoding="utf-8",
    )
    (root / "PKG-INFO").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n\n",
                                   encoding="utf-8")
    (root / "src" / name).mkdir(parents=True)
    (root / "src" / name / "__init__.py").write_text(text, encoding="utf-8")
    return root


def test_with_editable(run: Runner, project: Path, tmp_path: Path) -> None:
    tree = _editable_tree(tmp_path / "edtool", "edtool", "X = 'one'\n")
    probe = ("python", "-c", "import edtool; print(edtool.X, edtool.__file__)")
    first = ok(run("run", "--no-index", "--with-editable", str(tree), *probe, cwd=project))
    assert first.stdout.split() == ["one", str(tree / "src" / "edtool" / "__init__.py")]
    # editable: an edit is seen without installing anything again (of another size: the child
    # Python cached the first version's bytecode, which it trusts while the source keeps its
    # size and its modification time to the second — an edit within that second)
    (tree / "src" / "edtool" / "__init__.py").write_text("X = 'second'\n", encoding="utf-8")
    again = ok(run("run", "--no-index", "--with-editable", "../edtool", *probe, cwd=project))
    assert again.stdout.split()[0] == "second"
    assert "Installed" not in again.stderr
    assert "edtool" not in installed(project / ".venv")  # an overlay, not the project's env
    # the same tree given to --with is a copy, in an overlay of its own
    copied = ok(run("run", "--no-index", "--with", str(tree), *probe, cwd=project))
    assert copied.stdout.split()[1] != str(tree / "src" / "edtool" / "__init__.py")


def test_with_editable_as_uv_outside_a_project(
    run: Runner, tmp_path: Path, python: Path
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    _editable_tree(tmp_path / "edtool", "edtool", "X = 'one'\n")
    probe = ("python", "-c", "import edtool, sys; print(edtool.X, edtool.__file__)")
    for value in ("../edtool", "../missing"):
        tail = ["--no-project", "--python", str(python), "--with-editable", value, *probe]
        theirs = _uv(["run", *tail], work)
        ours = run("run", *tail, cwd=work)
        assert (ours.code, ours.stdout) == (theirs.code, theirs.stdout), ours.output
    # the same words for a path that names no directory, and the same URL
    # (uv wraps a long cause onto the next line: compare the words, not the lines)
    words = "Distribution not found at: " + (tmp_path / "missing").as_uri()
    assert words in " ".join(theirs.stderr.split())
    assert words in " ".join(ours.stderr.split())


def test_with_editable_of_no_directory(run: Runner, project: Path) -> None:
    for value in ("./nope", "sixx"):
        result = run("run", "--no-index", "--with-editable", value, "python", "-c", "pass",
                     cwd=project)
        assert result.code == 1, result.output
        assert "Failed to resolve `--with` requirement" in result.stderr
        assert f"Distribution not found at: {(project / value).resolve().as_uri()}" in (
            result.stderr)


SCRIPT = (
    "# /// script\n# requires-python = \">=3.8\"\n# dependencies = [\"rvdep\"]\n# ///\n"
    "import sys, rvdep; print('script', rvdep.V, sys.argv[1:])\n"
)


def test_script_runs_a_file_of_any_name_as_pep_723(
    run: Runner, project: Path, local_index: LocalIndex
) -> None:
    local_index.add_wheel("rvdep", "1.0", files={"rvdep/__init__.py": b"V = '1.0'\n"})
    (project / "tool").write_text(SCRIPT, encoding="utf-8")
    index = ("--index-url", local_index.file_url)
    for flag in ("--script", "-s"):
        result = ok(run("run", *index, flag, "tool", "a", "--b", cwd=project))
        assert result.stdout.strip() == "script 1.0 ['a', '--b']"
    assert "rvdep" not in installed(project / ".venv")
    # without the flag the file is a command like any other (not executable here)
    plain = run("run", *index, "tool", cwd=project)
    assert plain.code == 2
    assert "Failed to spawn: `tool`" in plain.stderr


def test_script_without_a_block_runs_in_the_projects_environment(
    run: Runner, project: Path
) -> None:
    """uv runs such a file with the environment's python, like a ``.py`` without a block; and
    a second run must not be replayed by the fast path as the command ``plain``."""
    (project / "plain").write_text("import sys; print(sys.prefix)\n", encoding="utf-8")
    for _ in range(2):
        result = ok(run("run", "--no-index", "-s", "plain", cwd=project))
        assert Path(result.stdout.strip()) == project / ".venv"
    missing = run("run", "--no-index", "-s", "missing", cwd=project)
    assert missing.code == 2
    assert "can't open file" in missing.stderr  # python's own words: uv hands it over too


def test_script_refusals(run: Runner, project: Path) -> None:
    both = run("run", "-s", "-m", "tool", cwd=project)
    assert both.code == 2
    assert "the argument '--script' cannot be used with '--module'" in both.stderr
    other = run("run", "--module", "--script", "tool", cwd=project)
    assert "the argument '--module' cannot be used with '--script'" in other.stderr
    (project / "folder").mkdir()
    folder = run("run", "--no-index", "--script", "folder", cwd=project)
    assert folder.code == 2
    assert "Failed to read from file `folder`" in folder.stderr


def test_script_as_uv(run: Runner, tmp_path: Path, python: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    (work / "tool").write_text(
        "# /// script\n# dependencies = []\n# ///\nimport sys; print('block', sys.argv[1:])\n",
        encoding="utf-8")
    (work / "plain").write_text("import sys; print('plain', sys.argv[1:])\n", encoding="utf-8")
    for args in (["-s", "tool", "x"], ["--script", "plain", "-v"], ["tool"], ["-s", "-m", "x"]):
        tail = ["--python", str(python), *args]
        theirs = _uv(["run", *tail], work)
        ours = run("run", *tail, cwd=work)
        assert (ours.code, ours.stdout) == (theirs.code, theirs.stdout), ours.output
