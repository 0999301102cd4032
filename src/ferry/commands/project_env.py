"""The project's environment: found, validated, repaired in place, or (only if it must) recreated.

Seed report uv#16231: an environment was deleted and recreated because the interpreter's *patch*
version changed (3.11.13 → 3.11.14), losing a package copied in from another build stage. An
environment's site-packages belong to one implementation and major.minor (``lib/python3.11``), so
that — what ``pyvenv.cfg`` records — is what decides:

- the interpreter it runs is of another major.minor than recorded (a base upgraded 3.11 → 3.12 at
  the same path), or the request (``--python``, ``.python-version``, requires-python) needs another
  implementation or major.minor: it is recreated, the reason printed at normal verbosity — unless
  the interpreter the new environment would get can run the old site-packages as they are (a 3.11
  is asked for, or first on PATH): then it is re-pointed at that one instead;
- another installation of the same implementation and major.minor is asked for (``-p PATH``,
  ``-p python3.11``, ``-p 3.11.2``), or its base interpreter is gone while an equivalent one is
  available: it is re-pointed at that interpreter in place, site-packages kept, one line printed;
- its base changed at patch level under the same path: ``pyvenv.cfg`` is updated, one line printed.

Only an explicit request (``--python``, FERRY_PYTHON) pins a patch version: pyenv writes full
versions into ``.python-version``, and a base image moving 3.11.13 → 3.11.14 must not break a
project that pins 3.11.13 there. With ``--inexact`` a recreation that would drop packages the
lock does not name (read from every site-packages on disk, so an environment whose interpreter
is gone or changed is covered too) is refused, naming them, unless ``--recreate`` is given.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from ferry.cache.store import Cache
from ferry.commands.project_env_inplace import (
    display_path,
    linked_base,
    repair_patch_level,
    repoint_in_place,
)
from ferry.model.errors import InterpreterNotFoundError, UserError
from ferry.model.immutable import immutable, mutable
from ferry.model.log import get_logger
from ferry.model.pep440_specifiers import SpecifierSet
from ferry.model.value_fields import field, replace
from ferry.project.discovery import (
    ENVIRONMENT_VARIABLES,
    environment_prompt,
    environment_variable,
)
from ferry.python.discovery import find_interpreter, requested_python
from ferry.python.environment import PythonEnvironment, is_virtualenv, open_environment
from ferry.python.interpreter import Interpreter, pyenv_shim_context
from ferry.python.pyvenv_cfg import read_pyvenv_cfg
from ferry.python.request import PythonRequest, RequestKind
from ferry.python.venv import create_venv
from ferry.wheel.installed import iter_installed

logger = get_logger(__name__)


@mutable
class EnvironmentOutcome:
    environment: PythonEnvironment
    notes: list[str] = field(default_factory=list)
    created: bool = False
    repaired: str | None = None
    """What changed in place (a patch-level update or a re-point), as printed."""
    hypothetical: bool = False
    """A dry run's would-be environment: its interpreter is the one a sync would use, and
    nothing is installed in it (``site_dirs`` are the base interpreter's: do not list them)."""


@immutable
class Recorded:
    """What an environment was made for, as its ``pyvenv.cfg`` says (its site-packages match)."""

    implementation: str | None  # "cpython"; None when the creator did not write it (stdlib)
    major_minor: tuple[int, int] | None
    version: str  # "3.11.2", or "" when not recorded

    def fits(self, interpreter: Interpreter) -> bool:
        if self.implementation is not None and interpreter.implementation != self.implementation:
            return False
        return self.major_minor is None or interpreter.major_minor == self.major_minor


def recorded_of(root: Path) -> Recorded:
    values = read_pyvenv_cfg(root)
    version = values.get("version_info", "")
    numbers = version.split(".")[:2]
    major_minor = (int(numbers[0]), int(numbers[1])) if (
        len(numbers) == 2 and all(n.isdigit() for n in numbers)) else None
    implementation = values.get("implementation", "").strip().lower() or None
    return Recorded(implementation, major_minor, version)


@immutable
class Verdict:
    """Keep the environment (``target`` None, ``reason`` None), re-point it at ``target``
    (``reason`` None), or recreate it for ``reason`` (with ``target`` if already found)."""

    target: Interpreter | None = None
    reason: str | None = None


def _unmet(
    interpreter: Interpreter, request: PythonRequest | None, requires_python: SpecifierSet | None
) -> str | None:
    """Why ``interpreter`` does not satisfy a version request or requires-python. A request
    without ``t`` is met by either build kind: it never moves a free-threaded environment."""
    if request is not None and request.kind is RequestKind.VERSION:
        if request.implementation and interpreter.implementation != request.implementation:
            return f"it uses {interpreter.implementation}, but {request} is requested"
        unmet = replace(request, free_threaded=interpreter.gil_disabled or request.free_threaded)
        if not unmet.satisfied_by(interpreter):
            return f"it uses Python {interpreter.version}, but {request} is requested"
    if requires_python is not None and not requires_python.contains(
        interpreter.version, prereleases=True
    ):
        return (
            f"it uses Python {interpreter.version}, which the project's requires-python "
            f"`{requires_python}` does not allow"
        )
    return None


def _within(
    request: PythonRequest | None, recorded: Recorded, gil: bool | None
) -> PythonRequest | None:
    """``request`` narrowed to the recorded implementation and major.minor (and, when the
    environment runs, its build kind), or None when no such interpreter can satisfy it."""
    if recorded.major_minor is None:
        return None
    wanted = request or PythonRequest("", RequestKind.VERSION, free_threaded=bool(gil))
    implementation = recorded.implementation or wanted.implementation
    if wanted.kind is not RequestKind.VERSION or (
        wanted.implementation and implementation != wanted.implementation
    ):
        return None
    if wanted.parts[:2] != recorded.major_minor[: len(wanted.parts[:2])]:
        return None
    if gil is not None and wanted.free_threaded and not gil:
        return None
    parts = wanted.parts if len(wanted.parts) > 2 else recorded.major_minor
    return replace(
        wanted,
        text=f"{implementation or 'python'}{'.'.join(map(str, parts))}",
        implementation=implementation,
        parts=parts,
        free_threaded=wanted.free_threaded if gil is None else gil,
    )


def _fits(
    root: Path, candidate: Interpreter, recorded: Recorded, current: Interpreter | None
) -> bool:
    """Can ``candidate`` run this environment's site-packages as they are? Same implementation,
    major.minor and build kind, the same machine (32/64-bit, architecture, libc: compiled
    extensions are built for them), and the same site-packages directory (``lib/python3.13t``…)."""
    if current is not None and (candidate.gil_disabled != current.gil_disabled
                                or _machine(candidate) != _machine(current)):
        return False
    return (
        recorded.major_minor is not None
        and recorded.fits(candidate)
        and (root / candidate.venv_layout.purelib).is_dir()
    )


def _machine(interpreter: Interpreter) -> tuple[object, ...]:
    """What a compiled extension in site-packages was built for, beyond the Python version."""
    libc = "musl" if any("musllinux" in str(tag) for tag in interpreter.tags) else "default"
    return (interpreter.pointer_size, interpreter.markers.get("platform_machine"),
            interpreter.markers.get("sys_platform"), libc)


def _same_installation(one: Interpreter, other: Interpreter) -> bool:
    return os.path.realpath(one.base_executable) == os.path.realpath(other.base_executable)


def _search(
    request: PythonRequest, cache: Cache, project_dir: Path, requires_python: SpecifierSet | None
) -> Interpreter | None:
    try:
        return _find(request, cache, project_dir, requires_python)
    except InterpreterNotFoundError as error:
        logger.debug("No interpreter for %s to keep the environment with: %s", request, error)
        return None


def _assess(
    root: Path,
    current: Interpreter | None,
    recorded: Recorded,
    request: PythonRequest | None,
    requires_python: SpecifierSet | None,
    cache: Cache,
    project_dir: Path,
    broken: str | None,
) -> Verdict:
    """Keep, re-point or recreate; see the module docstring. ``current`` is None when the
    environment is ``broken`` (its interpreter gone or failing)."""
    if current is not None and not recorded.fits(current):
        return Verdict(reason=f"its interpreter changed from Python {recorded.version} to "
                              f"{current.describe()}")
    if request is not None and request.kind in (RequestKind.PATH, RequestKind.NAME):
        wanted = _find(request, cache, project_dir, requires_python)
        if current is not None and _same_installation(wanted, current):
            return Verdict()
        if _fits(root, wanted, recorded, current):
            return Verdict(target=wanted)
        used = current.describe() if current is not None else f"Python {recorded.version}"
        return Verdict(wanted, broken or f"it uses {used}, but {request} is {wanted.describe()}")
    unmet = broken if current is None else _unmet(current, request, requires_python)
    if unmet is None:
        return Verdict()
    narrowed = _within(request, recorded, current.gil_disabled if current else None)
    found = narrowed and _search(narrowed, cache, project_dir, requires_python)
    if found and _fits(root, found, recorded, current):
        return Verdict(target=found)
    return Verdict(reason=unmet)


def _open_existing(root: Path, cache: Cache) -> tuple[PythonEnvironment | None, str | None]:
    """The environment, or why it cannot run (most often: its base interpreter is gone)."""
    try:
        return open_environment(root, cache), None
    except UserError as error:
        base = linked_base(root)
        if not Path(base).exists():
            return None, f"its base interpreter `{base}` is gone"
        return None, error.message


def _explicit(request: PythonRequest | None, source: str | None) -> PythonRequest | None:
    """The request as it binds an existing environment: a version from ``.python-version``
    counts to major.minor only (see the module docstring); "any" binds nothing."""
    if request is None or request.kind is RequestKind.ANY:
        return None
    if source in (None, "FERRY_PYTHON") or request.kind is not RequestKind.VERSION:
        return request
    return replace(request, parts=request.parts[:2]) if len(request.parts) > 2 else request


def ensure_project_environment(
    root: Path,
    cache: Cache,
    *,
    project_dir: Path,
    python: str | None,
    requires_python: SpecifierSet | None,
    inexact: bool = False,
    recreate: bool = False,
    keep_names: frozenset[str] = frozenset(),
    create: bool = True,
    dry_run: bool = False,
) -> EnvironmentOutcome:
    """The environment at ``root``, valid for the request; see the module docstring. With
    ``dry_run`` nothing is written: what would be created, recreated or updated is said with
    "Would …", and a would-be environment comes back ``hypothetical`` (nothing installed)."""
    request, source = requested_python(PythonRequest.parse(python) if python else None, project_dir)
    notes: list[str] = []
    if root.exists() and not is_virtualenv(root) and any(root.iterdir()):
        raise UserError(
            f"The project environment path `{root}` exists but is not a virtual environment",
            hint=f"move it away, or point {environment_variable() or ENVIRONMENT_VARIABLES[0]} "
            "elsewhere",
        )
    chosen: Interpreter | None = None
    if is_virtualenv(root) and not recreate:
        environment, broken = _open_existing(root, cache)
        current = environment.interpreter if environment is not None else None
        recorded = recorded_of(root)
        if current is not None and recorded.major_minor is None:
            recorded = Recorded(current.implementation, current.major_minor, recorded.version)
        verdict = _assess(root, current, recorded, _explicit(request, source), requires_python,
                          cache, project_dir, broken)
        chosen = verdict.target
        if verdict.reason is not None and create:
            chosen = chosen or _find(request, cache, project_dir, requires_python)
            if _fits(root, chosen, recorded, None):
                # What would be created can use the site-packages as they are: keep them.
                verdict = Verdict(target=chosen)
        if verdict.reason is None:
            return _kept(root, cache, environment, chosen, recorded, current, notes, dry_run)
        _refuse_losing_packages(root, environment, inexact, keep_names, verdict.reason)
        notes.append(f"Recreating virtual environment at: {display_path(root)} ({verdict.reason})")
    elif is_virtualenv(root) and recreate:
        notes.append(f"Recreating virtual environment at: {display_path(root)} (--recreate)")
    if not create:
        raise UserError(f"No project environment at `{display_path(root)}`")
    interpreter = chosen or _find(request, cache, project_dir, requires_python)
    where = f" (from {source})" if source else ""
    logger.debug("Chose %s%s", interpreter.describe(), where)
    shown = interpreter.executable
    if pyenv_shim_context(shown):  # name what the environment will link to, not pyenv's shim
        shown = interpreter.base_executable
    notes.insert(0, f"Using {interpreter.describe()} interpreter at: {shown}")
    if dry_run:
        return _would_create(root, interpreter, notes)
    if not any("Recreating" in n for n in notes):
        notes.append(f"Creating virtual environment at: {display_path(root)}")
    create_venv(root, interpreter, clear=is_virtualenv(root), allow_existing=root.exists(),
                prompt=None if _UNNAMED else environment_prompt(project_dir))
    return EnvironmentOutcome(open_environment(root, cache), notes, created=True)


_UNNAMED: list[bool] = []


@contextlib.contextmanager
def unnamed_environments() -> Iterator[None]:
    """Project environments created meanwhile get no prompt: ``run --isolated``'s throw-away
    environment, which uv 0.13.8 makes without one (a project's own gets the project's name)."""
    _UNNAMED.append(True)
    try:
        yield
    finally:
        _UNNAMED.pop()


def _kept(
    root: Path, cache: Cache, environment: PythonEnvironment | None, chosen: Interpreter | None,
    recorded: Recorded, current: Interpreter | None, notes: list[str], dry_run: bool,
) -> EnvironmentOutcome:
    """The existing environment, re-pointed at ``chosen`` or repaired at patch level if need
    be (under ``dry_run`` only said)."""
    repaired: str | None
    if chosen is not None:
        repaired = repoint_in_place(root, chosen, recorded, current, write=not dry_run)
    else:
        assert current is not None
        repaired = repair_patch_level(root, current, write=not dry_run)
    if repaired:
        notes.append(repaired)
        if not dry_run:
            environment = open_environment(root, cache)
    if dry_run and not repaired:
        notes.append(f"Would use project environment at: {display_path(root)}")
    if environment is None:  # a dry run's re-point of an environment whose base is gone
        assert dry_run and chosen is not None
        return EnvironmentOutcome(PythonEnvironment(root, chosen), notes, repaired=repaired,
                                  hypothetical=True)
    return EnvironmentOutcome(environment, notes, repaired=repaired)


def _would_create(root: Path, interpreter: Interpreter, notes: list[str]) -> EnvironmentOutcome:
    """A dry run's answer where a sync would create or recreate the environment: said as uv
    says it, nothing written."""
    notes[1:] = [note.replace("Recreating virtual environment at:",
                              "Would recreate project environment at:") for note in notes[1:]]
    if len(notes) == 1:
        notes.append(f"Would create project environment at: {display_path(root)}")
    return EnvironmentOutcome(PythonEnvironment(root, interpreter), notes, hypothetical=True)


def reading_interpreter(root: Path, cache: Cache, *, project_dir: Path, python: str | None,
                        requires_python: SpecifierSet | None) -> Interpreter:
    """The interpreter a command that only reads the project evaluates markers for (``tree``),
    as uv 0.13.8 picks it: the project environment's at ``root`` (``FERRY_``/
    ``UV_PROJECT_ENVIRONMENT`` placing it; an active ``VIRTUAL_ENV`` is not looked at) when it
    runs and meets the request (``--python``, ``.python-version``) and requires-python, else
    the interpreter a new project environment would be made from. Nothing is written."""
    request, source = requested_python(PythonRequest.parse(python) if python else None, project_dir)
    explicit = _explicit(request, source)
    if is_virtualenv(root) and (explicit is None or explicit.kind is RequestKind.VERSION):
        current = _open_existing(root, cache)[0]
        if current is not None and _unmet(current.interpreter, explicit, requires_python) is None:
            logger.debug("Reading for the project environment's %s", current.interpreter.describe())
            return current.interpreter
    return _find(request, cache, project_dir, requires_python)


def _find(request: PythonRequest | None, cache: Cache, project_dir: Path,
          requires_python: SpecifierSet | None) -> Interpreter:
    """The interpreter a new environment is made from (InterpreterNotFoundError if none): found
    before anything is refused or removed, so a request nothing satisfies changes nothing."""
    return find_interpreter(request, cache, directory=project_dir,
                            requires_python=requires_python, allow_venvs=False)


def site_dirs_on_disk(root: Path) -> list[Path]:
    """Every site-packages directory under ``root`` (``lib/*/site-packages``,
    ``Lib/site-packages``), whichever interpreter made it: what a recreation would delete."""
    found: list[Path] = []
    for lib in ("lib", "Lib"):
        base = root / lib
        try:
            children = sorted(base.iterdir())
        except OSError:
            continue
        found.extend(child / "site-packages" for child in children
                     if (child / "site-packages").is_dir())
        if (base / "site-packages").is_dir():
            found.append(base / "site-packages")
    return found


def _refuse_losing_packages(
    root: Path,
    environment: PythonEnvironment | None,
    inexact: bool,
    keep_names: frozenset[str],
    reason: str,
) -> None:
    """With ``--inexact``, recreating must not silently drop packages the lock does not name,
    wherever they are: the environment's own site-packages and every other one on disk (an
    environment whose interpreter is gone or changed minor version cannot report its own)."""
    if not inexact:
        return
    site_dirs = [*(environment.site_dirs if environment is not None else ()),
                 *site_dirs_on_disk(root)]
    extraneous = sorted({
        f"{d.name}=={d.version}" for d in iter_installed(site_dirs) if d.name not in keep_names
    })
    if extraneous:
        raise UserError(
            f"The environment at `{display_path(root)}` must be recreated ({reason}), which would "
            f"remove packages that `--inexact` keeps: {', '.join(extraneous)}",
            hint="pass `--recreate` to recreate it anyway, or ask for a compatible Python",
        )
