"""uv-style workspaces: one root, its members, one lock and one environment for all of them.

A workspace root is a ``pyproject.toml`` with ``[tool.uv.workspace]`` (or
``[tool.ferry.workspace]``): ``members`` globs name member directories (relative to the root),
``exclude`` globs take some back out. The root is a member itself when it has a
``[project]``. Why the rules below are uv's: a repository is often shared between uv and ferry,
so both must agree on who is a member, or their locks would differ.

- Every matched directory must hold a ``pyproject.toml`` with a ``[project]``; an empty directory
  (what git leaves after switching branches) is skipped, and a plain file matched by a glob is
  ignored, as uv does.
- Discovery from inside a member: the nearest ancestor that declares a workspace decides; if it
  does not include the member (or excludes it), the member stands alone.
- ``[tool.uv.sources]`` of the root apply to every member; a member's own entry for the same name
  wins. A relative path means the directory of the pyproject that declares it (the root's or
  the member's); the lock records every path relative to the root. A dependency on a member
  needs a ``{ workspace = true }`` source, and a ``{ workspace = true }`` source must name a
  member.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from ferry.model.errors import UserError
from ferry.model.immutable import immutable
from ferry.model.log import get_logger
from ferry.model.names import NormalizedName, canonicalize_name
from ferry.model.pep508_requirements import Requirement
from ferry.model.requires_python import lock_requires_python
from ferry.model.value_fields import replace
from ferry.project.pyproject import PYPROJECT, PyProject, read_pyproject
from ferry.project.toml_read import display_path
from ferry.project.tool_settings import ConflictSpec, SourceSpec

log = get_logger(__name__)

MemberKind = Literal["editable", "virtual", "directory"]


@immutable
class Member:
    """One workspace member: its normalised name, directory and pyproject (as declared)."""

    name: NormalizedName
    root: Path
    pyproject: PyProject


@immutable
class Workspace:
    """A workspace root and its members (sorted by name; the root included when a project)."""

    root: Path
    pyproject: PyProject
    members: tuple[Member, ...]

    # -- looking members up ------------------------------------------------------------------

    @property
    def names(self) -> tuple[NormalizedName, ...]:
        return tuple(m.name for m in self.members)

    def member(self, name: str) -> Member | None:
        wanted = canonicalize_name(name)
        return next((m for m in self.members if m.name == wanted), None)

    def require_member(self, name: str) -> Member:
        """The member called ``name`` (``--package``), or a clear error listing the members."""
        found = self.member(name)
        if found is None:
            raise UserError(
                f"Package `{name}` is not a member of the workspace at "
                f"`{display_path(self.root)}`",
                hint=f"workspace members: {', '.join(self.names) or 'none'}",
            )
        return found

    def member_at(self, directory: Path) -> Member | None:
        """The member whose directory is ``directory`` (or holds it, the deepest one)."""
        target = directory.resolve()
        best: Member | None = None
        for member in self.members:
            home = member.root.resolve()
            inside = target == home or home in target.parents
            if inside and (best is None or len(home.parts) > len(best.root.resolve().parts)):
                best = member
        return best

    @property
    def root_member(self) -> Member | None:
        """The root's own project, when the root has a ``[project]`` (else it is virtual)."""
        name = self.pyproject.name
        return self.member(name) if name is not None else None

    def relative(self, path: Path) -> str:
        """``path`` relative to the workspace root, with forward slashes (what locks record)."""
        text = path.resolve().relative_to(self.root.resolve()).as_posix()
        return text or "."

    def directories(self) -> dict[str, Path]:
        """Member name -> directory, for ``{ workspace = true }`` sources."""
        return {str(m.name): m.root for m in self.members}

    # -- what each member means to a lock --------------------------------------------------------

    def effective(self, member: Member) -> PyProject:
        """The member's pyproject with the root's sources (and indexes) under its own."""
        if member.root.resolve() == self.root.resolve():
            return member.pyproject
        own = member.pyproject.tool
        mine = {canonicalize_name(name) for name, _ in own.sources}
        inherited = tuple((n, tuple(self._anchored(s) for s in specs))
                          for n, specs in self.pyproject.tool.sources
                          if canonicalize_name(n) not in mine)
        indexes = own.indexes + tuple(i for i in self.pyproject.tool.indexes
                                      if i not in own.indexes)
        tool = replace(own, sources=own.sources + inherited, indexes=indexes)
        return replace(member.pyproject, tool=tool)

    def _anchored(self, spec: SourceSpec) -> SourceSpec:
        """A root source as a member sees it: a relative ``path`` still means the root's
        directory (made absolute; the lock writes it relative to the root again), as uv."""
        if spec.kind != "path" or spec.path is None or Path(spec.path).is_absolute():
            return spec
        return replace(spec, path=str(self.root / spec.path))

    def member_requirements(
        self, member: Member, requirements: tuple[Requirement, ...]
    ) -> tuple[tuple[Requirement, ...], tuple[Requirement, ...]]:
        """(requirements on other members, everything else); errors as uv words them."""
        effective = self.effective(member)
        on_members: list[Requirement] = []
        others: list[Requirement] = []
        for requirement in requirements:
            specs = effective.tool.sources_for(requirement.name)
            is_workspace = any(s.kind == "workspace" for s in specs)
            target = self.member(requirement.name)
            if is_workspace and target is None:
                raise UserError(
                    f"`{requirement.name}` references a workspace in `tool.uv.sources` (e.g., "
                    f"`{requirement.name} = {{ workspace = true }}`), but is not a workspace "
                    "member",
                    hint=f"workspace members: {', '.join(self.names)}",
                )
            own = target is not None and target.name == member.name
            if target is not None and not own and not specs and not requirement.url:
                raise UserError(
                    f"`{requirement.name}` is included as a workspace member, but is missing an "
                    f"entry in `tool.uv.sources` (e.g., `{requirement.name} = "
                    "{ workspace = true }`)",
                    hint=f"add it to `[tool.uv.sources]` of "
                    f"`{display_path(member.root / PYPROJECT)}` or of the workspace root",
                )
            if is_workspace and target is not None and not own:
                on_members.append(requirement)
            else:
                others.append(requirement)
        return tuple(on_members), tuple(others)

    def conflicts(self) -> tuple[tuple[ConflictSpec, ...], ...]:
        """Every declared conflict set of the workspace, each item naming its package: a
        virtual root's sets first, then each member's in name order (an item without
        ``package`` means the member that declares it), as uv collects them."""
        declaring: list[tuple[PyProject, str | None]] = []
        if self.root_member is None:
            declaring.append((self.pyproject, None))
        declaring += [(m.pyproject, m.name) for m in self.members]
        found: list[tuple[ConflictSpec, ...]] = []
        for pyproject, own in declaring:
            for declared in pyproject.tool.conflicts:
                found.append(tuple(self._conflict_item(item, own, pyproject)
                                   for item in declared))
        return tuple(found)

    def _conflict_item(
        self, item: ConflictSpec, own: str | None, pyproject: PyProject
    ) -> ConflictSpec:
        """``item`` with its package filled in; refused when it names no member, or a whole
        package (uv's preview-only package conflicts)."""
        where = display_path(pyproject.root / PYPROJECT)
        package = item.package or own
        if package is None:
            raise UserError(
                f"A conflict item in `{where}` names no `package`, and the workspace root has "
                "no `[project]` it could mean",
                hint="name the member, e.g. `{ package = \"member\", extra = \"cpu\" }`",
            )
        if self.member(package) is None:
            raise UserError(
                f"The conflict on `{package}` in `{where}` names a package that is not a "
                "workspace member",
                hint=f"workspace members: {', '.join(self.names)}",
            )
        if item.extra is None and item.group is None:
            raise UserError(
                f"The conflict on the whole package `{package}` in `{where}` is not supported "
                "(uv offers package conflicts as a preview feature only)",
                hint="declare the conflict between extras or groups of the members",
            )
        return ConflictSpec(canonicalize_name(package), item.extra, item.group)

    def depended_editable(self) -> dict[NormalizedName, bool]:
        """Members other members depend on, with whether that dependency is editable."""
        found: dict[NormalizedName, bool] = {}
        for member in self.members:
            effective = self.effective(member)
            for requirement in all_requirements(member.pyproject):
                target = self.member(requirement.name)
                if target is None or target.name == member.name:
                    continue
                for spec in effective.tool.sources_for(requirement.name):
                    if spec.kind == "workspace":
                        editable = spec.editable if spec.editable is not None else True
                        found[target.name] = found.get(target.name, False) or editable
        return found

    def source_kind(self, member: Member) -> MemberKind:
        """How the lock records a member, as uv 0.13.8 does. A member another member depends
        on takes the kind of that dependency: ``virtual`` when it says ``tool.uv.package =
        false`` (nothing is built or installed), else ``editable``, or ``directory`` when every
        ``{ workspace = true }`` source naming it says ``editable = false`` (uv builds it even
        without a ``[build-system]``). Any other member is ``editable`` when it is a package,
        ``virtual`` otherwise."""
        depended = self.depended_editable()
        if member.name in depended:
            if member.pyproject.tool.package is False:
                return "virtual"
            return "editable" if depended[member.name] else "directory"
        return "editable" if member.pyproject.is_package else "virtual"

    def requires_python(self) -> str | None:
        """The intersection of the members' ``requires-python``, spelled as uv writes it into
        the lock (:func:`ferry.model.requires_python.lock_requires_python`)."""
        return lock_requires_python(
            (member.name, member.pyproject.project.requires_python)
            for member in self.members
            if member.pyproject.project is not None and member.pyproject.project.requires_python
        )


def all_requirements(pyproject: PyProject) -> list[Requirement]:
    """Every requirement a pyproject declares: dependencies, extras and groups."""
    found: list[Requirement] = []
    if pyproject.project is not None:
        found += pyproject.project.dependencies
        for _, reqs in pyproject.project.optional_dependencies:
            found += reqs
    for reqs in pyproject.groups.values():
        found += reqs
    return found


# -- discovery -----------------------------------------------------------------------------------


def declares_workspace(pyproject: PyProject) -> bool:
    return pyproject.tool.origin_of("workspace") is not None


def _is_empty_dir(directory: Path) -> bool:
    try:
        return not any(not entry.name.startswith(".") for entry in directory.iterdir())
    except OSError:
        return False


def member_directories(pyproject: PyProject) -> list[Path]:
    """The directories the root's ``members`` globs name, minus ``exclude`` (the root first,
    when it is a project). A non-empty directory without a ``pyproject.toml`` is an error."""
    root = pyproject.root
    table = pyproject.tool.origin_of("workspace") or "tool.uv"
    excluded = {p.resolve() for pattern in pyproject.tool.workspace_exclude
                for p in root.glob(pattern)}
    found: list[Path] = [root] if pyproject.project is not None else []
    seen = {root.resolve()}
    for pattern in pyproject.tool.workspace_members:
        matches = sorted(root.glob(pattern))
        if not matches:
            log.debug("workspace glob `%s` of %s matches nothing", pattern, table)
        for directory in matches:
            resolved = directory.resolve()
            if not directory.is_dir() or resolved in excluded or resolved in seen:
                continue
            if not (directory / PYPROJECT).is_file():
                if _is_empty_dir(directory):
                    log.debug("skipping the empty directory %s (matched by `%s`)",
                              directory, pattern)
                    continue
                raise UserError(
                    f"Workspace member `{display_path(directory)}` is missing a "
                    f"`{PYPROJECT}` (matches: `{pattern}`)",
                    hint=f"add a {PYPROJECT}, or leave the directory out with `exclude` in "
                    f"`[{table}.workspace]`",
                )
            seen.add(resolved)
            found.append(directory)
    return found


def load_workspace(pyproject: PyProject) -> Workspace:
    """The workspace ``pyproject`` (a root declaring one) describes, every member read."""
    members: dict[NormalizedName, Member] = {}
    for directory in member_directories(pyproject):
        path = directory / PYPROJECT
        parsed = pyproject if directory == pyproject.root else read_pyproject(path)
        if parsed.project is None:
            raise UserError(
                f"Workspace member `{display_path(directory)}` has no `[project]` table in "
                f"`{display_path(path)}`",
                hint="a member needs `[project]` with at least a `name`",
            )
        name = parsed.project.name
        if name in members:
            raise UserError(
                f"Two workspace members are both called `{name}`: "
                f"`{display_path(members[name].root)}` and `{display_path(directory)}`",
            )
        members[name] = Member(name, directory, parsed)
    ordered = tuple(members[n] for n in sorted(members))
    return Workspace(pyproject.root, pyproject, ordered)


def find_workspace(project_root: Path, pyproject: PyProject) -> Workspace | None:
    """The workspace ``project_root`` belongs to: itself when it declares one, else the
    nearest ancestor declaring one that includes it (``None`` when that one does not)."""
    if declares_workspace(pyproject):
        return load_workspace(pyproject)
    start = project_root.resolve()
    for directory in start.parents:
        candidate = directory / PYPROJECT
        if not candidate.is_file():
            continue
        try:
            other = read_pyproject(candidate)
        except UserError as error:
            log.debug("ignoring %s while looking for a workspace: %s", candidate, error.message)
            continue
        if not declares_workspace(other):
            continue
        workspace = load_workspace(other)
        if any(m.root.resolve() == start for m in workspace.members):
            log.debug("%s is a member of the workspace at %s", start, directory)
            return workspace
        log.debug("%s is not a member of the workspace at %s; it stands alone", start, directory)
        return None
    return None
