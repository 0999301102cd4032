"""The global cache and index options appear in the help of each command that uses them, as in
uv (``uv lock --help`` lists ``--keyring-provider`` under "Index options" and ``--refresh`` /
``--refresh-package`` under "Cache options"), with the root group's own texts, and they work
when written after the subcommand."""

from __future__ import annotations

import pytest
from tests.support.index import LocalIndex
from tests.support.runner import Runner

USING = ["lock", "sync", "run", "add", "remove", "tree", "export", "version", "build", "venv",
         "pip install", "pip compile", "pip sync"]
NOT_USING = ["pip list", "pip freeze", "cache dir", "init"]


def _section(text: str, title: str) -> str:
    """The lines of one help section, up to the next blank line."""
    _, found, rest = text.partition(f"\n{title}:\n")
    assert found, f"no {title!r} section in:\n{text}"
    return rest.split("\n\n")[0]


@pytest.fixture(scope="module")
def root_help() -> str:
    from click.testing import CliRunner

    from ferry.cli.main import cli
    return " ".join(CliRunner().invoke(cli, ["--help"]).output.split())


@pytest.mark.parametrize("command", USING)
def test_the_cache_and_index_options_are_in_the_subcommand_help(
    run: Runner, command: str, root_help: str
) -> None:
    result = run(*command.split(), "--help", env={"COLUMNS": "80"})
    assert result.code == 0, result.stderr
    index = _section(result.stdout, "Index options")
    cache = _section(result.stdout, "Cache options")
    assert "--keyring-provider [disabled|subprocess]" in index
    for option in ("--no-cache", "--cache-dir PATH", "--refresh ", "--refresh-package PKG"):
        assert option in cache, option
    # the same declaration as `ferry --help` shows (one definition, no drift)
    flat = " ".join(result.stdout.split())
    for line in ("--refresh-package PKG Like --refresh, for this package only (repeatable).",
                 "Ask the `keyring` executable for index credentials (default: disabled)"):
        assert line in root_help and line in flat


@pytest.mark.parametrize("command", NOT_USING)
def test_commands_without_an_index_do_not_list_them(run: Runner, command: str) -> None:
    result = run(*command.split(), "--help")
    assert result.code == 0, result.stderr
    assert "--refresh" not in result.stdout and "--keyring-provider" not in result.stdout


def test_they_work_after_the_subcommand(run: Runner, local_index: LocalIndex) -> None:
    local_index.add_wheel("pkg", "1.0")
    result = run("pip", "compile", "-", "--index-url", local_index.file_url, "--no-header",
                 "--refresh-package", "pkg", "--keyring-provider", "disabled", "--refresh",
                 input="pkg\n")
    assert result.code == 0, result.stderr
    assert result.stdout.splitlines()[0] == "pkg==1.0"
