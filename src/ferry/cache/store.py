"""The cache every ferry command shares: one root, versioned buckets, atomic entries.

Layout (every bucket carries a format version, so two ferry releases sharing a cache each ignore
the other's buckets, RELIABILITY E5)::

    <root>/.lock                    shared by every command, exclusive for clean/prune
    <root>/.tmp/                    work in progress; same filesystem, so entries arrive by rename
    <root>/files-v1/<sha[:2]>/<sha>/<filename>
    <root>/archives-v1/<sha>/…      unpacked wheels, each with .ferry-manifest.json
    <root>/index-v1/ metadata-v1/ interpreters-v1/ built-v1/ environments-v1/   JSON by key
    <root>/names-v1/<name>/<filename>.json     urls-v1/<sha256(url)>.json

Readers never see a partial entry: everything is written under ``.tmp`` or as a temporary sibling
and renamed into place. Commands hold :meth:`Cache.shared` while they use the cache; ``clean`` and
``prune`` take :meth:`Cache.exclusive`, so they wait for running commands instead of deleting what
those are using (E3). Locks are per open file, so taking ``exclusive()`` inside ``shared()`` in one
process waits for itself until ``FERRY_LOCK_TIMEOUT``: commands must not nest them.
"""

from __future__ import annotations

import os
import weakref
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from ferry._regex_cache import compile_pattern
from ferry.cache import archives, files, records
from ferry.cache.files import CachedFile, check_sha256, is_sha256
from ferry.cache.jsonfile import read_json_file, write_json_file
from ferry.cache.records import CachedName
from ferry.fs.atomic import remove_tree
from ferry.fs.errors import os_error
from ferry.fs.locks import lock_exclusive, lock_shared
from ferry.model.builtin_sha256 import sha256
from ferry.model.dist import Hashes
from ferry.model.errors import FilesystemError, InvalidWheelError
from ferry.model.log import get_logger
from ferry.model.url import redact

__all__ = ["BUCKETS", "Cache", "CachedFile", "CachedName", "default_cache_root"]

logger = get_logger(__name__)

BUCKETS: dict[str, str] = {
    name: f"{name}-v1"
    for name in (
        "files",
        "archives",
        "index",
        "metadata",
        "names",
        "urls",
        "interpreters",
        "built",
        "environments",
        "toml",  # parsed pyproject.toml/uv.lock (ferry.fs.toml_memo, which names it itself)
        "replay",  # fresh environments described (ferry.commands.sync_replay names it itself)
    )
}
#: Git databases and checkouts (``dist/git.py``); its own format version.
BUCKETS["git"] = "git-v0"
LOCK_NAME = ".lock"
TMP_NAME = ".tmp"
CACHEDIR_TAG_NAME = "CACHEDIR.TAG"
CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by ferry.\n"
    "# For information about cache directory tags see https://bford.info/cachedir/\n"
)
_KEY_SEGMENT = compile_pattern(r"[A-Za-z0-9][A-Za-z0-9._+=-]{0,127}")


def _token() -> str:
    """16 random hex digits for a unique sibling name (``secrets.token_hex(8)`` without its
    import: ``secrets`` loads ``random``, ``hmac`` and ``base64``)."""
    return os.urandom(8).hex()


def default_cache_root() -> Path:
    """``FERRY_CACHE_DIR`` if set, else the platform's user cache directory for ferry."""
    configured = os.environ.get("FERRY_CACHE_DIR", "").strip()
    if configured:
        return Path(configured).expanduser().absolute()
    import platformdirs

    return Path(platformdirs.user_cache_dir("ferry", appauthor=False)).absolute()


class Cache:
    """The store rooted at ``root``. Cheap to create; thread-safe; see the module docstring."""

    def __init__(self, root: Path, *, temporary: bool = False) -> None:
        self.root = Path(root)
        self.is_temporary = temporary
        self._finalizer = weakref.finalize(self, remove_tree, self.root) if temporary else None
        self._made: set[str] = set()

    def __repr__(self) -> str:
        return f"Cache({str(self.root)!r}{', temporary=True' if self.is_temporary else ''})"

    # -- opening -----------------------------------------------------------------------------

    @classmethod
    def from_options(cls, cache_dir: Path | None = None, no_cache: bool = False) -> Cache:
        """The cache the command line asks for (``--cache-dir``, ``--no-cache``) or the default.

        A root the user chose (flag or ``FERRY_CACHE_DIR``) that cannot be written is an error;
        the default one falls back to a temporary cache with a warning (RELIABILITY G2, G3).
        """
        if no_cache:
            return cls.temporary()
        explicit = cache_dir is not None or bool(os.environ.get("FERRY_CACHE_DIR", "").strip())
        root = (
            Path(cache_dir).expanduser().absolute()
            if cache_dir is not None
            else default_cache_root()
        )
        problem = _prepare(root)
        if problem is None:
            return cls(root)
        if explicit:
            raise FilesystemError(
                f"Cache directory `{root}` is not writable: {problem}",
                hint="pass `--no-cache` to use a temporary cache, or choose another "
                "directory with `--cache-dir`",
            )
        logger.warning(
            "cache directory `%s` is not writable (%s); using a temporary cache", root, problem
        )
        return cls.temporary()

    @classmethod
    def temporary(cls) -> Cache:
        """A fresh cache removed by :meth:`close` or, at the latest, when the interpreter exits."""
        try:
            import tempfile

            root = Path(tempfile.mkdtemp(prefix="ferry-cache-"))
        except OSError as error:
            raise os_error("create a temporary cache in", tempfile.gettempdir(), error) from error
        problem = _prepare(root)
        if problem is not None:
            raise FilesystemError(f"Temporary cache `{root}` is not writable: {problem}")
        return cls(root, temporary=True)

    def close(self) -> None:
        """Remove a temporary cache now; nothing to do for a persistent one."""
        if self._finalizer is not None:
            self._finalizer()

    # -- layout and locking --------------------------------------------------------------------

    def bucket(self, name: str) -> Path:
        """The directory of bucket ``name`` (``"files"``, ``"index"``…), created on first use."""
        try:
            path = self.root / BUCKETS[name]
        except KeyError:
            raise ValueError(f"unknown cache bucket {name!r}; known: {sorted(BUCKETS)}") from None
        if name not in self._made:
            try:
                path.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise os_error("create cache directory", path, error) from error
            self._made.add(name)
        return path

    def forget_layout(self) -> None:
        """Forget which bucket directories exist, after maintenance removed some."""
        self._made.clear()

    @property
    def lock_path(self) -> Path:
        return self.root / LOCK_NAME

    @property
    def tmp_root(self) -> Path:
        return self.root / TMP_NAME

    @contextmanager
    def shared(self) -> Iterator[Cache]:
        """Use the cache alongside other commands; blocks only while clean/prune run."""
        with lock_shared(self.lock_path, "cache"):
            yield self

    @contextmanager
    def exclusive(self) -> Iterator[Cache]:
        """Have the cache alone (clean, prune, repair): waits for running commands."""
        with lock_exclusive(self.lock_path, "cache"):
            yield self

    def make_temp_dir(self, prefix: str = "work-", *, private: bool = True) -> Path:
        """A fresh directory under ``.tmp`` that the caller owns (renames away or removes).

        ``private`` makes it ``0o700`` (``mkdtemp``); otherwise it gets the umask's default mode,
        as any directory the cache keeps: use that for a directory that becomes an entry.
        """
        try:
            self.tmp_root.mkdir(parents=True, exist_ok=True)
            if private:
                import tempfile  # ~2 ms (shutil, random): not on a warm install's path

                return Path(tempfile.mkdtemp(dir=self.tmp_root, prefix=prefix))
            while True:
                path = self.tmp_root / f"{prefix}{_token()}"
                try:
                    path.mkdir(0o777)
                except FileExistsError:
                    continue
                return path
        except OSError as error:
            raise os_error("create a temporary directory in", self.tmp_root, error) from error

    @contextmanager
    def temp_dir(self, prefix: str = "work-") -> Iterator[Path]:
        """A fresh directory under ``.tmp``, removed on exit unless it was renamed away."""
        path = self.make_temp_dir(prefix)
        try:
            yield path
        finally:
            remove_tree(path)

    # -- downloaded files ----------------------------------------------------------------------

    def store_file(
        self,
        filename: str,
        chunks: Iterable[bytes],
        expected: Hashes | None = None,
        expected_size: int | None = None,
    ) -> CachedFile:
        """Stream a download into ``files-v1``, hashing as it goes.

        Raises :class:`HashMismatchError` (or its ``SizeMismatchError``) when ``expected`` or
        ``expected_size`` disagree with what arrived; nothing is stored then.
        """
        return files.store_stream(
            self.bucket("files"), self.tmp_root, filename, chunks, expected, expected_size
        )

    def find_file(self, sha256: str, filename: str | None = None) -> Path | None:
        """The stored file with this digest (and ``filename``, if given), or ``None``.

        A digest that is not 64 hex digits cannot be in the store: ``None``, never a path.
        """
        digest = _lookup_digest(sha256)
        return files.find_stored(self.bucket("files"), digest, filename) if digest else None

    # -- unpacked archives ---------------------------------------------------------------------

    def persist_archive(
        self, sha256: str, tmp_dir: Path, files: Mapping[str, tuple[int, str]] | None = None
    ) -> Path:
        """Move the unpacked wheel ``tmp_dir`` into ``archives-v1/<sha256>`` (consumes it).

        ``files`` (``relative path -> (size, sha256 hex)``, as ``unpack_wheel(digests=…)``
        fills it) spares reading the tree back to write its manifest.
        """
        staging = self.tmp_root / f"stage-{_token()}"
        return archives.persist(
            self.bucket("archives"), check_sha256(sha256), tmp_dir, staging, files
        )

    def find_archive(self, sha256: str) -> Path | None:
        """The complete unpacked archive of the wheel with this digest, or ``None``."""
        found = self.find_archive_listed(sha256)
        return None if found is None else found[0]

    def find_archive_listed(self, sha256: str) -> tuple[Path, Mapping[str, Any]] | None:
        """The complete unpacked archive and its manifest's ``files`` (``member -> {"size",
        "sha256"}``, each file just checked by ``lstat``), or ``None``: an installer can take
        the files from it instead of walking the tree and reading the manifest again."""
        digest = _lookup_digest(sha256)
        if digest is None:
            return None
        trash = self.tmp_root / f"trash-{_token()}"
        return archives.find(self.bucket("archives"), digest, trash)

    # -- JSON entries --------------------------------------------------------------------------

    def json_path(self, bucket: str, key: str) -> Path:
        """Where ``key`` lives in ``bucket``.

        A key made of plain ``/``-separated segments (``pypi-3a7f/numpy``) is kept readable; any
        other key (a URL, a path) is replaced by its sha256. ``ferry cache clean <pkg>`` removes
        ``index-v1`` entries whose last segment is the normalized package name, and
        ``metadata-v1``/``built-v1`` entries keyed by a file's sha256.
        """
        segments = key.split("/")
        if not all(_KEY_SEGMENT.fullmatch(s) and not s.endswith(".tmp") for s in segments):
            segments = [sha256(key.encode("utf-8")).hexdigest()]
        return self.bucket(bucket).joinpath(*segments[:-1], f"{segments[-1]}.json")

    def read_json(self, bucket: str, key: str) -> Any | None:
        """The stored value, or ``None`` if absent or damaged (a damaged entry is removed)."""
        return read_json_file(self.json_path(bucket, key))

    def write_json(self, bucket: str, key: str, value: Any) -> None:
        write_json_file(self.json_path(bucket, key), value)

    # -- pointers ------------------------------------------------------------------------------

    def record_name(
        self, name: str, version: str, filename: str, sha256: str, url: str | None = None
    ) -> None:
        """Remember that the file ``filename`` of ``name==version`` is stored under ``sha256``."""
        records.record_name(self.bucket("names"), name, version, filename, sha256, url)

    def cached_files(self, name: str) -> list[CachedName]:
        """Files of project ``name`` the store still holds (for ``--prefer-offline``)."""
        return [
            record
            for record in records.read_names(self.bucket("names"), name)
            if self.find_file(record.sha256, record.filename) is not None
        ]

    def cached_versions(self, name: str) -> list[str]:
        """Versions of ``name`` with at least one file in the store, lowest first."""
        from ferry.model.pep440_version import InvalidVersion, Version

        def order(version: str) -> tuple[int, Version | str]:
            try:
                return (1, Version(version))
            except InvalidVersion:
                return (0, version)

        return sorted({record.version for record in self.cached_files(name)}, key=order)

    def record_url(self, url: str, sha256: str) -> None:
        """Remember the digest of the file at ``url`` (stored and keyed without credentials)."""
        records.record_url(self.bucket("urls"), url, sha256)

    def sha_for_url(self, url: str) -> str | None:
        """The digest recorded for ``url``, if the store holds a file of that URL's name under
        it: a pointer damaged by hand or by a disk error must never make one file stand in for
        another (it is a cache miss instead; RELIABILITY G7)."""
        sha = records.sha_for_url(self.bucket("urls"), url)
        if sha is None:
            return None
        filename = unquote(urlsplit(url).path.rpartition("/")[2])
        try:
            stored = self.find_file(sha, filename) if filename else None
        except InvalidWheelError:  # not a plain file name: nothing of that name is stored
            stored = None
        if stored is None:
            logger.debug(
                "ignoring the url pointer of %s: no stored `%s` under it", redact(url), filename
            )
            return None
        return sha


def _lookup_digest(sha256: str) -> str | None:
    digest = sha256.strip().lower()
    if is_sha256(digest):
        return digest
    logger.debug("cache miss: %r is not a sha256 digest", sha256)
    return None


def _prepare(root: Path) -> str | None:
    """Create the root's skeleton; the reason it is unusable, or ``None`` if it is fine."""
    try:
        root.mkdir(parents=True, exist_ok=True)
        (root / TMP_NAME).mkdir(exist_ok=True)
        if not os.access(root, os.W_OK | os.X_OK):
            return "permission denied"
        tag = root / CACHEDIR_TAG_NAME
        if not tag.exists():
            tag.write_text(CACHEDIR_TAG, encoding="utf-8")
            (root / ".gitignore").write_text("*\n", encoding="utf-8")
    except OSError as error:
        return error.strerror or str(error)
    return None
