"""Where an interpreter's cached description lives, and reading it back cheaply.

Shared by :func:`ferry.python.interpreter.introspect` and the lean ``ferry venv`` path
(``ferry.commands.venv_fast``), which must find the same entry without paying for the modules
the full path loads: only ``os`` and a builtin sha256 are imported here (``hashlib`` loads
OpenSSL, ``json`` loads ``re``; each costs milliseconds, and the whole ``ferry venv`` budget is a
few dozen). The key is the path as given plus the ``stat`` of the file it resolves to, the
introspection script's digest and, for a pyenv shim, what pyenv's choice depends on.
"""

from __future__ import annotations

# os.path on purpose: pathlib costs milliseconds to import on the lean path.
# ruff: noqa: PTH100, PTH109, PTH111, PTH113, PTH116, PTH118, PTH120
import os

from ferry.model.builtin_sha256 import sha256

TYPE_CHECKING = False  # typing itself costs ~2 ms to import; mypy reads this name as True
if TYPE_CHECKING:
    from typing import Any

BUCKET = "interpreters"  # the cache maps it to its versioned folder, interpreters-v1/
BUCKET_DIR = "interpreters-v1"  # that folder (ferry.cache.store.BUCKETS; a test keeps them equal)
SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_introspect_script.py")
IMPLEMENTATION_NAMES = {"cpython": "CPython", "pypy": "PyPy", "graalpy": "GraalPy"}


_digest: list[str] = []


def script_digest() -> str:
    """Part of every cache key, so a changed introspection script invalidates old answers."""
    if not _digest:
        with open(SCRIPT, "rb") as handle:
            _digest.append(sha256(handle.read()).hexdigest()[:16])
    return _digest[0]


def is_script(path: str) -> bool:
    """True for ``#!`` files (pyenv shims, wrappers): what they run can change while the file
    itself does not, so only scripts whose inputs we can name (pyenv shims) are cached."""
    try:
        with open(path, "rb") as handle:
            return handle.read(2) == b"#!"
    except OSError:
        return False


def _stamp(path: str) -> str:
    try:
        info = os.stat(path)
    except OSError:
        return "-"
    return f"{info.st_mtime_ns}:{info.st_size}"


def pyenv_root() -> str:
    return os.environ.get("PYENV_ROOT") or os.path.join(os.path.expanduser("~"), ".pyenv")


def pyenv_shim_context(path: str | os.PathLike[str]) -> str | None:
    """What a pyenv shim's choice depends on, or None if ``path`` is not a pyenv shim.

    A shim runs the version named by PYENV_VERSION, else the nearest ``.python-version`` (from
    PYENV_DIR or the current directory up), else ``$PYENV_ROOT/version``, among the installed
    versions. With all of that in the cache key a cached answer is as fresh as running the shim
    (about 100 ms each, which would otherwise be paid on every discovery).
    """
    root = pyenv_root()
    if os.path.dirname(os.fspath(path)) != os.path.join(root, "shims"):
        return None
    folder = os.path.abspath(os.environ.get("PYENV_DIR") or os.getcwd())
    local: str | None = None
    while True:
        candidate = os.path.join(folder, ".python-version")
        if os.path.isfile(candidate):
            local = candidate
            break
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
    parts = [
        os.environ.get("PYENV_VERSION", ""),
        f"{local}:{_stamp(local)}" if local else "-",
        _stamp(os.path.join(root, "version")),
        _stamp(os.path.join(root, "versions")),
    ]
    return "\0".join(parts)


def cache_key(executable: str, info: os.stat_result, context: str = "") -> str:
    raw = "\0".join(
        (
            script_digest(),
            executable,
            str(info.st_dev),
            str(info.st_ino),
            str(info.st_mtime_ns),
            str(info.st_size),
            context,
        )
    )
    return sha256(raw.encode("utf-8", "surrogateescape")).hexdigest()


def key_for(path: str, info: os.stat_result) -> str | None:
    """The cache key of the interpreter at ``path`` (absolute, symlinks kept) whose file has
    ``info``; ``None`` for a script whose choice of interpreter we cannot name (never cached)."""
    context = pyenv_shim_context(path) if is_script(path) else ""
    return None if context is None else cache_key(path, info, context)


def entry_path(cache_root: str, key: str) -> str:
    """The file ``Cache.json_path(BUCKET, key)`` names (a sha256 key is kept as it is)."""
    return os.path.join(cache_root, BUCKET_DIR, key + ".json")


class _Decoder:
    """What ``_json.make_scanner`` reads from its context (``json.JSONDecoder``'s defaults)."""

    strict = True
    object_hook = None
    object_pairs_hook = None
    parse_float = float
    parse_int = int

    @staticmethod
    def parse_constant(name: str) -> float:
        return float(name.replace("Infinity", "inf"))


def loads(text: str) -> Any:
    """``json.loads`` for the small, compact documents ferry writes, through the C scanner
    directly: ``import json`` compiles regular expressions (several ms) this path never needs.
    Raises ``ValueError`` (or ``StopIteration``) on malformed input."""
    try:
        from _json import make_scanner
    except ImportError:  # not CPython: the pure module
        import json

        return json.loads(text)
    value, end = make_scanner(_Decoder)(text, 0)  # type: ignore[arg-type]
    if text[end:].strip():
        raise ValueError("extra data after the JSON document")
    return value


def read_entry(file: str) -> Any:
    """The value stored in the cache entry ``file``, or ``None`` when absent or unreadable
    (the full path then discards and recomputes it)."""
    try:
        with open(file, "rb") as handle:
            data = handle.read()
        return loads(data.decode("utf-8"))
    except (OSError, ValueError, StopIteration, UnicodeDecodeError):
        return None
