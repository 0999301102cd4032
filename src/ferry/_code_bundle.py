"""ferry's own modules served from one file of bytecode, the code bundle.

A warm command imports 60 to 130 of ferry's modules. For each, Python's path finder lists and
stats its way to the file, and the source loader stats the source, opens, reads and closes the
``.pyc`` and checks its header in Python: ~115 µs a module, of which unmarshalling is only
~35 µs. The bundle (``ferry/__pycache__/bundle.<cache tag>.bin``) holds the bytecode of every
module of the package with the size and modification time its source had, read once at start-up:
a module is then one ``stat`` of its source (the same check a ``.pyc`` gets, to the nanosecond)
and one ``marshal.loads`` (~8 ms off a lock on a big project, ~6 ms off a small install).

It is an index over the ``.pyc`` files Python already writes, and nothing more: built from those
whose header matches their source, never compiled from source. A module that is missing or
whose source changed since is loaded the ordinary way (and its ``.pyc`` written as usual), and
the bundle is rebuilt once the command is over, in an exit function. Nothing is written where
Python would not write bytecode (``PYTHONDONTWRITEBYTECODE``, a read-only install); under
``-O`` (which reads other ``.pyc`` files) the bundle is not used at all.

Format: ``MAGIC`` (the interpreter's bytecode magic number and this format's version), the
length of the index, the index, then the code objects' bytes. The index (``marshal``) is seven
columns, one row per module: names, is-package flags, paths below the package, sources'
``st_mtime_ns`` and sizes, offsets and lengths of the code. Columns rather than one tuple per
module: read before ``cli.fast`` raises the collector's threshold, 300 new tuples would start a
garbage collection over everything loaded so far.
"""

from __future__ import annotations

# os.path, not pathlib: this runs as ferry is imported, before anything has imported pathlib.
# ruff: noqa: PTH112, PTH116, PTH118, PTH120, PTH122, PTH206, SIM105
import marshal
import os
import sys

# The importer's own modules, loaded with the interpreter: ``importlib.machinery`` and
# ``importlib.util`` re-export these names, but the latter imports contextlib (~2 ms).
from importlib._bootstrap import ModuleSpec
from importlib._bootstrap_external import MAGIC_NUMBER, SOURCE_SUFFIXES, SourceFileLoader

TYPE_CHECKING = False  # typing costs ~2 ms to import; mypy reads this name as True
if TYPE_CHECKING:
    from collections.abc import Sequence
    from types import CodeType

FORMAT = b"fb02"
MAGIC = MAGIC_NUMBER + FORMAT
_PACKAGE = "ferry"
_SKIPPED = ("ferry.__main__",)  # runpy asks its loader for code, not for a module

Entry = tuple[bool, str, int, int, bytes]  # what :func:`collect` finds for a module
Index = tuple[tuple[str, ...], bytes, tuple[str, ...], tuple[int, ...], tuple[int, ...],
              tuple[int, ...], tuple[int, ...]]


def pycache_file(root: str, stem: str) -> str:
    """``root/__pycache__/<stem>.<cache tag>.bin``: beside the package's bytecode, one per
    interpreter, as a ``.pyc`` is."""
    return os.path.join(root, "__pycache__", f"{stem}.{sys.implementation.cache_tag}.bin")


def bundle_path(root: str) -> str:
    return pycache_file(root, "bundle")


def replace_file(path: str, data: bytes) -> None:
    """``path`` replaced by ``data`` atomically (concurrent commands may both write it), as a
    cache entry is; nothing when its ``__pycache__`` does not exist (it is not created where
    Python keeps no bytecode) or cannot be written (the file only saves time)."""
    if not os.path.isdir(os.path.dirname(path)):
        return
    from pathlib import Path

    from ferry.fs.atomic import write_entry
    from ferry.model.errors import FilesystemError

    try:
        write_entry(Path(path), data)
    except FilesystemError:
        pass


_CODE_TYPE = type(bundle_path.__code__)  # types.CodeType, without importing types


class _BundledLoader(SourceFileLoader):
    """The source loader of a module whose source was found unchanged: its code comes from the
    bundle (from the source, as usual, if the bundle cannot give it)."""

    bundle: CodeBundle
    row: int

    def get_code(self, fullname: str) -> CodeType | None:  # type: ignore[override]
        code = self.bundle.code(self.row)
        if code is None:
            self.bundle.note_miss(fullname)
            return super().get_code(fullname)
        return code


class CodeBundle:
    """The meta path finder of ferry's modules (first on ``sys.meta_path``)."""

    def __init__(self, root: str, fd: int | None, start: int, index: Index) -> None:
        self.root = root
        self._fd = fd  # the bundle, open for the process (not inherited by what ``run`` execs)
        self._start = start  # where the code begins in it
        self._index = index
        self._rows = dict(zip(index[0], range(len(index[0])), strict=True))
        self._missed: set[str] = set()  # loaded the ordinary way: the bundle should change

    @property
    def missed(self) -> frozenset[str]:
        """ferry's modules this process loaded the ordinary way (or asked for in vain)."""
        return frozenset(self._missed)

    # --- the finder -----------------------------------------------------------------------

    def find_spec(self, fullname: str, path: Sequence[str] | None = None,
                  target: object = None) -> ModuleSpec | None:
        row = self._rows.get(fullname)
        if row is not None:
            origin = os.path.join(self.root, self._index[2][row])
            if self._unchanged(row, origin):
                return self._spec(fullname, row, origin)
        # Not bundled, or its source changed or is gone (an upgrade may turn a module into a
        # package): the ordinary finders decide, as if there were no bundle.
        if fullname.startswith("ferry.") and fullname not in _SKIPPED:
            self.note_miss(fullname)
        return None

    def _spec(self, fullname: str, row: int, origin: str) -> ModuleSpec:
        is_package = bool(self._index[1][row])
        loader = _BundledLoader(fullname, origin)
        loader.bundle, loader.row = self, row
        spec = ModuleSpec(fullname, loader, origin=origin, is_package=is_package)
        spec.has_location = True
        if is_package:
            spec.submodule_search_locations = [os.path.dirname(origin)]
        return spec

    def invalidate_caches(self) -> None:
        pass

    # --- the code -------------------------------------------------------------------------

    def _unchanged(self, row: int, source: str) -> bool:
        """Whether ``source`` is the file the row's code was built from (size and mtime_ns)."""
        try:
            found = os.stat(source)
        except OSError:
            return False
        return (found.st_mtime_ns == self._index[3][row]
                and found.st_size == self._index[4][row])

    def code(self, row: int) -> CodeType | None:
        """The code of the module at ``row`` (``None`` if the bundle cannot give it)."""
        offset, length = self._index[5][row], self._index[6][row]
        try:
            data = (os.pread(self._fd, length, self._start + offset)
                    if self._fd is not None else b"")
            code = marshal.loads(data) if len(data) == length and length else None
        except (OSError, TypeError, EOFError, ValueError):  # a damaged bundle
            return None
        return code if isinstance(code, _CODE_TYPE) else None

    def note_miss(self, fullname: str) -> None:
        if not self._missed and not sys.dont_write_bytecode:
            import atexit

            atexit.register(self._rebuild)
        self._missed.add(fullname)

    def _rebuild(self) -> None:
        """Once the command is over: a new bundle, if a module that missed it now has current
        bytecode (else nothing would change, and every run would rebuild: a name asked for
        that is no module, say)."""
        if any(self._now_current(name) for name in self._missed):
            write(self.root, collect(self.root))

    def _now_current(self, fullname: str) -> bool:
        parts = fullname.split(".")[1:]
        return any(_current_bytecode(source) is not None
                   for source in (os.path.join(self.root, *parts) + ".py",
                                  os.path.join(self.root, *parts, "__init__.py")))


def collect(root: str) -> dict[str, Entry]:
    """Every module below ``root`` whose ``.pyc`` matches its source: name -> (is package,
    path below ``root``, source ``st_mtime_ns``, source size, code bytes)."""
    found: dict[str, Entry] = {}
    for directory, subdirectories, files in os.walk(root):
        subdirectories[:] = sorted(d for d in subdirectories if d != "__pycache__")
        relative_dir = os.path.relpath(directory, root)
        parts = [] if relative_dir == os.curdir else relative_dir.split(os.sep)
        for file in sorted(files):
            stem, extension = os.path.splitext(file)
            if extension not in SOURCE_SUFFIXES:
                continue
            source = os.path.join(directory, file)
            is_package = stem == "__init__"
            name = ".".join([_PACKAGE, *parts] + ([] if is_package else [stem]))
            if name == _PACKAGE or name in _SKIPPED:
                continue  # the package itself is imported before the bundle is read
            code = _current_bytecode(source)
            if code is not None:
                stat, data = code
                found[name] = (is_package, os.path.relpath(source, root), stat.st_mtime_ns,
                               stat.st_size, data)
    return found


def _current_bytecode(source: str) -> tuple[os.stat_result, bytes] | None:
    """The code bytes of ``source``'s ``.pyc`` beside it if that is a timestamp ``.pyc`` of
    ``source`` as it is now."""
    directory, file = os.path.split(source)
    cached = os.path.join(directory, "__pycache__",
                          f"{os.path.splitext(file)[0]}.{sys.implementation.cache_tag}.pyc")
    try:
        stat = os.stat(source)
        with open(cached, "rb") as handle:
            data = handle.read()
    except OSError:
        return None
    if (len(data) < 16 or data[:4] != MAGIC_NUMBER or int.from_bytes(data[4:8], "little") != 0
            or int.from_bytes(data[8:12], "little") != int(stat.st_mtime) & 0xFFFFFFFF
            or int.from_bytes(data[12:16], "little") != stat.st_size & 0xFFFFFFFF):
        return None
    return stat, data[16:]


def write(root: str, entries: dict[str, Entry]) -> None:
    """The bundle of ``entries`` (see :func:`replace_file`)."""
    names = sorted(entries)
    rows = [entries[name] for name in names]
    blobs = [row[4] for row in rows]
    offsets: list[int] = []
    position = 0
    for blob in blobs:
        offsets.append(position)
        position += len(blob)
    index: Index = (tuple(names), bytes(row[0] for row in rows), tuple(row[1] for row in rows),
                    tuple(row[2] for row in rows), tuple(row[3] for row in rows),
                    tuple(offsets), tuple(len(blob) for blob in blobs))
    header = marshal.dumps(index)
    replace_file(bundle_path(root),
                 b"".join([MAGIC, len(header).to_bytes(4, "little"), header, *blobs]))


def read(root: str) -> CodeBundle | None:
    """The bundle below ``root`` (``None`` when there is none for this interpreter). Only its
    index is read here; each module's code when it is imported (reading all of it, ~3 MB,
    would cost more than the modules a command needs)."""
    try:
        fd = os.open(bundle_path(root), os.O_RDONLY)
    except OSError:
        return None
    try:
        head = os.pread(fd, 64 * 1024, 0)
        start = len(MAGIC) + 4
        if head[:len(MAGIC)] != MAGIC:
            raise ValueError("not a bundle of this interpreter")
        length = int.from_bytes(head[len(MAGIC):start], "little")
        if start + length > len(head):
            head += os.pread(fd, start + length - len(head), len(head))
        index = marshal.loads(head[start:start + length])
        if not _well_formed(index):
            raise ValueError("a damaged index")
    except (OSError, EOFError, ValueError, TypeError):
        os.close(fd)
        return None
    return CodeBundle(root, fd, start + length, index)


def _well_formed(index: object) -> bool:
    if type(index) is not tuple or len(index) != 7 or type(index[1]) is not bytes:
        return False
    columns = [index[0], *index[2:]]
    return (all(type(column) is tuple for column in columns)
            and len({len(index[1]), *(len(column) for column in columns)}) == 1)


def install(package_file: str | None) -> None:
    """Put ferry's code bundle first on ``sys.meta_path`` (an empty one when there is no
    bundle yet: it notes the modules it could not serve, and the exit function writes it)."""
    if package_file is None or sys.flags.optimize or os.environ.get("FERRY_NO_CODE_BUNDLE"):
        return
    if any(isinstance(finder, CodeBundle) for finder in sys.meta_path):
        return
    root = os.path.dirname(package_file)
    bundle = read(root) or CodeBundle(root, None, 0, ((), b"", (), (), (), (), ()))
    sys.meta_path.insert(0, bundle)  # type: ignore[arg-type]
