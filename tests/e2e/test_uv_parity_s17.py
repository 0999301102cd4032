"""Side by side with uv 0.13.8 on a hermetic index: no interpreter found (exit code 2 and uv's
words), the quiet output of the environments ``run`` makes for the command alone (a PEP 723
script's, ``--isolated``'s: only ``Installed N packages``, the resolution's warnings where uv
puts them, no lock written), and the yanked warning for an empty reason (PEP 691 ``true`` vs
``""``, PEP 592 ``data-yanked=""``).

uv lists its warnings in an order of its own hashing (the same resolution, locked for a script
or for a project, warns in two different orders), so the warnings are compared as sets; where
they stand against ``Installed`` is compared exactly."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from tests.e2e.seedkit import uv_executable
from tests.support.index import LocalIndex
from tests.support.runner import ferry_env
from tests.support.server import IndexServer

_TIME = re.compile(r" in \d+(?:\.\d+)?(?:ms|s)$")
DEPS = '["aaa[nope]", "ccc==1.0", "ddd==1.0", "eee==1.0"]'
SCRIPT = f'# /// script\n# requires-python = ">=3.8"\n# dependencies = {DEPS}\n# ///\nprint("hi")\n'
PROJECT = ('[project]\nname = "app"\nversion = "0.1"\nrequires-python = ">=3.8"\n'
           f"dependencies = {DEPS}\n")


def _tool(tool: str, args: list[str], cwd: Path, url: str | None,
          env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``tool`` with ``args`` in ``cwd``: a cache of each tool's own, uv's downloads off."""
    extra = dict(env or {})
    if tool == "uv":
        base = {k: v for k, v in os.environ.items() if not k.startswith(("UV_", "VIRTUAL_ENV"))}
        base.update(UV_CACHE_DIR=str(cwd.parent / "uv-cache"), UV_PYTHON_DOWNLOADS="never",
                    NO_COLOR="1", **({"UV_INDEX_URL": url} if url else {}), **extra)
        argv, full = [uv_executable(), *args], base
    else:
        extra.update(FERRY_CACHE_DIR=str(cwd.parent / "ferry-cache"), NO_COLOR="1",
                     **({"FERRY_INDEX_URL": url} if url else {}))
        argv, full = [sys.executable, "-m", "ferry", *args], ferry_env({"VIRTUAL_ENV": None,
                                                                           **extra})
    return subprocess.run(argv, cwd=cwd, env=full, capture_output=True, text=True,
                          check=False, timeout=180)


def _dirs(tmp_path: Path, files: dict[str, str]) -> dict[str, Path]:
    made = {}
    for tool in ("uv", "ferry"):
        root = tmp_path / tool / "work"
        root.mkdir(parents=True)
        for name, text in files.items():
            (root / name).write_text(text, encoding="utf-8")
        made[tool] = root
    return made


def _shape(stderr: str) -> tuple[list[str], set[str]]:
    """The lines with warnings folded into one ``warning`` marker each run, and the warnings."""
    lines: list[str] = []
    warnings = set()
    for line in stderr.splitlines():
        if line.startswith("warning: "):
            warnings.add(line)
            if lines[-1:] != ["warning"]:
                lines.append("warning")
        else:
            lines.append(_TIME.sub(" in [TIME]", line))
    return lines, warnings


@pytest.fixture
def yank_index(tmp_path: Path) -> LocalIndex:
    """aaa (no extra `nope`) needing bbb; ccc yanked as `true`, ddd as `""`, eee with a reason."""
    index = LocalIndex(tmp_path / "index")
    index.add_wheel("aaa", "1.0", requires=["bbb"])
    index.add_wheel("bbb", "1.0")
    index.add_wheel("ccc", "1.0", yanked=True)
    index.add_wheel("ddd", "1.0", yanked="")
    index.add_wheel("eee", "1.0", yanked="broken build")
    return index


@pytest.mark.usefixtures("isolated_env")
def test_no_interpreter_exits_2_with_uvs_words(tmp_path: Path, python_exe) -> None:  # type: ignore[no-untyped-def]
    """``venv -p 3.7``, ``run -p 9.9``, and ``sync``/``run``/a script whose requires-python no
    interpreter satisfies: exit code 2 and uv's first line, with pyenv where uv has its managed
    installations (ferry searches pyenv and downloads nothing)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python3.12").symlink_to(python_exe("3.12"))
    env = {"PATH": f"{bin_dir}{os.pathsep}/nonexistent", "PYENV_ROOT": str(tmp_path / "no")}
    project = PROJECT.replace('">=3.8"', '">=3.15"').replace(DEPS, "[]")
    script = SCRIPT.replace('">=3.8"', '">=3.15"').replace(DEPS, "[]")
    dirs = _dirs(tmp_path, {"pyproject.toml": project, "s.py": script})
    # `run -p 9.9` where there is no project: the project's own runs look for a new
    # environment's interpreter outside virtual environments (uv still names them)
    cases = [["venv", "-p", "3.7", "v"], ["run", "-p", "9.9", "python", "-c", "pass"],
             ["sync"], ["run", "python", "-c", "pass"], ["run", "s.py"],
             ["sync", "-p", "3.12"]]
    seen: dict[str, list[tuple[int, str]]] = {}
    for tool, cwd in dirs.items():
        elsewhere = cwd.parent / "elsewhere"
        elsewhere.mkdir()
        for args in cases:
            done = _tool(tool, args, elsewhere if args[:2] == ["run", "-p"] else cwd, None, env)
            error = next((x for x in done.stderr.splitlines() if x.startswith("error:")), "")
            seen.setdefault(tool, []).append((done.returncode, error))
    # the places searched are each tool's own (uv: its managed Pythons; ferry: pyenv; a
    # script's interpreter is no virtual environment's in ferry), the rest is uv's
    where = re.compile(r" in (virtual environments, )?(managed installations,? or search "
                       r"path|search path,? or pyenv)$")
    source = " (from `project.requires-python`)"  # where requires-python came from: uv's only
    assert [(c, where.sub(" in [WHERE]", e.removesuffix(source))) for c, e in seen["uv"]] == [
        (c, where.sub(" in [WHERE]", e)) for c, e in seen["ferry"]], seen
    python = _version(python_exe("3.12"))
    assert seen["ferry"] == [
        (2, "error: No interpreter found for Python 3.7 in search path or pyenv"),
        (2, "error: No interpreter found for Python 9.9 in virtual environments, search path, "
            "or pyenv"),
        (2, "error: No interpreter found for Python >=3.15 in search path or pyenv"),
        (2, "error: No interpreter found for Python >=3.15 in search path or pyenv"),
        (2, "error: No interpreter found for Python >=3.15 in search path or pyenv"),
        (2, f"error: The requested interpreter resolved to Python {python}, which is "
            "incompatible with the project's Python requirement: `>=3.15`"),
    ]
    assert not (dirs["ferry"] / "v").exists() and not (dirs["ferry"] / ".venv").exists()


def _version(python: Path) -> str:
    return subprocess.run([python, "-c", "import platform; print(platform.python_version())"],
                          capture_output=True, text=True, check=True).stdout.strip()


@pytest.mark.usefixtures("isolated_env")
def test_a_script_outside_requires_python_runs_with_uvs_warning(
    tmp_path: Path, python_exe  # type: ignore[no-untyped-def]
) -> None:
    """A ``--python`` outside the block's requires-python is used, with uv's warning."""
    python = str(python_exe("3.12"))
    script = SCRIPT.replace('">=3.8"', '">=3.13"').replace(DEPS, "[]")
    dirs = _dirs(tmp_path, {"s.py": script})
    seen = {}
    for tool, cwd in dirs.items():
        done = _tool(tool, ["run", "--offline", "-p", python, "s.py"], cwd, None)
        seen[tool] = (done.returncode, done.stdout, done.stderr)
    version = _version(Path(python))
    assert seen["ferry"] == (0, "hi\n", f"warning: The requested interpreter resolved to Python "
                             f"{version}, which is incompatible with the script's Python "
                             "requirement: `>=3.13`\n")
    assert seen["uv"] == seen["ferry"]


@pytest.mark.usefixtures("isolated_env")
def test_an_unlocked_script_says_installed_then_its_warnings(
    tmp_path: Path, yank_index: LocalIndex, python_exe  # type: ignore[no-untyped-def]
) -> None:
    python = str(python_exe("3.12"))
    dirs = _dirs(tmp_path, {"s.py": SCRIPT})
    seen = {}
    with IndexServer(yank_index) as server:
        for tool, cwd in dirs.items():
            done = _tool(tool, ["run", "-p", python, "s.py"], cwd, server.simple_url)
            again = _tool(tool, ["run", "-p", python, "s.py"], cwd, server.simple_url)
            seen[tool] = (done.returncode, done.stdout, _shape(done.stderr), again.stderr)
    assert seen["ferry"] == (0, "hi\n", (["Installed 5 packages in [TIME]", "warning"], {
        "warning: The package `aaa==1.0` does not have an extra named `nope`",
        "warning: `ccc==1.0` is yanked",
        'warning: `ddd==1.0` is yanked (reason: "")',
        'warning: `eee==1.0` is yanked (reason: "broken build")',
    }), "")
    assert seen["uv"] == seen["ferry"]
    assert not (dirs["ferry"] / "s.py.lock").exists()


@pytest.mark.usefixtures("isolated_env")
def test_a_locked_script_warns_before_installed(
    tmp_path: Path, yank_index: LocalIndex, python_exe  # type: ignore[no-untyped-def]
) -> None:
    """A block without requires-python: uv's note on every run; a re-lock's warnings come
    before ``Installed``; ``--isolated`` is refused as a no-op with uv's warning."""
    python = str(python_exe("3.12"))
    dirs = _dirs(tmp_path, {"s.py": SCRIPT.replace('# requires-python = ">=3.8"\n', "")
                            .replace(DEPS, '["aaa"]')})
    seen = {}
    with IndexServer(yank_index) as server:
        for tool, cwd in dirs.items():
            url = server.simple_url
            locked = _tool(tool, ["lock", "--script", "s.py", "-p", python], cwd, url)
            assert locked.returncode == 0, locked.stderr
            text = (cwd / "s.py").read_text(encoding="utf-8")
            (cwd / "s.py").write_text(text.replace('["aaa"]', '["aaa", "eee==1.0"]'),
                                      encoding="utf-8")
            first = _tool(tool, ["run", "-p", python, "s.py"], cwd, url)
            again = _tool(tool, ["run", "-p", python, "--isolated", "s.py"], cwd, url)
            seen[tool] = (first.returncode, first.stdout, _shape(first.stderr)[1],
                          _shape(first.stderr)[0][-1], again.stdout, set(again.stderr.splitlines()))
    defaulted = ("warning: No `requires-python` value found in the workspace. "
                 "Defaulting to `>=3.12`.")
    assert seen["ferry"] == (0, "hi\n", {
        defaulted, 'warning: `eee==1.0` is yanked (reason: "broken build")'},
        "Installed 3 packages in [TIME]", "hi\n", {
            defaulted, "warning: `--isolated` is a no-op for Python scripts with inline "
            "metadata, which always run in isolation"})
    assert seen["uv"][:2] == seen["ferry"][:2] and seen["uv"][4:] == seen["ferry"][4:]
    assert seen["uv"][3].startswith("Installed ")  # uv adds to the environment it had


@pytest.mark.usefixtures("isolated_env")
def test_run_isolated_in_a_project_says_only_installed(
    tmp_path: Path, yank_index: LocalIndex, python_exe  # type: ignore[no-untyped-def]
) -> None:
    """The lock's warnings, then ``Installed``: no interpreter or venv line, no ``Resolved``,
    ``Prepared``, ``+`` or sync hint; uv.lock is not written."""
    python = str(python_exe("3.12"))
    dirs = _dirs(tmp_path, {"pyproject.toml": PROJECT})
    seen = {}
    with IndexServer(yank_index) as server:
        for tool, cwd in dirs.items():
            done = _tool(tool, ["run", "-p", python, "--isolated", "python", "-c", "pass"], cwd,
                         server.simple_url)
            seen[tool] = (done.returncode, done.stdout, _shape(done.stderr),
                          sorted(p.name for p in cwd.iterdir() if p.name != ".ferry"))
    assert seen["ferry"] == (0, "", (["warning", "Installed 5 packages in [TIME]"], {
        "warning: The package `aaa==1.0` does not have an extra named `nope`",
        "warning: `ccc==1.0` is yanked",
        'warning: `ddd==1.0` is yanked (reason: "")',
        'warning: `eee==1.0` is yanked (reason: "broken build")',
    }), ["pyproject.toml"])
    assert seen["uv"] == seen["ferry"]


@pytest.mark.usefixtures("isolated_env")
@pytest.mark.parametrize("html", [False, True], ids=["json", "html"])
def test_yanked_warnings_tell_an_empty_reason_from_none(
    tmp_path: Path, yank_index: LocalIndex, python_exe, html: bool  # type: ignore[no-untyped-def]
) -> None:
    """PEP 691 ``"yanked": true`` has no reason, ``""`` an empty one; PEP 592's
    ``data-yanked=""`` is an empty reason too (uv 0.13.8 reads it so)."""
    python = str(python_exe("3.12"))
    dirs = _dirs(tmp_path, {"s.py": SCRIPT})
    seen = {}
    with IndexServer(yank_index, html_only=html) as server:
        for tool, cwd in dirs.items():
            done = _tool(tool, ["lock", "--script", "s.py", "-p", python], cwd,
                         server.simple_url)
            seen[tool] = (done.returncode, _shape(done.stderr)[1])
    reason = ' (reason: "")' if html else ""
    assert seen["ferry"] == (0, {
        "warning: The package `aaa==1.0` does not have an extra named `nope`",
        f"warning: `ccc==1.0` is yanked{reason}",
        'warning: `ddd==1.0` is yanked (reason: "")',
        'warning: `eee==1.0` is yanked (reason: "broken build")',
    })
    assert seen["uv"] == seen["ferry"]
