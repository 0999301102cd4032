"""``ferry venv``'s lean path makes exactly what the full CLI makes, and says exactly the same.

Every case runs the same command twice at the same place: once as the entry point runs it (the
lean path must be taken: ``ferry.cli.main`` is never imported), once with FERRY_NO_FAST_PATH
(the click CLI), and compares exit code, output and the environment's tree (every name, link
target, mode and byte). Forms the lean path does not handle must reach the full CLI untouched.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.unit.test_import_budget import run_entry

from ferry.commands.venv_fast import parse


class Outcome:
    def __init__(self, done: subprocess.CompletedProcess[str], modules: set[str]) -> None:
        self.code, self.stdout, self.stderr = done.returncode, done.stdout, done.stderr
        self.full, self.click = "ferry.cli.main" in modules, "click" in modules

    def shown(self) -> tuple[int, str, str]:
        return self.code, self.stdout, self.stderr


def invoke(args: list[str], cwd: Path, env: dict[str, str | None]) -> Outcome:
    return Outcome(*run_entry(args, cwd, env))


def snapshot(root: Path) -> dict[str, object]:
    """Every entry under ``root``: directories, link targets, and files' modes and bytes."""
    if not os.path.lexists(root):
        return {}
    found: dict[str, object] = {}
    for folder, dirs, files in os.walk(root):
        for name in sorted(dirs + files):
            path = Path(folder) / name
            relative = str(path.relative_to(root))
            if path.is_symlink():
                found[relative] = ("link", os.readlink(path))
            elif path.is_dir():
                found[relative] = ("dir", path.stat().st_mode & 0o7777)
            else:
                found[relative] = ("file", path.stat().st_mode & 0o7777, path.read_bytes())
    return found


def remove(target: Path) -> None:
    if target.is_symlink() or target.is_file():
        target.unlink()
    elif target.exists():
        shutil.rmtree(target)


@pytest.fixture
def interpreters(python_exe: Callable[[str], Path]) -> tuple[Path, Path]:
    return python_exe("3.12"), python_exe("3.11")


@pytest.fixture
def world(
    tmp_path: Path, isolated_env: Path, interpreters: tuple[Path, Path]
) -> tuple[Path, dict[str, str | None]]:
    """A project folder and an environment whose PATH holds python3 (3.12) and python3.11."""
    py312, py311 = interpreters
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python3").symlink_to(py312)
    (bin_dir / "python3.11").symlink_to(py311)
    project = tmp_path / "my project"
    project.mkdir()
    env: dict[str, str | None] = {
        "PATH": f"{bin_dir}{os.pathsep}/usr/bin:/bin",
        "FERRY_CACHE_DIR": str(tmp_path / "cache"),
        "SHELL": "/bin/bash",
    }
    return project, env


def compare(
    args: list[str],
    cwd: Path,
    env: dict[str, str | None],
    target: Path,
    setup: Callable[[], None] = lambda: None,
    *,
    lean: bool = True,
) -> Outcome:
    """Run ``args`` through the entry point and through the full CLI; both must agree."""
    invoke(args, cwd, {**env, "FERRY_NO_FAST_PATH": "1"})  # warm the interpreter cache
    remove(target)
    setup()
    fast = invoke(args, cwd, env)
    fast_tree = snapshot(target)
    remove(target)
    setup()
    full = invoke(args, cwd, {**env, "FERRY_NO_FAST_PATH": "1"})
    assert full.full and full.click
    assert fast.full is not lean and fast.click is not lean, fast.stderr
    assert fast.shown() == full.shown()
    assert fast_tree == snapshot(target)
    return fast


def test_explicit_interpreter(
    world: tuple[Path, dict[str, str | None]], interpreters: tuple[Path, Path]
) -> None:
    project, env = world
    result = compare(
        ["venv", "env", "--python", str(interpreters[0])], project, env, project / "env"
    )
    assert result.code == 0
    assert result.stderr.splitlines() == [
        f"Using CPython {result.stderr.split()[2]} interpreter at: {interpreters[0]}",
        "Creating virtual environment at: env",
        "Activate with: source env/bin/activate",
    ]


def test_default_path_and_discovery(world: tuple[Path, dict[str, str | None]]) -> None:
    project, env = world
    result = compare(["venv"], project, env, project / ".venv")
    assert "CPython 3.12" in result.stderr
    assert "prompt = my project" in (project / ".venv" / "pyvenv.cfg").read_text()


@pytest.mark.parametrize("request_", ["3.11", "311", "3"])
def test_version_requests(world: tuple[Path, dict[str, str | None]], request_: str) -> None:
    project, env = world
    result = compare(["venv", "env", "-p", request_], project, env, project / "env")
    assert ("CPython 3.11" in result.stderr) is (request_ != "3")


def test_a_version_found_only_in_pyenv(
    world: tuple[Path, dict[str, str | None]], python_exe: Callable[[str], Path]
) -> None:
    """PATH has no 3.8: every PATH candidate is passed over, then pyenv's installs are walked
    newest first, as the full path walks them."""
    python_exe("3.8")
    project, env = world
    assert (
        "CPython 3.8" in compare(["venv", "env", "-p", "3.8"], project, env, project / "env").stderr
    )


def test_python_version_file_and_ferry_python(
    world: tuple[Path, dict[str, str | None]], interpreters: tuple[Path, Path]
) -> None:
    project, env = world
    (project / ".python-version").write_text("# pinned\n\n3.11\n")
    assert "CPython 3.11" in compare(["venv", "env"], project, env, project / "env").stderr
    with_env = {**env, "FERRY_PYTHON": str(interpreters[0])}
    assert "CPython 3.12" in compare(["venv", "env"], project, with_env, project / "env").stderr


def test_prompt_quoting_and_options(
    world: tuple[Path, dict[str, str | None]], interpreters: tuple[Path, Path]
) -> None:
    project, env = world
    target = project / "it's an env"
    args = ["venv", target.name, "--prompt", "my prompt", "-p", str(interpreters[0])]
    result = compare(args, project, env, target)
    assert "Activate with: source 'it'\"'\"'s an env/bin/activate'" in result.stderr
    args = ["venv", "--system-site-packages", "--prompt=.", "--python", str(interpreters[1])]
    compare(args, project, {**env, "SHELL": "/usr/bin/fish"}, project / ".venv")
    quiet = compare(["-q", "venv", "env", "-p", "3.12"], project, env, project / "env")
    assert quiet.stderr == ""
    compare(
        ["venv", "env", "-p", "3.12", "--quiet", "--color", "never"], project, env, project / "env"
    )


def test_elsewhere_and_an_interpreter_directory(
    world: tuple[Path, dict[str, str | None]], interpreters: tuple[Path, Path], tmp_path: Path
) -> None:
    project, env = world
    outside = tmp_path / "outside" / "deep" / "env"
    result = compare(["venv", str(outside), "-p", str(interpreters[0])], project, env, outside)
    assert f"Creating virtual environment at: {outside}" in result.stderr
    base = interpreters[0].parent.parent
    compare(["venv", "env", "--python", str(base)], project, env, project / "env")


def test_clear_and_allow_existing(
    world: tuple[Path, dict[str, str | None]], interpreters: tuple[Path, Path]
) -> None:
    project, env = world
    target = project / "env"

    def existing() -> None:
        made = invoke(["venv", "env", "-p", "3.11"], project, {**env, "FERRY_NO_FAST_PATH": "1"})
        assert made.code == 0, made.stderr
        (target / "lib" / "python3.11" / "site-packages" / "old.py").write_text("")

    compare(["venv", "env", "--clear", "-p", str(interpreters[0])], project, env, target, existing)
    compare(["venv", "env", "--allow-existing", "-p", "3.12"], project, env, target, existing)
    compare(["venv", "env", "-p", "3.12"], project, env, target, lambda: target.mkdir())


def test_default_cache_root(
    world: tuple[Path, dict[str, str | None]], interpreters: tuple[Path, Path], tmp_path: Path
) -> None:
    """Without FERRY_CACHE_DIR the lean path finds the cache platformdirs names."""
    project, env = world
    args = ["venv", "env", "-p", str(interpreters[0])]
    xdg = {**env, "FERRY_CACHE_DIR": None, "XDG_CACHE_HOME": str(tmp_path / "xdg")}
    compare(args, project, xdg, project / "env")
    assert (tmp_path / "xdg" / "ferry" / "interpreters-v1").is_dir()
    compare(args, project, {**env, "FERRY_CACHE_DIR": None}, project / "env")


@pytest.mark.parametrize(
    "args",
    [
        ["venv", "env", "-v"],
        ["venv", "env", "-p", "cpython3.12"],
        ["venv", "env", "-p", ">=3.11"],
        ["venv", "env", "extra"],
        ["--no-cache", "venv", "env"],
        ["venv", "env", "--python"],
    ],
)
def test_other_forms_reach_the_full_cli(
    world: tuple[Path, dict[str, str | None]], args: list[str]
) -> None:
    project, env = world
    compare(args, project, env, project / "env", lean=False)


@pytest.mark.parametrize(
    "args",
    [
        ["venv", "--seed"],
        ["venv", "-p=3.12"],
        ["venv", "-p3.12"],
        ["venv", "--directory", "x"],
        ["venv", "--help"],
        ["venv", "--color", "purple"],
        ["venv", "a", "b"],
        ["venv", "--prompt", "-x"],
        ["venv", "--"],
        ["pip", "venv"],
        ["--clear", "venv"],
        ["-v", "venv"],
    ],
)
def test_the_parser_leaves_other_forms_alone(args: list[str]) -> None:
    assert parse(args) is None


def test_the_parser_reads_the_common_forms() -> None:
    args = parse(["-q", "venv", "--cache-dir=c", "p", "--prompt=", "-p", "3.12", "--clear"])
    assert args is not None
    assert (args.quiet, args.cache_dir, args.path, args.prompt, args.python, args.clear) == (
        True,
        "c",
        "p",
        "",
        "3.12",
        True,
    )
    assert not (args.allow_existing or args.system_site_packages)


def test_failures_are_the_full_clis(
    world: tuple[Path, dict[str, str | None]], interpreters: tuple[Path, Path], tmp_path: Path
) -> None:
    project, env = world
    python = str(interpreters[0])
    target = project / "env"
    # An existing environment without --clear: the full CLI reports it.
    assert invoke(["venv", "env", "-p", python], project, env).full  # nothing cached yet
    remove(target)
    made = invoke(["venv", "env", "-p", python], project, env)
    assert made.code == 0 and not made.full
    refused = invoke(["venv", "env", "-p", python], project, env)
    assert refused.full and refused.code == 1 and "already exists" in refused.stderr
    remove(target)
    # An interpreter never described: the full CLI queries it (and then the lean path can).
    fresh = {**env, "FERRY_CACHE_DIR": str(tmp_path / "fresh-cache")}
    assert invoke(["venv", "env", "-p", python], project, fresh).full
    remove(target)
    assert not invoke(["venv", "env", "-p", python], project, fresh).full
    # A failure once writing has begun is rendered as the full CLI renders it.
    (project / "a-file").write_text("")
    compare(["venv", "a-file/env", "-p", python], project, env, project / "a-file" / "env")
