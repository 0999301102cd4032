"""``--refresh`` / ``--refresh-package``, counted at the server.

Under ``--prefer-offline`` ferry answers from cached pages and metadata without a request; a
refresh makes those stale again: index pages are revalidated (a conditional request) and core
metadata is fetched again, for every package (``--refresh``, FERRY_REFRESH=1) or only the named
ones (``--refresh-package``). Intact cached files are checked by hash, not downloaded again; a
wheel built from an sdist is built again.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from tests.support.envs import make_venv
from tests.support.index import IndexServer
from tests.support.runner import Result, Runner


def _ok(result: Result) -> Result:
    assert result.code == 0, result.output
    return result


@pytest.fixture
def compile_args(tmp_path: Path, run: Runner, index_server: IndexServer) -> tuple[str, ...]:
    index_server.index.add_wheel("alpha", "1.0", requires=["beta"])
    index_server.index.add_wheel("beta", "1.0")
    requirements = tmp_path / "requirements.in"
    requirements.write_text("alpha\n")
    args = ("pip", "compile", str(requirements), "--index-url", index_server.simple_url)
    _ok(run(*args))
    assert index_server.count("/files/*.metadata") == 2  # PEP 658: no wheel downloaded
    index_server.clear_log()
    _ok(run(*args, "--prefer-offline"))
    assert index_server.requests == [], "the cache alone should answer"
    return args


def test_refresh_revalidates_every_page_and_refetches_metadata(
    compile_args: tuple[str, ...], run: Runner, index_server: IndexServer
) -> None:
    result = _ok(run("-v", *compile_args, "--prefer-offline", "--refresh"))
    for name in ("alpha", "beta"):
        pages = [r for r in index_server.requests if r.path == f"/simple/{name}/"]
        assert len(pages) == 1, f"the page of {name} was not asked for again"
        assert pages[0].headers.get("if-none-match"), "not a conditional request"
        assert index_server.count(f"/files/{name}-*.metadata") == 1
    assert "refresh requested" in result.stderr
    assert "alpha==1.0" in result.stdout


def test_refresh_package_touches_only_that_package(
    compile_args: tuple[str, ...], run: Runner, index_server: IndexServer
) -> None:
    _ok(run(*compile_args, "--prefer-offline", "--refresh-package", "Alpha"))
    assert sorted(r.path for r in index_server.requests) == [
        "/files/alpha-1.0-py3-none-any.whl.metadata",
        "/simple/alpha/",
    ]


def test_refresh_from_the_environment(
    compile_args: tuple[str, ...], run: Runner, index_server: IndexServer
) -> None:
    _ok(run(*compile_args, "--prefer-offline", env={"FERRY_REFRESH": "1"}))
    assert index_server.count("/simple/*") == 2


def test_refresh_checks_cached_wheels_without_downloading_them(
    tmp_path: Path, run: Runner, index_server: IndexServer
) -> None:
    index_server.index.add_wheel("alpha", "1.0")
    args = ("pip", "install", "--index-url", index_server.simple_url, "alpha")
    _ok(run(*args, "-p", str(make_venv(tmp_path / "one", sys.executable))))
    index_server.clear_log()
    again = _ok(run("-v", *args, "-p", str(make_venv(tmp_path / "two", sys.executable)),
                    "--refresh"))
    assert index_server.file_downloads() == []
    assert "checked against its manifest" in again.stderr


def test_refresh_rebuilds_a_wheel_built_from_an_sdist(
    tmp_path: Path, run: Runner, index_server: IndexServer
) -> None:
    index_server.index.add_sdist("gamma", "1.0")
    args = ("pip", "install", "--index-url", index_server.simple_url, "gamma")
    _ok(run(*args, "-p", str(make_venv(tmp_path / "one", sys.executable))))
    plain = _ok(run("-v", *args, "-p", str(make_venv(tmp_path / "two", sys.executable))))
    assert "built earlier" in plain.stderr
    fresh = _ok(run("-v", *args, "-p", str(make_venv(tmp_path / "three", sys.executable)),
                    "--refresh-package", "gamma"))
    assert "Building gamma" in fresh.stderr and "again: refresh requested" in fresh.stderr
    assert "built earlier" not in fresh.stderr


def test_lock_refresh_resolves_a_fresh_lock_again(
    tmp_path: Path, run: Runner, index_server: IndexServer
) -> None:
    index_server.index.add_wheel("alpha", "1.0")
    project = tmp_path / "proj"
    project.mkdir()
    (project / "pyproject.toml").write_text(
        '[project]\nname = "proj"\nversion = "0.1.0"\nrequires-python = ">=3.8"\n'
        'dependencies = ["alpha"]\n\n'
        f'[[tool.uv.index]]\nurl = "{index_server.simple_url}"\ndefault = true\n'
    )
    _ok(run("lock", cwd=project))
    locked = (project / "uv.lock").read_bytes()
    index_server.index.add_wheel("alpha", "2.0")  # a refresh is not an upgrade
    index_server.clear_log()
    _ok(run("lock", cwd=project))
    assert index_server.requests == [], "a fresh lock needs no network"
    _ok(run("lock", "--refresh", cwd=project))
    assert index_server.count("/simple/alpha/") == 1  # as uv: the pages are asked for again
    assert (project / "uv.lock").read_bytes() == locked
