"""``remove`` and ``add`` failures in uv 0.13.8's words (s9 review F7, F8): ``--dev`` names the
two tables uv searched, a project dependency is a "production dependency", a group is retried
with ``--group``; a failed ``add`` says "Failed to add dependencies", keeps the resolver's
explanation as its cause and gives uv's ``--frozen`` hint. (uv also leaves a blank line before
``hint:``; ferry's error renderer does not, for every command alike.)"""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.support.index import LocalIndex
from tests.support.runner import Runner

P7 = """\
[project]
name = "p7"
version = "0.1.0"
requires-python = ">=3.8"
dependencies = ["six"]

[project.optional-dependencies]
web = ["idna"]

[dependency-groups]
dev = ["packaging>=20"]
lint = ["ruff"]
"""


@pytest.mark.parametrize(
    ("args", "error", "hint"),
    [
        (["--dev", "nothere"],
         "The dependency `nothere` could not be found in `tool.uv.dev-dependencies` or "
         "`tool.uv.dependency-groups.dev`", None),
        (["--dev", "six"],
         "The dependency `six` could not be found in `tool.uv.dev-dependencies` or "
         "`tool.uv.dependency-groups.dev`", "`six` is a production dependency"),
        (["--group", "lint", "six"],
         "The dependency `six` could not be found in `dependency-groups.lint`",
         "`six` is a production dependency"),
        (["--optional", "web", "six"],
         "The dependency `six` could not be found in `project.optional-dependencies.web`",
         "`six` is a production dependency"),
        (["packaging"],
         "The dependency `packaging` could not be found in `project.dependencies`",
         "`packaging` is in the `dev` group (try: `ferry remove packaging --group dev`)"),
        (["idna"],
         "The dependency `idna` could not be found in `project.dependencies`",
         "`idna` is an optional dependency (try: `ferry remove idna --optional web`)"),
    ],
)
def test_remove_errors_in_uv_words(
    run: Runner, tmp_path: Path, args: list[str], error: str, hint: str | None
) -> None:
    (tmp_path / "pyproject.toml").write_text(P7)
    result = run("remove", "--frozen", *args, cwd=tmp_path)
    assert result.code == 2  # uv 0.13.8's exit code for it
    expected = [f"error: {error}"] + ([f"hint: {hint}"] if hint else [])
    assert [line for line in result.stderr.splitlines() if line] == expected
    assert (tmp_path / "pyproject.toml").read_text() == P7


def test_failed_add_says_so_and_hints_at_frozen(
    run: Runner, tmp_path: Path, local_index: LocalIndex
) -> None:
    local_index.add_wheel("six", "1.17.0")
    text = P7.replace('dependencies = ["six"]', 'dependencies = ["six>=1.0"]')
    (tmp_path / "pyproject.toml").write_text(text)
    result = run("add", "--no-sync", "--index-url", local_index.file_url, "six>=99", cwd=tmp_path)
    assert result.code == 1
    lines = result.stderr.splitlines()
    assert "error: Failed to add dependencies" in lines
    after = lines[lines.index("error: Failed to add dependencies") + 1 :]
    assert after[0] == "  cause: No solution found when resolving dependencies"
    assert "six>=99" in after[1]
    assert after[-1] == (
        "hint: If you want to add the package regardless of the failed resolution, provide "
        "the `--frozen` flag to skip locking and syncing"
    )
    assert (tmp_path / "pyproject.toml").read_text() == text
    assert not (tmp_path / "uv.lock").exists()
