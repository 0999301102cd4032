"""Requirements from the command line and requirements files, merged into one input set."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from ferry.model.errors import UserError
from ferry.model.immutable import mutable
from ferry.model.names import NormalizedName, canonicalize_name
from ferry.model.pep508_requirements import Requirement
from ferry.model.value_fields import field
from ferry.project.requirements_file import parse_requirements_file, parse_requirements_text
from ferry.project.requirements_hashes import check_hash_mode
from ferry.project.requirements_model import IndexOptions, RequirementEntry, RequirementsFile


@mutable
class RequirementInputs:
    requirements: list[Requirement] = field(default_factory=list)
    constraints: list[Requirement] = field(default_factory=list)
    editables: list[NormalizedName] = field(default_factory=list)
    direct: bool = False
    hashes: dict[NormalizedName, frozenset[str]] = field(default_factory=dict)
    """name → allowed ``algorithm:digest`` values, in hash-checking mode."""
    hash_checking: bool = False
    options: IndexOptions = field(default_factory=IndexOptions)


NameOf = Callable[[str], str | None]


def requirement_of(entry: RequirementEntry, name_of: NameOf | None = None) -> Requirement:
    """The entry as a requirement; a bare URL named by ``name_of`` (else an error)."""
    requirement = entry.as_requirement()
    if requirement is None and entry.url is not None and name_of is not None:
        name = name_of(entry.url)
        if name is not None:
            extras = f"[{','.join(sorted(entry.extras))}]" if entry.extras else ""
            marker = f" ; {entry.marker}" if entry.marker else ""
            requirement = Requirement(f"{name}{extras} @ {entry.url}{marker}")
    if requirement is None:
        # a local path takes no fragment (uv refuses one too): its `#` is part of the file name
        local = (entry.url or "").startswith("file:")
        raise UserError(
            f"Cannot tell the package name of `{entry.url}` ({entry.location})",
            hint="write it as `name @ <path>`; a `#` in a local path is read as part of the "
            "file name, so `#egg=name` cannot name it" if local
            else "write it as `name @ <url>`, or add `#egg=name` to the URL",
        )
    return requirement


def _add(inputs: RequirementInputs, parsed: RequirementsFile, name_of: NameOf | None) -> None:
    for entry in parsed.requirements:
        requirement = requirement_of(entry, name_of)
        inputs.requirements.append(requirement)
        inputs.direct |= requirement.url is not None
        if entry.hashes:
            name = canonicalize_name(requirement.name)
            inputs.hashes[name] = inputs.hashes.get(name, frozenset()) | frozenset(entry.hashes)
    for entry in parsed.editables:
        requirement = requirement_of(entry, name_of)
        inputs.requirements.append(requirement)
        inputs.editables.append(canonicalize_name(requirement.name))
        inputs.direct = True
    for entry in parsed.constraints:
        requirement = requirement_of(entry)
        inputs.constraints.append(requirement)
        if entry.hashes:
            name = canonicalize_name(requirement.name)
            inputs.hashes[name] = inputs.hashes.get(name, frozenset()) | frozenset(entry.hashes)
    inputs.hash_checking |= parsed.hash_checking
    inputs.options = inputs.options.merged(parsed.options)


def static_project_name(url: str) -> str | None:
    """The ``[project].name`` of a local source tree, read without building anything."""
    import tomllib
    from urllib.parse import unquote, urlsplit

    if not url.startswith("file:"):
        return None
    pyproject = Path(unquote(urlsplit(url).path)) / "pyproject.toml"
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return None
    name = data.get("project", {}).get("name")
    return name if isinstance(name, str) else None


def _project_dependencies(
    packages: Sequence[str], requirement_files: Sequence[Path]
) -> tuple[list[str], list[Path]]:
    """``-r pyproject.toml`` means the project's dependencies, as for uv (and ``pip sync``,
    ``pip compile``): read as TOML, not as lines of a requirements file."""
    projects = [path for path in requirement_files if path.name == "pyproject.toml"]
    if not projects:
        return list(packages), list(requirement_files)
    from ferry.commands.compile_inputs import read_compile_inputs

    read = read_compile_inputs(projects)
    if read.builds:
        raise UserError(
            f"`{read.builds[0].label}` declares its dependencies as dynamic: they are known "
            "only by building it",
            hint="`ferry pip compile pyproject.toml -o requirements.txt` builds it and writes "
            "them; install that file, or the project itself with `ferry pip install -e .`",
        )
    return ([*packages, *(str(source.requirement) for source in read.requirements)],
            [path for path in requirement_files if path.name != "pyproject.toml"])


def gather_inputs(
    *,
    packages: Sequence[str] = (),
    requirement_files: Sequence[Path] = (),
    constraint_files: Sequence[Path] = (),
    editables: Sequence[str] = (),
    require_hashes: bool = False,
    name_of: NameOf | None = None,
) -> RequirementInputs:
    """Parse everything the user named; errors point at the file, line and column."""
    inputs = RequirementInputs()
    parsed_all: list[RequirementsFile] = []
    packages, requirement_files = _project_dependencies(packages, requirement_files)
    if packages:
        text = "\n".join(packages)
        parsed_all.append(
            parse_requirements_text(text, path="<command line>", defer_missing_hashes=True)
        )
    if editables:
        text = "\n".join(f"-e {e}" for e in editables)
        parsed_all.append(parse_requirements_text(text, path="<command line>"))
    for path in requirement_files:
        # Missing hashes are reported after resolution, with the hash the index offers.
        parsed_all.append(parse_requirements_file(path, defer_missing_hashes=True))
    for path in constraint_files:
        parsed_all.append(parse_requirements_file(path, constraint=True))
    for parsed in parsed_all:
        if require_hashes:
            check_hash_mode(parsed, require_hashes=True, defer_missing=True)
        _add(inputs, parsed, name_of)
    inputs.hash_checking |= require_hashes
    return inputs
