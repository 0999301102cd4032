"""The lean command line (ferry.cli.lean): what it reads itself, and everything it leaves to
the full CLI untouched."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ferry.cli.lean import COMPILE, LOCK, SYNC, VENV, parse


@pytest.fixture(autouse=True)
def _no_ferry_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("FERRY_CACHE_DIR", "FERRY_INDEX_URL", "FERRY_KEYRING_PROVIDER",
                 "UV_KEYRING_PROVIDER", "FERRY_PYTHON", "FERRY_LINK_MODE",
                 "FERRY_COMPILE_BYTECODE"):
        monkeypatch.delenv(name, raising=False)


def test_lock_flags_values_and_globals() -> None:
    assert parse(["--locked", "-i", "http://x/simple", "-P", "a", "--upgrade-package=b",
                  "--cache-dir", "/c", "-v", "-v"], LOCK) == (
        {"cache_dir": Path("/c"), "verbose": 2},
        {"locked": True, "index_url": "http://x/simple", "upgrade_packages": ("a", "b")},
    )
    # counted as uv counts them; -q with -v is the full CLI's usage error to report
    assert parse(["-q", "-q"], LOCK) == parse(["-qq"], LOCK) == ({"quiet": 2}, {})
    assert parse(["-q", "--locked", "-v"], LOCK) is None
    assert parse([], LOCK) == ({}, {})
    assert parse(["--check", "--check-exists", "--dry-run"], LOCK) == (
        {}, {"check": True, "check_exists": True, "dry_run": True})


def test_compile_positionals_and_repeatable_paths() -> None:
    assert parse(["req.in", "-o", "out.txt", "-c", "c1.txt", "--constraint", "c2.txt",
                  "--no-header", "--python-version=3.12", "more.in"], COMPILE) == (
        {},
        {"src_files": (Path("req.in"), Path("more.in")), "output_file": Path("out.txt"),
         "constraints": (Path("c1.txt"), Path("c2.txt")), "no_header": True,
         "python_version": "3.12"},
    )


@pytest.mark.parametrize("tokens", [
    ["--help"],
    ["-h"],
    ["--resolution", "lowest"],  # a choice click validates
    ["--script", "x.py"],
    ["--project", "p"],
    ["-qU"],  # combined short flags
    ["--index-url"],  # value missing
    ["--index-url", "--locked"],
    ["--index-url="],
    ["--locked=yes"],
    ["positional"],  # lock takes none
    ["--"],
])
def test_anything_else_goes_to_the_full_cli(tokens: list[str]) -> None:
    assert parse(tokens, LOCK) is None


def test_environment_defaults_as_click_reads_them(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FERRY_CACHE_DIR", "/env-cache")
    monkeypatch.setenv("FERRY_INDEX_URL", "http://env/simple")
    assert parse([], LOCK) == ({"cache_dir": Path("/env-cache")},
                               {"index_url": "http://env/simple"})
    assert parse(["--cache-dir", "/c", "-i", "http://x"], LOCK) == (
        {"cache_dir": Path("/c")}, {"index_url": "http://x"})
    monkeypatch.setenv("FERRY_INDEX_URL", "")  # empty: unset, as for click
    assert parse([], LOCK) == ({"cache_dir": Path("/env-cache")}, {})


def test_a_keyring_provider_from_the_environment_is_left_to_click(
    monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("UV_KEYRING_PROVIDER", "subprocess")
    assert parse([], LOCK) is None


def test_every_lean_option_is_one_the_full_cli_knows() -> None:
    """A token read here but unknown to click would be accepted by one path and refused by the
    other."""
    import click

    from ferry.cli.lock import lock
    from ferry.cli.main import cli
    from ferry.cli.pip import compile_

    def tokens(command: click.Command) -> set[str]:
        return {o for p in command.params for o in (*p.opts, *p.secondary_opts)}

    known_globals = tokens(cli)
    for spec, command in ((LOCK, lock), (COMPILE, compile_)):
        for token in (*spec.flags, *spec.valued, *spec.repeated):
            assert token in tokens(command), token
    from ferry.cli import lean

    assert set(lean._GLOBAL_FLAGS) - {"-qq", "-vv", "-vvv"} <= known_globals
    assert set(lean._GLOBAL_VALUED) <= known_globals


def test_every_lean_keyword_is_a_field_of_the_request() -> None:
    from ferry.commands.lock import LockRequest
    from ferry.commands.pip_compile import PipCompileRequest
    from ferry.model.value_fields import fields

    # --check/--check-exists are reconciled with FERRY_LOCKED/FERRY_FROZEN by lock_action
    # before the request is built; they are its own keywords, not the request's fields.
    # `index` (--index) is merged into the extra indexes by lock_action (merge_index_flags).
    mode_words = {"check", "check_exists", "index"}
    for spec, request in ((LOCK, LockRequest), (COMPILE, PipCompileRequest)):
        names = {f.name for f in fields(request)} | (mode_words if spec is LOCK else set())
        keys = {key for key, _ in (*spec.valued.values(), *spec.repeated.values())}
        keys |= set(spec.flags.values())
        if spec.positional is not None:
            keys.add(spec.positional[0])
        assert keys <= names, keys - names


def test_short_options_with_an_equals_sign_are_left_to_click() -> None:
    # click reads `-o=out.txt` as the value `=out.txt`; only it may decide what that means
    assert parse(["req.in", "-o=out.txt"], COMPILE) is None
    assert parse(["-i=http://x/simple"], LOCK) is None


def test_venv_seed_forms() -> None:
    assert parse(["--seed", "env", "-p", "3.12", "--index-url=http://x/simple", "--index", "a",
                  "--extra-index-url", "b", "-f", "links", "--no-index", "--link-mode", "copy",
                  "--index-strategy", "unsafe-best-match", "--exclude-newer", "2024-01-01",
                  "--trusted-host", "h", "-q"], VENV) == (
        {"quiet": True},
        {"seed": True, "path": Path("env"), "python": "3.12", "index_url": "http://x/simple",
         "extra_index_url": ("a", "b"), "find_links": ("links",), "no_index": True,
         "link_mode": "copy", "index_strategy": "unsafe-best-match",
         "exclude_newer": "2024-01-01", "allow_insecure_host": ("h",)},
    )
    assert parse(["--seed"], VENV) == ({}, {"seed": True, "path": None})


@pytest.mark.parametrize("tokens", [
    ["--seed", "a", "b"],  # one path only
    ["--seed", "--index-strategy", "best"],  # not among the choices
    ["--seed", "--link-mode", "teleport"],
    ["--seed", "--color", "never"],
    ["--seed", "--help"],
])
def test_venv_forms_left_to_click(tokens: list[str]) -> None:
    assert parse(tokens, VENV) is None


def test_venv_environment_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FERRY_PYTHON", "3.11")
    monkeypatch.setenv("FERRY_LINK_MODE", "copy")
    assert parse(["--seed", "-p", "3.12"], VENV) == (
        {}, {"seed": True, "path": None, "python": "3.12", "link_mode": "copy"})
    monkeypatch.setenv("FERRY_LINK_MODE", "teleport")  # click refuses it, so click says so
    assert parse(["--seed"], VENV) is None


def test_index_strategy_is_read_or_left_to_click() -> None:
    assert parse(["--index-strategy", "unsafe-first-match"], LOCK) == (
        {}, {"index_strategy": "unsafe-first-match"})
    assert parse(["--index-strategy=first"], LOCK) is None
    assert parse(["r.in", "--index-strategy=unsafe-best-match"], COMPILE) == (
        {}, {"src_files": (Path("r.in"),), "index_strategy": "unsafe-best-match"})


def _keywords_by_token(spec: Any, command: Any) -> dict[str, str]:
    """The click ``command``'s keyword per option token, having checked that every token of
    ``spec`` is one of them and lands under the same keyword."""
    by_token = {o: p.name for p in command.params for o in (*p.opts, *p.secondary_opts)}
    for token, key in spec.flags.items():
        assert by_token[token] == key, token
    for table in (spec.valued, spec.repeated):
        for token, (key, _) in table.items():
            assert by_token[token] == key, token
    return by_token


def test_venv_tokens_and_keywords_are_the_click_commands() -> None:
    """Every token the lean parser reads for ``venv`` is an option of the click command, and
    lands under the keyword click would give it."""
    from ferry.cli.venv import venv

    by_token = _keywords_by_token(VENV, venv)
    assert VENV.positional is not None and VENV.positional[0] == "path" in by_token.values()


def test_sync_tokens_keywords_and_defaults_are_the_click_commands() -> None:
    """Every token the lean parser reads for ``sync`` is an option of the click command and
    lands under the keyword click would give it; every keyword click passes is a field of
    ``SyncRequest`` (or ``frozen``/``locked``) whose default is click's default, so an option
    left off the command line means the same on both paths."""
    from ferry.cli.sync import sync
    from ferry.commands.sync import SyncRequest
    from ferry.model.value_fields import MISSING, fields

    _keywords_by_token(SYNC, sync)
    defaults = {f.name: f.default for f in fields(SyncRequest) if f.default is not MISSING}
    passed = sync.make_context("sync", []).params  # what click hands over for a bare `sync`
    assert passed.pop("frozen") is False and passed.pop("locked") is False  # see lock_fields
    assert passed.pop("index") == ()  # merged into extra_index_url by merge_index_flags
    assert passed
    for name, value in passed.items():
        assert name in defaults, name
        assert defaults[name] == value, name


def test_sync_forms() -> None:
    assert parse(["--frozen", "--no-dev", "--extra", "a", "--extra=b", "-P", "x", "-U",
                  "--link-mode", "copy", "--project", "proj", "-q"], SYNC) == (
        {"quiet": True},
        {"frozen": True, "no_dev": True, "extras": ("a", "b"), "upgrade_package": ("x",),
         "upgrade": True, "link_mode": "copy", "project": Path("proj")},
    )
    assert parse([], SYNC) == ({}, {})


@pytest.mark.parametrize("tokens", [
    ["--link-mode", "teleport"],  # not among the choices
    ["--color", "never"],
    ["--help"],
    ["positional"],
    ["--no-sync"],  # run's, not sync's
])
def test_sync_forms_left_to_click(tokens: list[str]) -> None:
    assert parse(tokens, SYNC) is None


def test_sync_project_naming_a_file_is_left_to_click(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    assert parse(["--project", str(tmp_path / "file")], SYNC) is None
    assert parse(["--project", str(tmp_path)], SYNC) == ({}, {"project": tmp_path})


def test_sync_environment_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FERRY_LINK_MODE", "copy")
    monkeypatch.setenv("FERRY_INDEX_URL", "http://env/simple")
    assert parse([], SYNC) == ({}, {"link_mode": "copy", "index_url": "http://env/simple"})
    monkeypatch.setenv("FERRY_COMPILE_BYTECODE", "yes")  # click's boolean spellings: its job
    assert parse([], SYNC) is None
