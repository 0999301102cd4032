"""Fixtures of the reliability exam (RELIABILITY.md rows A1-G8).

On top of the suite's fixtures (``run``, ``index_server``, ``make_wheel``, ``env_snapshot``…):

* ``venv`` — a bare stdlib venv (no pip) that ferry installs into;
* ``guard(...)`` — a :class:`~tests.reliability.invariants.Guard` bound to this test's runner and
  cache: create it before the failing command, call ``.failed(result, code=…)`` after it;
* ``pip_install(*args, index=url)`` — ``ferry pip install -p <venv> --index-url <index> …``;
* ``spawn(*args, env=…)`` — ``ferry`` as a ``Popen`` (for signals and races), optionally with an
  injected fault (``tests/reliability/inject.py``);
* ``unprivileged`` — a command prefix that drops root's permission-bypassing capabilities, so
  read-only directories are read-only for the tests even when the suite runs as root;
* ``tmpfs(size)`` — a real tmpfs mounted in ``tmp_path`` (skips when mounting is not allowed).

``stress`` tests (long loops) are skipped unless ``-m stress`` or FERRY_STRESS=1 asks for them;
each has a one-round twin that always runs.

``needs(command)`` is the mark for rows that need a project command (``sync``, ``lock``, ``add``):
an xfail while that command does not exist in this checkout, a normal test once it does.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from tests.reliability import inject
from tests.reliability.invariants import Guard
from tests.support.envs import make_venv
from tests.support.runner import Result, Runner, ferry_env


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """``stress`` tests of this directory run only when asked for (``-m stress`` or
    FERRY_STRESS=1); their single-round versions always run."""
    wanted = "stress" in (config.getoption("markexpr", "") or "") or os.environ.get(
        "FERRY_STRESS"
    ) == "1"
    if wanted:
        return
    skip = pytest.mark.skip(reason="a stress loop: run with `-m stress` or FERRY_STRESS=1")
    here = Path(__file__).parent
    for item in items:
        if item.get_closest_marker("stress") and Path(str(item.path)).is_relative_to(here):
            item.add_marker(skip)


def has_command(name: str) -> bool:
    """Whether ``ferry <name>`` exists in this checkout (registered and importable)."""
    from ferry.cli.main import SUBCOMMANDS

    target = SUBCOMMANDS.get(name)
    if target is None:
        return False
    module = target.split(":")[0]
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


def needs(*commands: str) -> pytest.MarkDecorator:
    missing = [c for c in commands if not has_command(c)]
    return pytest.mark.xfail(
        bool(missing), reason=f"needs ferry {' and '.join(missing) or commands[0]}", strict=False
    )


@pytest.fixture
def venv(tmp_path: Path) -> Path:
    return make_venv(tmp_path / "venv", sys.executable)


@pytest.fixture
def guard(run: Runner, tmp_cache: Path) -> Callable[..., Guard]:
    def make(**kwargs: Any) -> Guard:
        return Guard(run=run, cache=tmp_cache, **kwargs)

    return make


@pytest.fixture
def pip_install(run: Runner, venv: Path) -> Callable[..., Result]:
    def install(*args: str, index: str, env: Mapping[str, str | None] | None = None) -> Result:
        return run("pip", "install", "-p", str(venv), "--index-url", index, *args, env=env)

    return install


class Spawner:
    """``ferry`` subprocesses that run in the background (signals, races, injected faults)."""

    def __init__(self, cwd: Path) -> None:
        self.cwd = cwd
        self.procs: list[subprocess.Popen[str]] = []

    def __call__(
        self,
        *args: str,
        env: Mapping[str, str | None] | None = None,
        fault: Mapping[str, str] | None = None,
        prefix: Sequence[str] = (),
        cwd: Path | None = None,
    ) -> subprocess.Popen[str]:
        argv = inject.command(args) if fault else [sys.executable, "-m", "ferry", *args]
        merged = ferry_env({**(env or {}), **(fault or {})})
        merged["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(inject.REPO_ROOT), merged.get("PYTHONPATH", "")) if p
        )
        proc = subprocess.Popen(
            [*prefix, *argv],
            cwd=cwd or self.cwd,
            env=merged,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.procs.append(proc)
        return proc

    def finish(self, proc: subprocess.Popen[str], timeout: float = 60) -> Result:
        stdout, stderr = proc.communicate(timeout=timeout)
        return Result(proc.returncode, stdout, stderr)

    def run(self, *args: str, timeout: float = 60, **kwargs: Any) -> Result:
        return self.finish(self(*args, **kwargs), timeout)

    def close(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.kill()
            proc.communicate()


@pytest.fixture
def spawn(tmp_path: Path, isolated_env: Path) -> Iterator[Spawner]:
    spawner = Spawner(tmp_path)
    yield spawner
    spawner.close()


@pytest.fixture
def unprivileged() -> list[str]:
    """A prefix that makes file permissions apply to this test's commands, even as root."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: permissions cannot be enforced")
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search,-fowner"]


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Callable[..., Path]]:
    """``tmpfs("cachefs", size="2m")`` → a directory on a fresh tmpfs (unmounted at the end)."""
    mounted: list[Path] = []

    def mount(name: str, size: str = "16m") -> Path:
        target = tmp_path / name
        target.mkdir()
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(target)],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
        mounted.append(target)
        return target

    yield mount
    for target in reversed(mounted):
        subprocess.run(["umount", "-l", str(target)], capture_output=True, check=False)


def remount(target: Path, size: str) -> None:
    """Resize a tmpfs from ``tmpfs`` (to 'free space' for the re-run)."""
    subprocess.run(
        ["mount", "-o", f"remount,size={size}", str(target)], check=True, capture_output=True
    )
