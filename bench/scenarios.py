"""What is measured: each scenario turns (tool, sandbox) into a ``Plan``.

A plan has untimed ``warmup`` actions (once per tool: warm the cache), untimed ``prepare``
actions (before every round: a fresh environment, an emptied cache), one ``timed`` command, and
an ``expect`` check run after the first timed round, so a tool that exits 0 without doing the
work shows "failed" instead of a flattering number. A scenario whose tool has no such operation
builds no plan ("n/a").

Targets come from the issues: issue 2 (venv and pip install: ferry/uv and pip/ferry) and issue 4
(lock, sync, run: ferry/uv, and pdm or poetry against ferry) and issue 6 (compile: ferry/uv and
pip-tools against ferry).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from packaging.utils import canonicalize_name

from bench.tools import Argv, Sandbox, Tool, scrubbed_env, venv_python

__all__ = [
    "SCENARIOS",
    "Action",
    "Command",
    "CopyFile",
    "ExpectFiles",
    "ExpectInstalled",
    "ExpectSeeded",
    "Plan",
    "Remove",
    "Scenario",
    "Target",
    "WriteFile",
    "installed_names",
]


@dataclass(frozen=True, slots=True)
class Command:
    argv: Argv
    cwd: Path
    env: dict[str, str]


@dataclass(frozen=True, slots=True)
class Remove:
    """Delete a file or a tree (missing is fine)."""

    path: Path


@dataclass(frozen=True, slots=True)
class CopyFile:
    src: Path
    dst: Path


@dataclass(frozen=True, slots=True)
class WriteFile:
    """Write ``text`` to ``dst`` (a project file translated for one tool)."""

    dst: Path
    text: str


Action = Command | Remove | CopyFile | WriteFile


def installed_names(env_dir: Path) -> set[str]:
    """Canonical names of the distributions in an environment's site-packages."""
    names: set[str] = set()
    for site in env_dir.glob("lib/python*/site-packages"):
        for info in site.glob("*.dist-info"):
            names.add(canonicalize_name(info.name.removesuffix(".dist-info").split("-")[0]))
    return names


@dataclass(frozen=True, slots=True)
class ExpectInstalled:
    """Every pinned name is installed in ``env_dir``."""

    env_dir: Path
    names: frozenset[str]

    def problem(self) -> str | None:
        missing = sorted(self.names - installed_names(self.env_dir))
        if missing:
            shown = ", ".join(missing[:8]) + (" …" if len(missing) > 8 else "")
            return f"exited 0 but {len(missing)} pinned packages are not installed: {shown}"
        return None


@dataclass(frozen=True, slots=True)
class ExpectFiles:
    """These paths exist afterwards."""

    paths: tuple[Path, ...]

    def problem(self) -> str | None:
        missing = [str(p) for p in self.paths if not p.exists()]
        return f"exited 0 but did not create {', '.join(missing)}" if missing else None


@dataclass(frozen=True, slots=True)
class ExpectSeeded:
    """pip is installed in ``env_dir`` and, for a Python before 3.12, ``legacy`` too.

    The Python is read off the environment's ``lib/pythonX.Y`` directory, so the check follows
    whatever interpreter the run targets: uv seeds setuptools and wheel only before 3.12, as
    ensurepip bundles setuptools only before 3.12. A tool seeding less than its peers would
    otherwise win ``venv-seed`` by doing less.
    """

    env_dir: Path
    legacy: frozenset[str] = frozenset()

    def problem(self) -> str | None:
        sites = sorted(self.env_dir.glob("lib/python3.*/site-packages"))
        if not sites:
            return f"exited 0 but {self.env_dir} has no lib/python3.*/site-packages"
        minor = int(sites[0].parent.name.removeprefix("python3."))
        wanted = {"pip"} | (self.legacy if minor < 12 else set())
        missing = sorted(wanted - installed_names(self.env_dir))
        if missing:
            return f"exited 0 but did not seed {', '.join(missing)} (Python 3.{minor})"
        return None


Expectation = ExpectInstalled | ExpectFiles | ExpectSeeded


@dataclass(frozen=True, slots=True)
class Plan:
    """``baseline``: a command whose time is subtracted from the timed one's (an overhead);
    a round then times both a few times, alternately, and takes the fastest of each."""

    timed: Command
    warmup: tuple[Action, ...] = ()
    prepare: tuple[Action, ...] = ()
    expect: Expectation | None = None
    baseline: Command | None = None


@dataclass(frozen=True, slots=True)
class Target:
    """ferry/uv at most ``vs_uv``; the slow tools (pip, pdm, poetry) at least ``vs_slow`` times."""

    vs_uv: float
    vs_slow: float
    slow: str  # who "slow" is, for the README: "pip" or "pdm, poetry"

    def describe(self) -> str:
        slow = ", ".join(f"{name}/ferry" for name in self.slow.split(", "))
        times = "\N{MULTIPLICATION SIGN}"
        return f"ferry/uv ≤ {self.vs_uv:g}{times}; {slow} ≥ {self.vs_slow:g}{times}"


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    summary: str
    target: Target
    build: Callable[[Tool, Sandbox], Plan | None]


def _command(tool: Tool, box: Sandbox, argv: Argv, cwd: Path | None = None) -> Command:
    return Command(argv, cwd or box.root, tool.environment(box))


def _stdlib_venv(box: Sandbox) -> Command:
    """The same bare environment for every tool to install into (made untimed)."""
    argv = (str(box.python), "-m", "venv", "--without-pip", str(box.venv))
    return Command(argv, box.root, scrubbed_env())


def _fresh_project(tool: Tool, box: Sandbox) -> tuple[Action, ...]:
    """The workload's project, anew: its pyproject.toml as is, or as the tool needs it."""
    dst = box.project / "pyproject.toml"
    text = tool.project_file(box)
    write: Action = CopyFile(box.pyproject, dst) if text is None else WriteFile(dst, text)
    return Remove(box.project), write


def _fresh_env(tool: Tool, box: Sandbox) -> tuple[Action, ...]:
    """No project environment (and nothing naming it); made anew when the tool cannot."""
    gone: tuple[Action, ...] = (Remove(box.project_venv),
                                *(Remove(box.project / name) for name in tool.env_files))
    make = tool.make_project_env(box)
    return gone if make is None else (*gone, _command(tool, box, make, box.project))


def _venv_plan(tool: Tool, box: Sandbox, argv: Argv, expect: Expectation) -> Plan:
    """An environment made anew every round, after one untimed run: interpreter introspection
    is cached by ferry and uv, and so (with ``--seed``) are the seed wheels."""
    cmd = _command(tool, box, argv)
    return Plan(timed=cmd, warmup=(Remove(box.venv), cmd), prepare=(Remove(box.venv),),
                expect=expect)


def venv(tool: Tool, box: Sandbox) -> Plan | None:
    argv = tool.venv(box, box.venv)
    return None if argv is None else _venv_plan(
        tool, box, argv, ExpectFiles((box.venv / "pyvenv.cfg",)))


def venv_seed(tool: Tool, box: Sandbox) -> Plan | None:
    argv = tool.venv_seed(box, box.venv)
    return None if argv is None else _venv_plan(
        tool, box, argv, ExpectSeeded(box.venv, tool.legacy_seeds))


def pip_install_cold(tool: Tool, box: Sandbox) -> Plan | None:
    argv = tool.pip_install(box, box.venv)
    if argv is None:
        return None
    return Plan(
        timed=_command(tool, box, argv),
        prepare=(Remove(box.cache), Remove(box.venv), _stdlib_venv(box)),
        expect=ExpectInstalled(box.venv, box.expected),
    )


def pip_install_warm(tool: Tool, box: Sandbox) -> Plan | None:
    argv = tool.pip_install(box, box.venv)
    if argv is None:
        return None
    cmd = _command(tool, box, argv)
    fresh = (Remove(box.venv), _stdlib_venv(box))
    return Plan(timed=cmd, warmup=(*fresh, cmd), prepare=fresh,
                expect=ExpectInstalled(box.venv, box.expected))


def lock_cold(tool: Tool, box: Sandbox) -> Plan | None:
    argv = tool.lock(box)
    if argv is None:
        return None
    return Plan(
        timed=_command(tool, box, argv, box.project),
        prepare=(Remove(box.cache), *_fresh_project(tool, box)),
        expect=ExpectFiles((box.project / tool.lock_file,)),
    )


def lock_warm(tool: Tool, box: Sandbox) -> Plan | None:
    argv = tool.lock(box)
    if argv is None:
        return None
    cmd = _command(tool, box, argv, box.project)
    lock_file = box.project / tool.lock_file
    return Plan(timed=cmd, warmup=(*_fresh_project(tool, box), cmd),
                prepare=(Remove(lock_file),), expect=ExpectFiles((lock_file,)))


def _synced(tool: Tool, box: Sandbox) -> tuple[Action, ...] | None:
    """Untimed: a fresh project, locked and synced once (the cache is warm afterwards)."""
    lock, sync = tool.lock(box), tool.sync(box)
    if lock is None or sync is None:
        return None
    make = tool.make_project_env(box)
    env = () if make is None else (_command(tool, box, make, box.project),)
    return (*_fresh_project(tool, box), _command(tool, box, lock, box.project), *env,
            _command(tool, box, sync, box.project))


def sync_warm(tool: Tool, box: Sandbox) -> Plan | None:
    warmup, argv = _synced(tool, box), tool.sync(box)
    if warmup is None or argv is None:
        return None
    return Plan(timed=_command(tool, box, argv, box.project), warmup=warmup,
                prepare=_fresh_env(tool, box),
                expect=ExpectInstalled(box.project_venv, box.expected))


def sync_noop(tool: Tool, box: Sandbox) -> Plan | None:
    warmup, argv = _synced(tool, box), tool.sync(box)
    if warmup is None or argv is None:
        return None
    return Plan(timed=_command(tool, box, argv, box.project), warmup=warmup,
                expect=ExpectInstalled(box.project_venv, box.expected))


def run_noop(tool: Tool, box: Sandbox) -> Plan | None:
    warmup, argv = _synced(tool, box), tool.run(box, ("python", "-c", "pass"))
    if warmup is None or argv is None:
        return None
    # The number is run's *overhead*: what it adds to the bare interpreter it execs.
    bare = Command((str(venv_python(box.project_venv)), "-c", "pass"), box.project,
                   scrubbed_env())
    timed = _command(tool, box, argv, box.project)
    # One untimed run first: the number is the overhead of every run, not the one-off
    # cost of the first after a sync (cold file cache, a tool's own first-use caches), which
    # with one round would otherwise be all the table shows.
    return Plan(timed=timed, warmup=(*warmup, timed), baseline=bare)


def compile_warm(tool: Tool, box: Sandbox) -> Plan | None:
    argv = tool.compile(box)
    if argv is None:
        return None
    cmd = _command(tool, box, argv)
    # A project copy for the tools that compile it in place (pip-compile may build metadata).
    return Plan(timed=cmd, warmup=(*_fresh_project(tool, box), cmd))


_PIP = "pip"
_PROJECT_PEERS = "pdm, poetry"

SCENARIOS: dict[str, Scenario] = {
    s.name: s
    for s in (
        Scenario("venv", "create an environment", Target(2, 10, _PIP), venv),
        Scenario("venv-seed", "create an environment with pip in it, warm cache",
                 Target(2, 10, _PIP), venv_seed),
        Scenario("pip-install-cold", "install the pins, empty cache", Target(1.5, 10, _PIP),
                 pip_install_cold),
        Scenario("pip-install-warm", "install the pins, warm cache", Target(2, 10, _PIP),
                 pip_install_warm),
        Scenario("lock-cold", "lock the project, empty cache", Target(2, 5, _PROJECT_PEERS),
                 lock_cold),
        Scenario("lock-warm", "lock the project again, warm cache",
                 Target(3, 5, _PROJECT_PEERS), lock_warm),
        Scenario("sync-warm", "sync into an empty environment, warm cache",
                 Target(2, 5, _PROJECT_PEERS), sync_warm),
        Scenario("compile-warm", "`pip compile` the workload's pyproject.toml, warm cache",
                 Target(3, 5, "pip-tools"), compile_warm),
        Scenario("sync-noop", "sync an environment already in sync",
                 Target(3, 5, _PROJECT_PEERS), sync_noop),
        Scenario("run", "`run python -c pass` in a synced project, minus bare `python -c pass`",
                 Target(3, 5, _PROJECT_PEERS), run_noop),
    )
}
