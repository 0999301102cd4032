"""``ferry add/remove --optional NAME`` / ``--group NAME`` with a name that is not a valid extra
or group name (s9 review F22): refused before anything is read or written, with uv's message
and exit code 2 (ferry wrote ``"bad name!" = [...]``, which uv then could not read)."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.e2e.edit_kit import run_uv, uv_binary
from tests.support.runner import Runner

PYPROJECT = '[project]\nname = "p"\nversion = "0.1.0"\nrequires-python = ">=3.8"\n' \
    'dependencies = ["six"]\n'


@pytest.mark.parametrize("command", ["add", "remove"])
@pytest.mark.parametrize(("flag", "value"), [("--optional", "Bad Name!"), ("--group", ""),
                                             ("--group", "-lint")])
def test_invalid_names_are_refused_as_uv_refuses_them(
    run: Runner, tmp_path: Path, command: str, flag: str, value: str
) -> None:
    root = tmp_path / "p"
    root.mkdir()
    (root / "pyproject.toml").write_text(PYPROJECT)
    result = run(command, "--frozen", flag, value, "six", cwd=root)
    assert result.code == 2
    meta = flag.removeprefix("--").upper()
    message = (
        f"error: invalid value '{value}' for '{flag} <{meta}>': Not a valid package or extra "
        f'name: "{value}". Names must start and end with a letter or digit and may only '
        "contain -, _, ., and alphanumeric characters."
    )
    assert message in result.stderr
    assert (root / "pyproject.toml").read_text() == PYPROJECT
    assert sorted(p.name for p in root.iterdir()) == ["pyproject.toml"]
    if uv_binary() is not None:
        peer = run_uv([command, "--frozen", f"{flag}={value}", "six"], root, tmp_path / "uvc")
        assert peer.returncode == 2
        assert message in peer.stderr


def test_valid_names_with_dots_and_underscores_are_accepted(run: Runner, tmp_path: Path) -> None:
    root = tmp_path / "p"
    root.mkdir()
    (root / "pyproject.toml").write_text(PYPROJECT)
    result = run("add", "--frozen", "--optional", "A.b_c-1", "six", cwd=root)
    assert result.code == 0, result.stderr
    assert '[project.optional-dependencies]\na-b-c-1 = [\n    "six",\n]' in (
        root / "pyproject.toml").read_text()
