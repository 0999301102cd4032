"""``ferry venv --seed`` prints what ``uv venv --seed`` prints: the ``… with seed packages``
header and only the `` + name==version`` lines, on the lean path and through click alike."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.parity5.parity5_kit import run_uv
from tests.support.index import IndexServer
from tests.support.runner import Runner, filter_output

# ``--color never`` is not read by the lean parser: the command line goes to click.
PATHS = {"lean": (), "click": ("--color", "never")}

# The activation line follows the user's shell: none at all when no shell is known (CI, Docker).
_NO_SHELL: dict[str, str | None] = {
    name: None for name in ("SHELL", "NU_VERSION", "FISH_VERSION", "BASH_VERSION", "ZSH_VERSION",
                            "KSH_VERSION")
}
SHELLS: dict[str, tuple[dict[str, str | None], str]] = {
    "bash": ({**_NO_SHELL, "SHELL": "/bin/bash"}, "Activate with: source ours/bin/activate\n"),
    "fish": ({**_NO_SHELL, "FISH_VERSION": "3.7.1", "SHELL": "/bin/bash"},
             "Activate with: source ours/bin/activate.fish\n"),
    "unknown": ({**_NO_SHELL, "SHELL": "/bin/sh"}, ""),
    "none": (_NO_SHELL, ""),
}


@pytest.fixture
def server(index_server: IndexServer) -> IndexServer:
    for name, version in (("pip", "24.0"), ("setuptools", "69.0"), ("wheel", "0.43.0")):
        index_server.index.add_wheel(name, version)
    return index_server


@pytest.mark.parametrize("path", sorted(PATHS))
@pytest.mark.parametrize(("version", "seeds"), [
    ("3.11", " + pip==24.0\n + setuptools==69.0\n + wheel==0.43.0\n"),
    ("3.12", " + pip==24.0\n"),
])
def test_seed_output_is_uvs(
    run: Runner, tmp_path: Path, server: IndexServer, python_exe: Callable[[str], Path],
    path: str, version: str, seeds: str,
) -> None:
    python = python_exe(version)
    env, activate = SHELLS["bash"]
    common = ["--seed", "-p", str(python), "--index-url", server.simple_url]
    ours = run("venv", *PATHS[path], *common, "ours", env=env)
    assert ours.code == 0, ours.stderr
    assert ours.stdout == ""
    first, _, rest = filter_output(ours.stderr).partition("\n")
    assert first.startswith(f"Using CPython {version}.")
    assert rest == f"Creating virtual environment with seed packages at: ours\n{seeds}{activate}"
    theirs = run_uv(["venv", *common, "theirs"], tmp_path, tmp_path, env)
    assert theirs.code == 0, theirs.stderr
    assert ours.stderr.replace("ours", "X") == theirs.stderr.replace("theirs", "X")
    quiet = run("venv", *PATHS[path], *common, "--clear", "-q", "ours", env=env)
    assert (quiet.code, quiet.stderr) == (0, "")


@pytest.mark.parametrize("shell", sorted(SHELLS))
@pytest.mark.parametrize("path", sorted(PATHS))
def test_activation_line_follows_the_shell_as_uvs_does(
    run: Runner, tmp_path: Path, path: str, shell: str
) -> None:
    env, activate = SHELLS[shell]
    ours = run("venv", *PATHS[path], "-p", sys.executable, "ours", env=env)
    assert ours.code == 0, ours.stderr
    assert ours.stderr.endswith(f"Creating virtual environment at: ours\n{activate}")
    theirs = run_uv(["venv", "-p", sys.executable, "theirs"], tmp_path, tmp_path, env)
    assert theirs.code == 0, theirs.stderr
    assert ours.stderr.replace("ours", "X") == theirs.stderr.replace("theirs", "X")


def test_without_seed_the_header_is_unchanged(run: Runner, tmp_path: Path) -> None:
    result = run("venv", "plain")
    assert result.code == 0, result.stderr
    assert "Creating virtual environment at: plain\n" in result.stderr
