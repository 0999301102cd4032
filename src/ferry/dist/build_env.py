"""Build environments: throwaway virtual environments holding a backend's requirements.

An isolated build runs in a venv made by ferry's own ``create_venv`` and filled, through the
:class:`BuildRequirementsInstaller` protocol the commands layer implements with ferry's installer,
with ``build-system.requires`` plus what the backend asks for. The dist layer cannot import the
installer (it sits above), hence the protocol.

Environments are kept in the cache (``environments-v1/build/<key>/``) and reused when both the
requirement set and the interpreter are the same: the key is a hash of the normalised, sorted
requirements and of the base interpreter (path, implementation, version). Each one is created
under an exclusive per-key lock, in place, and marked complete by a file written last; a folder
without that mark is a crash's leftover and is recreated. Once marked it is never modified, so
any number of builds may use it at once. It is created in place rather than renamed in, because
a venv is not relocatable (its scripts name their own interpreter by absolute path).

``--no-build-isolation`` builds with the target environment's own python instead: nothing is
created or installed.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Protocol

from ferry.cache.store import Cache
from ferry.fs.atomic import atomic_write_text, remove_tree
from ferry.fs.locks import lock_exclusive
from ferry.model.errors import BuildError, FerryError
from ferry.model.immutable import immutable
from ferry.model.log import get_logger
from ferry.model.names import canonicalize_name
from ferry.model.pep508_requirements import Requirement
from ferry.model.value_fields import field
from ferry.python.environment import PythonEnvironment, environment_python, open_environment
from ferry.python.interpreter import Interpreter
from ferry.python.venv import create_venv

__all__ = [
    "BuildEnvironment",
    "BuildEnvironments",
    "BuildRequirementsInstaller",
    "normalize_requirements",
]

logger = get_logger(__name__)

MARKER = ".ferry-build-env.json"
_FORMAT = 1


class BuildRequirementsInstaller(Protocol):
    """Installs requirements into a (fresh) build environment. Implemented by the commands layer
    with ferry's own resolver and installer, so build requirements come from the same indexes
    and cache as everything else."""

    def install(self, requirements: Sequence[str], environment: PythonEnvironment) -> None: ...


@immutable
class BuildEnvironment:
    """Where hooks run: the python and the environment variables that make it the build's."""

    python: Path
    isolated: bool
    root: Path | None = None
    requirements: tuple[str, ...] = ()
    environ: Mapping[str, str | None] = field(default_factory=dict)

    def provides(self, requirements: Iterable[str]) -> bool:
        """True when every requirement is already part of this environment's set."""
        return set(normalize_requirements(requirements)) <= set(self.requirements)


def normalize_requirements(requirements: Iterable[str]) -> tuple[str, ...]:
    """Sorted, de-duplicated requirement strings with canonical names: the set a key is made of."""
    normal: set[str] = set()
    for text in requirements:
        requirement = Requirement(text)
        requirement.name = canonicalize_name(requirement.name)
        normal.add(str(requirement))
    return tuple(sorted(normal))


def _bin_dir(root: Path) -> Path:
    return root / ("Scripts" if os.name == "nt" else "bin")


def _path_with(directory: Path) -> str:
    return os.pathsep.join([str(directory), os.environ.get("PATH", os.defpath)])


def target_environment(interpreter: Interpreter) -> BuildEnvironment:
    """Build in the target environment itself (``--no-build-isolation``)."""
    environ: dict[str, str | None] = {}
    if interpreter.is_venv:
        environ["PATH"] = _path_with(interpreter.executable.parent)
        environ["VIRTUAL_ENV"] = str(interpreter.prefix)
    return BuildEnvironment(interpreter.executable, isolated=False, environ=environ)


class BuildEnvironments:
    """Creates (once) and hands out isolated build environments kept in the cache."""

    def __init__(self, cache: Cache, installer: BuildRequirementsInstaller) -> None:
        self.cache = cache
        self.installer = installer
        self.created = 0  # environments created by this object (for tests and -v)

    def key(self, interpreter: Interpreter, requirements: tuple[str, ...]) -> str:
        identity = {
            "format": _FORMAT,
            "base": str(interpreter.base_executable),
            "implementation": interpreter.implementation,
            "version": str(interpreter.version),
            "tag": interpreter.tags[0] if interpreter.tags else "",
            "requirements": list(requirements),
        }
        text = json.dumps(identity, sort_keys=True)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]

    def isolated(
        self, interpreter: Interpreter, requirements: Iterable[str], label: str
    ) -> BuildEnvironment:
        """A complete environment for ``requirements`` on ``interpreter``, made if need be."""
        normal = normalize_requirements(requirements)
        key = self.key(interpreter, normal)
        folder = self.cache.bucket("environments") / "build"
        root = folder / key
        with lock_exclusive(folder / f"{key}.lock", f"build environment {key[:12]}"):
            if _is_complete(root):
                logger.debug(
                    "Reusing the build environment %s for %s (%s)",
                    key[:12], label, ", ".join(normal) or "no requirements",
                )
            else:
                self._create(root, interpreter, normal, label)
        return BuildEnvironment(
            python=environment_python(root) or _bin_dir(root) / "python",
            isolated=True,
            root=root,
            requirements=normal,
            environ={
                "PATH": _path_with(_bin_dir(root)),
                "VIRTUAL_ENV": str(root),
                "PYTHONPATH": None,
                "PYTHONHOME": None,
                "PYTHONNOUSERSITE": "1",
            },
        )

    def _create(
        self, root: Path, interpreter: Interpreter, requirements: tuple[str, ...], label: str
    ) -> None:
        if root.exists():
            logger.debug("Removing the incomplete build environment %s", root)
            remove_tree(root)
        logger.debug(
            "Creating a build environment for %s at %s with %s",
            label, root, ", ".join(requirements) or "no requirements",
        )
        try:
            create_venv(root, interpreter)
            if requirements:
                environment = open_environment(root, self.cache)
                self.installer.install(list(requirements), environment)
            marker = {
                "format": _FORMAT,
                "requirements": list(requirements),
                "interpreter": str(interpreter.base_executable),
                "created": time.time(),
            }
            atomic_write_text(root / MARKER, json.dumps(marker, indent=2) + "\n")
        except BaseException as error:
            remove_tree(root)
            if isinstance(error, FerryError) and not isinstance(error, BuildError):
                raise BuildError(
                    f"Failed to build `{label}`: could not install its build requirements "
                    f"({', '.join(requirements)}): {error.message}",
                    causes=error.causes,
                    hint=error.hint,
                ) from error
            raise
        self.created += 1


def _is_complete(root: Path) -> bool:
    try:
        data = json.loads((root / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(data, dict) or data.get("format") != _FORMAT:
        return False
    python = environment_python(root)
    return python is not None and python.exists()
