"""pdm, poetry and pip-tools as bench tools: the peers issues 4 and 6 measure ferry against.

Each runs from its private venv (``bench/peer_envs.py``) in an environment isolated like
the core tools' (``scrubbed_env``) and then some, because these tools read more of the
machine:

- its own cache (``PDM_CACHE_DIR``, ``POETRY_CACHE_DIR``, pip-tools' ``--cache-dir`` and
  ``PIP_CACHE_DIR`` for the pip under it) and its own config/data/state directories
  (``XDG_*``, ``POETRY_CONFIG_DIR``…), so no user setting and no earlier run leaks in;
- the mirror as its only index: pdm and poetry through the project file
  (``bench/project_files.py``), pip-tools through ``--index-url`` with pip's configuration
  off (``PIP_CONFIG_FILE=/dev/null``);
- no network beyond the mirror: every proxy variable names a closed loopback port and
  ``NO_PROXY`` exempts only the loopback mirror, so a request elsewhere (pdm's update check,
  a stray default index) fails at once instead of leaving the machine;
- the target interpreter first on ``PATH``: pdm and poetry create the project's ``.venv`` from
  the first Python they find there, and must make it from the same interpreter ferry and uv
  are given with ``FERRY_PYTHON`` / ``UV_PYTHON``.

Settings that differ from the tools' defaults, and why: ``PDM_CHECK_UPDATE=false`` (network),
``POETRY_KEYRING_ENABLED=false`` (a keyring backend could block on a headless machine;
skipping it can only make poetry faster, so a ✓ against it stays honest),
``POETRY_VIRTUALENVS_IN_PROJECT=true`` (the environment at ``.venv``, where ferry's and uv's
are and where the checks look).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

from bench.peer_envs import PEER_SPECS, PeerSpec, ensure_peer
from bench.project_files import pdm_pyproject, poetry_pyproject
from bench.tools import Argv, Sandbox, Tool, scrubbed_env, venv_python, version_of

__all__ = ["PEER_TOOLS", "Pdm", "PeerTool", "PipTools", "Poetry", "ProjectManager"]

# Port 9 (discard) on loopback: nothing listens, so a proxied request is refused at once.
_DEAD_PROXY = "http://127.0.0.1:9"
_PROXY_VARS = ("http_proxy", "https_proxy", "all_proxy")
_NOT_A_PEER_SCENARIO = ("not measured: issue 2 compares venv and pip install with pip, not "
                        "with {name}")


class PeerTool(Tool):
    """A tool run from its venv under ``bench/.peers`` (installed by ``install``)."""

    spec: PeerSpec
    executable_name: str  # the console script run from the venv

    def __init__(self, venv: Path | None = None) -> None:
        self.spec = PEER_SPECS[self.name]
        self.venv_dir = venv

    def install(self, python: Path) -> None:
        self.venv_dir = ensure_peer(self.spec, python)

    def pins(self) -> str:
        return self.spec.describe()

    def executable(self, script: str | None = None) -> str:
        base = self.venv_dir or Path("/nonexistent")
        return str(base / "bin" / (script or self.executable_name))

    def version(self) -> str | None:
        return version_of([self.executable(), "--version"]) if self.venv_dir else None

    def environment(self, box: Sandbox) -> dict[str, str]:
        env = scrubbed_env()
        env["PATH"] = os.pathsep.join([str(box.python.parent), env.get("PATH", os.defpath)])
        for var in _PROXY_VARS:
            env[var] = env[var.upper()] = _DEAD_PROXY
        env["no_proxy"] = env["NO_PROXY"] = "127.0.0.1,localhost"
        for var, sub in (("XDG_CONFIG_HOME", "config"), ("XDG_DATA_HOME", "data"),
                         ("XDG_STATE_HOME", "state")):
            env[var] = str(box.root / sub)
        return env


# A workload's pyproject.toml -> the tool's, given the mirror's URL (bench/project_files.py).
_TRANSLATE: dict[str, Callable[[str, str], str]] = {"pdm": pdm_pyproject,
                                                     "poetry": poetry_pyproject}


# issue 2's scenarios: compared with pip only.
_ISSUE_2 = ("venv", "venv-seed", "pip-install-cold", "pip-install-warm")


def _gone(*scenarios: str, name: str) -> dict[str, str]:
    return dict.fromkeys(scenarios, _NOT_A_PEER_SCENARIO.format(name=name))


class ProjectManager(PeerTool):
    """pdm and poetry: ``<tool> lock``, ``<tool> <sync_args>``, ``<tool> run`` in the project,
    whose pyproject.toml ``translate`` rewrites to point at the mirror."""

    sync_args: ClassVar[Argv]

    def project_file(self, box: Sandbox) -> str:
        return _TRANSLATE[self.name](box.pyproject.read_text(), box.index_url)

    def lock(self, box: Sandbox) -> Argv:
        return (self.executable(), "lock")

    def sync(self, box: Sandbox) -> Argv:
        return (self.executable(), *self.sync_args)

    def run(self, box: Sandbox, command: Argv) -> Argv:
        return (self.executable(), "run", *command)


class Pdm(ProjectManager):
    """``pdm lock`` / ``pdm sync`` / ``pdm run`` on the workload as a PEP 621 project."""

    name = "pdm"
    executable_name = "pdm"
    lock_file = "pdm.lock"
    env_files = (".pdm-python",)  # the interpreter pdm remembers: stale once .venv is gone
    not_applicable = _gone(*_ISSUE_2, name="pdm") | {
        "compile-warm": "pdm has no pip-compile (its resolver is measured by lock-warm)",
    }
    sync_args = ("sync",)

    def environment(self, box: Sandbox) -> dict[str, str]:
        env = super().environment(box)
        env.update(PDM_CACHE_DIR=str(box.cache), PDM_CHECK_UPDATE="false",
                   PDM_NON_INTERACTIVE="1")
        return env


class Poetry(ProjectManager):
    """``poetry lock`` / ``poetry sync --no-root`` / ``poetry run`` (poetry ≥ 2 reads PEP 621).

    ``sync`` rather than ``install``: like ``uv sync`` and ``pdm sync`` it also removes what
    the lock does not list; on an empty or already synced environment both do the same work.
    """

    name = "poetry"
    executable_name = "poetry"
    lock_file = "poetry.lock"
    not_applicable = _gone(*_ISSUE_2, name="poetry") | {
        "compile-warm": "poetry has no pip-compile (its resolver is measured by lock-warm)",
    }
    sync_args = ("sync", "--no-root")

    def environment(self, box: Sandbox) -> dict[str, str]:
        env = super().environment(box)
        env.update(POETRY_CACHE_DIR=str(box.cache), POETRY_CONFIG_DIR=str(box.root / "config"),
                   POETRY_DATA_DIR=str(box.root / "data"), POETRY_VIRTUALENVS_IN_PROJECT="true",
                   POETRY_NO_INTERACTION="1", POETRY_KEYRING_ENABLED="false")
        return env


class PipTools(PeerTool):
    """``pip-compile`` (compile-warm) and ``pip-sync`` of its output (sync-warm, sync-noop).

    pip-tools has no project lock or run; its "lock" is a requirements file for one
    interpreter, made here only as the untimed input of ``pip-sync``. ``pip-sync`` cannot create
    an environment and drives the target environment's own pip, so the environment is made,
    untimed, with ``python -m venv`` (pip included) — which leaves pip-tools' sync-warm time
    without the environment's creation that ferry's, pdm's and poetry's include.
    """

    name = "pip-tools"
    executable_name = "pip-compile"
    lock_file = "requirements.txt"
    not_applicable = _gone(*_ISSUE_2, name="pip-tools") | {
        "lock-cold": "pip-tools has no project lock (pip-compile pins one interpreter; it is "
                     "measured by compile-warm)",
        "lock-warm": "pip-tools has no project lock (pip-compile pins one interpreter; it is "
                     "measured by compile-warm)",
        "run": "pip-tools has no run command",
    }

    def environment(self, box: Sandbox) -> dict[str, str]:
        env = super().environment(box)
        env.update(PIP_CONFIG_FILE=os.devnull, PIP_NO_INPUT="1",
                   PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_CACHE_DIR=str(box.cache / "pip"))
        return env

    def _compile(self, box: Sandbox, output: str) -> Argv:
        return (self.executable(), str(box.project / "pyproject.toml"), "--index-url",
                box.index_url, "--cache-dir", str(box.cache / "pip-tools"), "--no-config",
                "--no-header", "--quiet", "--output-file", output)

    def compile(self, box: Sandbox) -> Argv:
        return self._compile(box, "-")

    def lock(self, box: Sandbox) -> Argv:
        return self._compile(box, str(box.project / self.lock_file))

    def make_project_env(self, box: Sandbox) -> Argv:
        return (str(box.python), "-m", "venv", str(box.project_venv))

    def sync(self, box: Sandbox) -> Argv:
        return (self.executable("pip-sync"), str(box.project / self.lock_file),
                "--python-executable", str(venv_python(box.project_venv)),
                "--index-url", box.index_url, "--no-config")


PEER_TOOLS: dict[str, type[PeerTool]] = {"pdm": Pdm, "poetry": Poetry, "pip-tools": PipTools}
