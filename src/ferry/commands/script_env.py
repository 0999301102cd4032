"""The cached environment of a PEP 723 script, with or without a lock (``<script>.lock``).

As uv does, ``ferry run script.py`` uses the lock when there is one: it is brought up to date
first (re-locked when the block changed; ``--locked`` fails instead, ``--frozen`` takes it as it
is), then the packages the lock selects for this interpreter — reachable from the lock's
``[manifest] requirements`` under this interpreter's markers, with the wheel that fits its tags —
are installed exactly, from the URLs and hashes the lock records. A newer release on the index
changes nothing until the lock changes.

A script without a lock is resolved the same way, in memory (nothing is written, as
``export --script`` and ``tree --script`` do), so every setting of the block's ``[tool.uv]``
that a lock honours — sources, indexes and the index strategy, ``exclude-newer``, constraints,
overrides, ``prerelease``, ``resolution`` — holds for ``run`` too, as it does in uv. Its
environment is keyed by what decides that resolution (the block, this run's index and
``exclude-newer`` flags, the stamps of local path dependencies, the interpreter), so a second
run with nothing changed neither resolves nor touches the network, and an edit to the block
gives a new environment. ``--upgrade``, ``--reinstall``, ``--recreate`` and ``--refresh``
resolve and fill it again.

Environments live in the cache's ``environments`` bucket under ``scripts/``: a locked script's
keyed by the interpreter and the pins themselves, so two scripts (or two revisions of a lock)
that select the same packages share one environment. An environment is only ever filled once:
it is marked ready after the install succeeded, and one that is not ready is made again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ferry.model.errors import UsageError
from ferry.model.log import get_logger
from ferry.model.names import canonicalize_name
from ferry.model.settings import GlobalOptions
from ferry.model.value_fields import replace
from ferry.python.environment import PythonEnvironment, is_virtualenv, open_environment

if TYPE_CHECKING:
    from ferry.cache.store import Cache
    from ferry.commands.pipeline import PipelineOutcome
    from ferry.commands.sync import SyncRequest
    from ferry.model.dist import PinnedDist
    from ferry.project.lock_model import Lock
    from ferry.python.interpreter import Interpreter

log = get_logger(__name__)

_GROUP = "script"
_DEFAULTED = "No `requires-python` value found"
"""How :func:`ferry.commands.script_lock.lock_script` begins its note on a block without
requires-python (said for ``lock --script``; ``run`` says uv's own words on every run)."""


def cached_venv(
    cache: Cache,
    kind: str,
    key: str,
    interpreter: Interpreter,
    fill: Callable[[Path], None],
    *,
    remake: str | None = None,
    prompt: str | None = None,
) -> PythonEnvironment:
    """The environment ``environments/<kind>/<key>``, created and ``fill``-ed once; one whose
    filling did not finish (no ready mark), or whose ``remake`` reason is given, is made
    again. ``prompt`` goes into ``pyvenv.cfg`` and the activation scripts (uv 0.13.8 gives a
    script's environment the script's file name; a ``--with`` overlay none)."""
    from ferry.fs.locks import lock_exclusive
    from ferry.python.venv import create_venv

    root = cache.bucket("environments") / kind / key
    with lock_exclusive(root.with_suffix(".lock"), what=f"{kind} environment"):
        ready = root / ".ferry-ready"
        if remake and ready.exists():
            log.debug("making the %s environment %s again: %s", kind, root, remake)
            ready.unlink()
        if not (is_virtualenv(root) and ready.exists()):
            log.debug("making the %s environment %s", kind, root)
            create_venv(root, interpreter, clear=is_virtualenv(root), allow_existing=root.exists(),
                        prompt=prompt)
            fill(root)
            ready.write_text("", encoding="utf-8")
        return open_environment(root, cache)


def script_pins(lock: Lock, interpreter: Interpreter, root_dir: Path) -> list[PinnedDist]:
    """What the lock selects for ``interpreter``: the script's requirements (whose markers
    hold) and everything they reach; the requirements themselves are marked requested."""
    from ferry.commands.workspace_sync import ROOT_GROUPS, with_root_groups
    from ferry.project.lock_select import Selection, select

    requirements = lock.manifest.requirements
    rooted = with_root_groups(
        replace(lock, manifest=replace(lock.manifest, dependency_groups=((_GROUP, requirements),)))
    )
    chosen = select(
        rooted,
        [ROOT_GROUPS],
        Selection(groups=frozenset({_GROUP}), include_project_deps=False),
        interpreter.markers,
        interpreter.tags,
        str(root_dir),
    )
    direct = {canonicalize_name(r.name) for r in requirements}
    return [
        replace(item.pin, requested=item.pin.name in direct)
        for item in chosen
        if item.pin is not None
    ]


def pins_key(
    interpreter: Interpreter, pins: list[PinnedDist], *, extra: tuple[str, ...] = (),
    prefix: str = "lock",
) -> str:
    """The cache key of an environment holding exactly ``pins`` for ``interpreter`` (and
    whatever ``extra`` says it also depends on): two resolutions that agree share it."""
    lines = [str(interpreter.executable), *extra]
    for pin in sorted(pins, key=lambda p: p.name):
        file = pin.file
        lines.append(
            f"{pin.name}=={pin.version} {pin.direct_url or ''} {file.url if file else ''} "
            f"{file.hashes.sha256 if file else ''} {pin.editable}"
        )
    return f"{prefix}-" + hashlib.sha256("\n".join(lines).encode()).hexdigest()[:16]


def locked_script_environment(
    script: Path,
    metadata: dict[str, Any],
    sync: SyncRequest,
    options: GlobalOptions,
    cache: Cache,
    interpreter: Interpreter,
    outcomes: list[Any],
    warnings: list[str],
) -> PythonEnvironment:
    """The script's environment as its lock says (see the module docstring). ``warnings``
    gets what uv 0.13.8 says before it installs: the default requires-python (on every run,
    as uv), then a re-lock's resolution warnings."""
    from ferry.commands.script_lock import lock_script
    from ferry.commands.sync_lock import lock_request_of

    outcome = lock_script(script, lock_request_of(sync), options, cache, metadata=metadata,
                          keep_diagnostics=True)
    if "requires-python" not in metadata:
        warnings.append("No `requires-python` value found in the workspace. "
                        f"Defaulting to `{outcome.lock.requires_python}`.")
    warnings.extend(w for w in outcome.warnings if not w.startswith(_DEFAULTED))
    warnings.extend(outcome.diagnostics)
    pins = script_pins(outcome.lock, interpreter, script.absolute().parent)
    log.debug("the script lock selects %s", ", ".join(str(p) for p in pins) or "nothing")

    def fill(root: Path) -> None:
        outcomes.append(_install(pins, root, metadata, script, sync, options, cache))

    return cached_venv(cache, "scripts", pins_key(interpreter, pins), interpreter, fill,
                       prompt=script.name)


def without_lock(script: Path, sync: SyncRequest) -> tuple[SyncRequest, str | None]:
    """``--frozen``/``--locked`` for a script that has no lock, as uv 0.13.8 treats them: the
    flag is a usage error (exit 2) — there is no lock to hold the run to — while the variable
    (``FERRY_FROZEN=1``, ``FERRY_LOCKED=1``), set for a whole shell or CI job that also runs
    scripts, is ignored with a warning (returned) and the block is resolved as usual."""
    if not (sync.frozen or sync.locked):
        return sync, None
    from ferry.commands.sync_lock import lock_request_of

    given = lock_request_of(sync).mode_flag()
    command = f"ferry lock --script {script}"
    if given.startswith("--"):
        raise UsageError(
            f"Unable to find lockfile for Python script, but `{given}` was provided.",
            hint=f"To create a lockfile, run `{command}`.",
        )
    log.debug("%s has no lock: `%s` does not apply to it", script, given)
    warning = (f"No lockfile found for Python script (ignoring `{given}`); "
               f"run `{command}` to generate a lockfile")
    return replace(sync, frozen=False, locked=False, given_as=None), warning


def unlocked_script_environment(
    script: Path,
    metadata: dict[str, Any],
    sync: SyncRequest,
    options: GlobalOptions,
    cache: Cache,
    interpreter: Interpreter,
    outcomes: list[Any],
    warnings: list[str],
) -> PythonEnvironment:
    """The environment of a script without a lock: its block resolved in memory as a lock
    would be, installed for ``interpreter`` (see the module docstring); ``sync`` has been
    through :func:`without_lock`. The resolution's warnings go on the outcome's
    ``diagnostics``, said after ``Installed`` as uv 0.13.8 says them; ``warnings`` gets
    only what reading the block warns about (uv says nothing on requires-python here)."""
    from ferry.commands.script_key import block_key
    from ferry.commands.script_lock import lock_script
    from ferry.commands.sync_lock import lock_request_of

    key = block_key(script, metadata, sync, interpreter)

    def fill(root: Path) -> None:
        outcome = lock_script(
            script, lock_request_of(sync), options, cache, metadata=metadata, write=False,
            keep_diagnostics=True,
        )
        warnings.extend(w for w in outcome.warnings if not w.startswith(_DEFAULTED))
        pins = script_pins(outcome.lock, interpreter, script.absolute().parent)
        log.debug("the block of %s resolves to %s for this interpreter", script,
                  ", ".join(str(p) for p in pins) or "nothing")
        result = _install(pins, root, metadata, script, sync, options, cache)
        result.resolved = outcome.resolved
        result.resolve_seconds = outcome.seconds
        result.diagnostics[:0] = outcome.diagnostics
        outcomes.append(result)

    return cached_venv(
        cache, "scripts", key, interpreter, fill, remake=remake_reason(sync, options),
        prompt=script.name,
    )


def remake_reason(sync: SyncRequest, options: GlobalOptions) -> str | None:
    """Why a script environment found under its block's key is resolved and filled again."""
    if sync.upgrade or sync.upgrade_package:
        return "an upgrade was asked for"
    if sync.reinstall or sync.reinstall_package:
        return "a reinstall was asked for"
    if sync.recreate:
        return "`--recreate` was given"
    if options.refresh:
        return options.refresh.reason()
    return None


def _install(
    pins: list[PinnedDist],
    root: Path,
    metadata: dict[str, Any],
    script: Path,
    sync: SyncRequest,
    options: GlobalOptions,
    cache: Cache,
) -> PipelineOutcome:
    """Install exactly ``pins`` into the new environment at ``root`` (files by the lock's
    URLs and hashes; the index is asked only for credentials' sake)."""
    from ferry.commands.script_lock import script_project
    from ferry.commands.sync import install_sources

    keyring = script_project(script, metadata).pyproject.tool.keyring_provider
    client, builder = install_sources(sync, options, cache, keyring)
    with client:
        return install_pins(pins, root, client, builder, sync, options, cache)


def install_pins(
    pins: list[PinnedDist],
    root: Path,
    client: Any,
    builder: Any,
    sync: SyncRequest,
    options: GlobalOptions,
    cache: Cache,
) -> PipelineOutcome:
    """Install exactly ``pins`` into the new environment at ``root``, with ``client`` (open)
    and ``builder``: the fill of every environment made from a resolution (scripts,
    ``run --with``)."""
    from ferry.commands.pipeline import PipelineOutcome, apply_pins

    result = PipelineOutcome(cache_dir=str(cache.root))
    apply_pins(
        pins,
        [],
        result,
        cache=cache,
        client=client,
        environment=open_environment(root, cache),
        link_mode=sync.link_mode,
        compile=sync.compile_bytecode,
        reinstall=False,
        exact=True,
        dry_run=False,
        builder=builder,
        refresh=options.refresh,
    )
    return result


def with_block_indexes(sync: SyncRequest, script: Path, metadata: dict[str, Any]) -> SyncRequest:
    """``sync`` with the indexes the block declares (``[[tool.uv.index]]``) for the installs
    that do not go through the script's resolution (``--with``): the default index
    (unless ``--index-url`` names one) and the others searched before it, as ``lock`` orders
    them (:func:`ferry.commands.lock_indexes.choose_indexes`)."""
    tool = metadata.get("tool")
    uv = tool.get("uv") if isinstance(tool, dict) else None
    if not isinstance(uv, dict) or not uv.get("index") or sync.no_index:
        return sync
    from ferry.commands.lock_indexes import choose_indexes
    from ferry.commands.script_lock import script_project

    choice = choose_indexes(
        script_project(script, metadata).pyproject,
        index_url=sync.index_url,
        extra_index_urls=sync.extra_index_url,
        find_links=sync.find_links,
        no_index=False,
    )
    log.debug("the block of %s names its indexes: %s", script, ", ".join(choice.urls))
    return replace(sync, index_url=choice.urls[-1], extra_index_url=choice.urls[:-1])
