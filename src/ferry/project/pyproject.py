"""A typed model of ``pyproject.toml``: PEP 621 ``[project]``, PEP 735 groups, build system and
ferry/uv settings.

Why validate everything up front: a malformed pyproject must fail before anything is resolved or
installed, with the file, line and key path in the message (DESIGN §6: bad input never
half-applies). After :func:`read_pyproject` returns, every requirement, specifier and marker has
been parsed, every ``include-group`` resolves and no group includes itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ferry.model.immutable import immutable
from ferry.model.names import NormalizedName, canonicalize_name, is_valid_name
from ferry.model.pep440_specifiers import InvalidSpecifier, SpecifierSet
from ferry.model.pep440_version import InvalidVersion, Version
from ferry.model.pep508_requirements import Requirement
from ferry.model.value_fields import field
from ferry.project.groups import GroupEntry, GroupError, IncludeGroup, expand_groups
from ferry.project.toml_read import display_path, load_toml, read_text
from ferry.project.toml_walk import Walker
from ferry.project.tool_settings import (
    ToolSettings,
    parse_requirement,
    parse_requirements,
    parse_tool_settings,
)

PYPROJECT = "pyproject.toml"
_PROJECT_KEYS = {
    "name",
    "version",
    "description",
    "readme",
    "requires-python",
    "license",
    "license-files",
    "authors",
    "maintainers",
    "keywords",
    "classifiers",
    "urls",
    "scripts",
    "gui-scripts",
    "entry-points",
    "dependencies",
    "optional-dependencies",
    "dynamic",
    "import-names",
    "import-namespaces",
}


@immutable
class BuildSystem:
    requires: tuple[str, ...] = ()
    build_backend: str | None = None
    backend_path: tuple[str, ...] = ()


@immutable
class ProjectTable:
    """The ``[project]`` table (the parts ferry acts on)."""

    name: NormalizedName
    raw_name: str
    version: str | None = None
    dynamic: tuple[str, ...] = ()
    dependencies: tuple[Requirement, ...] = ()
    optional_dependencies: tuple[tuple[NormalizedName, tuple[Requirement, ...]], ...] = ()
    requires_python: str | None = None
    scripts: tuple[tuple[str, str], ...] = ()
    gui_scripts: tuple[tuple[str, str], ...] = ()

    @property
    def dynamic_dependencies(self) -> bool:
        """Its dependencies or extras are ``dynamic``: only a build of the project tells them."""
        return bool({"dependencies", "optional-dependencies"} & set(self.dynamic))

    @property
    def extras(self) -> tuple[NormalizedName, ...]:
        """Extra names in declaration order (what ``provides-extras`` records)."""
        return tuple(name for name, _ in self.optional_dependencies)

    @property
    def requires_python_specifier(self) -> SpecifierSet | None:
        return SpecifierSet(self.requires_python) if self.requires_python is not None else None


@immutable
class PyProject:
    """One parsed ``pyproject.toml``."""

    path: Path
    project: ProjectTable | None = None
    build_system: BuildSystem | None = None
    declared_groups: tuple[tuple[NormalizedName, tuple[GroupEntry, ...]], ...] = ()
    tool: ToolSettings = field(default_factory=ToolSettings)

    @property
    def root(self) -> Path:
        return self.path.parent

    @property
    def name(self) -> NormalizedName | None:
        return self.project.name if self.project else None

    @property
    def is_package(self) -> bool:
        """Built and installed (editable) rather than "virtual": ``tool.*.package`` when set,
        else whether a ``[build-system]`` is declared (uv's rule)."""
        if self.tool.package is not None:
            return self.tool.package
        return self.build_system is not None

    @property
    def groups(self) -> dict[NormalizedName, tuple[Requirement, ...]]:
        """Dependency groups with includes expanded; legacy ``dev-dependencies`` joins ``dev``."""
        expanded = expand_groups({str(k): v for k, v in self.declared_groups})
        result: dict[NormalizedName, tuple[Requirement, ...]] = {
            canonicalize_name(k): v for k, v in expanded.items()
        }
        if self.tool.dev_dependencies:
            dev = canonicalize_name("dev")
            result[dev] = (*result.get(dev, ()), *self.tool.dev_dependencies)
        return result

    @property
    def default_groups(self) -> tuple[NormalizedName, ...]:
        """The groups a plain ``sync`` installs: ``default-groups`` (or all), else ``dev``."""
        groups = self.groups
        setting = self.tool.default_groups
        if setting == "all":
            return tuple(groups)
        if setting is not None:
            return tuple(canonicalize_name(g) for g in setting)
        dev = canonicalize_name("dev")
        return (dev,) if dev in groups else ()


def read_pyproject(path: Path) -> PyProject:
    """Read and validate ``path`` (a ``pyproject.toml``)."""
    return parse_pyproject(read_text(path), path)


def parse_pyproject(text: str, path: Path) -> PyProject:
    label = display_path(path)
    data = load_toml(text, path, PYPROJECT)
    w = Walker(label, path)
    project = None
    if "project" in data:
        project = _parse_project(w, w.table(data["project"], "project"))
    build_system = None
    if "build-system" in data:
        build_system = _parse_build_system(w, w.table(data["build-system"], "build-system"))
    declared = _parse_groups(w, w.table(data.get("dependency-groups", {}), "dependency-groups"))
    tool = parse_tool_settings(w, w.table(data.get("tool", {}), "tool"))
    _check_default_groups(w, tool, declared)
    return PyProject(
        path=path,
        project=project,
        build_system=build_system,
        declared_groups=declared,
        tool=tool,
    )


def _parse_project(w: Walker, table: dict[str, Any]) -> ProjectTable:
    w.warn_unknown(table, "project", _PROJECT_KEYS)
    raw_name = w.string(table, "name", "project.name", required=True)
    assert raw_name is not None
    if not is_valid_name(raw_name):
        w.fail("project.name", f"invalid project name {raw_name!r}", hint="see PEP 508 names")
    dynamic = w.strings(table, "dynamic", "project.dynamic")
    version = w.string(table, "version", "project.version")
    if version is not None:
        if "version" in dynamic:
            w.fail("project.version", "`version` is both set and listed in `project.dynamic`")
        try:
            Version(version)
        except InvalidVersion:
            w.fail("project.version", f"invalid version {version!r}")
    requires_python = w.string(table, "requires-python", "project.requires-python")
    if requires_python is not None:
        try:
            SpecifierSet(requires_python)
        except InvalidSpecifier as exc:
            w.fail("project.requires-python", f"invalid version specifier: {exc}")
    dependencies: tuple[Requirement, ...] = ()
    if "dependencies" in table:
        dependencies = parse_requirements(w, table["dependencies"], "project.dependencies")
    optional = []
    raw_optional = w.table(table.get("optional-dependencies", {}), "project.optional-dependencies")
    for extra, reqs in raw_optional.items():
        kp = f"project.optional-dependencies.{extra}"
        optional.append((canonicalize_name(extra), parse_requirements(w, reqs, kp)))
    return ProjectTable(
        name=canonicalize_name(raw_name),
        raw_name=raw_name,
        version=version,
        dynamic=dynamic,
        dependencies=dependencies,
        optional_dependencies=tuple(optional),
        requires_python=requires_python,
        scripts=_entry_points(w, table, "scripts"),
        gui_scripts=_entry_points(w, table, "gui-scripts"),
    )


def _entry_points(w: Walker, table: dict[str, Any], key: str) -> tuple[tuple[str, str], ...]:
    scripts = w.table(table.get(key, {}), f"project.{key}")
    for name, target in scripts.items():
        if not isinstance(target, str):
            w.fail(f"project.{key}.{name}", "expected a string like `module:function`")
    return tuple(scripts.items())


def _parse_build_system(w: Walker, table: dict[str, Any]) -> BuildSystem:
    requires = w.strings(table, "requires", "build-system.requires")
    for i, req in enumerate(requires):
        parse_requirement(w, req, f"build-system.requires[{i}]")
    return BuildSystem(
        requires=requires,
        build_backend=w.string(table, "build-backend", "build-system.build-backend"),
        backend_path=w.strings(table, "backend-path", "build-system.backend-path"),
    )


def _parse_groups(
    w: Walker, table: dict[str, Any]
) -> tuple[tuple[NormalizedName, tuple[GroupEntry, ...]], ...]:
    declared: dict[NormalizedName, tuple[GroupEntry, ...]] = {}
    for group, raw in table.items():
        kp = f"dependency-groups.{group}"
        name = canonicalize_name(group)
        if name in declared:
            w.fail(kp, f"group `{group}` is declared twice (names are compared normalised)")
        entries: list[GroupEntry] = []
        for i, item in enumerate(w.array(raw, kp)):
            if isinstance(item, dict):
                w.reject_unknown(item, f"{kp}[{i}]", {"include-group"})
                included = w.string(
                    item, "include-group", f"{kp}[{i}].include-group", required=True
                )
                assert included is not None
                entries.append(IncludeGroup(included))
            else:
                entries.append(parse_requirement(w, item, f"{kp}[{i}]"))
        declared[name] = tuple(entries)
    try:
        expand_groups({str(k): v for k, v in declared.items()})
    except GroupError as exc:
        w.fail(f"dependency-groups.{exc.group}", exc.message)
    return tuple(declared.items())


def _check_default_groups(
    w: Walker, tool: ToolSettings, declared: tuple[tuple[NormalizedName, Any], ...]
) -> None:
    if tool.default_groups is None or tool.default_groups == "all":
        return
    known = {name for name, _ in declared}
    if tool.dev_dependencies:
        known.add(canonicalize_name("dev"))
    table = tool.origin_of("default-groups") or "tool.uv"
    for group in tool.default_groups:
        if group not in known:
            w.fail(
                f"{table}.default-groups",
                f"default group `{group}` is not defined in `dependency-groups`",
            )
