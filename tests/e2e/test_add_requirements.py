"""``ferry add -r FILE``, ``-c FILE`` and ``-m MARKER``: what uv 0.13.8 writes for the same input
(the expected texts below are uv's output, checked byte for byte where uv is at hand), ``-c``
constraining the lock without being recorded, and a bad file or a failed lock leaving the project
byte-identical. Packages come from a file:// index built in tmp_path."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from tests.e2e.edit_kit import fill_index, run_uv, uv_binary
from tests.support.index import LocalIndex
from tests.support.runner import Runner
from tests.support.wheels import make_wheel

PYPROJECT = """\
[project]
name = "demo"
version = "0.1.0"
requires-python = ">=3.8"
dependencies = []

[[tool.uv.index]]
url = "{url}"
default = true
"""


@pytest.fixture
def index(local_index: LocalIndex) -> LocalIndex:
    return fill_index(local_index)


@pytest.fixture
def tree(tmp_path: Path, index: LocalIndex) -> Path:
    """``demo/`` (the project) next to ``ext/helper``, ``ext/helper2`` and ``wheels/``."""
    for name in ("helper", "helper2"):
        directory = tmp_path / "ext" / name
        directory.mkdir(parents=True)
        (directory / "pyproject.toml").write_text(f'[project]\nname="{name}"\nversion="1.0"\n')
    make_wheel(tmp_path / "wheels", "localpkg", "0.5.0")
    make_wheel(tmp_path / "wheels", "apkg", "0.5.0")
    project = tmp_path / "demo"
    project.mkdir()
    (project / "pyproject.toml").write_text(PYPROJECT.format(url=index.file_url))
    return project


def mixed_file(tree: Path) -> Path:
    """A file with every kind of entry (apkg's URL is absolute, so each copy writes its own)."""
    apkg = (tree.parent / "wheels" / "apkg-0.5.0-py3-none-any.whl").as_uri()
    path = tree / "requirements.txt"
    path.write_text(
        "# every kind of line\n"
        "-e ../ext/helper\n"
        "../ext/helper2\n"
        "../wheels/localpkg-0.5.0-py3-none-any.whl\n"
        "leaf\n"
        f"apkg @ {apkg}\n"
    )
    return path


def expected_mixed(tree: Path, url: str) -> str:
    apkg = tree.parent / "wheels" / "apkg-0.5.0-py3-none-any.whl"
    return PYPROJECT.format(url=url).replace(
        "dependencies = []",
        'dependencies = [\n    "apkg",\n    "helper",\n    "helper2",\n    "leaf>=1.4.2",\n'
        '    "localpkg",\n]',
    ) + (
        "\n[tool.uv.sources]\n"
        f'apkg = {{ path = "{apkg}" }}\n'
        'helper2 = { path = "../ext/helper2" }\n'
        'localpkg = { path = "../wheels/localpkg-0.5.0-py3-none-any.whl" }\n'
        'helper = { path = "../ext/helper", editable = true }\n'
    )


def test_every_line_of_the_file_is_added_as_uv_adds_it(
    run: Runner, tree: Path, index: LocalIndex
) -> None:
    mixed_file(tree)
    result = run("add", "-r", "requirements.txt", "--no-sync", cwd=tree)
    assert result.code == 0, result.stderr
    # named first, then paths in file order, then the file's editables: uv's source order
    assert (tree / "pyproject.toml").read_text() == expected_mixed(tree, index.file_url)
    lock = (tree / "uv.lock").read_text()
    assert '{ name = "helper", editable = "../ext/helper" }' in lock
    assert result.stderr.splitlines()[-1].startswith("Resolved 6 packages in ")


@pytest.mark.skipif(uv_binary() is None, reason="uv is not installed")
def test_the_same_file_gives_the_same_pyproject_as_uv(
    run: Runner, tree: Path, index: LocalIndex, tmp_path: Path
) -> None:
    twin = tmp_path / "twin" / "demo"
    shutil.copytree(tree, twin)
    for name in ("ext", "wheels"):
        shutil.copytree(tree.parent / name, twin.parent / name)
    for project in (tree, twin):
        with mixed_file(project).open("a") as file:
            file.write("tool[cli]==2.0.0 ; sys_platform == 'linux'\n")
    assert run("add", "-r", "requirements.txt", "--frozen", cwd=tree).code == 0
    uv = run_uv(["add", "-r", "requirements.txt", "--frozen"], twin, tmp_path / "uv-cache")
    assert uv.returncode == 0, uv.stderr
    def normal(project: Path) -> str:
        text = (project / "pyproject.toml").read_text().replace(index.file_url, "<INDEX>")
        return text.replace(str(project.parent), "<ROOT>")

    ours, theirs = normal(tree), normal(twin)
    assert ours == theirs


def test_constraints_steer_the_lock_but_are_not_recorded(
    run: Runner, tree: Path, index: LocalIndex
) -> None:
    (tree / "constraints.txt").write_text("leaf<1.4\n")
    (tree / "requirements.txt").write_text("-c constraints.txt\ntop\n")
    result = run("add", "-r", "requirements.txt", "leaf", "--no-sync", cwd=tree)
    assert result.code == 0, result.stderr
    text = (tree / "pyproject.toml").read_text()
    assert '    "leaf>=1.0.0",\n    "top>=0.3.1",\n' in text  # the bound of the constrained pick
    assert "constraint-dependencies" not in text
    lock = (tree / "uv.lock").read_text()
    assert 'name = "leaf"\nversion = "1.0.0"' in lock
    assert "constraints = " not in lock
    # `-c` on the command line does the same for a later add (the lock prefers what it has)
    (tree / "constraints.txt").write_text("leaf<1.1\n")
    assert run("add", "tool", "-c", "constraints.txt", "--no-sync", cwd=tree).code == 0
    assert "constraint-dependencies" not in (tree / "pyproject.toml").read_text()


def test_constraint_that_excludes_everything_leaves_the_project_untouched(
    run: Runner, tree: Path, index: LocalIndex
) -> None:
    (tree / "constraints.txt").write_text("leaf>=9\n")
    before = (tree / "pyproject.toml").read_bytes()
    result = run("add", "top", "-c", "constraints.txt", "--no-sync", cwd=tree)
    assert result.code == 1
    assert "leaf" in result.stderr
    assert (tree / "pyproject.toml").read_bytes() == before
    assert not (tree / "uv.lock").exists()


def test_a_bad_file_names_file_and_line_and_changes_nothing(
    run: Runner, tree: Path, index: LocalIndex
) -> None:
    assert run("add", "leaf", "--no-sync", cwd=tree).code == 0
    before = {n: (tree / n).read_bytes() for n in ("pyproject.toml", "uv.lock")}
    (tree / "bad.txt").write_text("top\nfoo bar baz\n")
    result = run("add", "-r", "bad.txt", "tool", cwd=tree)
    assert result.code == 1
    assert f"{tree / 'bad.txt'}:2:5" in result.stderr
    assert "foo bar baz" in result.stderr
    assert {n: (tree / n).read_bytes() for n in before} == before
    missing = run("add", "-r", "nowhere.txt", cwd=tree)
    assert missing.code == 2  # uv's `File not found: nowhere.txt`, exit 2
    assert "File not found: nowhere.txt" in missing.stderr
    assert {n: (tree / n).read_bytes() for n in before} == before


def test_a_package_no_index_has_in_the_file_changes_nothing(
    run: Runner, tree: Path, index: LocalIndex
) -> None:
    before = (tree / "pyproject.toml").read_bytes()
    (tree / "requirements.txt").write_text("leaf\nno-such-package\n")
    result = run("add", "-r", "requirements.txt", cwd=tree)
    assert result.code == 1
    assert "no-such-package" in result.stderr
    assert (tree / "pyproject.toml").read_bytes() == before
    assert not (tree / "uv.lock").exists()
    assert not (tree / ".venv").exists()


def test_files_and_arguments_go_to_the_chosen_table(run: Runner, tree: Path) -> None:
    (tree / "one.txt").write_text("leaf>=1.0,<2  # comment\n")
    (tree / "two.txt").write_text("top\n")
    result = run(
        "add", "--group", "lint", "-r", "one.txt", "--requirements", "two.txt", "tool", "--frozen",
        cwd=tree,
    )
    assert result.code == 0, result.stderr
    text = (tree / "pyproject.toml").read_text()
    # specifiers keep their written order; --frozen writes no bound
    lint = '[dependency-groups]\nlint = [\n    "leaf>=1.0,<2",\n    "tool",\n    "top",\n]\n'
    assert lint in text
    result = run("add", "--optional", "cli", "-r", "two.txt", "--frozen", cwd=tree)
    assert result.code == 0, result.stderr
    assert '[project.optional-dependencies]\ncli = [\n    "top",\n]' in (
        tree / "pyproject.toml"
    ).read_text()


def test_marker_is_joined_with_each_requirements_own(run: Runner, tree: Path) -> None:
    (tree / "requirements.txt").write_text("top ; python_version >= '3.9'\n../ext/helper2\n")
    result = run(
        "add", "-r", "requirements.txt", "leaf", "-m", "sys_platform == 'linux'", "--frozen",
        cwd=tree,
    )
    assert result.code == 0, result.stderr
    text = (tree / "pyproject.toml").read_text()
    assert (
        'dependencies = [\n    "helper2 ; sys_platform == \'linux\'",\n'
        '    "leaf ; sys_platform == \'linux\'",\n'
        "    \"top ; python_full_version >= '3.9' and sys_platform == 'linux'\",\n]"
    ) in text
    bad = run("add", "leaf", "-m", "python_version <<< '3'", "--frozen", cwd=tree)
    assert bad.code == 2
    assert "Invalid `--marker`" in bad.stderr


def test_a_marked_requirement_is_locked_with_its_marker(
    run: Runner, tree: Path, index: LocalIndex
) -> None:
    result = run("add", "top", "--marker", "python_version < '3.12'", "--no-sync", cwd=tree)
    assert result.code == 0, result.stderr
    assert "\"top>=0.3.1 ; python_full_version < '3.12'\"" in (tree / "pyproject.toml").read_text()
    lock = (tree / "uv.lock").read_text()
    assert "{ name = \"top\", marker = \"python_full_version < '3.12'\" }" in lock


def test_nothing_to_add_is_a_usage_error(run: Runner, tree: Path) -> None:
    result = run("add", cwd=tree)
    assert result.code == 2
    assert "the following required arguments were not provided" in result.stderr
    assert "<PACKAGES|--requirements <REQUIREMENTS>>" in result.stderr
    assert os.listdir(tree) == ["pyproject.toml"]
