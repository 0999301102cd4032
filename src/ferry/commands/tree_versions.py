"""The version a local source tree builds as now, for the pins a sync installs from one.

uv.lock records a path or editable package's version as it was when locked, and none at all when
the version is dynamic (set by the build backend). The tree may say otherwise by the time it is
installed: `--frozen` after a bump in a path dependency, a version read from a file or from git
tags. uv installs whatever the tree builds as (`+ lib==1.4 (from file://…)`); ferry compared the
built wheel with the lock's version (`0` for a dynamic one) and blamed the cache. Asking the
builder for the tree's metadata first — `[project]` when the version is static, else the
backend's metadata hook, cached by the tree's content — gives the pin the version the build will
have, so planning (reinstall or keep), installing and reporting all see the same, true version,
and the installer's check of an archive against its pin still catches a damaged cache.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import unquote, urlsplit

from ferry.dist.source_metadata import metadata_identity
from ferry.model.errors import BuildError
from ferry.model.log import get_logger
from ferry.model.names import NormalizedName
from ferry.model.pep440_version import InvalidVersion, Version
from ferry.model.value_fields import replace

if TYPE_CHECKING:
    from ferry.model.dist import PinnedDist
    from ferry.python.interpreter import Interpreter

logger = get_logger(__name__)


class MetadataSource(Protocol):
    """What is asked here of a source builder (``LazySourceBuilder``, ``SourceBuilder``)."""

    def metadata(self, source: Path, interpreter: Interpreter, **options: Any) -> bytes: ...


def local_tree(pin: PinnedDist) -> Path | None:
    """The directory ``pin`` is built from, when it is a local source tree (path or editable)."""
    if pin.file is not None or pin.direct_url is None or not pin.direct_url.startswith("file:"):
        return None
    path = Path(unquote(urlsplit(pin.direct_url).path))
    return path if path.is_dir() else None


def with_tree_versions(
    pins: Sequence[PinnedDist],
    builder: MetadataSource,
    interpreter: Interpreter,
    known: Collection[NormalizedName] = (),
) -> list[PinnedDist]:
    """``pins`` with each local source tree's pin at the version the tree builds as now.

    ``known``: names whose pins already carry their tree's version (workspace members with a
    static version), left as they are.
    """
    out: list[PinnedDist] = []
    for pin in pins:
        tree = None if pin.name in known else local_tree(pin)
        if tree is None:
            out.append(pin)
            continue
        data = builder.metadata(tree, interpreter, editable=pin.editable,
                                expected_name=str(pin.name))
        identity = metadata_identity(data)
        try:
            version = Version(identity[1]) if identity is not None else None
        except InvalidVersion:
            version = None
        if version is None:
            raise BuildError(
                f"The metadata of `{pin.name}` built from `{tree}` has no valid version",
                hint=f"check `[project] version` (or the build backend's dynamic version "
                     f"setting) in `{tree}/pyproject.toml`",
            )
        if version != pin.version:
            logger.debug("%s at %s builds as version %s now (the lock says %s)",
                         pin.name, tree, version, pin.version)
        out.append(replace(pin, version=version))
    return out
