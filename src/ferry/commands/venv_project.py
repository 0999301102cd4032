"""Which interpreter ``ferry venv`` asks for inside a project, and what it warns, as uv 0.13.8.

``uv venv`` (without ``--no-project``) finds the project from the working directory (or
``--project``) and asks for, in this order: ``--python`` (or FERRY_PYTHON), the nearest
``.python-version`` between the start directory and the workspace root (one above the root is
not read; without a project the walk goes on to ``/``), else the workspace's
``requires-python`` (its members' intersection, spelled as the lock spells it). An explicit
request or a ``.python-version`` that requires-python does not allow is still used: uv warns
(naming the members whose declarations exclude it) and creates the environment anyway, so
ferry does too. A pyproject that does not parse is warned about and ignored, as uv does.
"""

from __future__ import annotations

import os
from pathlib import Path

from ferry.commands.venv_messages import display_path
from ferry.model.errors import ParseError
from ferry.model.immutable import immutable
from ferry.model.log import get_logger
from ferry.model.pep440_specifiers import Specifier, SpecifierSet
from ferry.model.pep440_version import InvalidVersion, Version
from ferry.project.discovery import Project
from ferry.python.interpreter import Interpreter
from ferry.python.request import PythonRequest, RequestKind

logger = get_logger(__name__)

REQUIRES_PYTHON = "requires-python"
_NOTE_VERSION_FILE = "Update the `.python-version` file to a compatible version"


@immutable
class VenvPython:
    """The request ``find_interpreter`` gets, where it came from, and the project's range."""

    request: PythonRequest | None
    source: str | None
    """None: ``--python``/FERRY_PYTHON, or nothing; a ``.python-version`` path; or
    :data:`REQUIRES_PYTHON`."""
    requires_python: str | None = None
    """The workspace's requires-python as uv spells it (None outside a project)."""


def venv_project(project_dir: Path | None, cwd: Path, *, no_project: bool) -> Project | None:
    """The project ``ferry venv`` reads its Python request from (None: none, or unreadable)."""
    if no_project:
        return None
    from ferry.project.discovery import discover_project, find_project_root
    from ferry.project.pyproject import PYPROJECT

    start = (project_dir or cwd).absolute()
    try:
        if project_dir is not None:
            if not (start / PYPROJECT).is_file():
                return None
            return discover_project(project=start)
        if find_project_root(start) is None:
            return None
        return discover_project(start)
    except ParseError as error:
        logger.warning("Failed to parse `%s` during environment creation:\n  %s",
                       PYPROJECT, error.message)
        return None


def choose_python(python: str | None, project: Project | None, start: Path) -> VenvPython:
    """What ``ferry venv`` asks for (see the module docstring)."""
    explicit = python or os.environ.get("FERRY_PYTHON", "").strip()
    if explicit:
        return VenvPython(PythonRequest.parse(explicit), None, _requires_python(project))
    if project is None:
        return VenvPython(None, None)  # discovery reads `.python-version` up to `/`
    from ferry.python.discovery import read_python_version_file

    requires_python = _requires_python(project)
    version_file = _version_file(start.absolute(), project.root.absolute())
    if version_file is not None:
        return VenvPython(read_python_version_file(version_file), str(version_file),
                          requires_python)
    if requires_python is not None:
        request = PythonRequest(requires_python, RequestKind.VERSION,
                                specifier=SpecifierSet(requires_python))
        logger.debug("Using Python request `%s` from `requires-python` metadata",
                     requires_python)
        return VenvPython(request, REQUIRES_PYTHON, requires_python)
    # No version file within the workspace: one above its root is not read (as uv).
    return VenvPython(PythonRequest("", RequestKind.ANY), None)


def _requires_python(project: Project | None) -> str | None:
    if project is None:
        return None
    from ferry.commands.lock import declared_requires_python

    return declared_requires_python(project)


def _version_file(start: Path, root: Path) -> Path | None:
    """The nearest ``.python-version`` from ``start`` up to the workspace ``root``."""
    from ferry.python.discovery import VERSION_FILE

    for folder in (start, *start.parents):
        candidate = folder / VERSION_FILE
        if candidate.is_file():
            return candidate
        if folder == root or root not in folder.parents:
            return None
    return None


def incompatibility(
    choice: VenvPython, interpreter: Interpreter, project: Project | None, cwd: Path
) -> str | None:
    """uv's warning when the chosen interpreter is outside the project's requires-python."""
    if choice.requires_python is None or project is None:
        return None
    version = interpreter.version
    try:
        if SpecifierSet(choice.requires_python).contains(version, prereleases=True):
            return None
    except ValueError:
        return None
    if choice.source is None:
        head = f"The requested interpreter resolved to Python {version}"
    elif choice.source == REQUIRES_PYTHON:
        head = f"The resolved Python interpreter (Python {version})"
    else:
        shown = display_path(choice.source, cwd)
        head = f"The Python request from `{shown}` resolved to Python {version}"
    text = (f"{head}, which is incompatible with the project's Python requirement: "
            f"`{choice.requires_python}`{_sources(project, version)}")
    if choice.source not in (None, REQUIRES_PYTHON):
        text += "\n" + _NOTE_VERSION_FILE
    return text


def _sources(project: Project, version: Version) -> str:
    """Which declarations exclude ``version``: none named for a single package (uv names the
    table), one inline, several as a list (by member name)."""
    members = project.workspace.members if project.workspace is not None else []
    packages = [m for m in members if m.pyproject.project is not None]
    conflicts = []
    for member in packages:
        assert member.pyproject.project is not None
        declared = member.pyproject.project.requires_python
        if declared and not SpecifierSet(declared).contains(version, prereleases=True):
            conflicts.append((str(member.name), _spelled(declared)))
    if len(packages) <= 1 or not conflicts:
        return " (from `project.requires-python`)"
    if len(conflicts) == 1:
        return f" (from workspace member `{conflicts[0][0]}`'s `project.requires-python`)."
    listed = "".join(f"\n- {name}: {spelled}" for name, spelled in sorted(conflicts))
    return f".\nThe following `requires-python` declarations do not permit this version:{listed}"


def _spelled(declared: str) -> str:
    """A declaration as uv prints it: its clauses sorted by version, joined by ``", "``."""
    clauses = [Specifier(part.strip()) for part in declared.split(",") if part.strip()]

    def order(clause: Specifier) -> Version:
        try:
            return Version(clause.version.removesuffix(".*"))
        except InvalidVersion:
            return Version("0")

    return ", ".join(f"{c.operator}{c.version}" for c in sorted(clauses, key=order))
