"""What ``pip compile`` reads: requirements files, ``pyproject.toml`` and the ``-c``/``--override``
files, each requirement remembered with the words that say where it came from.

Those words end up in the output (``# via -r requirements.in``, ``# via demo (pyproject.toml)``,
``# via -c constraints.txt``), so they follow uv's spelling exactly. Sources whose dependencies are
not written down statically (``setup.py``, ``setup.cfg``, a ``pyproject.toml`` with dynamic
dependencies) are returned as :class:`BuildSource` for the command to build their metadata.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from ferry.commands.inputs import NameOf, requirement_of, static_project_name
from ferry.model.errors import UsageError, UserError
from ferry.model.immutable import immutable, mutable
from ferry.model.names import NormalizedName, canonicalize_name
from ferry.model.pep508_requirements import Requirement
from ferry.model.value_fields import field
from ferry.project.pyproject import PyProject, read_pyproject
from ferry.project.requirements_file import parse_requirements_file, parse_requirements_text
from ferry.project.requirements_model import IndexOptions, RequirementEntry, RequirementsFile
from ferry.project.toml_read import display_path


@immutable
class Sourced:
    """A requirement and the annotation naming its source (``-r requirements.in``…)."""

    requirement: Requirement
    label: str


@immutable
class BuildSource:
    """A project whose dependencies only a build can tell (``setup.py``, dynamic dependencies)."""

    directory: Path
    label: str
    extras: tuple[NormalizedName, ...] = ()
    all_extras: bool = False
    source_file: str | None = None
    """``setup.py``/``setup.cfg`` as shown: the project's name is known only once it is built,
    so ``# via`` names it then (``demo (setup.py)``); ``label`` names the directory till then."""

    def label_for(self, name: str) -> str:
        return f"{name} ({self.source_file})" if self.source_file is not None else self.label


@mutable
class CompileInputs:
    requirements: list[Sourced] = field(default_factory=list)
    constraints: list[Sourced] = field(default_factory=list)
    overrides: list[Sourced] = field(default_factory=list)
    editables: list[NormalizedName] = field(default_factory=list)
    editable_dirs: dict[NormalizedName, Path] = field(default_factory=dict)
    """The folder of the requirements file that named each editable, to write it back relative."""
    builds: list[BuildSource] = field(default_factory=list)
    options: IndexOptions = field(default_factory=IndexOptions)


def _requirement(entry: RequirementEntry, name_of: NameOf = static_project_name) -> Requirement:
    return requirement_of(entry, name_of)


def _file_label(kind: str, path: str) -> str:
    """``-r requirements.in``; empty (no annotation, as uv) for requirements read from stdin."""
    if path in ("-", "<stdin>"):
        return ""
    return f"{kind} {display_path(path)}"


def _read_file(path: Path, *, constraint: bool = False) -> RequirementsFile:
    if str(path) == "-":
        return parse_requirements_text(sys.stdin.read(), path="-", constraint=constraint)
    return parse_requirements_file(path, constraint=constraint)


def _add_file(inputs: CompileInputs, parsed: RequirementsFile, kind: str,
              name_of: NameOf = static_project_name) -> None:
    """Add a requirements file; ``kind`` is ``-r``, ``-c`` or ``--override``; ``name_of`` names
    a bare URL (a local tree by its pyproject, a git URL by fetching it)."""
    target = {"-r": inputs.requirements, "-c": inputs.constraints,
              "--override": inputs.overrides}[kind]
    for entry in (*parsed.requirements, *parsed.editables):
        requirement = _requirement(entry, name_of)
        target.append(Sourced(requirement, _file_label(kind, entry.location.path)))
        if entry.editable and kind == "-r":
            name = canonicalize_name(requirement.name)
            inputs.editables.append(name)
            if entry.location.path not in ("-", "<stdin>", "<command line>"):
                inputs.editable_dirs[name] = Path(entry.location.path).resolve().parent
    for entry in parsed.constraints:
        label = _file_label("-c", entry.location.path)
        inputs.constraints.append(Sourced(_requirement(entry), label))
    inputs.options = inputs.options.merged(parsed.options)


def _expand_self(
    project: NormalizedName, requirements: Sequence[Requirement],
    optional: dict[NormalizedName, tuple[Requirement, ...]], seen: set[NormalizedName],
) -> list[Requirement]:
    """Replace ``project[extra]`` self-references by the extra's own requirements."""
    out: list[Requirement] = []
    for requirement in requirements:
        if canonicalize_name(requirement.name) != project:
            out.append(requirement)
            continue
        for extra in sorted(canonicalize_name(e) for e in requirement.extras):
            if extra not in seen and extra in optional:
                seen.add(extra)
                out.extend(_expand_self(project, optional[extra], optional, seen))
    return out


@immutable
class Selection:
    """``--extra``, ``--all-extras`` and ``--group`` as given."""

    extras: tuple[str, ...] = ()
    all_extras: bool = False
    groups: tuple[str, ...] = ()


_DEFAULT_SELECTION = Selection()


def _add_pyproject(inputs: CompileInputs, path: Path, selection: Selection,
                   groups: Sequence[str]) -> None:
    pyproject = read_pyproject(path)
    label_path = display_path(path)
    project = pyproject.project
    name = project.name if project else None
    if project is None:
        if selection.extras or selection.all_extras:
            raise UserError(f"`{label_path}` has no `[project]` table, so it has no extras")
    elif project.dynamic_dependencies:
        extras = tuple(canonicalize_name(e) for e in selection.extras)
        inputs.builds.append(BuildSource(path.parent, f"{project.name} ({label_path})",
                                         extras, selection.all_extras))
    else:
        optional = dict(project.optional_dependencies)
        chosen = list(optional) if selection.all_extras else []
        for extra in selection.extras:
            key = canonicalize_name(extra)
            if key not in optional:
                raise UsageError(f"Requested extra not found: {extra}",
                                hint=f"`{label_path}` defines: "
                                f"{', '.join(optional) or 'no extras'}")
            chosen.append(key)
        requirements = list(project.dependencies)
        for extra in dict.fromkeys(chosen):
            requirements.extend(optional[extra])
        label = f"{project.name} ({label_path})"
        seen = set(chosen)
        for requirement in _expand_self(project.name, requirements, optional, seen):
            inputs.requirements.append(Sourced(requirement, label))
    _add_groups(inputs, pyproject, label_path, name, groups)


def _add_groups(inputs: CompileInputs, pyproject: PyProject, label_path: str,
                name: NormalizedName | None, groups: Sequence[str]) -> None:
    declared = pyproject.groups
    for group in groups:
        key = canonicalize_name(group)
        if key not in declared:
            raise UserError(
                f"Group `{group}` is not defined in `{label_path}`",
                hint=f"it defines: {', '.join(declared) or 'no dependency groups'}",
            )
        owner = name or "<project>"
        label = f"{owner} ({label_path}:{key})"
        for requirement in declared[key]:
            inputs.requirements.append(Sourced(requirement, label))


def _split_groups(groups: Sequence[str], sources: Sequence[Path]) -> dict[Path, list[str]]:
    """``--group`` values per ``pyproject.toml``: ``path:group`` names one, a bare group applies
    to every ``pyproject.toml`` given (or ``./pyproject.toml`` when none is)."""
    pyprojects = [p for p in sources if p.name == "pyproject.toml"]
    out: dict[Path, list[str]] = {}
    for value in groups:
        path_text, sep, group = value.rpartition(":")
        if sep and path_text:
            out.setdefault(Path(path_text), []).append(group)
            continue
        for path in pyprojects or [Path("pyproject.toml")]:
            out.setdefault(path, []).append(value)
    return out


def read_compile_inputs(
    sources: Sequence[Path],
    *,
    constraints: Sequence[Path] = (),
    overrides: Sequence[Path] = (),
    selection: Selection = _DEFAULT_SELECTION,
    name_of: NameOf = static_project_name,
) -> CompileInputs:
    """Read every source; errors name the file (and line, for requirements files)."""
    inputs = CompileInputs()
    has_project = any(p.name in ("pyproject.toml", "setup.py", "setup.cfg") for p in sources)
    if (selection.extras or selection.all_extras) and not has_project:
        raise UsageError(
            "Requesting extras requires a `pyproject.toml`, `setup.cfg`, or `setup.py` file",
        )
    groups = _split_groups(selection.groups, sources)
    for path in sources:
        if path.name == "pyproject.toml":
            _add_pyproject(inputs, path, selection, groups.pop(path, []))
        elif path.name in ("setup.py", "setup.cfg"):
            if not path.exists():
                raise UserError(f"File not found: `{display_path(path)}`")
            shown = display_path(path)
            label = f"{path.parent.resolve().name} ({shown})"
            extras = tuple(canonicalize_name(e) for e in selection.extras)
            inputs.builds.append(BuildSource(path.parent, label, extras, selection.all_extras,
                                             source_file=shown))
        else:
            _add_file(inputs, _read_file(path), "-r", name_of)
    for path, names in groups.items():
        _add_groups_only(inputs, path, names)
    for path in constraints:
        _add_file(inputs, _read_file(path, constraint=True), "-c")
    for path in overrides:
        _add_file(inputs, _read_file(path), "--override", name_of)
    return inputs


def _add_groups_only(inputs: CompileInputs, path: Path, groups: Sequence[str]) -> None:
    if not path.exists():
        raise UserError(f"`--group` needs `{display_path(path)}`, which does not exist")
    pyproject = read_pyproject(path)
    _add_groups(inputs, pyproject, display_path(path), pyproject.name, groups)


__all__ = ["BuildSource", "CompileInputs", "Selection", "Sourced", "read_compile_inputs"]
