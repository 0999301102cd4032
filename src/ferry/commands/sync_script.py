"""``ferry sync --script s.py``: bring a PEP 723 script's cached environment up to date.

It is the environment ``ferry run s.py`` uses (:mod:`ferry.commands.script_env`), found by the
same key, so a sync prepares the next run (which then neither resolves nor installs):

- a script with a lock (``s.py.lock``): the lock is brought up to date first, as ``run`` and
  ``lock --script`` do (re-locked when the block or a ``--resolution``/``--prerelease``/
  ``--fork-strategy`` changed it; ``--locked`` fails instead; ``--frozen`` takes it as it is),
  and the environment is the one keyed by the pins it selects for this interpreter;
- a script without one: the block is resolved in memory every time, as uv's ``sync --script``
  resolves it (nothing is written), and installed into the environment keyed by the block and
  the settings. ``--locked``/``--frozen`` (flag or variable) are errors there, as in uv 0.13.8:
  there is no lock to hold the sync to.

Unlike ``run``, a sync installs into an environment that exists already, exactly (what the
resolution does not name is removed; ``--reinstall`` reinstalls in place), and says what it did
as uv does: ``Using``/``Creating script environment at: PATH`` (``Would …`` for a dry run), the
``Resolved`` line (none under ``--frozen``), a dry run's lockfile line, then the changes.

uv keeps one environment per script path and updates it in place; ferry's are keyed by what
they hold (shared by scripts that resolve alike), so an edit to the block gives a new
environment (``Creating``) where uv would update its one (``Using``).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ferry.model.errors import UsageError, UserError
from ferry.model.log import get_logger

if TYPE_CHECKING:
    from ferry.cache.store import Cache
    from ferry.commands.lock import LockOutcome
    from ferry.commands.sync import SyncRequest, SyncResult
    from ferry.model.dist import PinnedDist
    from ferry.model.settings import GlobalOptions
    from ferry.project.pyproject import PyProject
    from ferry.python.environment import PythonEnvironment
    from ferry.python.interpreter import Interpreter

log = get_logger(__name__)

_NO_REQUIRES_PYTHON = "No `requires-python` value found"
"""How :func:`ferry.commands.script_lock.lock_script`'s warning about a block without
``requires-python`` begins."""
_READY = ".ferry-ready"
"""The mark :func:`ferry.commands.script_env.cached_venv` leaves in an environment it filled."""

# `sync` options that select parts of a project: a script has none (uv's parser refuses them
# beside `--script`), keyword -> the option as clap names it
SCRIPT_CONFLICTS = {
    "extras": "--extra <EXTRA>",
    "all_extras": "--all-extras",
    "no_extras": "--no-extra <NO_EXTRA>",
    "groups": "--group <GROUP>",
    "only_groups": "--only-group <ONLY_GROUP>",
    "all_groups": "--all-groups",
    "no_groups": "--no-group <NO_GROUP>",
    "no_dev": "--no-dev",
    "only_dev": "--only-dev",
    "no_default_groups": "--no-default-groups",
    "package": "--package <PACKAGE>",
    "all_packages": "--all-packages",
    "no_install_project": "--no-install-project",
    "no_install_workspace": "--no-install-workspace",
}
_SCRIPT = "--script <SCRIPT>"


def check_script_arguments(kwargs: dict[str, Any]) -> None:
    """Refuse ``--script`` beside a project selection flag, in the words of uv's parser and
    naming first the one typed first (``kwargs`` in command-line order, as click fills them)."""
    from ferry.model.argument_errors import ArgumentConflict

    if kwargs.get("script") is None:
        return
    given = [key for key in kwargs if kwargs[key] and (key == "script" or key in SCRIPT_CONFLICTS)]
    other = next((key for key in given if key != "script"), None)
    if other is None:
        return
    if given[0] == "script":
        raise ArgumentConflict(_SCRIPT, SCRIPT_CONFLICTS[other])
    raise ArgumentConflict(SCRIPT_CONFLICTS[other], _SCRIPT)


def sync_script(request: SyncRequest, options: GlobalOptions) -> SyncResult:
    """Sync the environment of ``request.script`` (see the module docstring)."""
    from ferry.commands.common import open_cache
    from ferry.commands.script_lock import script_project
    from ferry.commands.sync import SyncResult
    from ferry.project.script_lock import script_lock_path

    script = request.script
    assert script is not None
    metadata = _read_block(script)
    pyproject = script_project(script, metadata).pyproject
    assert pyproject.project is not None  # a script's stand-in project always has one
    requires_python = pyproject.project.requires_python_specifier
    has_lock = script_lock_path(script).is_file()
    if not has_lock and (request.frozen or request.locked):
        raise _no_lock_error(script, request)
    result = SyncResult(dry_run_requested=request.dry_run)
    with open_cache(options) as cache:
        from ferry.commands.run import script_interpreter

        result.cache_dir = str(cache.root)
        interpreter, mismatch = script_interpreter(cache, request.python, requires_python)
        result.warnings.extend([mismatch] if mismatch else [])
        outcome = _lock(script, metadata, has_lock, request, options, cache)
        _report_lock(outcome, has_lock, "requires-python" in metadata, request, result)
        from ferry.commands.script_env import script_pins

        pins = script_pins(outcome.lock, interpreter, script.absolute().parent)
        log.debug("the script %s selects %s", "lock" if has_lock else "block",
                  ", ".join(str(p) for p in pins) or "nothing")
        key = _key(script, metadata, has_lock, request, interpreter, pins)
        _sync_environment(script, pyproject, key, pins, interpreter, request, options, cache,
                          result)
    return result


def _read_block(script: Path) -> dict[str, Any]:
    """The script's block; a file without one is refused, as uv refuses it (``lock --script``
    and ``export --script`` take it as a script without dependencies, ``sync`` does not)."""
    from ferry.project.script_edit import find_block, read_metadata, read_script

    if find_block(read_script(script), script) is None:
        raise UserError(
            f"`{script}` does not contain a PEP 723 metadata tag",
            hint=f"run `ferry init --script {script}` to initialize the script",
        )
    return read_metadata(script)


def _no_lock_error(script: Path, request: SyncRequest) -> UsageError:
    """uv 0.13.8's refusal of ``--locked``/``--frozen`` (flag or variable, unlike ``run``,
    which only warns about the variable) for a script without a lock."""
    from ferry.commands.sync_lock import lock_request_of

    given = lock_request_of(request).mode_flag()
    spelled = f"`ferry sync {given}`" if given.startswith("-") else f"`ferry sync` with `{given}`"
    return UsageError(f"{spelled} requires a script lockfile",
                      hint=f"run `ferry lock --script {script}` to lock the script")


def _lock(
    script: Path, metadata: dict[str, Any], has_lock: bool, request: SyncRequest,
    options: GlobalOptions, cache: Cache,
) -> LockOutcome:
    """The script's lock brought up to date (written unless a dry run), or the block resolved
    in memory when there is no lock."""
    from ferry.commands.script_lock import lock_script
    from ferry.commands.sync_lock import lock_request_of

    return lock_script(script, lock_request_of(request), options, cache, metadata=metadata,
                       write=has_lock and not request.dry_run, keep_diagnostics=True)


def _report_lock(
    outcome: LockOutcome, has_lock: bool, declares_python: bool, request: SyncRequest,
    result: SyncResult,
) -> None:
    """What uv says of the lock: the resolution's warnings and ``Resolved`` line (neither
    under ``--frozen``, which resolves nothing), and for a dry run of a locked script whether
    the lock would change.

    uv 0.13.8 warns about a block without ``requires-python`` on every sync of a locked
    script (a fresh lock too) and never for an unlocked one, whose resolution is not a lock."""
    warnings = [w for w in outcome.warnings if not w.startswith(_NO_REQUIRES_PYTHON)]
    if has_lock and not request.frozen and not declares_python and outcome.lock.requires_python:
        warnings.append(f"{_NO_REQUIRES_PYTHON} in the script. "
                        f"Defaulting to `{outcome.lock.requires_python}`.")
    result.warnings.extend(warnings)
    if request.frozen:
        return
    result.resolved = outcome.resolved
    result.resolve_seconds = outcome.seconds
    result.lock_diagnostics = list(outcome.diagnostics)
    if request.dry_run and has_lock:
        from ferry.project.script_lock import script_lock_path

        assert request.script is not None
        name = script_lock_path(request.script).name
        verb = "Would update lockfile at" if outcome.written else "Found up-to-date lockfile at"
        result.lock_notes.append(f"{verb}: {name}")


def _key(
    script: Path, metadata: dict[str, Any], has_lock: bool, request: SyncRequest,
    interpreter: Interpreter, pins: list[PinnedDist],
) -> str:
    """The key ``run`` finds this script's environment by: a locked script's by its pins, an
    unlocked one's by its block and settings."""
    if has_lock:
        from ferry.commands.script_env import pins_key

        return pins_key(interpreter, pins)
    from ferry.commands.script_key import block_key

    return block_key(script, metadata, request, interpreter)


def _sync_environment(
    script: Path, pyproject: PyProject, key: str, pins: list[PinnedDist], interpreter: Interpreter,
    request: SyncRequest, options: GlobalOptions, cache: Cache, result: SyncResult,
) -> None:
    """Create the environment (``cached_venv``, so a concurrent ``run`` waits for it) or
    install into the one there, exactly; a dry run only plans."""
    from ferry.commands.common import installed_dists
    from ferry.python.environment import PythonEnvironment, is_virtualenv, open_environment

    root = cache.bucket("environments") / "scripts" / key
    ready = is_virtualenv(root) and (root / _READY).exists()
    result.environment = str(root)
    if request.dry_run:
        result.notes.append(f"Would {'use' if ready else 'create'} script environment at: {root}")
        environment = open_environment(root, cache) if ready else PythonEnvironment(root,
                                                                                    interpreter)
        _apply(pins, environment, installed_dists(environment) if ready else [], pyproject,
               request, options, cache, result)
        return
    from ferry.commands.script_env import cached_venv

    verb = "Using" if ready and not request.recreate else "Updating" if ready else "Creating"
    result.notes.append(f"{verb} script environment at: {root}")
    filled: list[bool] = []

    def fill(made: Path) -> None:
        filled.append(True)
        _apply(pins, open_environment(made, cache), [], pyproject, request, options, cache,
               result)

    environment = cached_venv(cache, "scripts", key, interpreter, fill,
                              remake="`--recreate` was given" if request.recreate else None,
                              prompt=script.name)
    if not filled:
        _apply(pins, environment, installed_dists(environment), pyproject, request, options,
               cache, result)


def _apply(
    pins: list[PinnedDist], environment: PythonEnvironment, installed: list[Any],
    pyproject: PyProject, request: SyncRequest, options: GlobalOptions, cache: Cache,
    result: SyncResult,
) -> None:
    """Install exactly ``pins`` (``--inexact`` keeps the rest) from the lock's URLs and hashes,
    recording on ``result`` what was done, or ``Checked`` when nothing was."""
    from ferry.commands.pipeline import apply_pins
    from ferry.commands.sync import install_sources
    from ferry.model.names import canonicalize_name

    started = time.perf_counter()
    client, builder = install_sources(request, options, cache, pyproject.tool.keyring_provider)
    with client:
        apply_pins(
            pins, installed, result, cache=cache, client=client, environment=environment,
            link_mode=request.link_mode or pyproject.tool.link_mode,
            compile=request.compile_bytecode or pyproject.tool.compile_bytecode,
            reinstall=True if request.reinstall
            else {canonicalize_name(n) for n in request.reinstall_package},
            exact=not request.inexact, dry_run=request.dry_run, builder=builder,
            refresh=options.refresh,
        )
    if request.dry_run:
        if not (result.to_install or result.to_remove):
            result.audited = len(pins)
        else:
            from ferry.commands.sync_dry_run import sync_downloads

            result.would_download = sync_downloads(result.to_install)
    elif result.execution is not None and not (result.execution.installed
                                               or result.execution.removed):
        result.audited = len(pins)
    result.audit_seconds = time.perf_counter() - started
