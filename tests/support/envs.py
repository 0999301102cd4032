"""Environments as test data: snapshots for before/after checks, bare venvs, pyenv interpreters.

RELIABILITY.md's invariant 5 ("the environment is unchanged after a failure") needs a precise,
cheap comparison: the installed distributions plus a hash of every file. ``__pycache__`` is left
out, because merely importing a module between two snapshots writes ``.pyc`` files.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import TypedDict

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

__all__ = ["EnvSnapshot", "find_python", "make_venv", "pyenv_root", "snapshot_env"]

# Captured at import, before any fixture moves HOME, so pyenv is still found in isolated tests.
_PYENV_ROOT = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv")


class EnvSnapshot(TypedDict):
    dists: dict[str, str]  # canonical name -> version
    files: dict[str, str]  # path relative to the venv -> sha256, "<dir>" or "-> link target"


def pyenv_root() -> Path:
    return _PYENV_ROOT


def _site_dirs(venv: Path) -> list[Path]:
    return sorted(venv.glob("lib/python*/site-packages")) + sorted(venv.glob("Lib/site-packages"))


def _dist_of(dist_info: Path) -> tuple[str, str] | None:
    meta = dist_info / "METADATA"
    if not meta.is_file():
        return None
    fields: dict[str, str] = {}
    for line in meta.read_text(encoding="utf-8", errors="replace").splitlines():
        if not line.strip():
            break
        key, _, value = line.partition(":")
        fields.setdefault(key.strip().lower(), value.strip())
    if "name" not in fields:
        return None
    return canonicalize_name(fields["name"]), fields.get("version", "")


def snapshot_env(venv: Path | str) -> EnvSnapshot:
    """Installed distributions and the state of every file in site-packages and the scripts dir."""
    root = Path(venv)
    dists: dict[str, str] = {}
    files: dict[str, str] = {}
    scripts = root / ("Scripts" if (root / "Scripts").is_dir() else "bin")
    for top in [*_site_dirs(root), scripts]:
        if not top.is_dir():
            continue
        for dirpath, dirnames, filenames in os.walk(top):
            dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
            here = Path(dirpath)
            for name in dirnames:
                path = here / name
                rel = path.relative_to(root).as_posix()
                files[rel] = f"-> {os.readlink(path)}" if path.is_symlink() else "<dir>"
                if name.endswith(".dist-info") and (found := _dist_of(path)):
                    dists[found[0]] = found[1]
            for name in sorted(filenames):
                path = here / name
                rel = path.relative_to(root).as_posix()
                if path.is_symlink():
                    files[rel] = f"-> {os.readlink(path)}"
                else:
                    files[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return {"dists": dict(sorted(dists.items())), "files": dict(sorted(files.items()))}


def make_venv(path: Path | str, python: Path | str) -> Path:
    """A bare virtual environment (stdlib ``venv``, no pip): a target that ferry did not make."""
    target = Path(path)
    subprocess.run(
        [str(python), "-m", "venv", "--without-pip", str(target)],
        check=True, capture_output=True, timeout=120,
    )
    return target


def _version_key(path: Path) -> Version:
    try:
        return Version(path.name)
    except InvalidVersion:
        return Version("0")


def find_python(version: str) -> Path | None:
    """A CPython for ``version`` ("3.12" or "3.12.1"): pyenv first, then ``pythonX.Y`` on PATH."""
    if not re.fullmatch(r"\d+\.\d+(\.\d+)?", version):
        raise ValueError(f"not a Python version: {version!r}")
    versions = _PYENV_ROOT / "versions"
    if versions.is_dir():
        candidates = [
            d for d in versions.iterdir()
            if re.fullmatch(re.escape(version) + (r"" if version.count(".") == 2 else r"\.\d+"),
                            d.name)
        ]
        for directory in sorted(candidates, key=_version_key, reverse=True):
            exe = directory / "bin" / "python3"
            if exe.is_file() and os.access(exe, os.X_OK):
                return exe
    if version.count(".") == 1 and (found := shutil.which(f"python{version}")):
        return Path(found)
    return None
