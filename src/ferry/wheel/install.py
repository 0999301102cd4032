"""Install one unpacked wheel into a scheme: link, generate, record, and undo on failure.

Order matters for crash safety (RELIABILITY F3/F4): payload files are linked first, scripts are
generated next, and the ``.dist-info`` directory is assembled under a hidden temporary name and
renamed into place last, so a killed install is never listed as installed. Any exception rolls
back every file and directory this call created and restores every file it displaced.

The unpacked archive may be shared (hardlinked) with the cache, so files that differ from the
archive (RECORD, INSTALLER, REQUESTED, direct_url.json, launchers, scripts whose ``#!python`` is
rewritten) are always written as new files, never by editing a linked one.
"""


# No ``from __future__ import annotations`` here: under it, typing compile()s each string
# field of a ``NamedTuple``, and a process's first compile() costs ~1 ms (every ``_ast``
# node class is built); a test holds warm commands to no compile() at all.

import json
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, NamedTuple, Protocol

from ferry.fs.errors import os_error
from ferry.fs.link import Linker
from ferry.model.errors import InvalidWheelError
from ferry.model.interrupt import critical_section
from ferry.model.log import get_logger
from ferry.model.scheme import Scheme
from ferry.wheel._digests import UnpackedTree, recorded_digests
from ferry.wheel._transaction import Transaction, temp_dir_in
from ferry.wheel._write import CREATE, FCHMOD, write_all
from ferry.wheel.installed import InstalledDist
from ferry.wheel.record import (
    GUARANTEED_ALGORITHMS,
    WEAK_ALGORITHMS,
    RecordEntry,
    RecordError,
    entry_for_bytes,
    hash_file,
    parse_record,
    render_record,
)
from ferry.wheel.scripts import (
    render_launcher,
    rewrite_python_shebang,
    scheme_python_version,
    with_versioned_pip,
)
from ferry.wheel.unpacked import inspect_unpacked, is_pycache_member, listed_tree
from ferry.wheel.wheel_info import WheelInfo

__all__ = ["FileLinker", "install_unpacked"]

logger = get_logger(__name__)

# Written by the installer, never taken from the wheel.
_GENERATED = frozenset({"RECORD", "INSTALLER", "REQUESTED", "direct_url.json"})
# Signatures of the wheel's RECORD; by definition not listed in it.
_UNLISTED = frozenset({"RECORD", "RECORD.jws", "RECORD.p7s"})
_MAX_LISTED_PROBLEMS = 5


class FileLinker(Protocol):
    """Puts one file of the archive at ``dst`` (``ferry.fs.link.Linker`` is the real one)."""

    def link(self, src: Path, dst: Path) -> None: ...


class _File(NamedTuple):
    """One archive file, where it goes, and its RECORD entry (already under its RECORD path).

    Paths are ``str`` and the record a tuple: a wheel has thousands of files, and ``pathlib``
    or a frozen dataclass per file cost several times more than the link itself. ``parent`` is
    ``dst``'s directory.
    """

    member: str
    src: str
    dst: str
    parent: str
    entry: RecordEntry
    is_script: bool


def _native(member: str) -> str:
    """A checked member name (no empty, ``.`` or ``..`` parts) as a relative native path."""
    return member if os.sep == "/" else member.replace("/", os.sep)


def _destination(
    member: str, info: WheelInfo, scheme: Scheme, root: str, root_str: str
) -> tuple[str, str, bool]:
    """Where ``member`` goes, its RECORD path, and whether it is a ``.data/scripts`` file."""
    top, _, rest = member.partition("/")
    if top == info.data_dir:
        key, _, inner = rest.partition("/")
        dst = os.fspath(scheme.for_key(key).joinpath(*inner.split("/")))
        return dst, _record_path(dst, root_str), key == "scripts"
    return root + _native(member), member, False


def _record_path(path: str | Path, root: str | Path) -> str:
    """RECORD paths are relative to the site directory, ``/``-separated (absolute if impossible)."""
    text, base = os.fspath(path), os.fspath(root).rstrip(os.sep) + os.sep
    if text.startswith(base):  # the common case, without relpath's cost
        return text[len(base) :].replace(os.sep, "/")
    try:
        return Path(os.path.relpath(path, root)).as_posix()
    except ValueError:  # another drive on Windows
        return Path(path).as_posix()


def _check_entry(
    member: str,
    src: str,
    listed: RecordEntry | None,
    known: tuple[str, int] | None,
    record_path: str,
) -> tuple[RecordEntry, str, bool]:
    """The file's sha256 entry (under ``record_path``), what is wrong with the wheel's RECORD
    claim ('' if nothing), and whether that problem is a hash/size mismatch (refused under
    ``strict_record``).

    ``known`` is the file's sha256 and size as the cache recorded them (``_digests.py``); the
    file is read only without it, or when the wheel's RECORD uses another algorithm.
    """
    digest, size = known if known is not None else hash_file(Path(src))
    actual = RecordEntry(record_path, "sha256", digest, size)
    if listed is None:
        return actual, f"`{member}` is not listed in RECORD", False
    if listed.size is not None and listed.size != size:
        return actual, f"size of `{member}` didn't match RECORD ({listed.size} != {size})", True
    if not listed.algorithm or not listed.digest:
        return actual, "", False
    algorithm = listed.algorithm
    if algorithm in WEAK_ALGORITHMS or algorithm not in GUARANTEED_ALGORITHMS:
        return actual, f"RECORD hash of `{member}` uses an unusable algorithm `{algorithm}`", True
    expected = digest if algorithm == "sha256" else hash_file(Path(src), algorithm)[0]
    if listed.digest != expected:
        return actual, f"hash of `{member}` didn't match RECORD", True
    return actual, "", False


def _load_record(archive_dir: Path, info: WheelInfo) -> dict[str, RecordEntry]:
    path = archive_dir / info.dist_info / "RECORD"
    try:
        entries = parse_record(path.read_text("utf-8", "surrogateescape"))
    except RecordError as exc:
        raise InvalidWheelError(f"Invalid wheel `{info.dist_info}`: {exc}") from None
    except OSError as exc:
        raise os_error("read", path, exc) from exc
    return {entry.path: entry for entry in entries}


def _report(label: str, problems: list[str], strict: bool) -> None:
    if not problems:
        return
    shown = "; ".join(problems[:_MAX_LISTED_PROBLEMS])
    more = len(problems) - _MAX_LISTED_PROBLEMS
    text = shown + (f"; and {more} more" if more > 0 else "")
    if strict:
        raise InvalidWheelError(
            f"Invalid wheel `{label}`: {text}",
            hint="the wheel's RECORD does not describe its files; it may have been tampered with",
        )
    logger.warning("The RECORD of `%s` is inaccurate (installing anyway): %s", label, text)


def _plan(
    archive_dir: Path,
    info: WheelInfo,
    files: list[str],
    scheme: Scheme,
    root: Path,
    strict: bool,
    digests: dict[str, tuple[str, int]] | None = None,
) -> tuple[list[_File], list[_File]]:
    """Verify every file against the wheel's RECORD (B7/B8); split payload and dist-info.

    ``digests`` are the files' digests when the caller has them (see ``UnpackedTree``); else
    the cache's manifest is read, else files are hashed as they are checked."""
    record = _load_record(archive_dir, info)
    known = digests if digests is not None else recorded_digests(archive_dir, files) or {}
    label = info.dist_info[: -len(".dist-info")]
    payload: list[_File] = []
    meta: list[_File] = []
    hard: list[str] = []  # refuse under strict_record
    soft: list[str] = []  # always only a warning
    source = os.fspath(archive_dir) + os.sep
    root_str = os.fspath(root)
    target = root_str + os.sep
    dist_info, data_dir, posix = info.dist_info, info.data_dir, os.sep == "/"
    dirname = os.path.dirname
    for member in files:
        native = member if posix else member.replace("/", os.sep)
        src = source + native
        top, _, inner = member.partition("/")
        if top == data_dir:
            dst, record_path, is_script = _destination(member, info, scheme, target, root_str)
        elif top == dist_info and inner in _GENERATED:
            continue
        else:  # the bulk of every wheel: a file under the site directory, under its own name
            dst, record_path, is_script = target + native, member, False
        claimed, digest = record.get(member), known.get(member)
        if (  # RECORD right, and already this file's entry: _check_entry's common outcome
            claimed is not None
            and digest is not None
            and claimed.digest == digest[0]
            and claimed.size == digest[1]
            and claimed.algorithm == "sha256"
            and claimed.path == record_path
        ):
            entry = claimed
        else:
            entry, problem, mismatch = _check_entry(member, src, claimed, digest, record_path)
            if problem and not (top == dist_info and inner in _UNLISTED):
                (hard if mismatch else soft).append(problem)
        item = _File(member, src, dst, dirname(dst), entry, is_script)
        (meta if top == dist_info else payload).append(item)
    present = {*files, f"{info.dist_info}/RECORD"}
    for listed in record:
        if listed not in present and not listed.endswith("/") and not is_pycache_member(listed):
            soft.append(f"RECORD lists `{listed}`, which the wheel does not contain")
    _report(label, hard, strict)
    _report(label, soft, strict=False)
    return payload, meta


def _write_new(path: Path, data: bytes, mode: int) -> None:
    """Create ``path`` (which must not exist) with ``data``: a new inode, never a shared one.

    ``os`` calls on the descriptor, not a file object: ``fdopen`` adds an ``fstat``, an
    ``ioctl`` and an ``lseek``, and ``chmod`` by path another lookup, for three files per wheel.
    """
    fd = os.open(path, CREATE, mode)
    try:
        write_all(fd, data)
        if FCHMOD:
            os.fchmod(fd, mode)  # the umask may have removed bits the file needs
    finally:
        os.close(fd)
    if not FCHMOD:
        os.chmod(path, mode)  # noqa: PTH101


class _Installer:
    """One install_unpacked call: the plan, the undo log and the RECORD being built."""

    def __init__(self, info: WheelInfo, root: Path, linker: FileLinker, python: str) -> None:
        self.info = info
        self.root = root
        self.linker = linker
        self.python = python
        self.tx = Transaction(root, spread=True)  # new directories placed apart (``staging``)
        self.record: dict[str, RecordEntry] = {}
        # The real Linker takes str paths (cheaper per file); any other FileLinker gets Paths.
        self._takes_str = isinstance(linker, Linker)

    def _prepare(self, dst: str, parent: str) -> None:
        self.tx.make_dirs(parent)
        if self.tx.clear_target(dst, parent):
            logger.warning("`%s` is written twice by `%s`; the last one wins", dst, self.info.name)

    def payload(self, items: list[_File]) -> None:
        """Link the payload: every target directory first (one ``mkdir`` each), then the files.

        The archive was validated when unpacked and its names re-checked by
        ``inspect_unpacked``, so ``dst`` is a plain string join under a scheme directory.
        """
        make_dirs = self.tx.make_dirs
        for parent in sorted({item.parent for item in items}):
            make_dirs(parent)
        for item in items:
            if item.is_script:
                self.place(item)
                continue
            self._prepare(item.dst, item.parent)
            self._link(item.src, item.dst)
            self.record[item.entry.path] = item.entry

    def place(self, item: _File) -> None:
        self._prepare(item.dst, item.parent)
        if item.is_script:
            src = Path(item.src)
            data = src.read_bytes()
            rewritten = rewrite_python_shebang(data, self.python)
            if rewritten is not None or not src.stat().st_mode & 0o111:
                content = data if rewritten is None else rewritten
                self._write(item.dst, content, 0o755)
                self._add(item.dst, entry_for_bytes("", content))
                return
        self._link(item.src, item.dst)
        self.record[item.entry.path] = item.entry

    def _add(self, dst: str | Path, entry: RecordEntry) -> None:
        path = _record_path(dst, self.root)
        self.record[path] = RecordEntry(path, entry.algorithm, entry.digest, entry.size)

    def _link(self, src: str, dst: str) -> None:
        try:
            if self._takes_str:
                self.linker.link(src, dst)  # type: ignore[arg-type]  # Linker: str | Path
            else:
                self.linker.link(Path(src), Path(dst))
        except OSError as exc:
            raise os_error(f"link `{src}` to", Path(dst), exc) from exc
        self.tx.created(dst)

    def _write(self, dst: str | Path, data: bytes, mode: int) -> None:
        try:
            _write_new(Path(dst), data, mode)
        except OSError as exc:
            raise os_error("write", Path(dst), exc) from exc
        self.tx.created(dst)

    def launcher(self, scripts_dir: Path, name: str, data: bytes) -> None:
        dst = os.fspath(scripts_dir / name)
        self._prepare(dst, os.fspath(scripts_dir))
        self._write(dst, data, 0o755)
        self._add(dst, entry_for_bytes("", data))

    def dist_info(self, meta: list[_File], generated: Mapping[str, bytes]) -> Path:
        """Assemble ``.dist-info`` under a temporary name, then rename it into place."""
        self.tx.make_dirs(self.root)
        # in the staging directory, its files are placed apart too (see ``Transaction.staging``)
        tmp = self.tx.staged_path(self.info.dist_info)
        if tmp is None:
            tmp = temp_dir_in(self.root, self.info.dist_info)
            self.tx.created_tree(tmp)
        final = self.root / self.info.dist_info
        try:
            tmp.mkdir()
        except OSError as exc:
            raise os_error("create directory", tmp, exc) from exc
        final_str, tmp_str = os.fspath(final), os.fspath(tmp)
        self.tx.made_dir(tmp_str)  # its subdirectories need no ``isdir`` of it
        for item in meta:
            dst = tmp_str + item.dst[len(final_str):]
            parent = os.path.dirname(dst)  # noqa: PTH120
            self.tx.make_dirs(parent)
            self._link(item.src, dst)
            self.record[item.entry.path] = item.entry
        for name, data in generated.items():
            self._write(tmp / name, data, 0o644)
            self._add(final / name, entry_for_bytes("", data))
        record_name = _record_path(final / "RECORD", self.root)
        self._write(tmp / "RECORD", render_record(self.record.values(), record_name), 0o644)
        if os.path.lexists(final):
            try:
                self.tx.stash.put(final)
            except OSError as exc:
                raise os_error("move aside the existing", final, exc) from exc
        try:
            tmp.rename(final)
        except OSError as exc:
            raise os_error(f"rename `{tmp}` to", final, exc) from exc
        self.tx.created_tree(final)
        return final


def _generated(
    installer: str, requested: bool, direct_url: Mapping[str, Any] | None
) -> Iterator[tuple[str, bytes]]:
    yield "INSTALLER", f"{installer}\n".encode()
    if requested:
        yield "REQUESTED", b""
    if direct_url is not None:
        yield "direct_url.json", json.dumps(dict(direct_url), sort_keys=True).encode()


def install_unpacked(
    archive_dir: Path,
    scheme: Scheme,
    *,
    python_executable: Path,
    linker: FileLinker,
    installer: str = "ferry",
    direct_url: Mapping[str, Any] | None = None,
    requested: bool = False,
    strict_record: bool = False,
    tree: UnpackedTree | None = None,
    listing: Mapping[str, Any] | None = None,
) -> InstalledDist:
    """Install the wheel unpacked at ``archive_dir`` into ``scheme``; all or nothing.

    ``python_executable`` goes into script shebangs. ``strict_record`` turns a wheel RECORD that
    disagrees with the files into an error instead of a warning (B7). Existing files at the
    targets are replaced (and restored if the install fails); uninstalling an older version
    first is the caller's job. ``tree`` is what unpacking ``archive_dir`` just learned, when this
    process made it: the tree is then taken as described instead of walked and re-checked.
    ``listing`` is the manifest's files as the cache's lookup just checked them
    (:func:`~ferry.wheel.unpack.listed_tree`): the tree is described from it when it can be.
    """
    if tree is None and listing is not None:
        tree = listed_tree(archive_dir, listing)
    if tree is None:
        info, files = inspect_unpacked(archive_dir)
        digests = None
    else:
        info, files, digests = tree
    root = scheme.purelib if info.root_is_purelib else scheme.platlib
    payload, meta = _plan(archive_dir, info, files, scheme, root, strict_record, digests)
    with critical_section():
        return _install(info, payload, meta, scheme, root, linker, python_executable,
                        installer, requested, direct_url)


def _install(
    info: WheelInfo,
    payload: list[_File],
    meta: list[_File],
    scheme: Scheme,
    root: Path,
    linker: FileLinker,
    python_executable: Path,
    installer: str,
    requested: bool,
    direct_url: Mapping[str, Any] | None,
) -> InstalledDist:
    job = _Installer(info, root, linker, os.fspath(python_executable))
    try:
        job.tx.make_dirs(root)
        job.payload(payload)
        version = scheme_python_version(scheme.purelib, python_executable) if info.scripts else None
        for script in with_versioned_pip(info.scripts, version):
            name, data = render_launcher(script, job.python)
            job.launcher(scheme.scripts, name, data)
        final = job.dist_info(meta, dict(_generated(installer, requested, direct_url)))
    except BaseException:
        job.tx.rollback()
        raise
    job.tx.commit()
    logger.debug("Installed %s==%s into `%s` (%d files)", info.name, info.version, root,
                 len(job.record) + 1)
    return InstalledDist(info.name, info.version, final, root)
