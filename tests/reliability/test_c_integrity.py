"""RELIABILITY.md section C: integrity of downloads against the lockfile, the user's and the
index's hashes and sizes.

A file that does not match what was pinned is never installed and never cached under the
expected digest, so the next run, once the index serves the right bytes again, succeeds without
``ferry cache clean``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from tests.reliability.conftest import needs
from tests.reliability.invariants import EXIT_INPUT, Guard
from tests.support.index import IndexServer
from tests.support.runner import Result, Runner

MakeGuard = Callable[..., Guard]
Install = Callable[..., Result]


def _cached_under(cache: Path, sha256: str) -> bool:
    return (cache / "files-v1" / sha256[:2] / sha256).exists() or (
        cache / "archives-v1" / sha256
    ).exists()


def test_C1_tampered_wheel_against_pinned_hash(
    tmp_path: Path, venv: Path, index_server: IndexServer, guard: MakeGuard, pip_install: Install,
    tmp_cache: Path,
) -> None:
    entry = index_server.index.add_wheel("alpha", "1.0")
    requirements = tmp_path / "requirements.txt"
    requirements.write_text(f"alpha==1.0 --hash=sha256:{entry.sha256}\n")
    index_server.tamper(entry.filename)
    g = guard(venv=venv)
    result = pip_install("-r", str(requirements), index=index_server.simple_url)
    g.failed(result, code=EXIT_INPUT, hint=True,
             mentions=("Hash mismatch", entry.filename, "Expected", entry.sha256, "Computed"))
    assert not _cached_under(tmp_cache, entry.sha256)
    index_server.clear_faults()
    index_server.tampered.clear()
    g.recovered(pip_install("-r", str(requirements), index=index_server.simple_url))


@needs("lock", "sync")
def test_C1_tampered_wheel_against_the_lockfile(
    tmp_path: Path, run: Runner, index_server: IndexServer, guard: MakeGuard, tmp_cache: Path,
) -> None:
    entry = index_server.index.add_wheel("alpha", "1.0")
    project = tmp_path / "proj"
    project.mkdir()
    (project / "pyproject.toml").write_text(
        '[project]\nname = "proj"\nversion = "0.1.0"\nrequires-python = ">=3.8"\n'
        'dependencies = ["alpha"]\n'
    )
    env = {"FERRY_INDEX_URL": index_server.simple_url, "FERRY_PYTHON": sys.executable}
    assert run("lock", cwd=project, env=env).code == 0
    assert entry.sha256 in (project / "uv.lock").read_text()
    index_server.tamper(entry.filename)
    g = guard(watched=[project / "uv.lock", project / "pyproject.toml"])
    result = run("sync", "--frozen", cwd=project, env=env)
    g.failed(result, code=EXIT_INPUT, hint=True,
             mentions=("Hash mismatch", entry.filename, entry.sha256))
    assert not _cached_under(tmp_cache, entry.sha256)
    assert not list(project.glob(".venv/lib/*/site-packages/alpha*"))
    index_server.tampered.clear()
    g.recovered(run("sync", "--frozen", cwd=project, env=env))


def test_C2_require_hashes_prints_the_missing_hash(
    tmp_path: Path, venv: Path, index_server: IndexServer, guard: MakeGuard, pip_install: Install,
) -> None:
    alpha = index_server.index.add_wheel("alpha", "1.0")
    beta = index_server.index.add_wheel("beta", "1.0")
    requirements = tmp_path / "requirements.txt"
    requirements.write_text(f"alpha==1.0 --hash=sha256:{alpha.sha256}\nbeta==1.0\n")
    g = guard(venv=venv)
    result = pip_install("--require-hashes", "-r", str(requirements),
                         index=index_server.simple_url)
    g.failed(result, code=EXIT_INPUT, mentions=("beta", f"--hash=sha256:{beta.sha256}"))


def test_C2_require_hashes_refuses_an_unhashed_requirement(
    tmp_path: Path, venv: Path, index_server: IndexServer, guard: MakeGuard, pip_install: Install,
) -> None:
    alpha = index_server.index.add_wheel("alpha", "1.0")
    beta = index_server.index.add_wheel("beta", "1.0")
    requirements = tmp_path / "requirements.txt"
    requirements.write_text(f"alpha==1.0 --hash=sha256:{alpha.sha256}\nbeta==1.0\n")
    g = guard(venv=venv)
    result = pip_install("--require-hashes", "-r", str(requirements),
                         index=index_server.simple_url)
    g.failed(result, code=EXIT_INPUT, mentions=("beta",), hint=True)
    requirements.write_text(
        f"alpha==1.0 --hash=sha256:{alpha.sha256}\nbeta==1.0 --hash=sha256:{beta.sha256}\n"
    )
    g.recovered(pip_install("--require-hashes", "-r", str(requirements),
                            index=index_server.simple_url))


def test_C3_registry_requirement_with_one_matching_hash_of_several(
    tmp_path: Path, venv: Path, index_server: IndexServer, pip_install: Install,
    env_snapshot: Callable[..., dict[str, dict[str, str]]],
) -> None:
    entry = index_server.index.add_wheel("alpha", "1.0")
    requirements = tmp_path / "requirements.txt"
    requirements.write_text(
        f"alpha==1.0 --hash=sha256:{'0' * 64} --hash=sha256:{entry.sha256}\n"
    )
    result = pip_install("-r", str(requirements), index=index_server.simple_url)
    assert result.code == 0, result.output
    assert env_snapshot(venv)["dists"] == {"alpha": "1.0"}


def test_C3_direct_url_with_a_wrong_hash_among_several(
    tmp_path: Path, venv: Path, index_server: IndexServer, guard: MakeGuard, pip_install: Install,
) -> None:
    import hashlib

    entry = index_server.index.add_wheel("alpha", "1.0")
    data = (index_server.index.files_dir / entry.filename).read_bytes()
    wrong512 = hashlib.sha512(b"something else").hexdigest()
    url = f"{index_server.url}/files/{entry.filename}"
    requirements = tmp_path / "requirements.txt"
    requirements.write_text(
        f"alpha @ {url} --hash=sha256:{entry.sha256} --hash=sha512:{wrong512}\n"
    )
    g = guard(venv=venv)
    result = pip_install("-r", str(requirements), index=index_server.simple_url)
    g.failed(result, code=EXIT_INPUT, mentions=("alpha",))
    good512 = hashlib.sha512(data).hexdigest()
    requirements.write_text(
        f"alpha @ {url} --hash=sha256:{entry.sha256} --hash=sha512:{good512}\n"
    )
    g.recovered(pip_install("-r", str(requirements), index=index_server.simple_url))


def test_C4_cached_wheel_is_still_checked_against_required_hashes(
    tmp_path: Path, venv: Path, run: Runner, index_server: IndexServer, guard: MakeGuard,
    pip_install: Install,
) -> None:
    entry = index_server.index.add_wheel("alpha", "1.0")
    assert pip_install("alpha", index=index_server.simple_url).code == 0
    assert run("pip", "uninstall", "-p", str(venv), "alpha").code == 0
    requirements = tmp_path / "requirements.txt"
    requirements.write_text(f"alpha==1.0 --hash=sha256:{'ab' * 32}\n")
    g = guard(venv=venv)
    result = pip_install("--require-hashes", "-r", str(requirements),
                         index=index_server.simple_url)
    g.failed(result, code=EXIT_INPUT, mentions=("alpha", "ab" * 32))
    requirements.write_text(f"alpha==1.0 --hash=sha256:{entry.sha256}\n")
    g.recovered(pip_install("--require-hashes", "-r", str(requirements),
                            index=index_server.simple_url))


def test_C5_size_declared_by_the_index_differs_from_the_download(
    venv: Path, index_server: IndexServer, guard: MakeGuard, pip_install: Install,
    tmp_cache: Path,
) -> None:
    entry = index_server.index.add_wheel("alpha", "1.0")
    index_server.index.update(entry.filename, advertised_size=entry.size + 7)
    g = guard(venv=venv)
    result = pip_install("alpha", index=index_server.simple_url)
    g.failed(result, code=EXIT_INPUT, mentions=(
        "Size mismatch", entry.filename, f"expected {entry.size + 7} bytes",
        f"downloaded {entry.size}",
    ))
    assert not _cached_under(tmp_cache, entry.sha256)
    index_server.index.update(entry.filename, advertised_size=None)
    g.recovered(pip_install("alpha", index=index_server.simple_url))


def test_C6_wrong_index_fragment_without_user_hashes(
    venv: Path, index_server: IndexServer, guard: MakeGuard, pip_install: Install,
    tmp_cache: Path,
) -> None:
    entry = index_server.index.add_wheel("alpha", "1.0")
    wrong = "0" * 63 + "1"
    index_server.index.update(entry.filename, fragment=f"sha256={wrong}")
    g = guard(venv=venv)
    result = pip_install("alpha", index=index_server.simple_url)
    g.failed(result, code=EXIT_INPUT, mentions=("Hash mismatch", entry.filename, wrong))
    assert not _cached_under(tmp_cache, wrong)
    index_server.index.update(entry.filename, fragment=None)
    g.recovered(pip_install("alpha", index=index_server.simple_url))
