"""``ferry run``: sync the project environment as it was last synced, then run a command in it.

Seed report uv#14610: after ``sync --extra one``, ``run`` switched the environment back to the
lock's default selection without saying so. ferry's ``run`` reuses the selection recorded in the
environment (flags override it), syncs inexactly (nothing extraneous is removed), prints every
change it makes with a hint about ``--no-sync``, and ``--no-sync`` leaves the environment alone.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

from ferry.commands.common import open_cache
from ferry.commands.fastpath import child_env
from ferry.commands.sync import SyncRequest, SyncResult, sync_environment
from ferry.commands.sync_lock import obtain_lock
from ferry.commands.sync_state import SyncedSelection, read_state
from ferry.commands.workspace_sync import check_selection, resolve_packages
from ferry.model.errors import UsageError, UserError
from ferry.model.immutable import immutable, mutable
from ferry.model.settings import GlobalOptions
from ferry.model.value_fields import field, replace
from ferry.project.discovery import Project, discover_project, find_project_root
from ferry.python.environment import PythonEnvironment, is_virtualenv, open_environment

if TYPE_CHECKING:
    from ferry.cache.store import Cache
    from ferry.commands.pip_install import InstallResult
    from ferry.model.pep440_specifiers import SpecifierSet
    from ferry.python.interpreter import Interpreter

# Compiled on first use (``read_script_metadata``): a project ``run`` never needs it.
SCRIPT_BLOCK = r"(?m)^# /// (?P<type>[a-zA-Z0-9-]+)$\s(?P<content>(^#(| .*)$\s)+)^# ///$"


@immutable
class RunRequest:
    command: tuple[str, ...]
    sync: SyncRequest = field(default_factory=SyncRequest)
    selection_given: bool = False
    no_sync: bool = False
    exact: bool = False
    with_packages: tuple[str, ...] = ()
    with_requirements: tuple[Path, ...] = ()
    isolated: bool = False
    no_project: bool = False
    module: bool = False
    """``-m``: the command is a module, run with the environment's ``python -m``."""
    with_editables: tuple[str, ...] = ()
    """``--with-editable``: local trees installed editable in the ``--with`` overlay."""
    script: bool = False
    """``-s``/``--script``: the command's first word is a PEP 723 script, whatever its name."""
    env_files: tuple[str, ...] = ()
    """``--env-file`` (:mod:`ferry.commands.run_env_file`; ``FERRY_ENV_FILE`` when empty)."""
    no_env_file: bool = False
    max_recursion_depth: int | None = None
    """uv's hidden ``--max-recursion-depth`` (:func:`check_recursion`; None: 100). Not a CLI
    flag yet: the no-op fast path's table of valued ``run`` options must list it first."""

    @property
    def overlaid(self) -> bool:
        return bool(self.with_packages or self.with_requirements or self.with_editables)

    def __post_init__(self) -> None:
        # One member's environment and directory: a second `--package` is an error, as in uv.
        check_selection(self.sync.package, self.sync.all_packages, several=False)


@mutable
class RunPlan:
    """What the CLI prints, then execs."""

    argv: list[str]
    env: dict[str, str]
    outcomes: list[SyncResult | InstallResult] = field(default_factory=list)
    changed: bool = False
    selection_note: str | None = None
    warnings: list[str] = field(default_factory=list)
    cleanup: Path | None = None
    """``--isolated``: the temporary environment's directory, removed once the command ends
    (the CLI then waits for the command instead of replacing itself with it)."""
    summary: bool = False
    """The environments are the command's own (a script's, ``--isolated``): as uv 0.13.8, the
    CLI says only ``Installed N packages in …`` and the resolution's warnings — no interpreter,
    ``Resolved``, ``Prepared`` or ``+`` lines, whatever the verbosity."""


def _exec_env(environments: list[PythonEnvironment]) -> dict[str, str]:
    return child_env(str(environments[0].root), [str(e.scheme.scripts) for e in environments])


def _argv(request: RunRequest, environment: PythonEnvironment) -> list[str]:
    command = request.command
    if not command:
        raise UsageError(
            "Provide a command or script to invoke with `ferry run <command>` or "
            "`ferry run <script>.py`",
            hint="for example: `ferry run python -c 'import x'`",
        )
    if request.module:
        return [str(environment.python), "-m", *command]
    first = command[0]
    if request.script or (first.endswith(".py") and Path(first).is_file()):
        return [str(environment.python), *command]
    if first in ("python", "python3"):
        return [str(environment.python), *command[1:]]
    return list(command)


def read_script_metadata(path: Path) -> dict[str, object] | None:
    """The PEP 723 ``script`` block of ``path``, parsed, or ``None`` when it has none."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    blocks = [m for m in re.finditer(SCRIPT_BLOCK, text) if m.group("type") == "script"]
    if not blocks:
        return None
    if len(blocks) > 1:
        raise UserError(f"`{path}` has more than one `# /// script` block (PEP 723)")
    content = "".join(
        line[2:] if line.startswith("# ") else line[1:]
        for line in blocks[0].group("content").splitlines(keepends=True)
    )
    import tomllib

    try:
        return tomllib.loads(content)
    except tomllib.TOMLDecodeError as error:
        raise UserError(
            f"The `# /// script` block of `{path}` is not valid TOML: {error}"
        ) from error


def script_interpreter(
    cache: Cache, python: str | None, requires_python: SpecifierSet | None
) -> tuple[Interpreter, str | None]:
    """A script's interpreter and a warning. As uv 0.13.8: a ``--python`` is found as asked
    and, when it falls outside the block's requires-python, used with a warning; without
    one, the first interpreter that satisfies requires-python."""
    from ferry.python.discovery import find_interpreter
    from ferry.python.request import PythonRequest

    interpreter = find_interpreter(
        PythonRequest.parse(python) if python else None,
        cache,
        directory=Path.cwd(),
        requires_python=None if python else requires_python,
        allow_venvs=False,
    )
    if requires_python is None or requires_python.contains(interpreter.version,
                                                           prereleases=True):
        return interpreter, None
    return interpreter, (
        f"The requested interpreter resolved to Python {interpreter.version}, which is "
        f"incompatible with the script's Python requirement: `{requires_python}`"
    )


def _run_script(request: RunRequest, options: GlobalOptions, script: Path) -> RunPlan | None:
    """A PEP 723 script: in a cached environment of what its lock pins, or — without a lock —
    of its block resolved as a lock would be (:mod:`ferry.commands.script_env`); ``--with``
    packages in an overlay on top."""
    metadata = read_script_metadata(script)
    if metadata is None:
        return None  # as uv: a lock beside a file without a block is not looked at
    from ferry.project.script_lock import script_lock_path

    locked = script_lock_path(script).is_file()
    dependencies = metadata.get("dependencies", [])
    if not isinstance(dependencies, list) or not all(isinstance(d, str) for d in dependencies):
        raise UserError(
            f"`dependencies` in the script block of `{script}` must be a list of strings"
        )
    from ferry.model.pep440_specifiers import InvalidSpecifier, SpecifierSet

    requires_python = None
    raw_rp = metadata.get("requires-python")
    if isinstance(raw_rp, str):
        try:
            requires_python = SpecifierSet(raw_rp)
        except InvalidSpecifier as error:
            raise UserError(f"Invalid `requires-python` in `{script}`: {error}") from error
    from ferry.commands.script_env import with_block_indexes, without_lock

    plan = RunPlan(argv=[], env={}, summary=True)
    if request.isolated:
        plan.warnings.append("`--isolated` is a no-op for Python scripts with inline metadata, "
                             "which always run in isolation")
    if not locked:
        sync, warning = without_lock(script, request.sync)
        request = replace(request, sync=sync)
        plan.warnings.extend([warning] if warning else [])
    # `--with` packages are installed outside the resolution, from the block's indexes too
    indexed = replace(request, sync=with_block_indexes(request.sync, script, metadata))
    with open_cache(options) as cache:
        from ferry.commands.script_env import (
            locked_script_environment,
            unlocked_script_environment,
        )

        interpreter, mismatch = script_interpreter(cache, request.sync.python, requires_python)
        plan.warnings.extend([mismatch] if mismatch else [])
        make = locked_script_environment if locked else unlocked_script_environment
        environment = make(
            script, metadata, request.sync, options, cache, interpreter, plan.outcomes,
            plan.warnings,
        )
        environments = [environment]
        if request.overlaid:
            environments[:0] = _overlay(cache, environment, indexed, options, plan)
    plan.argv = [str(environments[0].python), *request.command]
    plan.env = _exec_env(environments)
    return plan


def _overlay(
    cache: Cache,
    base: PythonEnvironment,
    request: RunRequest,
    options: GlobalOptions,
    plan: RunPlan,
) -> list[PythonEnvironment]:
    """``--with``/``--with-requirements``: see :mod:`ferry.commands.run_with` (over an
    ``--isolated`` base, a layer in its temporary directory)."""
    from ferry.commands.run_with import overlay_environment

    return overlay_environment(
        cache, base, request.with_packages, request.with_requirements, request.sync, options,
        plan.outcomes, editables=request.with_editables,
        layer_in=plan.cleanup / "with" if plan.cleanup is not None else None,
    )


def _selection(
    request: RunRequest, project_env: Path, project: Project
) -> tuple[SyncedSelection, str | None]:
    packages = resolve_packages(project, request.sync.package, request.sync.all_packages)
    wanted = replace(request.sync.selection(), packages=packages)
    if request.selection_given:
        return replace(wanted, inexact=not request.exact), None
    state = read_state(project_env)
    if state is None:
        return replace(wanted, inexact=not request.exact), None
    # The members come from the directory and flags, like the project itself; the extras and
    # groups are what the environment was last synced with; whether the project is installed
    # (and how) is this run's, as in uv (``SyncedSelection.with_layering_of``).
    recorded = replace(
        state.selection.with_layering_of(wanted), inexact=not request.exact, packages=packages
    )
    if recorded == replace(wanted, inexact=not request.exact):
        return recorded, None
    note = f"Using the selection this environment was last synced with ({recorded.describe()})"
    return recorded, note


def plan_run(request: RunRequest, options: GlobalOptions) -> RunPlan:
    from ferry.commands.run_spawn import DEPTH_VARIABLE, check_recursion

    # first, as uv checks it: an endless shebang loop stops before anything is read or synced
    depth = check_recursion(request.max_recursion_depth)
    env_files = None
    if request.env_files or os.environ.get("FERRY_ENV_FILE") or "FERRY_NO_ENV_FILE" in os.environ:
        from ferry.commands.run_env_file import env_file_paths, load_env_files

        paths = env_file_paths(request.env_files, request.no_env_file)
        # read first, as uv does: a missing file stops the run before anything is synced
        env_files = load_env_files(paths, os.environ) if paths else None
    plan = _plan(request, options)
    if env_files is not None:
        from ferry.commands.run_env_file import apply_env_file

        added, warnings = env_files
        plan.warnings[:0] = warnings
        apply_env_file(plan.env, added)
    plan.env[DEPTH_VARIABLE] = str(depth + 1)
    return plan


def _plan(request: RunRequest, options: GlobalOptions) -> RunPlan:
    first = Path(request.command[0]) if request.command and not request.module else None
    if first is not None and request.script and first.is_dir():
        raise UsageError(
            f"Failed to read from file `{first}`: it is a directory",
            hint="`--script` runs a file as a PEP 723 script",
        )
    if first is not None and (request.script or first.suffix == ".py") and first.is_file():
        scripted = _run_script(request, options, first)
        if scripted is not None:
            return scripted
    root = None if request.no_project else find_project_root(Path.cwd())
    if root is None and request.sync.project is None:
        return _run_without_project(request, options)
    project = discover_project(project=request.sync.project)
    return _run_in_project(project, request, options)


def _run_without_project(request: RunRequest, options: GlobalOptions) -> RunPlan:
    """The environment the command would use anyway — the active ``VIRTUAL_ENV``, else the
    interpreter found from here (a ``.venv`` first) — with ``--with`` packages layered on
    top of it, as uv layers them (s9 review R9: they used to replace it). ``--isolated``: an
    empty temporary environment made from that interpreter (its base, for a venv), removed
    once the command ends, so nothing installed in the interpreter is seen (as uv 0.13.8)."""
    plan = RunPlan(argv=[], env={})
    with open_cache(options) as cache:
        active = os.environ.get("VIRTUAL_ENV")
        if active and is_virtualenv(Path(active)):
            environment = open_environment(Path(active), cache)
        else:
            from ferry.python.discovery import find_interpreter
            from ferry.python.request import PythonRequest

            interpreter = find_interpreter(
                PythonRequest.parse(request.sync.python) if request.sync.python else None,
                cache,
                directory=Path.cwd(),
            )
            environment = PythonEnvironment(interpreter.prefix, interpreter)
        if request.isolated:
            from ferry.commands.run_spawn import isolated_environment, isolated_root

            plan.cleanup = isolated_root(cache)
            plan.summary = True
            environment = isolated_environment(plan.cleanup / ".venv", environment.interpreter,
                                               cache)
        environments = [environment]
        if request.overlaid:
            environments[:0] = _overlay(cache, environment, request, options, plan)
    plan.argv = _argv(request, environments[0])
    plan.env = _exec_env(environments)
    return plan


def _run_in_project(project: Project, request: RunRequest, options: GlobalOptions) -> RunPlan:
    from ferry.commands.sync import environment_root

    plan = RunPlan(argv=[], env={})
    env_root = environment_root(project, request.sync.active)
    with open_cache(options) as cache:
        if request.no_sync:
            if not is_virtualenv(env_root):
                raise UserError(
                    f"`--no-sync` was given, but there is no environment at `{env_root}`",
                    hint="run `ferry sync` first",
                )
            environment = open_environment(env_root, cache)
        else:
            selection, note = _selection(request, env_root, project)
            result = SyncResult()
            result.cache_dir = str(cache.root)
            # as uv 0.13.8: `--isolated` resolves uv.lock's way but writes no lock
            locking = replace(request.sync, dry_run=True) if request.isolated else request.sync
            lock, text = obtain_lock(project, locking, options, cache, result)
            sync_request = replace(request.sync, record_selection=not request.selection_given)
            if request.isolated:
                from ferry.commands.project_env import unnamed_environments
                from ferry.commands.run_spawn import isolated_root, project_environment_at

                plan.cleanup = isolated_root(cache)
                plan.summary = True
                sync_request = replace(sync_request, active=False)
                with project_environment_at(plan.cleanup / ".venv"), unnamed_environments():
                    environment = sync_environment(
                        project, lock, text, sync_request, selection, options, cache, result
                    )
            else:
                environment = sync_environment(
                    project, lock, text, sync_request, selection, options, cache, result
                )
            plan.outcomes.append(result)
            execution = result.execution
            plan.changed = bool(execution and (execution.installed or execution.removed)
                                and not request.isolated)  # a new environment: no hint
            plan.selection_note = note
        environments = [environment]
        if request.overlaid:
            environments[:0] = _overlay(cache, environment, request, options, plan)
    plan.argv = _argv(request, environments[0])
    plan.env = _exec_env(environments)
    return plan
