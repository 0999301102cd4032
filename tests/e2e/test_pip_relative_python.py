"""`ferry pip … -p rv`: a relative environment directory (or interpreter path) is the target.

uv 0.13.8 reads `-p rv` as the directory `rv` when it exists (after trying a version and an
implementation name), so `uv venv rv && uv pip install -p rv x` works; ferry used to take `rv`
for an executable name and answer "No interpreter found".
"""

from __future__ import annotations

from pathlib import Path

from tests.e2e.seedkit import installed, ok


def test_relative_environment_directory_is_the_target(
    run, index_server, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    index_server.index.add_wheel("alpha", "1.0")
    index_server.index.add_wheel("beta", "2.0")
    ok(run("venv", "rv"))
    venv = tmp_path / "rv"
    url = ("-i", index_server.simple_url)

    ok(run("pip", "install", "-p", "rv", *url, "alpha"))
    assert installed(venv) == {"alpha": "1.0"}
    ok(run("pip", "install", "--python", "./rv", *url, "beta"))
    assert installed(venv) == {"alpha": "1.0", "beta": "2.0"}

    for spelling in ("rv", "./rv", "rv/bin/python"):
        listed = ok(run("pip", "list", "-p", spelling))
        assert "alpha" in listed.stdout and "beta" in listed.stdout, spelling
        frozen = ok(run("pip", "freeze", "--python", spelling))
        assert frozen.stdout.split() == ["alpha==1.0", "beta==2.0"], spelling
        shown = ok(run("pip", "show", "-p", spelling, "alpha"))
        assert "Version: 1.0" in shown.stdout, spelling
        ok(run("pip", "check", "-p", spelling))

    ok(run("pip", "uninstall", "-p", "rv", "beta"))
    assert installed(venv) == {"alpha": "1.0"}
    (tmp_path / "requirements.txt").write_text("beta==2.0\n", encoding="utf-8")
    ok(run("pip", "sync", "-p", "rv", *url, "requirements.txt"))
    assert installed(venv) == {"beta": "2.0"}


def test_a_version_still_wins_over_a_directory_of_that_name(
    run, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    """As in uv: `-p 3.12` is a version request even when a directory `3.12` exists."""
    (tmp_path / "3.12").mkdir()
    result = run("pip", "list", "-p", "3.12")
    assert "neither a virtual environment" not in result.stderr, result.output


def test_a_relative_directory_that_is_no_environment_is_named(
    run, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    (tmp_path / "notvenv").mkdir()
    result = run("pip", "list", "-p", "notvenv")
    assert result.code == 1, result.output
    assert "notvenv` is neither a virtual environment nor a Python installation" in result.stderr
