"""RELIABILITY D10, keyring half: the ``keyring`` executable is run only when enabled, is asked
the way uv asks it, and its password never leaves the request.

The ``keyring`` on PATH is a fake written by each test: it appends its argv to a log file and
prints a password (or, for ``--mode creds``, a username and a password), so every call is a fact.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.reliability.conftest import needs
from tests.reliability.invariants import EXIT_INPUT, Guard
from tests.support.index import IndexServer
from tests.support.runner import Result, Runner

MakeGuard = Callable[..., Guard]
Install = Callable[..., Result]

SECRET = "k3yr1ng-s3cr3t"


class FakeKeyring:
    def __init__(self, tmp_path: Path, *, installed: bool = True) -> None:
        self.bin = tmp_path / "fakebin"
        self.bin.mkdir()
        self.log = tmp_path / "keyring-calls"
        if installed:
            script = self.bin / "keyring"
            script.write_text(
                "#!/bin/sh\n"
                f'echo "$@" >> "{self.log}"\n'
                'if [ "$3" = "--mode" ]; then echo alice; fi\n'
                f"echo {SECRET}\n"
            )
            script.chmod(0o755)

    @property
    def env(self) -> dict[str, str | None]:
        # only the fake's directory and the interpreter's: a real keyring must not answer
        dirs = [str(self.bin), str(Path(sys.executable).parent), "/usr/bin", "/bin"]
        path = os.pathsep.join(dirs)
        return {"PATH": path, "FERRY_DEBUG": None}

    def calls(self) -> list[str]:
        return self.log.read_text().splitlines() if self.log.exists() else []


def _user_url(server: IndexServer, user: str = "alice") -> str:
    return f"http://{user}@127.0.0.1:{server.port}/simple/"


def _index_url(server: IndexServer) -> str:
    return f"http://127.0.0.1:{server.port}/simple/"


@pytest.fixture
def private(index_server: IndexServer) -> IndexServer:
    index_server.index.add_wheel("alpha", "1.0", requires=["beta"])
    index_server.index.add_wheel("beta", "1.0")
    index_server.require_auth("alice", SECRET)
    return index_server


def test_D10_keyring_is_not_called_unless_enabled(
    tmp_path: Path, venv: Path, private: IndexServer, pip_install: Install, guard: MakeGuard,
) -> None:
    keyring = FakeKeyring(tmp_path)
    g = guard(venv=venv, secrets=[SECRET])
    for extra in ((), ("--keyring-provider", "disabled")):
        result = pip_install("alpha", *extra, index=_user_url(private), env=keyring.env)
        g.failed(result, code=EXIT_INPUT, mentions=("401",), hint="--keyring-provider")
    assert keyring.calls() == [], "the keyring was called although it was not enabled"


def test_D10_keyring_subprocess_supplies_the_password(
    tmp_path: Path, venv: Path, private: IndexServer, pip_install: Install, guard: MakeGuard,
) -> None:
    keyring = FakeKeyring(tmp_path)
    g = guard(venv=venv, secrets=[SECRET])
    result = pip_install(
        "-v", "alpha", "--keyring-provider", "subprocess", index=_user_url(private),
        env=keyring.env,
    )
    assert result.code == 0, result.output
    assert "beta==1.0" in result.stderr
    # asked once, for the index (not per page or file), with the URL's username, as uv asks
    assert keyring.calls() == [f"get {_index_url(private)} alice"]
    assert "Found credentials in keyring" in result.stderr
    g.no_secrets(result)


def test_D10_keyring_without_username_asks_for_both_after_a_401(
    tmp_path: Path, venv: Path, private: IndexServer, pip_install: Install, guard: MakeGuard,
) -> None:
    keyring = FakeKeyring(tmp_path)
    g = guard(venv=venv, secrets=[SECRET])
    env = {**keyring.env, "UV_KEYRING_PROVIDER": "subprocess"}
    result = pip_install("-vv", "alpha", index=_index_url(private), env=env)
    assert result.code == 0, result.output
    assert keyring.calls() == [f"get {_index_url(private)} --mode creds"]
    g.no_secrets(result)


def test_D10_keyring_missing_from_path_is_a_clear_warning(
    tmp_path: Path, venv: Path, private: IndexServer, pip_install: Install, guard: MakeGuard,
) -> None:
    keyring = FakeKeyring(tmp_path, installed=False)
    g = guard(venv=venv, secrets=[SECRET])
    env = {**keyring.env, "FERRY_KEYRING_PROVIDER": "subprocess"}
    result = pip_install("alpha", index=_user_url(private), env=env)
    g.failed(result, code=EXIT_INPUT, mentions=("401",), hint="credentials")
    assert "no `keyring` executable is on PATH" in result.stderr


def test_D10_unknown_keyring_provider_is_a_usage_error(
    tmp_path: Path, private: IndexServer, pip_install: Install,
) -> None:
    result = pip_install("alpha", "--keyring-provider", "import", index=_user_url(private))
    assert result.code == 2 and "import" in result.stderr, result.output


@needs("lock", "sync")
def test_D10_project_keyring_setting_and_the_lockfile(
    tmp_path: Path, run: Runner, private: IndexServer, guard: MakeGuard,
) -> None:
    keyring = FakeKeyring(tmp_path)
    project = tmp_path / "proj"
    project.mkdir()
    (project / "pyproject.toml").write_text(
        '[project]\nname = "proj"\nversion = "0.1.0"\nrequires-python = ">=3.8"\n'
        'dependencies = ["alpha"]\n\n[tool.uv]\nkeyring-provider = "subprocess"\n'
    )
    env = {**keyring.env, "FERRY_INDEX_URL": _user_url(private), "FERRY_PYTHON": sys.executable}
    g = guard(secrets=[SECRET], scan=[project])
    results = [run("-v", "lock", cwd=project, env=env), run("-v", "sync", cwd=project, env=env)]
    for result in results:
        assert result.code == 0, result.output
    assert "alpha" in (project / "uv.lock").read_text()
    assert keyring.calls() and all(call.endswith(" alice") for call in keyring.calls())
    g.no_secrets(*results)
    # a flag beats the setting: disabled means never called
    before = len(keyring.calls())
    (project / "uv.lock").unlink()
    denied = run("lock", "--keyring-provider", "disabled", cwd=project, env=env)
    assert denied.code == EXIT_INPUT, denied.output
    assert len(keyring.calls()) == before
