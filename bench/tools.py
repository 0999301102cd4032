"""The tools compared, each as a set of command builders over one ``Sandbox``.

A tool answers "how do you create a venv / install these pins / lock / sync / run" with an
argv, or None when it has no such operation (pip does not lock): the scenario then shows
"n/a". The slow peers (pdm, poetry, pip-tools) are in ``bench/peers.py``; every tool is
named in ``bench/toolset.py``.

Isolation: every tool runs with an environment scrubbed of installer configuration
(``PIP_*``, ``UV_*``, ``FERRY_*``, ``VIRTUAL_ENV``…), its own cache directory, and its config
files off (``uv --no-config``, ``PIP_CONFIG_FILE=/dev/null``), so the machine's settings (extra
indexes, find-links) cannot leak into one tool's numbers and not another's.
"""

from __future__ import annotations

import os
import subprocess
import sys
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

__all__ = [
    "Argv",
    "Ferry",
    "Pip",
    "Sandbox",
    "Tool",
    "Uv",
    "scrubbed_env",
    "venv_python",
    "version_of",
]

Argv = tuple[str, ...]

_LEAKY_PREFIXES = ("PIP_", "UV_", "FERRY_", "PDM_", "POETRY_", "CONDA_")
_LEAKY = {"VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "PYTHONUSERBASE",
          "PYTHONNOUSERSITE", "PYTHONDONTWRITEBYTECODE"}


def scrubbed_env(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """``base`` (default: this process's environment) without installer configuration."""
    source = os.environ if base is None else base
    return {
        k: v for k, v in source.items()
        if not k.startswith(_LEAKY_PREFIXES) and k not in _LEAKY
    }


@dataclass(frozen=True, slots=True)
class Sandbox:
    """Where one tool runs one scenario: its own cache, environment and project directory."""

    root: Path
    python: Path  # the target interpreter environments are made from
    index_url: str  # the loopback mirror, `http://127.0.0.1:PORT/simple/`
    requirements: Path  # the workload's pins, `name==version` per line
    pyproject: Path  # the workload's pyproject.toml (copied into `project`)
    expected: frozenset[str] = frozenset()  # canonical names an install must leave behind

    @property
    def cache(self) -> Path:
        return self.root / "cache"

    @property
    def venv(self) -> Path:
        return self.root / "venv"

    @property
    def project(self) -> Path:
        return self.root / "project"

    @property
    def project_venv(self) -> Path:
        return self.project / ".venv"


def venv_python(env_dir: Path) -> Path:
    return env_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


class Tool(ABC):
    """One tool's command builders; None from a builder means "this tool has no such thing".

    ``not_applicable`` gives, per scenario name, why the tool is not measured there (shown
    under the table); a builder returning None without an entry reads "no such operation".
    """

    name: str
    lock_file: ClassVar[str] = "uv.lock"  # what `lock` writes in the project directory
    env_files: ClassVar[tuple[str, ...]] = ()  # project files naming the env, gone with it
    # What ``venv_seed`` installs besides pip into an environment of a Python before 3.12
    # (uv's --seed, and ferry's like it; ensurepip bundles setuptools only), checked afterwards.
    legacy_seeds: ClassVar[frozenset[str]] = frozenset({"setuptools", "wheel"})
    not_applicable: ClassVar[Mapping[str, str]] = {}

    def install(self, python: Path) -> None:  # noqa: B027 - most tools need no install
        """Make the tool available (peers install themselves into a private venv)."""

    def pins(self) -> str | None:
        """The pinned requirements the bench installed the tool from, for the report."""
        return None

    def project_file(self, box: Sandbox) -> str | None:
        """The project's pyproject.toml for this tool, or None for the workload's as is."""
        return None

    def make_project_env(self, box: Sandbox) -> Argv | None:
        """An untimed command creating ``box.project_venv`` for a sync that cannot."""
        return None

    @abstractmethod
    def version(self) -> str | None:
        """The tool's version line, or None when it is not installed."""

    @abstractmethod
    def environment(self, box: Sandbox) -> dict[str, str]:
        """The complete, isolated environment for this tool's commands in ``box``."""

    def venv(self, box: Sandbox, path: Path) -> Argv | None:
        return None

    def venv_seed(self, box: Sandbox, path: Path) -> Argv | None:
        """An environment with pip in it (what a pip user gets from ``python -m venv``)."""
        return None

    def pip_install(self, box: Sandbox, env_dir: Path) -> Argv | None:
        return None

    def lock(self, box: Sandbox) -> Argv | None:
        return None

    def sync(self, box: Sandbox) -> Argv | None:
        return None

    def run(self, box: Sandbox, command: Argv) -> Argv | None:
        return None

    def compile(self, box: Sandbox) -> Argv | None:
        return None


def version_of(argv: list[str]) -> str | None:
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=60)
    except OSError:
        return None
    if proc.returncode != 0 or not proc.stdout.strip():
        return None
    # "pip 23.2.1 from /path/to/site-packages/pip (python 3.11)": the path says nothing useful.
    return proc.stdout.strip().splitlines()[0].split(" from ", 1)[0]


class Ferry(Tool):
    """ferry from this checkout, as ``<python> -m ferry``."""

    name = "ferry"

    def __init__(self, python: str = sys.executable) -> None:
        self.base: Argv = (python, "-m", "ferry")

    def version(self) -> str | None:
        return version_of([*self.base, "--version"])

    def environment(self, box: Sandbox) -> dict[str, str]:
        env = scrubbed_env()
        env.update(FERRY_CACHE_DIR=str(box.cache), FERRY_INDEX_URL=box.index_url,
                   FERRY_PYTHON=str(box.python))
        return env

    def venv(self, box: Sandbox, path: Path) -> Argv:
        return (*self.base, "venv", str(path), "--python", str(box.python))

    def venv_seed(self, box: Sandbox, path: Path) -> Argv:
        # The seed packages come from FERRY_INDEX_URL (the mirror), set by ``environment``.
        return (*self.base, "venv", "--seed", str(path), "--python", str(box.python))

    def pip_install(self, box: Sandbox, env_dir: Path) -> Argv:
        return (*self.base, "pip", "install", "--python", str(venv_python(env_dir)),
                "-r", str(box.requirements), "--index-url", box.index_url)

    def lock(self, box: Sandbox) -> Argv:
        return (*self.base, "lock")

    def sync(self, box: Sandbox) -> Argv:
        return (*self.base, "sync")

    def run(self, box: Sandbox, command: Argv) -> Argv:
        return (*self.base, "run", *command)

    def compile(self, box: Sandbox) -> Argv:
        return (*self.base, "pip", "compile", str(box.pyproject), "--index-url", box.index_url,
                "--python", str(box.python), "--no-header")


class Uv(Tool):
    """The ``uv`` executable installed beside the bench runner (a test dependency)."""

    name = "uv"

    def __init__(self, executable: str | None = None) -> None:
        beside = Path(sys.executable).parent / "uv"
        self.executable = executable or (str(beside) if beside.is_file() else "uv")

    def version(self) -> str | None:
        return version_of([self.executable, "--version"])

    def environment(self, box: Sandbox) -> dict[str, str]:
        env = scrubbed_env()
        env.update(UV_CACHE_DIR=str(box.cache), UV_INDEX_URL=box.index_url,
                   UV_PYTHON=str(box.python), UV_PYTHON_DOWNLOADS="never", UV_NO_CONFIG="1")
        return env

    def venv(self, box: Sandbox, path: Path) -> Argv:
        return (self.executable, "venv", str(path), "--python", str(box.python), "--no-config")

    def venv_seed(self, box: Sandbox, path: Path) -> Argv:
        return (self.executable, "venv", "--seed", str(path), "--python", str(box.python),
                "--index-url", box.index_url, "--no-config")

    def pip_install(self, box: Sandbox, env_dir: Path) -> Argv:
        return (self.executable, "pip", "install", "--python", str(venv_python(env_dir)),
                "-r", str(box.requirements), "--index-url", box.index_url, "--no-config")

    def lock(self, box: Sandbox) -> Argv:
        return (self.executable, "lock", "--no-config")

    def sync(self, box: Sandbox) -> Argv:
        return (self.executable, "sync", "--no-config")

    def run(self, box: Sandbox, command: Argv) -> Argv:
        return (self.executable, "run", "--no-config", *command)

    def compile(self, box: Sandbox) -> Argv:
        return (self.executable, "pip", "compile", str(box.pyproject), "--index-url",
                box.index_url, "--python", str(box.python), "--no-header", "--no-config")


class Pip(Tool):
    """``<python> -m pip``, aimed at each fresh environment with ``--python``."""

    name = "pip"
    not_applicable = dict.fromkeys(
        ("lock-cold", "lock-warm", "sync-warm", "sync-noop", "run"),
        "pip has no projects (lock, sync, run)",
    ) | {"compile-warm": "pip has no compile (pip-tools' pip-compile is the pip-based one)"}

    legacy_seeds = frozenset({"setuptools"})  # ensurepip's bundle before 3.12: no wheel

    def __init__(self, python: str = sys.executable) -> None:
        self.base: Argv = (python, "-m", "pip")

    def version(self) -> str | None:
        return version_of([*self.base, "--version"])

    def environment(self, box: Sandbox) -> dict[str, str]:
        env = scrubbed_env()
        env.update(PIP_CONFIG_FILE=os.devnull, PIP_NO_INPUT="1")
        return env

    def venv(self, box: Sandbox, path: Path) -> Argv:
        return (str(box.python), "-m", "venv", "--without-pip", str(path))

    def venv_seed(self, box: Sandbox, path: Path) -> Argv:
        # The stdlib's default: ensurepip installs its bundled wheels; no index is involved.
        return (str(box.python), "-m", "venv", str(path))

    def pip_install(self, box: Sandbox, env_dir: Path) -> Argv:
        return (*self.base, "--python", str(venv_python(env_dir)), "install",
                "-r", str(box.requirements), "--index-url", box.index_url,
                "--cache-dir", str(box.cache), "--disable-pip-version-check",
                "--progress-bar", "off")
