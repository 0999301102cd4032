"""Finding the project: its root, its pyproject, its environment and its ``.python-version``.

Why walking up: like uv and git, a command run anywhere inside a project acts on that project.
The first ``pyproject.toml`` found that declares a project (``[project]``), or is a uv-style root
without one (``[tool.uv]``, ``[tool.ferry]`` or ``[dependency-groups]``), wins; a pyproject
without any of those (a tool-only config file such as one holding only ``[tool.black]``) is
skipped, as uv skips it. ``--project`` names the root directly and disables the walk.

Then the workspace: when that project declares ``[tool.uv.workspace]`` or is a member of the
nearest ancestor declaring one (:mod:`ferry.project.workspace`), the :class:`Project` is the
workspace root — one ``uv.lock`` and one ``.venv`` serve every member — and remembers the member
the command was started in (``current``), which ``sync``, ``run``, ``add`` and ``remove`` act on.
"""

from __future__ import annotations

import os
from pathlib import Path

from ferry.model.errors import FerryError, UserError
from ferry.model.immutable import immutable
from ferry.model.log import get_logger
from ferry.model.names import NormalizedName
from ferry.project.pyproject import PYPROJECT, PyProject, parse_pyproject
from ferry.project.toml_read import display_path, load_toml, read_text
from ferry.project.workspace import Member, Workspace, declares_workspace, find_workspace
from ferry.python.discovery import find_python_version_file

log = get_logger(__name__)

LOCK_NAME = "uv.lock"
DEFAULT_ENVIRONMENT = ".venv"
_ROOT_TABLES = ("project", "dependency-groups")
_ROOT_TOOLS = ("uv", "ferry")


@immutable
class Project:
    """A discovered project: where it is and what its pyproject says.

    In a workspace, ``root`` and ``pyproject`` are the workspace root's, ``workspace`` holds
    every member and ``current`` names the member the command started in (``None`` at a root
    without ``[project]``). ``script`` marks the stand-in project of a PEP 723 script, whose
    lock uv writes a little differently (``requires-python`` as the block spells it).
    """

    root: Path
    pyproject: PyProject
    workspace: Workspace | None = None
    current: NormalizedName | None = None
    script: bool = False

    @property
    def lock_path(self) -> Path:
        return self.root / LOCK_NAME

    @property
    def environment_path(self) -> Path:
        return project_environment_path(self.root)

    def python_version_file(self) -> Path | None:
        return python_version_file(self.root)

    def workspace_members(self) -> dict[NormalizedName, Path]:
        if self.workspace is not None:
            return {m.name: m.root for m in self.workspace.members}
        return workspace_members(self.pyproject)

    def current_member(self) -> Member | None:
        """The member the command started in, when in a workspace."""
        if self.workspace is None or self.current is None:
            return None
        return self.workspace.member(self.current)


def _declares_project(path: Path) -> bool:
    """Whether the pyproject at ``path`` is a project root (syntax errors are reported)."""
    data = load_toml(read_text(path), path, PYPROJECT)
    if any(key in data for key in _ROOT_TABLES):
        return True
    tool = data.get("tool")
    return isinstance(tool, dict) and any(key in tool for key in _ROOT_TOOLS)


def find_project_root(start: Path) -> Path | None:
    """The nearest directory at or above ``start`` whose pyproject declares a project."""
    start = start.absolute()
    for directory in (start, *start.parents):
        candidate = directory / PYPROJECT
        if candidate.is_file():
            if _declares_project(candidate):
                log.debug("project root: %s", directory)
                return directory
            log.debug("skipping %s: no [project], [dependency-groups] or [tool.uv]", candidate)
    return None


def discover_project(start: Path | None = None, *, project: Path | None = None) -> Project:
    """The project for a command: ``--project`` if given, else walking up from ``start``
    (the working directory by default)."""
    if project is not None:
        root = project.absolute()
        if not (root / PYPROJECT).is_file():
            raise UserError(
                f"No `{PYPROJECT}` found in `{display_path(root)}` (from `--project`)",
                hint="point `--project` at the directory that holds the project's pyproject.toml",
            )
    else:
        where = (start or Path.cwd()).absolute()
        found = find_project_root(where)
        if found is None:
            raise UserError(
                f"No `{PYPROJECT}` found in `{display_path(where)}` or any parent directory",
                hint="run `ferry init` to create a project here",
            )
        root = found
    path = root / PYPROJECT
    pyproject = parse_pyproject(read_text(path), path)
    workspace = find_workspace(root, pyproject)
    warn_legacy_dev_dependencies(
        [m.pyproject for m in workspace.members] if workspace is not None else [pyproject])
    if workspace is None:
        return Project(root=root, pyproject=pyproject)
    current = pyproject.name if pyproject.project is not None else None
    log.debug("workspace root: %s (current member: %s)", workspace.root, current or "none")
    return Project(root=workspace.root, pyproject=workspace.pyproject, workspace=workspace,
                   current=current)


_warned_legacy: set[str] = set()


def warn_legacy_dev_dependencies(members: list[PyProject]) -> None:
    """uv's deprecation warning for ``[tool.uv] dev-dependencies``, said once per command
    (uv's ``warn_user_once``; a command may find its project more than once) and naming every
    member that uses it, in member-name order, each file as the user would type it. Projects
    only: uv says nothing about a virtual root's own table."""
    used = [display_path(member.path) for member in members
            if member.project is not None
            and member.tool.origin_of("dev-dependencies") == "tool.uv"]
    if not used:
        return
    message = (
        "The `tool.uv.dev-dependencies` field (used in {}) is deprecated and will be removed "
        "in a future release; use `dependency-groups.dev` instead"
    ).format(", ".join(f"`{path}`" for path in used))
    if message not in _warned_legacy:
        _warned_legacy.add(message)
        log.warning("%s", message)


ENVIRONMENT_VARIABLES = ("FERRY_PROJECT_ENVIRONMENT", "UV_PROJECT_ENVIRONMENT")


def environment_variable() -> str | None:
    """The variable that places the project environment, if one does: ``FERRY_PROJECT_ENVIRONMENT``
    first (ferry's own name is the more specific setting, as with ``FERRY_KEYRING_PROVIDER``),
    then ``UV_PROJECT_ENVIRONMENT``, so a Docker image or CI job set up for uv uses the same
    environment instead of silently getting a second ``.venv``. An empty value is no value."""
    for name in ENVIRONMENT_VARIABLES:
        value = os.environ.get(name, "")
        if value.strip() if name.startswith("FERRY_") else value:
            return name
    return None


def project_environment_path(root: Path) -> Path:
    """The project's virtual environment; ``root`` is the workspace root (or the project's).

    ``FERRY_PROJECT_ENVIRONMENT`` is read as ferry always read it (spaces stripped, ``~``
    expanded); ``UV_PROJECT_ENVIRONMENT`` exactly as uv 0.13.8 reads it (the value as given:
    ``~/env`` is a directory named ``~`` under the root, as uv makes it), so both tools agree on
    where the environment is. Relative paths are taken from ``root``; the default is
    ``<root>/.venv``. :func:`ferry.commands.fastpath.environment_root` mirrors this with
    ``os.path`` only (tests/unit/test_environment_path_agreement_s15.py holds them to one
    answer)."""
    name = environment_variable()
    if name is None:
        return root / DEFAULT_ENVIRONMENT
    value = os.environ[name]
    path = Path(value.strip()).expanduser() if name.startswith("FERRY_") else Path(value)
    return path if path.is_absolute() else root / path


def environment_prompt(root: Path) -> str | None:
    """The prompt uv 0.13.8 gives a project environment it creates (``prompt = …`` in
    ``pyvenv.cfg``, shown by the activate scripts): the normalised name of the workspace root's
    project (``My_App`` → ``my-app``), else — a virtual workspace root, or a root with only
    ``[dependency-groups]``/``[tool.uv]`` — the root directory's name. ``root`` is
    :attr:`Project.root` (the workspace root), whose pyproject was parsed already (a small file:
    read again here only when an environment is created)."""
    path = root / PYPROJECT
    try:
        name = parse_pyproject(read_text(path), path).name
    except FerryError:  # the caller parsed it already: only a file changed meanwhile
        name = None
    return str(name) if name else root.name or None


def python_version_file(root: Path) -> Path | None:
    """The ``.python-version`` that applies to the project: in its root or the nearest parent."""
    return find_python_version_file(root)


def workspace_members(pyproject: PyProject) -> dict[NormalizedName, Path]:
    """Members of the workspace ``pyproject`` declares (the root included), by project name;
    just the project itself when it declares none."""
    if declares_workspace(pyproject):
        from ferry.project.workspace import load_workspace

        return {m.name: m.root for m in load_workspace(pyproject).members}
    return {pyproject.name: pyproject.root} if pyproject.name is not None else {}
