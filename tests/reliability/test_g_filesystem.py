"""RELIABILITY.md section G: hostile filesystems.

Real conditions where the machine allows them: a tmpfs mounted for the test (cross-device links,
a disk that fills up), permissions enforced by dropping root's override capabilities
(``unprivileged``), corrupted cache entries made by hand. Each test skips cleanly where its
condition cannot be produced (no mount rights, no ``setpriv``).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.reliability.conftest import Spawner, remount
from tests.reliability.inject import fault_env
from tests.reliability.invariants import EXIT_INPUT, EXIT_SURROUNDINGS, Guard
from tests.reliability.test_e_concurrency import verify_records
from tests.support.envs import make_venv
from tests.support.index import IndexServer, LocalIndex
from tests.support.runner import Result, Runner

MakeGuard = Callable[..., Guard]
Install = Callable[..., Result]
FALLBACK = "falling back to full copy"


def _site(venv: Path) -> Path:
    return next(venv.glob("lib/python*/site-packages"))


def _pkg_files(prefix: str, count: int = 6) -> dict[str, str]:
    files = {f"{prefix}/__init__.py": ""}
    files.update({f"{prefix}/m{i}.py": f"X = {i}\n" for i in range(count)})
    return files


def _tmp_empty(cache: Path) -> bool:
    tmp = cache / ".tmp"
    return not tmp.exists() or not any(tmp.iterdir())


# -- G1 -----------------------------------------------------------------------------------------


def test_G1_cross_device_cache_falls_back_to_copy_once(
    tmp_path: Path, tmpfs: Callable[..., Path], venv: Path, run: Runner, spawn: Spawner,
    local_index: LocalIndex,
) -> None:
    cache = tmpfs("cachefs", size="64m")
    env = {"FERRY_CACHE_DIR": str(cache)}
    for name in ("alpha", "beta", "gamma"):
        local_index.add_wheel(name, "1.0", files=_pkg_files(name))
    result = run("pip", "install", "-p", str(venv), "--index-url", local_index.file_url,
                 "alpha", "beta", "gamma", env=env)
    assert result.code == 0, result.output
    assert result.stderr.count(FALLBACK) == 1, result.stderr
    assert "Traceback" not in result.output
    installed = _site(venv) / "alpha" / "m1.py"
    assert installed.stat().st_nlink == 1 and installed.stat().st_dev != cache.stat().st_dev
    assert set(verify_records(venv)) == {"alpha", "beta", "gamma"}
    # after the fallback, a failing copy is a real error, not another silent fallback
    local_index.add_wheel("delta", "1.0", files=_pkg_files("delta"))
    guard = Guard(run=run, cache=cache, venv=venv)
    failed = spawn.run("pip", "install", "-p", str(venv), "--index-url", local_index.file_url,
                       "delta", env=env, fault=fault_env("copy", 2, "oserror", errno="EIO"))
    guard.failed(failed, code=EXIT_SURROUNDINGS, mentions=("Input/output error", "delta"))
    guard.recovered(run("pip", "install", "-p", str(venv), "--index-url",
                        local_index.file_url, "delta", env=env))


# -- G2, G3, G4: permissions --------------------------------------------------------------------


def test_G2_read_only_explicit_cache_dir(
    tmp_path: Path, venv: Path, spawn: Spawner, local_index: LocalIndex, unprivileged: list[str],
    env_snapshot: Callable[..., object],
) -> None:
    local_index.add_wheel("alpha", "1.0")
    cache = tmp_path / "ro-cache"
    cache.mkdir()
    cache.chmod(0o555)
    before = env_snapshot(venv)
    args = ["--cache-dir", str(cache), "pip", "install", "-p", str(venv), "--index-url",
            local_index.file_url, "alpha"]
    result = spawn.run(*args, prefix=unprivileged)
    assert result.code == EXIT_SURROUNDINGS, result.output
    assert str(cache) in result.stderr and "not writable" in result.stderr
    assert "hint:" in result.stderr and "--no-cache" in result.stderr
    assert "Traceback" not in result.output
    assert env_snapshot(venv) == before
    assert list(cache.iterdir()) == []
    cache.chmod(0o755)
    again = spawn.run(*args, prefix=unprivileged)
    assert again.code == 0, again.output


def test_G3_unwritable_default_cache_falls_back_to_a_temporary_one(
    tmp_path: Path, venv: Path, spawn: Spawner, local_index: LocalIndex, unprivileged: list[str],
    isolated_env: Path,
) -> None:
    local_index.add_wheel("alpha", "1.0")
    dot_cache = isolated_env / ".cache"
    dot_cache.mkdir()
    dot_cache.chmod(0o555)
    result = spawn.run("pip", "install", "-p", str(venv), "--index-url", local_index.file_url,
                       "alpha", env={"FERRY_CACHE_DIR": None}, prefix=unprivileged)
    assert result.code == 0, result.output
    assert "not writable" in result.stderr and "temporary cache" in result.stderr
    assert str(dot_cache) in result.stderr
    assert list(dot_cache.iterdir()) == [], "a partial entry was written"
    assert verify_records(venv) == {"alpha": "1.0"}


def test_G4_lock_file_owned_by_another_user(
    tmp_path: Path, venv: Path, spawn: Spawner, local_index: LocalIndex, unprivileged: list[str],
    tmp_cache: Path,
) -> None:
    if os.geteuid() != 0:
        pytest.skip("chown to another user needs root")
    local_index.add_wheel("alpha", "1.0")
    lock = tmp_cache / ".lock"
    lock.write_bytes(b"")
    os.chown(lock, 65534, 65534)
    lock.chmod(0o644)
    result = spawn.run("pip", "install", "-p", str(venv), "--index-url", local_index.file_url,
                       "alpha", prefix=unprivileged)
    assert "Traceback" not in result.output
    if result.code == 0:  # flock works on a read-only descriptor: the foreign lock still serves
        assert verify_records(venv) == {"alpha": "1.0"}
    else:
        assert result.code == EXIT_SURROUNDINGS and str(lock) in result.stderr, result.output
    # a lock file that cannot even be read is an error naming it
    lock.chmod(0o600)
    denied = spawn.run("pip", "install", "-p", str(venv), "--index-url", local_index.file_url,
                       "--reinstall", "alpha", prefix=unprivileged)
    assert denied.code == EXIT_SURROUNDINGS, denied.output
    assert str(lock) in denied.stderr and "hint:" in denied.stderr
    assert "Traceback" not in denied.output


# -- G5: disk full ------------------------------------------------------------------------------


def test_G5_disk_full_during_download(
    tmpfs: Callable[..., Path], venv: Path, run: Runner, index_server: IndexServer,
) -> None:
    cache = tmpfs("cachefs", size="1m")
    entry = index_server.index.add_wheel("alpha", "1.0",
                                         files={"alpha/blob.bin": os.urandom(2 * 1024 * 1024)})
    env = {"FERRY_CACHE_DIR": str(cache)}
    guard = Guard(run=run, cache=cache, venv=venv)
    result = run("pip", "install", "-p", str(venv), "--index-url", index_server.simple_url,
                 "alpha", env=env)
    guard.failed(result, code=EXIT_SURROUNDINGS,
                 mentions=("No space left on device", entry.filename, str(cache)))
    assert _tmp_empty(cache)
    remount(cache, "32m")
    guard.recovered(run("pip", "install", "-p", str(venv), "--index-url",
                        index_server.simple_url, "alpha", env=env))


def test_G5_disk_full_during_extraction(
    tmpfs: Callable[..., Path], venv: Path, run: Runner, local_index: LocalIndex,
) -> None:
    cache = tmpfs("cachefs", size="1m")
    local_index.add_wheel("alpha", "1.0", files={"alpha/zeros.bin": b"\0" * (3 * 1024 * 1024)})
    env = {"FERRY_CACHE_DIR": str(cache)}
    guard = Guard(run=run, cache=cache, venv=venv)
    result = run("pip", "install", "-p", str(venv), "--index-url", local_index.file_url,
                 "alpha", env=env)
    guard.failed(result, code=EXIT_SURROUNDINGS,
                 mentions=("No space left on device", "alpha-1.0-py3-none-any.whl"))
    assert _tmp_empty(cache)
    assert not list(cache.glob("archives-v1/*")), "a partial archive is visible"
    remount(cache, "32m")
    guard.recovered(run("pip", "install", "-p", str(venv), "--index-url",
                        local_index.file_url, "alpha", env=env))


def test_G5_disk_full_while_linking_rolls_back(
    tmpfs: Callable[..., Path], run: Runner, local_index: LocalIndex, guard: MakeGuard,
) -> None:
    disk = tmpfs("venvfs", size="2m")
    venv = make_venv(disk / "venv", sys.executable)
    local_index.add_wheel("base", "1.0")
    assert run("pip", "install", "-p", str(venv), "--index-url", local_index.file_url,
               "base").code == 0
    local_index.add_wheel("alpha", "1.0", files={
        "alpha/__init__.py": "", "alpha/a.bin": os.urandom(900_000),
        "alpha/b.bin": os.urandom(900_000), "alpha/c.bin": os.urandom(900_000),
    })
    g = guard(venv=venv)
    result = run("pip", "install", "-p", str(venv), "--index-url", local_index.file_url, "alpha")
    g.failed(result, code=EXIT_SURROUNDINGS, mentions=("No space left on device", str(venv)))
    assert not [p for p in _site(venv).iterdir() if p.name.startswith(".ferry-")]
    remount(disk, "32m")
    g.recovered(run("pip", "install", "-p", str(venv), "--index-url", local_index.file_url,
                    "alpha"))
    assert set(verify_records(venv)) == {"alpha", "base"}


# -- G6 -----------------------------------------------------------------------------------------


def test_G6_permission_denied_during_uninstall_rolls_back(
    venv: Path, run: Runner, spawn: Spawner, local_index: LocalIndex, guard: MakeGuard,
    unprivileged: list[str],
) -> None:
    local_index.add_wheel("alpha", "1.0", files=_pkg_files("alpha"))
    assert run("pip", "install", "-p", str(venv), "--index-url", local_index.file_url,
               "alpha").code == 0
    locked = _site(venv) / "alpha"
    locked.chmod(0o555)  # its files cannot be moved out
    g = guard(venv=venv)
    try:
        result = spawn.run("pip", "uninstall", "-p", str(venv), "alpha", prefix=unprivileged)
        g.failed(result, code=EXIT_SURROUNDINGS,
                 mentions=("Permission denied", str(locked)))
        assert not [p for p in _site(venv).iterdir() if p.name.startswith(".ferry-")]
    finally:
        locked.chmod(0o755)
    g.recovered(spawn.run("pip", "uninstall", "-p", str(venv), "alpha", prefix=unprivileged))
    assert "alpha" not in verify_records(venv)


# -- G7, G8: damaged cache entries --------------------------------------------------------------


def test_G7_truncated_metadata_json_is_fetched_again(
    venv: Path, run: Runner, index_server: IndexServer, tmp_cache: Path,
) -> None:
    index_server.index.add_wheel("alpha", "1.0", requires=["beta"])
    index_server.index.add_wheel("beta", "1.0")
    args = ("pip", "install", "-p", str(venv), "--index-url", index_server.simple_url, "alpha")
    assert run(*args).code == 0
    damaged = [p for b in ("index-v1", "metadata-v1") for p in (tmp_cache / b).rglob("*.json")]
    assert damaged
    for path in damaged:
        path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])
    verify = run("cache", "verify")
    assert verify.code == EXIT_INPUT and "damaged" in verify.stderr, verify.output
    assert run("pip", "uninstall", "-p", str(venv), "alpha", "beta").code == 0
    index_server.clear_log()
    again = run(*args)
    assert again.code == 0, again.output
    assert "Traceback" not in again.output
    assert index_server.count("/simple/alpha/") >= 1, "the damaged page was not fetched again"
    assert set(verify_records(venv)) == {"alpha", "beta"}
    assert run("cache", "verify").code == 0


def test_G7_file_deleted_inside_an_archive(
    venv: Path, run: Runner, local_index: LocalIndex, tmp_cache: Path,
) -> None:
    entry = local_index.add_wheel("alpha", "1.0", files=_pkg_files("alpha"))
    args = ("pip", "install", "-p", str(venv), "--index-url", local_index.file_url, "alpha")
    assert run(*args).code == 0
    archive = tmp_cache / "archives-v1" / entry.sha256
    (archive / "alpha" / "m3.py").unlink()
    verify = run("cache", "verify")
    assert verify.code == EXIT_INPUT, verify.output
    assert entry.sha256 in verify.stderr and "missing `alpha/m3.py`" in verify.stderr
    # an install does not link the damaged entry: it unpacks the wheel again
    reinstalled = run(*args, "--reinstall")
    assert reinstalled.code == 0, reinstalled.output
    assert (_site(venv) / "alpha" / "m3.py").is_file()
    assert verify_records(venv) == {"alpha": "1.0"}
    assert run("cache", "verify").code == 0


def test_G7_wrong_url_pointer_is_a_cache_miss(
    venv: Path, run: Runner, index_server: IndexServer, tmp_cache: Path,
) -> None:
    alpha = index_server.index.add_wheel("alpha", "1.0")
    beta = index_server.index.add_wheel("beta", "1.0")
    for entry in (alpha, beta):
        index_server.index.update(entry.filename, fragment="")  # no hashes: pointers are used
    args = ("pip", "install", "-p", str(venv), "--index-url", index_server.simple_url)
    assert run(*args, "alpha", "beta").code == 0
    assert run("pip", "uninstall", "-p", str(venv), "alpha", "beta").code == 0
    pointers = list((tmp_cache / "urls-v1").rglob("*.json"))
    assert len(pointers) == 2
    for path in pointers:  # both pointers now name the same, wrong file
        document = json.loads(path.read_text())
        document["sha256"] = beta.sha256 if alpha.filename in json.dumps(document) else "ab" * 32
        path.write_text(json.dumps(document))
    again = run(*args, "alpha", "beta")
    assert again.code == 0, again.output
    assert verify_records(venv) == {"alpha": "1.0", "beta": "1.0"}
    assert run("cache", "verify").code == 0


def test_G8_editing_a_hardlinked_file_is_flagged_and_repaired(
    venv: Path, run: Runner, local_index: LocalIndex, tmp_cache: Path,
) -> None:
    entry = local_index.add_wheel(
        "alpha", "1.0", files=_pkg_files("alpha"),
        entry_points={"console_scripts": {"alpha-tool": "alpha:main"}},
        data_files={"scripts/alpha-sh": "#!python\nprint('x')\n"},
    )
    args = ("pip", "install", "-p", str(venv), "--index-url", local_index.file_url, "alpha")
    assert run(*args, "--link-mode", "hardlink").code == 0
    site = _site(venv)
    record = site / "alpha-1.0.dist-info" / "RECORD"
    # files every installer writes itself are never shared with the cache
    for own in (record, site / "alpha-1.0.dist-info" / "INSTALLER", venv / "bin" / "alpha-tool",
                venv / "bin" / "alpha-sh"):
        assert own.stat().st_nlink == 1, f"{own} is shared with the cache"
    edited = site / "alpha" / "m2.py"
    if edited.stat().st_nlink == 1:
        pytest.skip("hardlinks are not available between this cache and venv")
    with open(edited, "r+") as handle:  # an in-place edit, as an editor without backup does
        handle.write("# edited by the user\n")
    verify = run("cache", "verify")
    assert verify.code == EXIT_INPUT, verify.output
    assert entry.sha256 in verify.stderr and "alpha/m2.py" in verify.stderr
    repaired = run("cache", "verify", "--repair")
    assert repaired.code == 0, repaired.output
    assert not (tmp_cache / "archives-v1" / entry.sha256).exists()
    assert run(*args, "--reinstall").code == 0
    assert "edited" not in edited.read_text()
    assert verify_records(venv) == {"alpha": "1.0"}
    assert run("cache", "verify").code == 0


def test_G8_default_link_mode_never_shares_generated_files(
    venv: Path, run: Runner, local_index: LocalIndex,
) -> None:
    local_index.add_wheel("alpha", "1.0", files=_pkg_files("alpha"),
                          entry_points={"console_scripts": {"alpha-tool": "alpha:main"}})
    assert run("pip", "install", "-p", str(venv), "--index-url", local_index.file_url,
               "alpha").code == 0
    dist_info = _site(venv) / "alpha-1.0.dist-info"
    for name in ("RECORD", "INSTALLER", "REQUESTED"):
        path = dist_info / name
        if path.exists():
            assert path.stat().st_nlink == 1, f"{name} is shared with the cache"
    assert (venv / "bin" / "alpha-tool").stat().st_nlink == 1
