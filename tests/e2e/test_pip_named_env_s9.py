"""uv's ``Using Python X environment at: P`` comes first when the environment was named
(``--python``, ``VIRTUAL_ENV``), not when it is the working directory's ``.venv`` (s9 review)."""

from __future__ import annotations

from pathlib import Path

from tests.support.index import LocalIndex
from tests.support.runner import Runner


def test_the_named_environment_is_said(run: Runner, local_index: LocalIndex,
                                       tmp_path: Path) -> None:
    local_index.add_wheel("lib", "1.0")
    local_index.add_wheel("other", "1.0")
    assert run("venv", "-q", "env", cwd=tmp_path).code == 0
    assert run("venv", "-q", cwd=tmp_path).code == 0
    index = ("--index-url", local_index.file_url)
    named = run("pip", "install", *index, "-p", "env", "lib", cwd=tmp_path)
    assert named.code == 0, named.stderr
    assert named.stderr.splitlines()[0].endswith(" environment at: env")
    active = run("pip", "install", *index, "other", cwd=tmp_path,
                 env={"VIRTUAL_ENV": str(tmp_path / "env")})
    assert active.stderr.splitlines()[0].endswith(" environment at: env")
    found = run("pip", "install", *index, "lib", cwd=tmp_path, env={"VIRTUAL_ENV": None})
    assert found.code == 0, found.stderr
    assert "environment at" not in found.stderr
