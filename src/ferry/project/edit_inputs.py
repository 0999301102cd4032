"""Everything ``ferry add`` was given — arguments, ``-r`` files, ``-c`` files, ``-m`` — as the
ordered list of packages to write and the constraints for the lock that follows.

uv's rules (measured with uv 0.13.8), so the two tools edit a project alike:

- a requirements file's entries are added as if typed on the command line: ``-e ./dir`` and
  bare paths and URLs become sources like ``ferry add ./dir`` (see
  :mod:`ferry.project.edit_sources`); hashes, ``--config-settings`` and the file's index
  options are ignored (``uv add`` never persists a requirements file's indexes);
- named requirements come first, then unnamed ones (paths, URLs), then the files' editables —
  the order their sources appear in ``[tool.uv.sources]``;
- ``-c`` files, and ``-c`` lines inside ``-r`` files, constrain the lock made by this ``add``
  but are written nowhere (uv does not add them to ``constraint-dependencies``);
- ``--marker`` is joined with ``and`` to each requirement's own marker.

Relative paths inside a requirements file are resolved against that file, as everywhere in
ferry (see :mod:`ferry.project.requirements_file`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ferry.model.errors import UsageError
from ferry.model.immutable import immutable
from ferry.model.pep508_markers import InvalidMarker, Marker
from ferry.model.pep508_requirements import InvalidRequirement, Requirement
from ferry.model.value_fields import replace
from ferry.project.edit_requirement import with_marker
from ferry.project.edit_sources import AddSpec, interpret
from ferry.project.requirements_file import parse_requirements_file
from ferry.project.requirements_model import RequirementEntry

_ARCHIVES = (".whl", ".tar.gz", ".zip", ".tar.bz2", ".tgz")


@immutable
class AddInputs:
    specs: tuple[AddSpec, ...]
    constraints: tuple[Requirement, ...] = ()


@immutable
class _Item:
    """One thing to add, before interpretation: the text and where relative paths start."""

    text: str
    base: Path
    editable: bool
    named: bool
    marker: Marker | None = None


def _is_named(text: str) -> bool:
    """A PEP 508 requirement with a name (``rich``, ``x @ url``), not a path or bare URL."""
    if text.endswith(_ARCHIVES) and "@" not in text:
        return False
    try:
        Requirement(text)
    except InvalidRequirement:
        return False
    return True


def _from_entry(entry: RequirementEntry, base: Path) -> _Item:
    if entry.requirement is not None:
        # ``name @ ./dir`` was made absolute by the parser; otherwise keep the user's spelling
        direct = entry.requirement.url is not None
        return _Item(str(entry.requirement) if direct else entry.text, base, False, True)
    text = entry.text.split(";", 1)[0].strip() if entry.text else str(entry.url)
    local = entry.url is not None and entry.url.startswith("file:")
    if not local and entry.name is not None and entry.url is not None:
        extras = f"[{','.join(sorted(entry.extras))}]" if entry.extras else ""
        return _Item(f"{entry.name}{extras} @ {entry.url}", base, entry.editable, False,
                     entry.marker)
    return _Item(text, base, entry.editable, False, entry.marker)


def parse_marker(text: str) -> str:
    try:
        Marker(text)
    except InvalidMarker as error:
        raise UsageError(f"Invalid `--marker` `{text}`: {str(error).splitlines()[0]}") from error
    return text


def collect(
    packages: Sequence[str],
    requirement_files: Sequence[Path] = (),
    constraint_files: Sequence[Path] = (),
    *,
    cwd: Path,
    root: Path,
    editable: bool = False,
    raw: bool = False,
    marker: str | None = None,
) -> AddInputs:
    """Read the files (their errors name file and line) and interpret every entry."""
    items = [_Item(p, cwd, editable, _is_named(p)) for p in packages]
    editables: list[_Item] = []
    constraints: list[Requirement] = []
    for path in requirement_files:
        parsed = parse_requirements_file(cwd / path, check_hashes=False)
        items += [_from_entry(e, Path(e.location.path).parent) for e in parsed.requirements]
        editables += [_from_entry(e, Path(e.location.path).parent) for e in parsed.editables]
        constraints += [r for e in parsed.constraints if (r := e.as_requirement()) is not None]
    for path in constraint_files:
        parsed = parse_requirements_file(cwd / path, constraint=True, check_hashes=False)
        constraints += [r for e in parsed.constraints if (r := e.as_requirement()) is not None]
    ordered = [i for i in items if i.named] + [i for i in items if not i.named] + editables
    extra_marker = parse_marker(marker) if marker is not None else None
    specs = []
    for item in ordered:
        spec = interpret(
            item.text, cwd=item.base, project_root=root, editable=item.editable, raw=raw
        )
        for condition in (item.marker, extra_marker):
            if condition is not None:
                spec = replace(spec, requirement=with_marker(spec.requirement, str(condition)))
        specs.append(spec)
    return AddInputs(tuple(specs), tuple(constraints))
