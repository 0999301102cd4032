"""``make_sdist``: source distributions that build offline through any PEP 517 frontend.

Each sdist carries its own backend in ``_backend/`` (``backend-path``) and, by default, declares
no build requirements, so building needs neither the network nor an index. The backend turns
``src/`` into a ``py3-none-any`` wheel, copies ``PKG-INFO`` as the wheel's METADATA and supports
PEP 660 editables through a ``.pth`` file. It runs on Python 3.8+, because ferry may build with
any interpreter a test asks for. ``build_backend="failing"`` gives a backend whose wheel hooks
fail on purpose (with a message on stderr), for the build-error paths.
"""

from __future__ import annotations

import gzip
import io
import json
import tarfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Literal

from tests.support.metadata import dist_name, dist_version, entry_points_text, metadata_text

__all__ = ["BACKEND_MODULE", "TAR_MTIME", "make_sdist", "write_targz"]

TAR_MTIME = 946684800  # 2000-01-01T00:00:00Z, the same instant as the wheels' ZIP timestamps
BACKEND_MODULE = "ferry_test_backend"
FAILURE_MESSAGE = "ferry-test-backend: this build fails on purpose"

_BACKEND_SOURCE = r'''"""In-tree PEP 517 backend of ferry's test sdists, offline."""
import base64
import hashlib
import io
import os
import re
import sys
import tarfile
import zipfile

FAIL = __FAIL__
_DATE = (2000, 1, 1, 0, 0, 0)
_WHEEL = (
    b"Wheel-Version: 1.0\nGenerator: ferry-test-backend\nRoot-Is-Purelib: true\n"
    b"Tag: py3-none-any\n"
)


def _fail():
    if FAIL:
        sys.stderr.write("__MESSAGE__\n")
        raise RuntimeError("__MESSAGE__")


def _read(path):
    with open(path, "rb") as f:
        return f.read()


def _field(meta, key):
    for line in meta.decode("utf-8").splitlines():
        if not line.strip():
            break
        k, _, v = line.partition(":")
        if k.strip().lower() == key.lower():
            return v.strip()
    raise RuntimeError("PKG-INFO has no " + key)


def _stem():
    meta = _read("PKG-INFO")
    name = re.sub(r"[-_.]+", "_", _field(meta, "Name")).lower()
    return name + "-" + _field(meta, "Version").replace("-", "_"), meta


def _dist_info(stem, meta):
    di = stem + ".dist-info"
    out = [(di + "/METADATA", meta), (di + "/WHEEL", _WHEEL)]
    if os.path.isfile("entry_points.txt"):
        out.append((di + "/entry_points.txt", _read("entry_points.txt")))
    return di, out


def _tree(top):
    out = []
    for root, dirs, files in os.walk(top):
        dirs[:] = sorted(d for d in dirs if d not in ("__pycache__", "build", "dist", ".git"))
        for fn in sorted(files):
            full = os.path.join(root, fn)
            out.append((os.path.relpath(full, top).replace(os.sep, "/"), full))
    return out


def _write_wheel(directory, stem, members, di):
    rows = []
    for arc, data in members:
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        rows.append("%s,sha256=%s,%d" % (arc, digest, len(data)))
    rows.append(di + "/RECORD,,")
    members = members + [(di + "/RECORD", ("\n".join(rows) + "\n").encode())]
    filename = stem + "-py3-none-any.whl"
    with zipfile.ZipFile(os.path.join(directory, filename), "w", zipfile.ZIP_DEFLATED) as zf:
        for arc, data in members:
            info = zipfile.ZipInfo(arc, _DATE)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    return filename


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_editable(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    _fail()
    stem, meta = _stem()
    di, files = _dist_info(stem, meta)
    for arc, data in files:
        path = os.path.join(metadata_directory, *arc.split("/"))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
    return di


prepare_metadata_for_build_editable = prepare_metadata_for_build_wheel


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    _fail()
    stem, meta = _stem()
    di, info = _dist_info(stem, meta)
    payload = [(arc, _read(full)) for arc, full in _tree("src")]
    return _write_wheel(wheel_directory, stem, payload + info, di)


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    _fail()
    stem, meta = _stem()
    di, info = _dist_info(stem, meta)
    pth = ("_" + stem.split("-")[0] + "_editable.pth", (os.path.abspath("src") + "\n").encode())
    return _write_wheel(wheel_directory, stem, [pth] + info, di)


def build_sdist(sdist_directory, config_settings=None):
    stem, _ = _stem()
    filename = stem + ".tar.gz"
    path = os.path.join(sdist_directory, filename)
    with tarfile.open(path, "w:gz", format=tarfile.PAX_FORMAT) as tf:
        for arc, full in _tree("."):
            info = tarfile.TarInfo(stem + "/" + arc)
            data = _read(full)
            info.size = len(data)
            info.mode = 0o644
            info.mtime = 946684800
            tf.addfile(info, io.BytesIO(data))
    return filename
'''


def backend_source(*, failing: bool = False) -> str:
    """The backend module's text (exposed so tests can build a source tree without an sdist)."""
    return _BACKEND_SOURCE.replace("__FAIL__", repr(failing)).replace(
        "__MESSAGE__", FAILURE_MESSAGE
    )


def _toml_str(value: str) -> str:
    # A JSON string is a valid TOML basic string (TOML accepts the same escapes).
    return json.dumps(value, ensure_ascii=False)


def _toml_list(values: Sequence[str]) -> str:
    return "[" + ", ".join(_toml_str(v) for v in values) + "]"


def _pyproject(
    name: str,
    version: str,
    requires: Sequence[str],
    requires_python: str | None,
    extras: Mapping[str, Sequence[str]],
    build_requires: Sequence[str],
) -> str:
    lines = [
        "[build-system]",
        f"requires = {_toml_list(build_requires)}",
        f"build-backend = {_toml_str(BACKEND_MODULE)}",
        'backend-path = ["_backend"]',
        "",
        "[project]",
        f"name = {_toml_str(name)}",
        f"version = {_toml_str(version)}",
        f"dependencies = {_toml_list(requires)}",
    ]
    if requires_python is not None:
        lines.append(f"requires-python = {_toml_str(requires_python)}")
    if extras:
        lines += ["", "[project.optional-dependencies]"]
        lines += [f"{_toml_str(k)} = {_toml_list(v)}" for k, v in sorted(extras.items())]
    return "\n".join(lines) + "\n"


def write_targz(path: Path, entries: Sequence[tuple[str, bytes]]) -> Path:
    """A reproducible ``.tar.gz``: sorted entries, fixed mtime/owner/mode, no gzip name or time."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for arcname, data in sorted(entries):
            info = tarfile.TarInfo(arcname)
            info.size = len(data)
            info.mode = 0o644
            info.mtime = TAR_MTIME
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            tar.addfile(info, io.BytesIO(data))
    with path.open("wb") as out, gzip.GzipFile(filename="", mode="wb", fileobj=out, mtime=0) as gz:
        gz.write(raw.getvalue())
    return path


def make_sdist(
    directory: Path | str,
    name: str,
    version: str,
    *,
    requires: Sequence[str] = (),
    requires_python: str | None = None,
    extras: Mapping[str, Sequence[str]] | None = None,
    build_backend: Literal["inline", "failing"] = "inline",
    build_requires: Sequence[str] = (),
    files: Mapping[str, bytes | str] | None = None,
    entry_points: Mapping[str, Mapping[str, str]] | None = None,
) -> Path:
    """Write ``<name>-<version>.tar.gz`` into ``directory`` and return its path.

    ``files`` are relative to ``src/`` (default ``<pkg>/__init__.py`` with ``__version__``).
    ``build_requires`` go into ``[build-system] requires`` for tests of build isolation; the
    backend itself never imports them.
    """
    out_dir = Path(directory)
    out_dir.mkdir(parents=True, exist_ok=True)
    base = f"{dist_name(name)}-{dist_version(version)}"
    if files is None:
        files = {f"{dist_name(name)}/__init__.py": f'__version__ = "{version}"\n'}
    pkg_info = metadata_text(
        name, version, requires=requires, requires_python=requires_python, extras=extras
    )
    entries = [
        (f"{base}/PKG-INFO", pkg_info.encode()),
        (
            f"{base}/pyproject.toml",
            _pyproject(name, version, requires, requires_python, extras or {}, build_requires)
            .encode(),
        ),
        (
            f"{base}/_backend/{BACKEND_MODULE}.py",
            backend_source(failing=build_backend == "failing").encode(),
        ),
    ]
    entries += [
        (f"{base}/src/{path}", data.encode() if isinstance(data, str) else data)
        for path, data in files.items()
    ]
    if entry_points:
        entries.append((f"{base}/entry_points.txt", entry_points_text(entry_points).encode()))
    return write_targz(out_dir / f"{base}.tar.gz", entries)
