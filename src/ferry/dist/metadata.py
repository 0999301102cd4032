"""Core metadata of any distribution: from the index for wheels, from a build for the rest.

The resolver asks for metadata by file; wheels are answered by the index client (PEP 658, range
requests, or a local read), and source distributions and trees need a PEP 517 build, which only a
:class:`SourceBuilder`-like object can do. Keeping both behind one callable lets every command
resolve the same way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

from ferry.index.client import IndexClient
from ferry.index.errors import NeedsBuild
from ferry.index.metadata import metadata_from_wheel
from ferry.model.dist import FileRef, Hashes, parse_filename
from ferry.model.errors import ParseError, UserError
from ferry.model.log import get_logger
from ferry.model.url import redact
from ferry.python.interpreter import Interpreter

logger = get_logger(__name__)


class MetadataBuilder(Protocol):
    """Builds source distributions or trees just far enough to read their metadata."""

    def metadata(
        self,
        source: Path,
        interpreter: Interpreter,
        *,
        editable: bool = False,
        expected_name: str | None = None,
        expected_version: str | None = None,
        sha256: str | None = None,
    ) -> bytes: ...


def file_url_path(url: str) -> Path:
    return Path(unquote(urlsplit(url).path))


class MetadataService:
    def __init__(
        self,
        client: IndexClient,
        builder: MetadataBuilder | None = None,
        interpreter: Interpreter | None = None,
    ) -> None:
        self.client = client
        self.builder = builder
        self.interpreter = interpreter

    def _require_builder(self, what: str) -> tuple[MetadataBuilder, Interpreter]:
        if self.builder is None or self.interpreter is None:
            raise UserError(
                f"`{what}` must be built to learn its metadata, and this command cannot build",
                hint="pin a version that ships a wheel for this interpreter",
            )
        return self.builder, self.interpreter

    def metadata(self, file: FileRef) -> bytes:
        try:
            return self.client.fetch_metadata(file)
        except NeedsBuild:
            return self._built(file)

    def _built(self, file: FileRef) -> bytes:
        builder, interpreter = self._require_builder(file.filename)
        cached = self.client.download(file)
        parsed = parse_filename(file.filename)
        return builder.metadata(
            cached.path,
            interpreter,
            expected_name=str(parsed.name) if parsed else None,
            expected_version=str(parsed.version) if parsed else None,
            sha256=cached.sha256,
        )

    def direct(self, url: str, editable: bool = False) -> tuple[FileRef | None, bytes]:
        """Metadata of a direct reference: an archive URL, a local archive, a source tree, or a
        git reference (checked out through :mod:`ferry.dist.git`; never editable)."""
        if url.startswith("git+"):
            from ferry.dist.git_build import git_checkout

            checkout = git_checkout(self.client.cache, url, offline=self.client.config.offline)
            builder, interpreter = self._require_builder(redact(url))
            return None, builder.metadata(checkout, interpreter)
        if url.startswith("file:"):
            path = file_url_path(url)
            if path.is_dir():
                builder, interpreter = self._require_builder(str(path))
                return None, builder.metadata(path, interpreter, editable=editable)
            if not path.exists():
                raise UserError(f"`{path}` does not exist")
        filename = unquote(urlsplit(url).path.rsplit("/", 1)[-1])
        file = FileRef(filename=filename, url=url.split("#", 1)[0], hashes=_fragment_hashes(url))
        if file.is_wheel:
            cached = self.client.download(file)
            return file, metadata_from_wheel(cached.path, filename, redact(url))
        if file.is_sdist:
            return file, self._built(file)
        raise UserError(
            f"`{redact(url)}` is neither a wheel, a source archive nor a directory",
            hint="direct references must name a .whl, .tar.gz or .zip file, or a project directory",
        )


def _fragment_hashes(url: str) -> Hashes:
    """The ``#sha256=…`` of a direct reference: checked against the download as a
    ``--hash`` would be (pip and uv refuse a mismatch; ignoring it installed anything)."""
    from ferry.index.fields import hashes_from_fragment

    try:
        return hashes_from_fragment(url, url)
    except ParseError as error:
        raise UserError(f"Invalid hash in the URL `{redact(url)}`",
                        causes=[error.message]) from None
