"""Core metadata of a source tree without running its backend, when the tree makes that safe.

Two sources are trustworthy enough for resolution:

* an sdist's ``PKG-INFO`` with ``Metadata-Version`` 2.2 or later whose ``Dynamic`` fields do not
  name a field resolution reads (PEP 643: every other field must equal the built wheel's);
* ``[project]`` in ``pyproject.toml`` when ``dynamic`` does not list ``version``,
  ``dependencies``, ``optional-dependencies`` or ``requires-python`` (PEP 621: a backend may not
  change a field that is not dynamic).

Either way no build environment is created and no backend runs. The metadata made from
``[project]`` carries what resolution needs (name, version, summary, requires-python,
requirements, extras), not everything a backend would write: the installed METADATA always comes
from the built wheel.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from ferry.fs.errors import os_error
from ferry.model.errors import BuildError, ParseError
from ferry.model.log import get_logger
from ferry.model.names import canonicalize_name
from ferry.model.pep440_specifiers import InvalidSpecifier, SpecifierSet
from ferry.model.pep440_version import InvalidVersion, Version
from ferry.model.pep508_requirements import InvalidRequirement, Requirement

__all__ = [
    "check_identity",
    "metadata_identity",
    "pkg_info_metadata",
    "pyproject_metadata",
]

if TYPE_CHECKING:
    import email.message

logger = get_logger(__name__)

# Fields resolution depends on; if any is dynamic, only the backend knows it.
_RESOLUTION_FIELDS = frozenset({"version", "requires-dist", "requires-python", "provides-extra"})
_PEP621_NEEDED = frozenset({"version", "dependencies", "optional-dependencies", "requires-python"})


def _headers(data: bytes) -> email.message.Message:
    # imported here: ~7 ms that every `sync` paid at start-up for a parser it uses only for
    # source trees' metadata
    import email.parser
    import email.policy

    parser = email.parser.BytesHeaderParser(policy=email.policy.compat32)
    return parser.parsebytes(data)


def metadata_identity(data: bytes) -> tuple[str, str] | None:
    """``(Name, Version)`` of a core metadata file, or ``None`` if it lacks either."""
    headers = _headers(data)
    name, version = headers.get("Name"), headers.get("Version")
    if not name or not version:
        return None
    return str(name).strip(), str(version).strip()


def check_identity(
    data: bytes,
    label: str,
    step: str,
    expected_name: str | None,
    expected_version: str | None,
) -> None:
    """Raise :class:`BuildError` when the metadata names another project or version."""
    identity = metadata_identity(data)
    if identity is None:
        raise BuildError(f"The metadata of `{label}` (from {step}) has no Name or Version")
    name, version = identity
    if expected_name is not None and canonicalize_name(name) != canonicalize_name(expected_name):
        raise BuildError(
            f"The metadata of `{label}` (from {step}) names the project `{name}`, "
            f"not `{expected_name}`",
            hint="the source distribution's filename and its content disagree",
        )
    if expected_version is not None and not _same_version(version, expected_version):
        raise BuildError(
            f"The metadata of `{label}` (from {step}) says version `{version}`, "
            f"not `{expected_version}`",
            hint="the source distribution's filename and its content disagree",
        )


def _same_version(a: str, b: str) -> bool:
    try:
        return Version(a) == Version(b)
    except InvalidVersion:
        return a == b


def pkg_info_metadata(project_dir: Path) -> bytes | None:
    """``PKG-INFO`` when PEP 643 makes it final for resolution; ``None`` otherwise."""
    path = project_dir / "PKG-INFO"
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as error:
        raise os_error("read", path, error) from error
    headers = _headers(data)
    try:
        metadata_version = Version(str(headers.get("Metadata-Version", "0")).strip())
    except InvalidVersion:
        return None
    if metadata_version < Version("2.2"):
        logger.debug("PKG-INFO is Metadata-Version %s (< 2.2): not static", metadata_version)
        return None
    dynamic = {str(v).strip().lower() for v in headers.get_all("Dynamic") or []}
    if dynamic & _RESOLUTION_FIELDS:
        logger.debug("PKG-INFO marks %s as dynamic", ", ".join(sorted(dynamic)))
        return None
    if metadata_identity(data) is None:
        return None
    return data


def pyproject_metadata(pyproject: dict[str, Any] | None, where: str) -> bytes | None:
    """Core metadata written from ``[project]`` when none of its resolution fields is dynamic."""
    if pyproject is None:
        return None
    project = pyproject.get("project")
    if not isinstance(project, dict):
        return None
    dynamic = project.get("dynamic", [])
    if not isinstance(dynamic, list):
        raise ParseError(f"`project.dynamic` in `{where}` is not a list", path=where)
    blocked = _PEP621_NEEDED & {str(d) for d in dynamic}
    if blocked:
        logger.debug("%s: [project] lists %s as dynamic; the backend must say", where, blocked)
        return None
    name, version = project.get("name"), project.get("version")
    if not isinstance(name, str) or not isinstance(version, str):
        return None
    try:
        Version(version)
    except InvalidVersion as error:
        message = f"`project.version` in `{where}` is invalid: {error}"
        raise ParseError(message, path=where) from None
    lines = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}"]
    summary = project.get("description")
    if isinstance(summary, str) and summary.strip():
        lines.append(f"Summary: {' '.join(summary.split())}")
    requires_python = project.get("requires-python")
    if requires_python is not None:
        lines.append(f"Requires-Python: {_specifier(requires_python, where)}")
    for requirement in _strings(project.get("dependencies", []), "dependencies", where):
        lines.append(f"Requires-Dist: {_requirement(requirement, where)}")
    extras = project.get("optional-dependencies", {})
    if not isinstance(extras, dict):
        raise ParseError(f"`project.optional-dependencies` in `{where}` is not a table", path=where)
    for extra, requirements in extras.items():
        normal = canonicalize_name(str(extra))
        lines.append(f"Provides-Extra: {normal}")
        field = f"optional-dependencies.{extra}"
        for requirement in _strings(requirements, field, where):
            lines.append(f"Requires-Dist: {_requirement(requirement, where, extra=normal)}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def _strings(value: object, field: str, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ParseError(f"`project.{field}` in `{where}` is not a list of strings", path=where)
    return list(value)


def _specifier(value: object, where: str) -> str:
    if not isinstance(value, str):
        raise ParseError(f"`project.requires-python` in `{where}` is not a string", path=where)
    try:
        return str(SpecifierSet(value))
    except InvalidSpecifier as error:
        raise ParseError(
            f"`project.requires-python` in `{where}` is invalid: {error}", path=where
        ) from None


def _requirement(text: str, where: str, extra: str | None = None) -> str:
    try:
        requirement = Requirement(text)
    except InvalidRequirement as error:
        raise ParseError(
            f"Invalid requirement `{text}` in `{where}`: {error}", path=where
        ) from None
    marker = str(requirement.marker) if requirement.marker is not None else None
    requirement.marker = None
    if extra is not None:
        marker = f'({marker}) and extra == "{extra}"' if marker else f'extra == "{extra}"'
    return f"{requirement}; {marker}" if marker else str(requirement)
