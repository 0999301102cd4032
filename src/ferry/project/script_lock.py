"""PEP 723 script locks: ``<script>.lock``, in ``uv.lock``'s format, as ``uv lock --script``.

A script lock has no root package. Where a project's lock records its inputs on its own
``[[package]]`` (``[package.metadata]``), a script's are the lock's ``[manifest] requirements``
(the block's ``dependencies`` with ``[tool.uv.sources]`` applied, spelled as uv spells them) and
its ``requires-python`` (the block's, else the interpreter's ``>=X.Y``).

So that a script locks exactly as a project does (indexes, sources, ``exclude-newer``,
constraints and overrides from the block's ``[tool.uv]``), the block is read as an in-memory
``pyproject.toml`` beside the script — never written — whose ``[project]`` is a virtual stand-in
for the script (:data:`SCRIPT_ROOT`). The project lock machinery resolves it;
:func:`as_script_lock` takes the stand-in out and records its requirements in the manifest.
Relative paths stay relative to the script's directory, which is where uv reads them from too.

This module is the side that needs no network: the stand-in project, the conversion, the
freshness check (a fresh lock means no resolution at all).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ferry.model.errors import FerryError, UserError
from ferry.model.log import get_logger
from ferry.model.names import canonicalize_name
from ferry.model.value_fields import replace
from ferry.project.lock_fresh import (
    Freshness,
    diff_reason,
    requires_python_reason,
    settings_checks,
    verdict,
)
from ferry.project.lock_inputs import expected_metadata
from ferry.project.lock_model import (
    Lock,
    LockOptions,
    LockRequirement,
)
from ferry.project.pyproject import PYPROJECT, PyProject, parse_pyproject

log = get_logger(__name__)

SCRIPT_ROOT = canonicalize_name("ferry-pep723-script")
"""The stand-in project's name; never written to a lock."""


def script_lock_path(script: Path) -> Path:
    """``example.py`` → ``example.py.lock``, beside it (uv's name)."""
    return script.with_name(script.name + ".lock")


def script_pyproject(metadata: Mapping[str, Any], script: Path) -> PyProject:
    """The block as a virtual project in the script's directory (see the module docstring)."""
    import tomlkit

    dependencies = metadata.get("dependencies", [])
    if not isinstance(dependencies, list) or not all(isinstance(d, str) for d in dependencies):
        raise UserError(
            f"`dependencies` in the script block of `{script}` must be a list of strings"
        )
    project: dict[str, Any] = {
        "name": str(SCRIPT_ROOT),
        "version": "0",
        "dependencies": dependencies,
    }
    requires = metadata.get("requires-python")
    if requires is not None:
        project["requires-python"] = requires
    document: dict[str, Any] = {"project": project}
    tool = metadata.get("tool")
    if isinstance(tool, Mapping) and isinstance(tool.get("uv"), Mapping):
        document["tool"] = {"uv": dict(tool["uv"])}
    path = script.absolute().parent / PYPROJECT
    try:
        return parse_pyproject(tomlkit.dumps(document), path)
    except FerryError as error:
        raise UserError(
            f"The `# /// script` block of `{script}` is not valid", causes=[error.message]
        ) from error


def script_requirements(pyproject: PyProject) -> tuple[LockRequirement, ...]:
    """``[manifest] requirements``: the block's dependencies as the lock records them."""
    return expected_metadata(pyproject).requires_dist


def as_script_lock(lock: Lock, pyproject: PyProject) -> Lock:
    """A lock of the stand-in project made a script lock: no root package, the requirements
    in the manifest."""
    packages = tuple(
        p for p in lock.packages if not (p.name == SCRIPT_ROOT and p.source.is_local)
    )
    manifest = replace(lock.manifest, requirements=script_requirements(pyproject))
    return replace(lock, packages=packages, manifest=manifest)


def script_satisfies(pyproject: PyProject, lock: Lock, options: LockOptions | None) -> Freshness:
    """Whether ``lock`` still resolves the block: its requirements, ``requires-python``, the
    settings of its ``[tool.uv]``, and the path dependencies' own pyprojects."""
    declared = pyproject.project.requires_python if pyproject.project else None
    return verdict(
        [
            lambda: requires_python_reason(declared, lock),
            lambda: diff_reason(
                "the script's dependencies",
                script_requirements(pyproject),
                lock.manifest.requirements,
            ),
            *settings_checks(pyproject, lock, options, {}),
        ],
        pyproject,
        lock,
        set(),
    )

