"""Units of ``--refresh`` and ``--keyring-provider``: the values, the keyring protocol, the
command-line plumbing (hoisting, the no-op fast path) and the project setting."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from ferry.cli.main import hoist_global_options
from ferry.commands.fastpath import parse, try_fast_path
from ferry.index.auth import Credentials, CredentialStore
from ferry.index.keyring import SubprocessKeyring, check_provider
from ferry.model.errors import ParseError, UsageError
from ferry.model.refresh import Refresh
from ferry.project.pyproject import parse_pyproject

# -- Refresh ------------------------------------------------------------------------------------


def test_refresh_covers_normalized_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FERRY_REFRESH", raising=False)
    some = Refresh.from_options(False, ["Foo_Bar"])
    assert some and some.covers("foo-bar") and some.covers("FOO.bar")
    assert not some.covers("other") and not some.covers(None)
    assert not Refresh.from_options()
    everything = Refresh.from_options(True)
    assert everything.covers("anything") and everything.covers(None)
    assert "--refresh-package" in some.reason() and "(--refresh)" in everything.reason()
    monkeypatch.setenv("FERRY_REFRESH", "1")
    assert Refresh.from_options().everything


def test_refresh_options_are_hoisted_and_never_replayed(monkeypatch: pytest.MonkeyPatch) -> None:
    argv = ["run", "--refresh-package", "alpha", "--keyring-provider", "subprocess", "python"]
    assert hoist_global_options(argv) == [
        "--refresh-package", "alpha", "--keyring-provider", "subprocess", "run", "python"
    ]
    assert parse(["sync", "--refresh"]) is None
    assert parse(["run", "--refresh-package", "alpha", "python"]) is None
    invocation = parse(["run", "--keyring-provider", "subprocess", "python"])
    assert invocation is not None and invocation.child == ["python"]
    monkeypatch.setenv("FERRY_REFRESH", "1")
    assert try_fast_path(["sync"]) is None


# -- keyring ------------------------------------------------------------------------------------


class FakeRun:
    def __init__(self, answers: dict[tuple[str, ...], tuple[int, str, str]]) -> None:
        self.answers = answers
        self.calls: list[list[str]] = []

    def __call__(self, argv: list[str]) -> subprocess.CompletedProcess[str]:
        self.calls.append(argv)
        code, out, err = self.answers.get(tuple(argv[1:]), (1, "", "no password\n"))
        return subprocess.CompletedProcess(argv, code, out, err)


def test_keyring_asks_the_url_then_the_host_and_remembers() -> None:
    run = FakeRun({("get", "example.test:8080", "alice"): (0, "pw\n", "")})
    keyring = SubprocessKeyring(which=lambda _: "/bin/keyring", run=run)
    url = "https://example.test:8080/simple/"
    assert keyring.fetch(url, "alice") == Credentials("alice", "pw")
    assert keyring.fetch(url, "alice") == Credentials("alice", "pw")
    assert [c[1:] for c in run.calls] == [
        ["get", url, "alice"], ["get", "example.test:8080", "alice"]
    ]


def test_keyring_creds_mode_and_its_failures(caplog: pytest.LogCaptureFixture) -> None:
    url = "https://example.test/simple/"
    run = FakeRun({("get", url, "--mode", "creds"): (0, "bob\nsecret\n", "")})
    keyring = SubprocessKeyring(which=lambda _: "/bin/keyring", run=run)
    assert keyring.fetch(url, None) == Credentials("bob", "secret")
    old = FakeRun({("get", url, "--mode", "creds"): (2, "", "unrecognized arguments: --mode")})
    assert SubprocessKeyring(which=lambda _: "/bin/keyring", run=old).fetch(url, None) is None
    assert "keyring >= 25.2.1" in caplog.text
    assert "secret" not in caplog.text


def test_missing_keyring_warns_once(caplog: pytest.LogCaptureFixture) -> None:
    run = FakeRun({})
    keyring = SubprocessKeyring(which=lambda _: None, run=run)
    assert keyring.fetch("https://a.test/simple/", "u") is None
    assert keyring.fetch("https://b.test/simple/", "u") is None
    assert run.calls == []
    assert caplog.text.count("no `keyring` executable is on PATH") == 1


def test_credential_store_asks_per_index_and_per_realm() -> None:
    asked: list[tuple[str, str | None]] = []

    class Keyring:
        def fetch(self, url: str, username: str | None) -> Credentials | None:
            asked.append((url, username))
            return Credentials(username or "who", "pw")

    store = CredentialStore(Path("/nonexistent"), Keyring())
    store.remember("https://alice@host.test/pkgs/simple")
    page = "https://alice@host.test/pkgs/simple/alpha/"
    first = store.complete(page, store.for_url(page))
    assert first == Credentials("alice", "pw")
    file_url = "https://host.test/files/alpha-1.0-py3-none-any.whl"
    assert store.complete(file_url, store.for_url(file_url)) == Credentials("alice", "pw")
    assert asked == [("https://host.test/pkgs/simple/", "alice")]
    # full credentials in the URL: the keyring is not asked
    full = "https://carol:given@other.test/simple/"
    assert store.complete(full, store.for_url(full)) == Credentials("carol", "given")
    assert len(asked) == 1
    # and without a keyring nothing changes
    plain = CredentialStore(Path("/nonexistent"))
    assert plain.from_keyring(page, "alice") is None


def test_provider_names() -> None:
    assert check_provider(None) == "disabled"
    assert check_provider("subprocess") == "subprocess"
    with pytest.raises(UsageError):
        check_provider("import")


def test_project_keyring_setting(tmp_path: Path) -> None:
    base = '[project]\nname = "p"\nversion = "1"\n'
    uv = parse_pyproject(base + '[tool.uv]\nkeyring-provider = "subprocess"\n', tmp_path)
    assert uv.tool.keyring_provider == "subprocess"
    ferry = parse_pyproject(
        base + '[tool.ferry]\nkeyring-provider = "disabled"\n'
        '[tool.uv]\nkeyring-provider = "subprocess"\n',
        tmp_path,
    )
    assert ferry.tool.keyring_provider == "disabled"
    with pytest.raises(ParseError, match="keyring-provider"):
        parse_pyproject(base + '[tool.ferry]\nkeyring-provider = "native"\n', tmp_path)
