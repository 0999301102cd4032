"""The index settings ``ferry pip …`` reads from the project's ``[tool.uv]``/``uv.toml``, side by
side with uv 0.13.8 on two local indexes: A serves alpha 1.0, B alpha 2.0 (and 3.0b1) and gamma.
Which file, which section wins (``[pip]`` over the top level; ``uv.toml`` over ``[tool.uv]``),
and the command line and environment winning over the file in uv's order."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from tests.e2e.seedkit import uv_executable
from tests.support.index import LocalIndex
from tests.support.runner import ferry_env
from tests.support.wheels import make_wheel

PROJECT = '[project]\nname = "x"\nversion = "1"\n'


def _run(tool: str, args: list[str], cwd: Path, env: dict[str, str] | None = None
         ) -> subprocess.CompletedProcess[str]:
    """``tool`` with no index in the environment (the settings file must say it) and no user
    configuration."""
    home = Path(os.environ["HOME"])  # the test's own (isolated_env)
    extra = dict(env or {})
    if tool == "uv":
        variables = {k: v for k, v in os.environ.items() if not k.startswith(("UV_", "VIRTUAL_"))}
        variables.update(UV_CACHE_DIR=str(home / "uv-cache"), UV_PYTHON_DOWNLOADS="never",
                         XDG_CONFIG_HOME=str(home / "config"), NO_COLOR="1",
                         **{k: v for k, v in extra.items() if k.startswith("UV_")})
        argv = [uv_executable(), *args]
    else:
        variables = ferry_env({"VIRTUAL_ENV": None, "FERRY_INDEX_URL": None, "NO_COLOR": "1",
                               "FERRY_CACHE_DIR": str(home / "ferry-cache"),
                               **{k: v for k, v in extra.items() if k.startswith("FERRY_")}})
        argv = [sys.executable, "-m", "ferry", *args]
    return subprocess.run(argv, cwd=cwd, env=variables, capture_output=True, text=True,
                          check=False, timeout=180)


@pytest.fixture
def indexes(tmp_path: Path) -> tuple[str, str]:
    a = LocalIndex(tmp_path / "ixA")
    a.add_wheel("alpha", "1.0")
    b = LocalIndex(tmp_path / "ixB")
    b.add_wheel("alpha", "2.0")
    b.add_wheel("alpha", "3.0b1")
    b.add_wheel("gamma", "1.0")
    make_wheel(tmp_path / "wheels", "flat", "1.0", requires=["gamma"])
    project = tmp_path / "p"
    project.mkdir()
    (project / "r.in").write_text("alpha\n", encoding="utf-8")
    (project / "g.in").write_text("gamma\n", encoding="utf-8")
    (project / "f.in").write_text("flat\n", encoding="utf-8")
    return a.file_url, b.file_url


def _compile_both(cwd: Path, args: list[str], env: dict[str, str] | None = None
                  ) -> tuple[tuple[int, str], tuple[int, str]]:
    out = []
    for tool in ("uv", "ferry"):
        result = _run(tool, ["pip", "compile", "-q", "--no-header", "--no-annotate", *args],
                      cwd, env)
        out.append((result.returncode, result.stdout))
    return out[0], out[1]


CASES = [
    # (settings, command line (A/B stand for the indexes), environment, what uv resolves)
    ("[tool.uv]\nindex-url = '{B}'\n", ["r.in"], {}, "alpha==2.0\n"),
    ("[tool.uv]\nindex-url = '{B}'\n", ["r.in", "--index-url", "{A}"], {}, "alpha==1.0\n"),
    ("[tool.uv]\nindex-url = '{B}'\n", ["r.in"], {"INDEX_URL": "{A}"}, "alpha==1.0\n"),
    ("[tool.uv]\nindex-url = '{B}'\n[tool.uv.pip]\nindex-url = '{A}'\n", ["r.in"], {},
     "alpha==1.0\n"),
    ("[[tool.uv.index]]\nurl = '{B}'\n", ["r.in", "--index-url", "{A}"], {}, "alpha==2.0\n"),
    ("[[tool.uv.index]]\nurl = '{B}'\ndefault = true\n", ["r.in", "--index-url", "{A}"], {},
     "alpha==1.0\n"),
    ("[[tool.uv.index]]\nurl = '{B}'\ndefault = true\n", ["r.in"], {}, "alpha==2.0\n"),
    ("[[tool.uv.index]]\nurl = '{B}'\nexplicit = true\n", ["r.in", "--index-url", "{A}"], {},
     "alpha==1.0\n"),
    ("[tool.uv]\nindex-url = '{A}'\n[[tool.uv.index]]\nurl = '{B}'\ndefault = true\n",
     ["r.in"], {}, "alpha==2.0\n"),
    # lists: the command line's (or its variable's) first, then the file's
    ("[tool.uv]\nextra-index-url = ['{B}']\n", ["g.in", "--index-url", "{A}",
                                                 "--extra-index-url", "{A}"], {}, "gamma==1.0\n"),
    ("[tool.uv]\nextra-index-url = ['{B}']\n", ["r.in", "--index-url", "{B}"],
     {"EXTRA_INDEX_URL": "{A}"}, "alpha==1.0\n"),
    ("[tool.uv]\nextra-index-url = ['{B}']\n[tool.uv.pip]\nextra-index-url = ['{A}']\n",
     ["r.in", "--index-url", "{A}"], {}, "alpha==1.0\n"),
    ("[tool.uv]\nfind-links = ['../wheels']\n", ["f.in", "--index-url", "{B}"], {},
     "flat==1.0\ngamma==1.0\n"),
    ("[tool.uv]\nindex-strategy = 'unsafe-best-match'\nindex-url = '{A}'\n"
     "extra-index-url = ['{B}']\n", ["r.in"], {}, "alpha==2.0\n"),
    ("[tool.uv]\nindex-strategy = 'unsafe-best-match'\nindex-url = '{B}'\n"
     "extra-index-url = ['{A}']\n", ["r.in"], {}, "alpha==2.0\n"),
    ("[tool.uv]\nindex-strategy = 'unsafe-best-match'\nindex-url = '{B}'\n"
     "extra-index-url = ['{A}']\n", ["r.in", "--index-strategy", "first-index"], {},
     "alpha==1.0\n"),
]


@pytest.mark.usefixtures("isolated_env")
@pytest.mark.parametrize(("settings", "args", "env", "expected"), CASES)
def test_compile_reads_the_settings_as_uv(
    tmp_path: Path, indexes: tuple[str, str], settings: str, args: list[str],
    env: dict[str, str], expected: str,
) -> None:
    a, b = indexes
    project = tmp_path / "p"
    (project / "pyproject.toml").write_text(PROJECT + settings.format(A=a, B=b),
                                            encoding="utf-8")
    variables = {f"{prefix}_{k}": v.format(A=a, B=b) for k, v in env.items()
                 for prefix in ("UV", "FERRY")}
    uv, ferry = _compile_both(project, [arg.format(A=a, B=b) for arg in args], variables)
    assert ferry == uv
    assert uv == (0, expected)


@pytest.mark.usefixtures("isolated_env")
def test_no_index_in_the_file_holds_against_an_index_url(
    tmp_path: Path, indexes: tuple[str, str]
) -> None:
    a, _ = indexes
    project = tmp_path / "p"
    (project / "pyproject.toml").write_text(PROJECT + "[tool.uv]\nno-index = true\n",
                                            encoding="utf-8")
    uv, ferry = _compile_both(project, ["r.in", "--index-url", a])
    assert uv[0] == ferry[0] == 1


@pytest.mark.usefixtures("isolated_env")
def test_which_file_is_read(tmp_path: Path, indexes: tuple[str, str]) -> None:
    """From a subdirectory: the project's settings, not a ``uv.toml`` between the working
    directory and the project; a ``uv.toml`` beside the project's ``pyproject.toml`` wins; a
    project without settings takes its parent's."""
    a, b = indexes
    project = tmp_path / "p"
    inner = project / "sub" / "deeper"
    inner.mkdir(parents=True)
    (inner / "r.in").write_text("alpha\n", encoding="utf-8")
    (project / "pyproject.toml").write_text(PROJECT + f"[tool.uv]\nindex-url = '{b}'\n",
                                            encoding="utf-8")
    (project / "sub" / "uv.toml").write_text(f"index-url = '{a}'\n", encoding="utf-8")
    uv, ferry = _compile_both(inner, ["r.in"])
    assert ferry == uv == (0, "alpha==2.0\n")
    (project / "uv.toml").write_text(f"[pip]\nindex-url = '{a}'\n", encoding="utf-8")
    uv, ferry = _compile_both(inner, ["r.in"])
    assert ferry == uv == (0, "alpha==1.0\n")
    (project / "uv.toml").unlink()
    (project / "sub" / "uv.toml").unlink()
    (project / "sub" / "pyproject.toml").write_text(PROJECT, encoding="utf-8")
    uv, ferry = _compile_both(inner, ["r.in"])
    assert ferry == uv == (0, "alpha==2.0\n")


@pytest.mark.usefixtures("isolated_env")
def test_install_and_sync_read_the_settings(tmp_path: Path, indexes: tuple[str, str],
                                            python_exe) -> None:  # type: ignore[no-untyped-def]
    _, b = indexes
    python = str(python_exe("3.12"))
    installed = {}
    for tool in ("uv", "ferry"):
        project = tmp_path / tool
        project.mkdir()
        (project / "pyproject.toml").write_text(
            PROJECT + f"[tool.uv]\nindex-url = '{b}'\nindex-strategy = 'unsafe-best-match'\n",
            encoding="utf-8")
        (project / "s.txt").write_text("gamma\n", encoding="utf-8")
        assert _run(tool, ["venv", "-q", "--python", python], project).returncode == 0
        done = _run(tool, ["pip", "install", "alpha"], project)
        assert done.returncode == 0, done.stderr
        synced = _run(tool, ["pip", "sync", "s.txt"], project)
        assert synced.returncode == 0, synced.stderr
        installed[tool] = [line.strip() for line in (done.stderr + synced.stderr).splitlines()
                           if line.startswith((" +", " -"))]
    assert installed["ferry"] == installed["uv"] == ["+ alpha==2.0", "- alpha==2.0",
                                                      "+ gamma==1.0"]


@pytest.mark.usefixtures("isolated_env")
def test_tool_ferry_comes_first_key_by_key(tmp_path: Path, indexes: tuple[str, str]) -> None:
    a, b = indexes
    project = tmp_path / "p"
    (project / "pyproject.toml").write_text(
        PROJECT + f"[tool.ferry]\nindex-url = '{a}'\n"
        f"[tool.uv]\nindex-url = '{b}'\nextra-index-url = ['{b}']\n", encoding="utf-8")
    result = _run("ferry", ["pip", "compile", "-q", "--no-header", "--no-annotate", "g.in"],
                  project)
    assert (result.returncode, result.stdout) == (0, "gamma==1.0\n")  # the extra is uv's
    result = _run("ferry", ["pip", "compile", "-q", "--no-header", "--no-annotate", "r.in",
                            "--index-strategy", "unsafe-best-match"], project)
    assert result.stdout == "alpha==2.0\n"
    (project / "pyproject.toml").write_text(
        PROJECT + f"[tool.ferry]\nindex-url = '{a}'\n[tool.uv]\nindex-url = '{b}'\n",
        encoding="utf-8")
    result = _run("ferry", ["pip", "compile", "-q", "--no-header", "--no-annotate", "r.in"],
                  project)
    assert result.stdout == "alpha==1.0\n"


@pytest.mark.usefixtures("isolated_env")
def test_pip_keys_ferry_does_not_read_are_named(tmp_path: Path,
                                                indexes: tuple[str, str]) -> None:
    _, b = indexes
    project = tmp_path / "p"
    (project / "pyproject.toml").write_text(
        PROJECT + f"[tool.uv.pip]\nindex-url = '{b}'\ngenerate-hashes = true\n",
        encoding="utf-8")
    result = _run("ferry", ["pip", "compile", "--no-header", "--no-annotate", "r.in"], project)
    assert result.returncode == 0 and result.stdout == "alpha==2.0\n"
    assert ("warning: `tool.uv.pip.generate-hashes` in `pyproject.toml` is not supported by "
            "ferry's pip commands and is ignored") in result.stderr
