"""RELIABILITY.md section D: network and index behaviour, against loopback servers with faults.

Every request is counted at the server, so "exactly 3 retries", "no request to the second
index", "no Authorization header after the redirect" are facts, not hopes.
"""

from __future__ import annotations

import base64
import os
import ssl
import stat
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from tests.reliability.conftest import needs
from tests.reliability.invariants import EXIT_INPUT, EXIT_SURROUNDINGS, Guard
from tests.support.envs import make_venv
from tests.support.index import IndexServer, LocalIndex
from tests.support.runner import Result, Runner
from tests.support.tls import self_signed_certificate

MakeGuard = Callable[..., Guard]
Install = Callable[..., Result]

SECRET = "s3cr3t-t0ken"


@pytest.fixture
def second_server(tmp_path: Path) -> Iterator[IndexServer]:
    with IndexServer(LocalIndex(tmp_path / "index2")) as server:
        yield server


def _tmp_empty(cache: Path) -> bool:
    tmp = cache / ".tmp"
    return not tmp.exists() or not any(tmp.iterdir())


def test_D1_project_missing_on_the_first_index_is_found_on_the_second(
    venv: Path, index_server: IndexServer, second_server: IndexServer, pip_install: Install,
    guard: MakeGuard,
) -> None:
    second_server.index.add_wheel("beta", "1.0")
    result = pip_install("beta", "--extra-index-url", index_server.simple_url,
                         index=second_server.simple_url)
    assert result.code == 0, result.output
    assert index_server.count("/simple/beta/") >= 1, "the first index was not asked"
    g = guard(venv=venv)
    missing = pip_install("gamma", "--extra-index-url", index_server.simple_url,
                          index=second_server.simple_url)
    g.failed(missing, code=EXIT_INPUT, mentions=("gamma",))
    second_server.index.add_wheel("gamma", "1.0")
    g.recovered(pip_install("gamma", "--extra-index-url", index_server.simple_url,
                            index=second_server.simple_url))


def test_D2_server_errors_are_retried_exactly_three_times(
    venv: Path, index_server: IndexServer, pip_install: Install, guard: MakeGuard,
) -> None:
    index_server.index.add_wheel("alpha", "1.0")
    index_server.fail("/simple/alpha/*", status=500)
    url = index_server.url_with_auth("alice", SECRET)
    g = guard(venv=venv, secrets=[SECRET])
    result = pip_install("alpha", index=url)
    g.failed(result, code=EXIT_SURROUNDINGS,
             mentions=("Request failed after 3 retries", "500", "/simple/alpha/", "alice:****@"))
    assert index_server.count("/simple/alpha/*") == 4, "expected 1 request + 3 retries"
    index_server.clear_faults()
    g.recovered(pip_install("alpha", index=url))


@pytest.mark.parametrize("kind", ["reset", "timeout"])
def test_D3_reset_or_timeout_mid_body_is_retried(
    venv: Path, index_server: IndexServer, pip_install: Install, guard: MakeGuard,
    tmp_cache: Path, kind: str,
) -> None:
    entry = index_server.index.add_wheel("alpha", "1.0", files={"alpha/big.bin": os.urandom(64000)})
    env = {"FERRY_HTTP_TIMEOUT": "1"}
    glob = f"/files/{entry.filename}"

    def fault(times: int | None) -> None:
        if kind == "reset":
            index_server.reset(glob, at_bytes=1000, times=times)
        else:
            index_server.delay(glob, 3, after_bytes=1000, times=times)

    fault(times=1)  # a transient failure: one retry fixes it
    result = pip_install("alpha", index=index_server.simple_url, env=env)
    assert result.code == 0, result.output
    assert len(index_server.file_downloads(entry.filename)) == 2
    index_server.clear_faults()
    # persistent: an error, no temporary file left, no cache entry
    second = index_server.index.add_wheel("beta", "1.0", files={"beta/big.bin": os.urandom(64000)})
    glob = f"/files/{second.filename}"
    fault(times=None)
    g = guard(venv=venv)
    result = pip_install("beta", index=index_server.simple_url, env=env)
    g.failed(result, code=EXIT_SURROUNDINGS, mentions=(second.filename,))
    assert _tmp_empty(tmp_cache)
    assert not (tmp_cache / "files-v1" / second.sha256[:2] / second.sha256).exists()
    index_server.clear_faults()
    g.recovered(pip_install("beta", index=index_server.simple_url, env=env))


def test_D4_short_body_is_never_visible(
    venv: Path, index_server: IndexServer, pip_install: Install, guard: MakeGuard,
    tmp_cache: Path,
) -> None:
    entry = index_server.index.add_wheel("alpha", "1.0", files={"alpha/big.bin": os.urandom(50000)})
    index_server.truncate(f"/files/{entry.filename}", at_bytes=20000)
    g = guard(venv=venv)
    result = pip_install("alpha", index=index_server.simple_url)
    g.failed(result, code=EXIT_SURROUNDINGS, mentions=(entry.filename, "received 20000 bytes"))
    assert len(index_server.file_downloads(entry.filename)) == 4
    assert _tmp_empty(tmp_cache)
    assert not (tmp_cache / "files-v1" / entry.sha256[:2]).exists()
    index_server.clear_faults()
    g.recovered(pip_install("alpha", index=index_server.simple_url))


GARBAGE = {
    "html-without-anchors": (b"<html><body><p>nothing here</p></body></html>", "text/html"),
    "json-wrong-types": (b'{"meta": {"api-version": "1.0"}, "name": "alpha", "files": "many"}',
                         "application/vnd.pypi.simple.v1+json"),
    "json-not-json": (b"{not json", "application/vnd.pypi.simple.v1+json"),
    "wrong-content-type": (b"\x89PNG\r\n\x1a\n\x00\x00", "image/png"),
    "bad-fragment": (b'<html><body><a href="/files/alpha-1.0-py3-none-any.whl#sha256=xyz">'
                     b"alpha-1.0-py3-none-any.whl</a></body></html>", "text/html"),
    "bad-requires-python": (
        b'<html><body><a href="/files/alpha-1.0-py3-none-any.whl" '
        b'data-requires-python="&gt;=3.x!!">alpha-1.0-py3-none-any.whl</a></body></html>',
        "text/html",
    ),
}


@pytest.mark.parametrize("kind", sorted(GARBAGE))
def test_D5_garbage_index_pages(
    venv: Path, index_server: IndexServer, pip_install: Install, guard: MakeGuard, kind: str,
) -> None:
    index_server.index.add_wheel("alpha", "1.0")
    body, content_type = GARBAGE[kind]
    index_server.garbage("/simple/alpha/", body, content_type)
    g = guard(venv=venv)
    result = pip_install("alpha", index=index_server.simple_url)
    g.failed(result, code=EXIT_INPUT, mentions=("alpha", "/simple/"))
    if kind != "html-without-anchors":  # an empty page is valid: "not found" is the truth
        assert "/simple/alpha/" in result.stderr, "the page's URL is not named"
    field = {"json-wrong-types": "files", "bad-fragment": "sha256",
             "bad-requires-python": "requires-python"}.get(kind)
    if field:
        assert field in result.stderr, f"the field {field!r} is not named"
    index_server.clear_faults()
    g.recovered(pip_install("alpha", index=index_server.simple_url))


def test_D6_unauthorized_stops_without_falling_back(
    venv: Path, index_server: IndexServer, second_server: IndexServer, pip_install: Install,
    guard: MakeGuard,
) -> None:
    index_server.index.add_wheel("internal", "1.0")
    second_server.index.add_wheel("internal", "99.0")
    index_server.require_auth("alice", SECRET)
    g = guard(venv=venv, secrets=[SECRET])
    # the private index is an extra index: asked first, and its 401 is final
    result = pip_install("internal", "--extra-index-url", index_server.simple_url,
                         index=second_server.simple_url)
    g.failed(result, code=EXIT_INPUT, mentions=("401", "/simple/internal/"), hint="credentials")
    assert second_server.count("/simple/internal/*") == 0, "fell back to the next index"
    private = index_server.url_with_auth("alice", SECRET)
    fixed = pip_install("internal", "--extra-index-url", private, index=second_server.simple_url)
    g.recovered(fixed)
    assert "internal==1.0" in fixed.stderr


def test_D7_dependency_confusion_needs_unsafe_best_match(
    tmp_path: Path, run: Runner, index_server: IndexServer, second_server: IndexServer,
) -> None:
    private, public = index_server, second_server
    private.index.add_wheel("internal", "1.0")
    public.index.add_wheel("internal", "99.0")
    for strategy, expected in (("first-index", "1.0"), ("unsafe-best-match", "99.0")):
        venv = make_venv(tmp_path / f"venv-{strategy}", sys.executable)
        result = run("pip", "install", "-p", str(venv), "internal",
                     "--index-url", public.simple_url, "--extra-index-url", private.simple_url,
                     "--index-strategy", strategy)
        assert result.code == 0, result.output
        assert f"internal=={expected}" in result.stderr, (strategy, result.stderr)


def _write_netrc(home: Path, host: str, login: str, password: str) -> None:
    netrc = home / ".netrc"
    netrc.write_text(f"machine {host}\nlogin {login}\npassword {password}\n")
    netrc.chmod(stat.S_IRUSR | stat.S_IWUSR)


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def test_D8_cross_origin_redirect_drops_authorization(
    venv: Path, index_server: IndexServer, second_server: IndexServer, pip_install: Install,
    isolated_env: Path,
) -> None:
    entry = index_server.index.add_wheel("alpha", "1.0")
    second_server.index.add(index_server.index.files_dir / entry.filename)
    index_server.require_auth("alice", SECRET)
    other = f"http://localhost:{second_server.port}"
    index_server.redirect("/files/*", f"{other}{{path}}", status=302)
    _write_netrc(isolated_env, "localhost", "bob", "hunter2-netrc")
    second_server.require_auth("bob", "hunter2-netrc")
    url = index_server.url_with_auth("alice", SECRET)
    result = pip_install("alpha", index=url)
    assert result.code == 0, result.output
    hops = [r for r in second_server.requests if r.path.startswith("/files/")]
    assert hops, "the redirect was not followed"
    for request in hops:
        assert request.headers.get("authorization") == _basic("bob", "hunter2-netrc")
    assert all(
        r.headers.get("authorization") != _basic("alice", SECRET) for r in second_server.requests
    )
    assert SECRET not in result.output and "hunter2-netrc" not in result.output


# -- D9: TLS ----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return self_signed_certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def tls_server(local_index: LocalIndex, certificate: tuple[Path, Path]) -> Iterator[IndexServer]:
    """``index_server``, but speaking HTTPS with a self-signed certificate."""
    cert, key = certificate
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server = IndexServer(local_index).start()
    httpd = server._httpd
    assert httpd is not None
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    try:
        yield server
    finally:
        server.stop()


def test_D9_self_signed_certificate(
    venv: Path, tls_server: IndexServer, pip_install: Install, guard: MakeGuard,
    certificate: tuple[Path, Path],
) -> None:
    tls_server.index.add_wheel("alpha", "1.0")
    url = tls_server.simple_url.replace("http://", "https://")
    g = guard(venv=venv)
    result = pip_install("alpha", index=url)
    g.failed(result, code=EXIT_SURROUNDINGS, mentions=("TLS", "127.0.0.1"), hint=True)
    insecure = pip_install("alpha", "--allow-insecure-host", "127.0.0.1", index=url)
    g.recovered(insecure)
    assert "warning" in insecure.stderr.lower() and "127.0.0.1" in insecure.stderr
    assert pip_install("alpha", "--reinstall", index=url,
                       env={"SSL_CERT_FILE": str(certificate[0])}).code == 0


# -- D10: secrets never leave -----------------------------------------------------------------


def test_D10_credentials_never_printed_or_stored(
    tmp_path: Path, venv: Path, index_server: IndexServer, second_server: IndexServer,
    pip_install: Install, guard: MakeGuard, isolated_env: Path,
) -> None:
    index_server.index.add_wheel("alpha", "1.0", requires=["beta"])
    second_server.index.add_wheel("beta", "1.0")
    index_server.require_auth("alice", SECRET)
    second_server.require_auth("bob", "netrc-pw-42")
    _write_netrc(isolated_env, "localhost", "bob", "netrc-pw-42")
    # a fake `keyring` executable that records any call: ferry must not run it unasked
    bin_dir = tmp_path / "fakebin"
    bin_dir.mkdir()
    calls = tmp_path / "keyring-calls"
    keyring = bin_dir / "keyring"
    keyring.write_text(f"#!/bin/sh\necho \"$@\" >> {calls}\necho keyring-pw-77\n")
    keyring.chmod(0o755)
    env = {"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "FERRY_DEBUG": None}
    url = index_server.url_with_auth("alice", SECRET)
    extra = f"http://localhost:{second_server.port}/simple/"
    g = guard(venv=venv, secrets=[SECRET, "netrc-pw-42", "keyring-pw-77"])
    results = [
        pip_install("-v", "alpha", "--extra-index-url", extra, index=url, env=env),
        pip_install("-vv", "--reinstall", "alpha", "--extra-index-url", extra, index=url,
                    env=env),
    ]
    for result in results:
        assert result.code == 0, result.output
    g.no_secrets(*results)
    # and when it fails, the error is as quiet about secrets as the success
    index_server.fail("/simple/alpha/*", status=503)
    failed = pip_install("-v", "--reinstall", "alpha", "--extra-index-url", extra, index=url,
                         env=env)
    assert failed.code == EXIT_SURROUNDINGS
    g.no_secrets(failed)
    assert not calls.exists(), "the keyring was called although it was not enabled"


@needs("lock", "sync")
def test_D10_credentials_never_reach_the_lockfile(
    tmp_path: Path, run: Runner, index_server: IndexServer, guard: MakeGuard,
) -> None:
    index_server.index.add_wheel("alpha", "1.0")
    index_server.require_auth("alice", SECRET)
    project = tmp_path / "proj"
    project.mkdir()
    (project / "pyproject.toml").write_text(
        '[project]\nname = "proj"\nversion = "0.1.0"\nrequires-python = ">=3.8"\n'
        'dependencies = ["alpha"]\n'
    )
    env = {"FERRY_INDEX_URL": index_server.url_with_auth("alice", SECRET),
           "FERRY_PYTHON": sys.executable}
    g = guard(secrets=[SECRET], scan=[project])
    results = [run("-v", "lock", cwd=project, env=env), run("-v", "sync", cwd=project, env=env)]
    for result in results:
        assert result.code == 0, result.output
    assert "alpha" in (project / "uv.lock").read_text()
    g.no_secrets(*results)
