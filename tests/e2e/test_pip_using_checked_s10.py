"""uv 0.13.8's lines for ``pip install`` into an environment that needs nothing: ``Checked N
packages`` counting the requirements asked for, and ``Using Python X environment at: P`` for
every environment but the working directory's own ``.venv`` (checked side by side with uv)."""

from __future__ import annotations

from pathlib import Path

from tests.support.index import LocalIndex
from tests.support.runner import Runner

NO_ACTIVE: dict[str, str | None] = {"VIRTUAL_ENV": None, "FERRY_PYTHON": None}


def test_checked_counts_the_requirements(run: Runner, local_index: LocalIndex,
                                         tmp_path: Path) -> None:
    local_index.add_wheel("lib", "1.0", requires=["dep"])
    local_index.add_wheel("dep", "1.0")
    index = ("--index-url", local_index.file_url)
    assert run("venv", "-q", cwd=tmp_path).code == 0
    assert run("pip", "install", *index, "lib", cwd=tmp_path, env=NO_ACTIVE).code == 0
    again = run("pip", "install", *index, "lib", cwd=tmp_path, env=NO_ACTIVE)
    assert again.stderr.splitlines()[0].startswith("Checked 1 package in "), again.stderr
    both = run("pip", "install", *index, "lib", "dep", cwd=tmp_path, env=NO_ACTIVE)
    assert both.stderr.splitlines()[0].startswith("Checked 2 packages in "), both.stderr


def test_only_the_working_directorys_venv_goes_unnamed(
    run: Runner, local_index: LocalIndex, tmp_path: Path
) -> None:
    local_index.add_wheel("lib", "1.0")
    index = ("--index-url", local_index.file_url, "lib")
    assert run("venv", "-q", cwd=tmp_path).code == 0
    assert run("pip", "install", *index, cwd=tmp_path, env=NO_ACTIVE).code == 0
    sub = tmp_path / "sub"
    sub.mkdir()
    # Named, but it is the working directory's .venv: nothing to say.
    for args, where in ((("-p", ".venv"), tmp_path), (("-p", ".venv/bin/python"), tmp_path),
                        ((), tmp_path)):
        result = run("pip", "install", *args, *index, cwd=where, env=NO_ACTIVE)
        assert "environment at" not in result.stderr, (args, result.stderr)
    active = run("pip", "install", *index, cwd=tmp_path,
                 env={"VIRTUAL_ENV": str(tmp_path / ".venv")})
    assert "environment at" not in active.stderr, active.stderr
    # Found from a subdirectory, or named from one: a parent's .venv is named, absolute.
    for args in ((), ("-p", "../.venv")):
        result = run("pip", "install", *args, *index, cwd=sub, env=NO_ACTIVE)
        first = result.stderr.splitlines()[0]
        assert first.endswith(f" environment at: {tmp_path / '.venv'}"), (args, result.stderr)
