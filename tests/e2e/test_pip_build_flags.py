"""`pip install --no-binary / --only-binary / --no-build / --no-build-isolation`."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.seedkit import installed, ok


def _env(run, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    venv = tmp_path / "env"
    ok(run("venv", str(venv), "-p", "3.12"))
    return venv


def test_no_binary_builds_from_the_sdist(run, index_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    index_server.index.add_wheel("both", "1.0.0")
    index_server.index.add_sdist("both", "1.0.0")
    venv = _env(run, tmp_path)
    result = ok(run("pip", "install", "--python", str(venv), "-i", index_server.simple_url,
                    "--no-binary", "both", "both"))
    assert "1 built" in result.stderr
    assert index_server.file_downloads("both-1.0.0.tar.gz")
    assert installed(venv) == {"both": "1.0.0"}


def test_only_binary_refuses_an_sdist_only_package(
    run, index_server, tmp_path: Path, env_snapshot  # type: ignore[no-untyped-def]
) -> None:
    index_server.index.add_sdist("source-only", "1.0.0")
    venv = _env(run, tmp_path)
    before = env_snapshot(venv)
    for flags in (("--only-binary", ":all:"), ("--no-build",)):
        result = run("pip", "install", "--python", str(venv), "-i", index_server.simple_url,
                     *flags, "source-only")
        assert result.code == 1, result.output
        assert "source-only" in result.stderr and "Traceback" not in result.stderr
    assert env_snapshot(venv) == before


def test_no_build_isolation_builds_in_the_target_environment(
    run, index_server, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    index_server.index.add_sdist("local-build", "0.1.0")
    venv = _env(run, tmp_path)
    ok(run("pip", "install", "--python", str(venv), "-i", index_server.simple_url,
           "--no-build-isolation", "local-build"))
    assert installed(venv) == {"local-build": "0.1.0"}
    assert not list((tmp_path / "cache").glob("environments-v1/build/*"))


def test_no_build_isolation_package_builds_only_that_one_in_place(
    run, index_server, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    index_server.index.add_sdist("in-place", "0.1.0")
    venv = _env(run, tmp_path)
    ok(run("pip", "install", "--python", str(venv), "-i", index_server.simple_url,
           "--no-build-isolation-package", "in-place", "in-place"))
    assert installed(venv) == {"in-place": "0.1.0"}
    assert not list((tmp_path / "cache").glob("environments-v1/build/*"))
