"""``ferry pip install`` read by the lean parser: the tokens, keywords and defaults are the click
command's, so a command line means the same on both paths; anything else is click's."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.unit.test_cli_lean import _keywords_by_token

from ferry.cli.lean import PIP_INSTALL, parse


def test_tokens_keywords_and_defaults_are_the_click_commands() -> None:
    from ferry.cli.pip import install
    from ferry.commands.pip_install import PipInstallRequest
    from ferry.model.value_fields import MISSING, fields

    _keywords_by_token(PIP_INSTALL, install)
    assert PIP_INSTALL.positional is not None
    assert PIP_INSTALL.positional[0] == "packages"
    assert "packages" in {p.name for p in install.params}
    defaults = {f.name: f.default for f in fields(PipInstallRequest) if f.default is not MISSING}
    passed = install.make_context("install", []).params  # what click hands over, bare
    assert passed.pop("allow_insecure_host") == ()  # the action's, not the request's
    for name, value in passed.items():
        assert name in defaults, name
        assert defaults[name] == value, name


def test_the_commonest_forms() -> None:
    assert parse(["-r", "req.txt", "--python", "v/bin/python", "--index-url", "http://x/simple",
                  "-q"], PIP_INSTALL) == (
        {"quiet": True},
        {"requirements": (Path("req.txt"),), "python": "v/bin/python",
         "index_url": "http://x/simple", "packages": ()},
    )
    assert parse(["requests", "rich>=13", "-U", "--no-deps", "--system", "-c", "c.txt",
                  "--compile", "--trusted-host", "h", "--prerelease", "allow"], PIP_INSTALL) == (
        {},
        {"packages": ("requests", "rich>=13"), "upgrade": True, "no_deps": True,
         "system": True, "constraints": (Path("c.txt"),), "compile_bytecode": True,
         "allow_insecure_host": ("h",), "prerelease": "allow"},
    )


@pytest.mark.parametrize("tokens", [
    ["x", "--prerelease", "sometimes"],  # not among the choices
    ["x", "--link-mode", "teleport"],
    ["x", "--color", "never"],
    ["--help"],
    ["x", "--", "-weird"],
    ["x", "-rreq.txt"],  # glued short options are click's
    ["x", "--user"],  # an option ferry does not have: click says so
])
def test_forms_left_to_click(tokens: list[str]) -> None:
    assert parse(tokens, PIP_INSTALL) is None


def test_environment_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FERRY_LINK_MODE", "copy")
    monkeypatch.setenv("FERRY_INDEX_URL", "http://env/simple")
    assert parse(["x"], PIP_INSTALL) == (
        {}, {"packages": ("x",), "link_mode": "copy", "index_url": "http://env/simple"})
    monkeypatch.setenv("FERRY_COMPILE_BYTECODE", "yes")  # click's boolean spellings: its job
    assert parse(["x"], PIP_INSTALL) is None
