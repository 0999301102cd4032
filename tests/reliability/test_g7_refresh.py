"""RELIABILITY G7, second half: damaged archive *content* is detected by ``ferry cache verify``
and repaired by ``--refresh``.

An ordinary lookup only checks that every file of an unpacked archive is there with its recorded
size (no hashing), so a same-size change inside the cache is invisible to it: ``cache verify``
reports it, and ``--refresh`` (all packages, or ``--refresh-package``) hashes the archive against
its manifest, discards it and prepares the wheel again, downloading the wheel if that is damaged
too.
"""

from __future__ import annotations

import sys
from pathlib import Path

from tests.reliability.invariants import EXIT_INPUT
from tests.reliability.test_e_concurrency import verify_records
from tests.support.envs import make_venv
from tests.support.index import IndexServer
from tests.support.runner import Runner

GOOD = "VALUE = 'good'\n"


def _site(venv: Path) -> Path:
    return next(venv.glob("lib/python*/site-packages"))


def _damage(path: Path) -> None:
    """Same size, other content: what only a hash can see."""
    data = path.read_bytes()
    path.write_bytes(data.replace(b"good", b"evil"))
    assert path.stat().st_size == len(data)


def _install_alpha(
    tmp_path: Path, run: Runner, index_server: IndexServer, tmp_cache: Path
) -> tuple[tuple[str, ...], Path]:
    entry = index_server.index.add_wheel(
        "alpha", "1.0", files={"alpha/__init__.py": "", "alpha/data.py": GOOD}
    )
    index_server.index.add_wheel("beta", "1.0", files={"beta/__init__.py": GOOD})
    args = ("pip", "install", "--index-url", index_server.simple_url, "alpha", "beta")
    first = make_venv(tmp_path / "first", sys.executable)
    assert run(*args, "-p", str(first)).code == 0
    return args, tmp_cache / "archives-v1" / entry.sha256


def test_G7_damaged_archive_content_is_seen_by_verify_and_repaired_by_refresh(
    tmp_path: Path, run: Runner, index_server: IndexServer, tmp_cache: Path
) -> None:
    args, archive = _install_alpha(tmp_path, run, index_server, tmp_cache)
    _damage(archive / "alpha" / "data.py")
    verify = run("cache", "verify")
    assert verify.code == EXIT_INPUT and "alpha/data.py" in verify.stderr, verify.output

    # without --refresh the cheap lookup cannot tell (as uv): verify is the tool that can
    plain = make_venv(tmp_path / "plain", sys.executable)
    assert run(*args, "-p", str(plain)).code == 0
    assert run("cache", "verify").code == EXIT_INPUT

    refreshed = make_venv(tmp_path / "refreshed", sys.executable)
    index_server.clear_log()
    result = run("-v", *args, "-p", str(refreshed), "--refresh")
    assert result.code == 0, result.output
    assert (_site(refreshed) / "alpha" / "data.py").read_text() == GOOD
    assert verify_records(refreshed) == {"alpha": "1.0", "beta": "1.0"}
    assert "refresh requested" in result.stderr
    assert "Discarding the unpacked archive" in result.stderr
    assert run("cache", "verify").code == 0, "the damaged archive is still in the cache"


def test_G7_truncated_file_and_damaged_wheel_are_downloaded_again_with_refresh_package(
    tmp_path: Path, run: Runner, index_server: IndexServer, tmp_cache: Path
) -> None:
    args, archive = _install_alpha(tmp_path, run, index_server, tmp_cache)
    sha = archive.name
    (archive / "alpha" / "data.py").write_text("")  # truncated
    wheels = list((tmp_cache / "files-v1" / sha[:2] / sha).glob("*.whl"))
    assert len(wheels) == 1
    wheels[0].write_bytes(wheels[0].read_bytes()[:-10] + b"\0" * 10)  # the wheel itself too

    venv = make_venv(tmp_path / "venv", sys.executable)
    index_server.clear_log()
    result = run("-v", *args, "-p", str(venv), "--refresh-package", "alpha")
    assert result.code == 0, result.output
    assert (_site(venv) / "alpha" / "data.py").read_text() == GOOD
    assert len(index_server.file_downloads(wheels[0].name)) == 1, "alpha was not downloaded again"
    assert not [r for r in index_server.file_downloads() if "beta" in r.path], "beta refetched"
    assert run("cache", "verify").code == 0


def test_G7_refresh_checks_archives_found_through_a_url_record(
    tmp_path: Path, run: Runner, index_server: IndexServer, tmp_cache: Path
) -> None:
    entry = index_server.index.add_wheel(
        "alpha", "1.0", files={"alpha/__init__.py": "", "alpha/data.py": GOOD}
    )
    index_server.index.update(entry.filename, fragment="")  # an index that publishes no hashes
    args = ("pip", "install", "--index-url", index_server.simple_url, "alpha")
    assert run(*args, "-p", str(make_venv(tmp_path / "one", sys.executable))).code == 0
    _damage(tmp_cache / "archives-v1" / entry.sha256 / "alpha" / "data.py")
    venv = make_venv(tmp_path / "two", sys.executable)
    result = run(*args, "-p", str(venv), "--refresh-package", "alpha")
    assert result.code == 0, result.output
    assert (_site(venv) / "alpha" / "data.py").read_text() == GOOD
    assert run("cache", "verify").code == 0
