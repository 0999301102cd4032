"""``ferry remove`` end to end: the requirement, its source, the lock and the environment."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from tests.support.index import LocalIndex
from tests.support.runner import Runner

PYPROJECT = """\
[project]
name = "demo"
version = "0.1.0"
requires-python = ">=3.8"
dependencies = [
    # the app needs these
    "leaf>=1.0",
    "top",
]

[project.optional-dependencies]
cli = ["tool"]

[dependency-groups]
dev = ["leaf"]

[tool.uv.sources]
top = { index = "local" }
"""


@pytest.fixture
def project(tmp_path: Path, local_index: LocalIndex) -> Path:
    local_index.add_wheel("leaf", "1.0.0")
    local_index.add_wheel("top", "0.3.1")
    local_index.add_wheel("tool", "2.0.0")
    root = tmp_path / "demo"
    root.mkdir()
    text = PYPROJECT + f'\n[[tool.uv.index]]\nname = "local"\nurl = "{local_index.file_url}"\n'
    (root / "pyproject.toml").write_text(text)
    return root


def data(project: Path) -> dict[str, object]:
    return tomllib.loads((project / "pyproject.toml").read_text())


def test_remove_edits_locks_and_uninstalls(
    run: Runner, project: Path, local_index: LocalIndex
) -> None:
    url = local_index.file_url
    synced = run("sync", "--index-url", url, cwd=project)
    assert synced.code == 0, synced.stderr
    result = run("remove", "top", "--index-url", url, cwd=project)
    assert result.code == 0, result.stderr
    text = (project / "pyproject.toml").read_text()
    assert 'dependencies = [\n    # the app needs these\n    "leaf>=1.0",\n]\n' in text
    assert "top = " not in text  # its source went with it
    assert 'name = "top"' not in (project / "uv.lock").read_text()
    assert result.stderr.splitlines()[-1] == " - top==0.3.1"
    site = next((project / ".venv" / "lib").glob("python3*/site-packages"))
    assert not list(site.glob("top-*.dist-info"))


def test_dev_and_optional_targets(run: Runner, project: Path) -> None:
    assert run("remove", "--dev", "leaf", "--frozen", cwd=project).code == 0
    assert run("remove", "--optional", "cli", "tool", "--frozen", cwd=project).code == 0
    content = data(project)
    assert content["dependency-groups"] == {"dev": []}
    assert content["project"]["optional-dependencies"] == {"cli": []}  # type: ignore[index]
    assert content["project"]["dependencies"] == ["leaf>=1.0", "top"]  # type: ignore[index]


def test_missing_dependency_is_an_error_with_a_hint_and_no_change(
    run: Runner, project: Path
) -> None:
    before = (project / "pyproject.toml").read_bytes()
    result = run("remove", "tool", cwd=project)
    assert result.code == 2  # uv 0.13.8's exit code for it
    assert result.stderr == (
        "error: The dependency `tool` could not be found in `project.dependencies`\n"
        "hint: `tool` is an optional dependency (try: `ferry remove tool --optional cli`)\n"
    )
    nowhere = run("remove", "--group", "dev", "nothing", cwd=project)
    assert nowhere.code == 2
    assert "could not be found in `dependency-groups.dev`" in nowhere.stderr
    assert (project / "pyproject.toml").read_bytes() == before
