"""What a build starts from: an sdist archive or a source tree, and what it claims to be.

Every :class:`~ferry.dist.build.SourceBuilder` entry point first classifies its source, works
out the name and version it expects (from an sdist's filename or a tree's ``[project]``), and
gets a directory to run the backend in. These steps depend only on the source, not on the
builder's cache or environments, so they live apart from it; so does reading static metadata
(PEP 643 ``PKG-INFO``, PEP 621 ``[project]``), which lets a metadata request skip the backend.
"""

from __future__ import annotations

from pathlib import Path

from ferry.dist.source_archive import is_sdist_archive, unpack_sdist
from ferry.dist.source_metadata import pkg_info_metadata, pyproject_metadata
from ferry.dist.source_tree import read_pyproject
from ferry.model.dist import parse_filename
from ferry.model.errors import UserError


def source_kind(source: Path, editable: bool) -> bool:
    """True for an sdist archive, False for a source tree; refuse anything else."""
    if source.is_dir():
        return False
    if is_sdist_archive(source):
        if editable:
            raise UserError(
                f"`{source.name}` is a source distribution; only a directory can be "
                "installed in editable mode"
            )
        return True
    if not source.exists():
        raise UserError(f"`{source}` does not exist")
    raise UserError(
        f"`{source}` is neither a source tree nor a source distribution "
        "(.tar.gz, .zip, .tar.bz2, .tar.xz, .tgz, .tar)"
    )


def expected_identity(
    source: Path, is_archive: bool, name: str | None, version: str | None
) -> tuple[str | None, str | None]:
    """The name and version the build should produce, where the caller did not say."""
    if is_archive and (name is None or version is None):
        parsed = parse_filename(source.name)
        if parsed is not None:
            name = name or parsed.name
            version = version or str(parsed.version)
    if not is_archive and name is None:
        pyproject = read_pyproject(source)
        project = pyproject.get("project") if pyproject else None
        if isinstance(project, dict) and isinstance(project.get("name"), str):
            name = project["name"]
    return name, version


def source_label(source: Path, name: str | None, version: str | None) -> str:
    """How messages name the source: ``name==version`` when known, else its file or path."""
    if name and version:
        return f"{name}=={version}"
    return source.name if source.is_file() else str(source)


def project_dir_of(source: Path, is_archive: bool, tmp: Path) -> Path:
    """The tree to build: ``source`` itself, or the sdist unpacked below ``tmp``."""
    if not is_archive:
        return source
    destination = tmp / "src"
    destination.mkdir()
    return unpack_sdist(source, destination)


def static_metadata(project_dir: Path, is_archive: bool) -> tuple[bytes, str] | None:
    """Core metadata readable without a backend, with where it came from; ``None`` if dynamic."""
    if is_archive:
        data = pkg_info_metadata(project_dir)
        if data is not None:
            return data, "PKG-INFO"
    where = str(project_dir / "pyproject.toml")
    data = pyproject_metadata(read_pyproject(project_dir), where)
    return None if data is None else (data, "pyproject.toml")
