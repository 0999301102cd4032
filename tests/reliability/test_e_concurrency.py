"""RELIABILITY.md section E: many ferry processes at once, on one environment, one cache, one
project.

The default run does one round of each race; ``-m stress`` repeats them (``STRESS_ROUNDS``).
After every round: every process succeeded (or failed cleanly where the row allows it), the
environment is exactly what was asked for and every installed file matches its RECORD, and
``ferry cache verify`` passes.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import os
import signal
import subprocess
import sys
import threading
import time
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.reliability.conftest import Spawner, needs
from tests.reliability.invariants import EXIT_SURROUNDINGS
from tests.support.envs import make_venv
from tests.support.index import IndexServer, LocalIndex
from tests.support.runner import Result, Runner

STRESS_ROUNDS = int(os.environ.get("FERRY_STRESS_ROUNDS", "5"))
EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
RACE_ERRORS = ("File exists", "FileExistsError", "No such file", "Directory not empty",
               "Traceback", "rename")


def rounds(stress: bool) -> int:
    return STRESS_ROUNDS if stress else 1


def add_packages(index: LocalIndex, count: int = 6) -> list[str]:
    """``count`` packages with a few files each (one depends on the next), plus a script."""
    names = [f"pkg{i}" for i in range(count)]
    for i, name in enumerate(names):
        files = {f"{name}/__init__.py": f"VALUE = {i}\n"}
        files.update({f"{name}/mod{j}.py": f"X = {j}\n" * 50 for j in range(8)})
        files[f"{name}/data.bin"] = os.urandom(20000)
        index.add_wheel(
            name, "1.0",
            requires=[names[i + 1]] if i + 1 < count else [],
            files=files,
            entry_points={"console_scripts": {f"{name}-tool": f"{name}:main"}},
        )
    return names


def verify_records(venv: Path) -> dict[str, str]:
    """Every installed file matches its RECORD (no torn or foreign file); returns name→version."""
    site = next(venv.glob("lib/python*/site-packages"))
    found: dict[str, str] = {}
    for dist_info in site.glob("*.dist-info"):
        name, _, version = dist_info.name[: -len(".dist-info")].rpartition("-")
        found[name] = version
        with open(dist_info / "RECORD", newline="") as handle:
            for row in csv.reader(handle):
                path, digest = row[0], row[1] if len(row) > 1 else ""
                target = Path(os.path.normpath(site / path))
                assert target.exists(), f"{dist_info.name}: `{path}` is missing"
                if not digest:
                    continue
                algorithm, _, value = digest.partition("=")
                actual = base64.urlsafe_b64encode(
                    hashlib.new(algorithm, target.read_bytes()).digest()
                ).rstrip(b"=").decode()
                assert actual == value, f"{dist_info.name}: `{path}` does not match RECORD"
    leftovers = [p.name for p in site.iterdir() if p.name.startswith(".ferry-")]
    assert not leftovers, f"leftovers in site-packages: {leftovers}"
    return found


def assert_clean(results: list[Result]) -> None:
    for result in results:
        assert result.code == 0, result.output
        for needle in RACE_ERRORS:
            assert needle not in result.output, f"{needle!r} in:\n{result.output}"


def no_empty_files(cache: Path) -> None:
    bucket = cache / "files-v1"
    for path in bucket.rglob("*"):
        if path.is_file():
            assert path.stat().st_size > 0, f"empty cached file {path} (pip #12361)"
            assert path.parent.name != EMPTY_SHA256


def cache_verify(run: Runner) -> None:
    result = run("cache", "verify")
    assert result.code == 0, result.output


# -- E1 -----------------------------------------------------------------------------------------


def _project(root: Path, names: list[str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(
        '[project]\nname = "proj"\nversion = "0.1.0"\nrequires-python = ">=3.8"\n'
        f"dependencies = {names[:1]!r}\n".replace("'", '"')
    )
    return root


@needs("sync", "lock")
@pytest.mark.parametrize("stress", [False, pytest.param(True, marks=pytest.mark.stress)])
def test_E1_parallel_syncs_into_a_removed_venv(
    tmp_path: Path, run: Runner, spawn: Spawner, local_index: LocalIndex, stress: bool,
) -> None:
    names = add_packages(local_index)
    project = _project(tmp_path / "proj", names)
    env = {"FERRY_INDEX_URL": local_index.file_url, "FERRY_PYTHON": sys.executable}
    assert run("lock", cwd=project, env=env).code == 0
    for _ in range(rounds(stress)):
        subprocess.run(["rm", "-rf", str(project / ".venv")], check=True)
        procs = [spawn("sync", env=env, cwd=project) for _ in range(10)]
        assert_clean([spawn.finish(p) for p in procs])
        installed = verify_records(project / ".venv")
        assert set(installed) == set(names), installed
        again = run("sync", "--locked", cwd=project, env=env)
        assert again.code == 0 and "+" not in again.stderr, again.output
    cache_verify(run)


# -- E2 -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("stress", [False, pytest.param(True, marks=pytest.mark.stress)])
def test_E2_parallel_installs_into_separate_venvs_share_a_cold_cache(
    tmp_path: Path, run: Runner, spawn: Spawner, index_server: IndexServer, tmp_cache: Path,
    stress: bool,
) -> None:
    names = add_packages(index_server.index)
    count = 10
    for round_ in range(rounds(stress)):
        subprocess.run(["rm", "-rf", str(tmp_cache)], check=True)
        venvs = [make_venv(tmp_path / f"r{round_}-venv{i}", sys.executable) for i in range(count)]
        procs = [
            spawn("pip", "install", "-p", str(v), "--index-url", index_server.simple_url,
                  names[0])
            for v in venvs
        ]
        assert_clean([spawn.finish(p) for p in procs])
        for venv in venvs:
            assert set(verify_records(venv)) == set(names)
        no_empty_files(tmp_cache)
        archives = list((tmp_cache / "archives-v1").iterdir())
        assert len(archives) == len(names), "one unpacked archive per wheel"
        cache_verify(run)


@needs("sync", "lock")
@pytest.mark.parametrize("stress", [False, pytest.param(True, marks=pytest.mark.stress)])
def test_E2_parallel_syncs_of_ten_projects_share_a_cold_cache(
    tmp_path: Path, run: Runner, spawn: Spawner, index_server: IndexServer, tmp_cache: Path,
    stress: bool,
) -> None:
    names = add_packages(index_server.index)
    env = {"FERRY_INDEX_URL": index_server.simple_url, "FERRY_PYTHON": sys.executable}
    template = _project(tmp_path / "template", names)
    assert run("lock", cwd=template, env=env).code == 0
    for round_ in range(rounds(stress)):
        subprocess.run(["rm", "-rf", str(tmp_cache)], check=True)
        projects = []
        for i in range(10):
            project = tmp_path / f"r{round_}-proj{i}"
            project.mkdir()
            for name in ("pyproject.toml", "uv.lock"):
                (project / name).write_bytes((template / name).read_bytes())
            projects.append(project)
        procs = [spawn("sync", "--frozen", env=env, cwd=p) for p in projects]
        assert_clean([spawn.finish(p) for p in procs])
        for project in projects:
            assert set(verify_records(project / ".venv")) == set(names)
        no_empty_files(tmp_cache)
        cache_verify(run)


# -- E3, E4: the cache lock ---------------------------------------------------------------------


def _wait_for(predicate: Callable[[], bool], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.02)


def first_stderr_line(proc: subprocess.Popen[str], timeout: float = 30) -> str:
    """The first line ``proc`` writes to stderr (ferry's "waiting for lock" warning)."""
    assert proc.stderr is not None
    line: list[str] = []
    reader = threading.Thread(target=lambda: line.append(proc.stderr.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    assert line, "no output in time"
    return line[0]


def release_delays(server: IndexServer) -> None:
    """End the delays the server is sleeping in now (``stop()`` uses the same event)."""
    server._stopping.set()
    time.sleep(0.05)
    server._stopping.clear()
    server.clear_faults()


def _slow_install(
    venv: Path, spawn: Spawner, server: IndexServer
) -> subprocess.Popen[str]:
    """A ``pip install`` that holds the shared cache lock while its download stalls."""
    entry = server.index.add_wheel("slow", "1.0", files={"slow/big.bin": os.urandom(40000)})
    server.delay(f"/files/{entry.filename}", 120, after_bytes=1000)
    proc = spawn("pip", "install", "-p", str(venv), "--index-url", server.simple_url, "slow")
    _wait_for(lambda: bool(server.file_downloads(entry.filename)))
    return proc


def test_E3_cache_clean_waits_for_a_running_install(
    venv: Path, run: Runner, spawn: Spawner, index_server: IndexServer, tmp_cache: Path,
) -> None:
    installer = _slow_install(venv, spawn, index_server)
    impatient = run("cache", "clean", env={"FERRY_LOCK_TIMEOUT": "0.5"})
    assert impatient.code == EXIT_SURROUNDINGS, impatient.output
    for needle in ("waiting for lock", "another ferry process", "FERRY_LOCK_TIMEOUT",
                   str(tmp_cache)):
        assert needle in impatient.stderr, (needle, impatient.stderr)
    assert "Traceback" not in impatient.output
    patient = spawn("cache", "clean", env={"FERRY_LOCK_TIMEOUT": "120"})
    assert "waiting for lock" in first_stderr_line(patient)
    assert patient.poll() is None and installer.poll() is None
    release_delays(index_server)
    installed = spawn.finish(installer)
    assert installed.code == 0, installed.output
    cleaned = spawn.finish(patient)
    assert cleaned.code == 0, cleaned.output
    assert set(verify_records(venv)) == {"slow"}, "clean removed what the install was using"
    cache_verify(run)


def test_E4_a_killed_lock_holder_never_blocks(
    venv: Path, run: Runner, spawn: Spawner, index_server: IndexServer,
) -> None:
    holder = _slow_install(venv, spawn, index_server)
    waiter = spawn("cache", "clean", env={"FERRY_LOCK_TIMEOUT": "120"})
    assert "waiting for lock" in first_stderr_line(waiter)
    holder.send_signal(signal.SIGKILL)
    killed_at = time.monotonic()
    holder.wait()
    cleaned = spawn.finish(waiter, timeout=30)
    assert cleaned.code == 0, cleaned.output
    assert time.monotonic() - killed_at < 10, "the lock outlived its holder"
    release_delays(index_server)
    again = run("pip", "install", "-p", str(venv), "--index-url", index_server.simple_url, "slow")
    assert again.code == 0, again.output
    cache_verify(run)


# -- E5 -----------------------------------------------------------------------------------------


def test_E5_other_bucket_versions_in_one_cache_are_left_alone(
    venv: Path, run: Runner, index_server: IndexServer, tmp_cache: Path,
) -> None:
    foreign = {
        "files-v2/ab/" + "ab" * 32 + "/x-1.0-py3-none-any.whl": b"a future format",
        "archives-v7/" + "cd" * 32 + "/inside.txt": b"not ours",
        "index-v9/host/alpha.json": b"{not even json",
        "metadata-v3/" + "ef" * 32 + ".json": b"\x00\x01",
    }
    for relative, data in foreign.items():
        path = tmp_cache / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    index_server.index.add_wheel("alpha", "1.0")
    result = run("pip", "install", "-p", str(venv), "--index-url", index_server.simple_url,
                 "alpha")
    assert result.code == 0, result.output
    cache_verify(run)
    assert run("cache", "prune").code == 0
    for relative, data in foreign.items():
        assert (tmp_cache / relative).read_bytes() == data, f"{relative} was touched"


# -- E6 -----------------------------------------------------------------------------------------


@needs("add")
@pytest.mark.parametrize("stress", [False, pytest.param(True, marks=pytest.mark.stress)])
def test_E6_concurrent_adds_never_corrupt_pyproject(
    tmp_path: Path, spawn: Spawner, local_index: LocalIndex, stress: bool,
) -> None:
    names = add_packages(local_index, 4)
    env = {"FERRY_INDEX_URL": local_index.file_url, "FERRY_PYTHON": sys.executable}
    for round_ in range(rounds(stress)):
        project = _project(tmp_path / f"proj{round_}", names)
        pyproject = project / "pyproject.toml"
        pyproject.write_text(pyproject.read_text().replace('["pkg0"]', "[]"))
        procs = [spawn("add", "--frozen", name, env=env, cwd=project) for name in names[:3]]
        results = [spawn.finish(p) for p in procs]
        data = tomllib.loads(pyproject.read_text())  # never a corrupt file
        deps = data["project"]["dependencies"]
        for name, result in zip(names[:3], results, strict=True):
            assert "Traceback" not in result.output
            if result.code == 0:
                assert any(d.startswith(name) for d in deps), (name, deps, result.output)
            else:
                assert "error:" in result.stderr
        assert any(r.code == 0 for r in results)


# -- E7 -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("stress", [False, pytest.param(True, marks=pytest.mark.stress)])
def test_E7_parallel_copy_installs_into_one_venv(
    tmp_path: Path, run: Runner, spawn: Spawner, index_server: IndexServer, stress: bool,
) -> None:
    names = add_packages(index_server.index)
    for round_ in range(rounds(stress)):
        venv = make_venv(tmp_path / f"venv{round_}", sys.executable)
        # every process wants the shared tail of the chain, each starts from another head
        procs = [
            spawn("pip", "install", "-p", str(venv), "--index-url", index_server.simple_url,
                  "--link-mode", "copy", name)
            for name in names + names[:2]
        ]
        assert_clean([spawn.finish(p) for p in procs])
        assert set(verify_records(venv)) == set(names)
        listed = run("pip", "list", "-p", str(venv), "--format", "freeze")
        assert sorted(listed.stdout.split()) == sorted(f"{n}==1.0" for n in names)
    cache_verify(run)
