"""How ``ferry add`` spells a requirement in ``pyproject.toml``, and where it puts it.

Split from :mod:`ferry.project.edit` (the document editing) because these are pure functions of
``packaging`` values: uv's spelling (``name[extras]specifier ; marker`` with a normalised name,
sorted extras, specifiers in the order given and uv's canonical marker) and the merge rule for
updating an existing entry (where a new entry goes:
:func:`ferry.project.edit_array.insert_position`).
"""

from __future__ import annotations

from typing import Any, Literal

from ferry._regex_cache import compile_pattern
from ferry.model.errors import UserError
from ferry.model.immutable import immutable
from ferry.model.names import NormalizedName, canonicalize_name
from ferry.model.pep440_version import Version
from ferry.model.pep508_requirements import InvalidRequirement, Requirement
from ferry.project.edit_array import ArrayEntry
from ferry.project.lock_inputs import ordered_specifier
from ferry.project.markers import canonical_marker
from ferry.project.tool_settings import DeclaredRequirement

_NAME = compile_pattern(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


TargetKind = Literal["project", "optional", "group", "legacy-dev", "script"]


@immutable
class DependencyTarget:
    """Where a requirement lives: ``[project] dependencies``, an extra, or a dependency group."""

    kind: TargetKind
    name: str | None = None

    @classmethod
    def project(cls) -> DependencyTarget:
        return cls("project")

    @classmethod
    def script(cls) -> DependencyTarget:
        """The top-level ``dependencies`` of a PEP 723 ``script`` block."""
        return cls("script")

    @classmethod
    def optional(cls, extra: str) -> DependencyTarget:
        return cls("optional", str(canonicalize_name(extra)))

    @classmethod
    def group(cls, group: str) -> DependencyTarget:
        return cls("group", str(canonicalize_name(group)))

    def __str__(self) -> str:
        if self.kind == "optional":
            return f"project.optional-dependencies.{self.name}"
        if self.kind == "group":
            return f"dependency-groups.{self.name}"
        if self.kind == "legacy-dev":
            return "tool.uv.dev-dependencies"
        if self.kind == "script":
            return "dependencies"
        return "project.dependencies"

    def flag(self) -> str:
        """The command-line flag that selects this target (for hints)."""
        if self.kind == "optional":
            return f"--optional {self.name}"
        if self.kind == "group":
            return "--dev" if self.name == "dev" else f"--group {self.name}"
        if self.kind == "legacy-dev":
            return "--dev"
        return ""


def format_requirement(requirement: Requirement) -> str:
    """``requirement`` as uv writes it into ``pyproject.toml``."""
    text: str = canonicalize_name(requirement.name)
    if requirement.extras:
        text += "[" + ",".join(sorted({canonicalize_name(e) for e in requirement.extras})) + "]"
    if requirement.url:
        text += f" @ {requirement.url}"
    else:
        text += ordered_specifier(requirement)
    if requirement.marker is not None:
        text += f" ; {canonical_marker(str(requirement.marker))}"
    return text


def parse_user_requirement(text: str) -> Requirement:
    """A requirement typed by the user; the error names it and says what is wrong."""
    try:
        return DeclaredRequirement(text)
    except InvalidRequirement as error:
        raise UserError(
            f"Invalid requirement `{text}`: {str(error).splitlines()[0]}",
            hint="write it as `name`, `name>=1.0`, `name[extra]`, or `name @ <url>`",
        ) from error


def requirement_name(value: Any) -> NormalizedName | None:
    if not isinstance(value, str):
        return None
    match = _NAME.match(value)
    return canonicalize_name(match.group(1)) if match else None


def entry_marker(entry: ArrayEntry) -> str | None:
    try:
        requirement = Requirement(str(entry.value))
    except InvalidRequirement:
        return None
    return canonical_marker(str(requirement.marker)) if requirement.marker else None


def with_marker(requirement: Requirement, marker: str) -> Requirement:
    """``requirement`` restricted to ``marker`` as well (``ferry add -m``): uv joins the two with
    ``and``; the specifier keeps its written order."""
    text = requirement.name
    if requirement.extras:
        text += "[" + ",".join(sorted(requirement.extras)) + "]"
    text += f" @ {requirement.url}" if requirement.url else ordered_specifier(requirement)
    joined = marker if requirement.marker is None else f"({requirement.marker}) and ({marker})"
    return DeclaredRequirement(f"{text} ; {canonical_marker(joined)}")


def with_extras(requirement: Requirement, extras: tuple[str, ...]) -> Requirement:
    """``requirement`` with these extras too (``ferry add --extra X``, as uv: on every package
    added); the specifier keeps its written order."""
    text = requirement.name + "[" + ",".join(sorted({*requirement.extras, *extras})) + "]"
    text += f" @ {requirement.url}" if requirement.url else ordered_specifier(requirement)
    if requirement.marker is not None:
        text += f" ; {requirement.marker}"
    return DeclaredRequirement(text)


def without_url(requirement: Requirement) -> Requirement:
    text: str = canonicalize_name(requirement.name)
    if requirement.extras:
        text += "[" + ",".join(sorted(requirement.extras)) + "]"
    if requirement.marker is not None:
        text += f" ; {requirement.marker}"
    return DeclaredRequirement(text)


def compose(old: Requirement, specifier: str, url: str | None = None) -> str:
    text = old.name + (f"[{','.join(sorted(old.extras))}]" if old.extras else "")
    text += f" @ {url}" if url else specifier
    if old.marker is not None:
        text += f" ; {old.marker}"
    return text


def merged(old: Requirement, new: Requirement, has_source: bool) -> Requirement:
    extras = sorted({*old.extras, *new.extras})
    text = new.name if canonicalize_name(new.name) != new.name else old.name
    text += f"[{','.join(extras)}]" if extras else ""
    if new.url and not has_source:
        text += f" @ {new.url}"
    elif new.specifier:
        text += ordered_specifier(new)
    elif old.url and not has_source:
        text += f" @ {old.url}"
    else:
        text += ordered_specifier(old)
    marker = new.marker if new.marker is not None else old.marker
    if marker is not None:
        text += f" ; {marker}"
    return DeclaredRequirement(text)


Bounds = Literal["lower", "major", "minor", "exact"]


def bound_for(version: Version, kind: Bounds) -> str:
    """uv's ``--bounds``: ``>=1.2.3``; major ``>=1.2.3,<2.0.0``; minor ``>=1.2.3,<1.3.0``
    (leading zeros skipped, so ``0.1.2`` gives ``<0.2.0`` and ``<0.1.3``); exact ``==1.2.3``."""
    if kind == "exact":
        return f"=={version}"
    if kind == "lower":
        return f">={version}"
    release = list(version.release)
    zeros = next((i for i, part in enumerate(release) if part != 0), len(release))
    if zeros == len(release):  # 0, 0.0, 0.0.0
        upper = [0, 1] if kind == "major" else [0, 0, 1]
        upper += [0] * max(len(release) - len(upper), 0)
    elif kind == "major" or zeros >= 2:
        upper = [0] * zeros + [release[zeros] + 1] + [0] * (len(release) - zeros - 1)
    else:
        padded = release + [0] * max(zeros + 2 - len(release), 0)
        upper = [0] * zeros + [padded[zeros], padded[zeros + 1] + 1]
        upper += [0] * (len(release) - zeros - 2)
    return f">={version},<{'.'.join(map(str, upper))}"
