#!/usr/bin/env python3
"""Regenerate the golden ``uv.lock`` files in this folder with the real uv.

Why real uv: ferry's lock writer must produce uv's bytes, so the reference has to come from uv
itself, not from ferry. Why a home-made index: the locks must not name any public host and the run
must be offline and repeatable.

What it does:

1. builds a small universe of wheels and sdists deterministically (fixed timestamps, sorted
   entries), so every hash is stable across runs;
2. serves them as a PEP 691 JSON simple index (with ``size``, ``upload-time`` and PEP 714
   ``core-metadata``) from a thread on ``http://127.0.0.1:38461`` — a fixed loopback port, so the
   URLs written into the locks never change;
3. for every ``<case>/pyproject.toml`` here, runs ``uv lock`` with an empty cache, no user-level
   configuration and the loopback index as the default index (plus the flags in
   ``<case>/uv-args.txt`` if present), and leaves ``<case>/uv.lock`` next to it.

Usage::

    python tests/data/lockfiles/make_golden.py [--uv PATH] [--python PATH] [--only CASE ...]

The pyproject files are inputs and are committed; only the ``uv.lock`` files are rewritten (and
local helper projects a case refers to, which are recreated from ``CASE_FILES`` below).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import threading
import zipfile
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HERE = Path(__file__).resolve().parent
PORT = 38461
INDEX = f"http://127.0.0.1:{PORT}/simple"
ZIP_DATE = (2000, 1, 1, 0, 0, 0)
TAR_MTIME = 946684800


@dataclass
class Release:
    name: str  # as published (may be non-normalised on purpose)
    version: str
    requires: list[str] = field(default_factory=list)
    extras: dict[str, list[str]] = field(default_factory=dict)
    requires_python: str | None = None
    wheel_tags: list[str] = field(default_factory=lambda: ["py3-none-any"])
    sdist: bool = True
    upload_time: str | None = "2024-01-15T10:20:30.123456Z"


UNIVERSE = [
    Release("alpha", "1.0.0", ["beta>=1.0"], upload_time="2023-05-27T11:12:46.688123Z"),
    Release(
        "alpha",
        "2.0.0",
        ["beta>=1.1", "tzdata; sys_platform == 'win32'"],
        upload_time="2024-02-01T00:00:00Z",
    ),
    Release("beta", "1.0.0", upload_time="2022-03-04T05:06:07.5Z"),
    Release("beta", "1.1.0", requires_python=">=3.12", upload_time="2024-03-04T05:06:07.25Z"),
    Release("gamma", "1.0.0", extras={"fast": ["delta>=0.5"]}),
    Release("delta", "0.5.0", wheel_tags=[], upload_time="2021-12-31T23:59:59.999999Z"),
    Release("tzdata", "2024.1", wheel_tags=["py2.py3-none-any"], sdist=False, upload_time=None),
    Release(
        "native",
        "1.2.0",
        wheel_tags=[
            "cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64",
            "cp312-cp312-win_amd64",
            "cp312-cp312-macosx_11_0_arm64",
            "cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64",
            "cp311-cp311-win_amd64",
        ],
    ),
    Release("Zeta_Pkg", "0.1.0"),
    Release("wincolor", "0.4.6", requires_python=">=3.8"),
    Release("eps", "1.0.0"),
    Release("eps", "2.0b1", upload_time="2024-05-05T05:05:05Z"),
    Release("late", "1.0.0", upload_time="2024-01-01T00:00:00Z"),
    Release("late", "1.1.0", upload_time="2025-06-01T00:00:00Z"),
]


def _local_project(name: str, version: str, deps: str) -> str:
    return (
        '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n\n'
        f'[project]\nname = "{name}"\nversion = "{version}"\nrequires-python = ">=3.11"\n'
        f"dependencies = [{deps}]\n"
    )


# Local projects some cases point at through [tool.uv.sources]; recreated on every run.
CASE_FILES: dict[str, dict[str, str]] = {
    "sources": {
        "libs/helper/pyproject.toml": _local_project("helper", "0.3.0", '"beta"'),
        "libs/other/pyproject.toml": _local_project("other", "0.4.0", '"gamma"'),
    },
    "workspace": {
        "packages/member/pyproject.toml": _local_project("member", "0.2.0", '"late"'),
    },
}
# Local wheels some cases point at (built by this script, so their hashes are stable).
CASE_WHEELS: dict[str, list[Release]] = {
    "sources": [Release("localwheel", "1.0.0", ["gamma"])],
}
# A git repository at a FIXED path (the path is written into the lock) with a fixed commit.
GIT_REPO = Path("/tmp/ferry-golden-git/gitdep")


def normalise(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def escaped(name: str) -> str:
    return normalise(name).replace("-", "_")


def metadata_text(rel: Release) -> str:
    lines = ["Metadata-Version: 2.2", f"Name: {rel.name}", f"Version: {rel.version}"]
    if rel.requires_python:
        lines.append(f"Requires-Python: {rel.requires_python}")
    lines += [f"Requires-Dist: {r}" for r in rel.requires]
    for extra, reqs in rel.extras.items():
        lines.append(f"Provides-Extra: {extra}")
        lines += [f"Requires-Dist: {r}; extra == '{extra}'" for r in reqs]
    return "\n".join(lines) + "\n\n"


def _zip_add(zf: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, ZIP_DATE)
    info.external_attr = 0o644 << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    zf.writestr(info, data)


def build_wheel(rel: Release, tag: str) -> tuple[str, bytes, bytes]:
    """Return (filename, wheel bytes, METADATA bytes)."""
    dist_info = f"{escaped(rel.name)}-{rel.version}.dist-info"
    metadata = metadata_text(rel).encode()
    files = {
        f"{escaped(rel.name)}/__init__.py": f'__version__ = "{rel.version}"\n'.encode(),
        f"{dist_info}/METADATA": metadata,
        f"{dist_info}/WHEEL": (
            f"Wheel-Version: 1.0\nGenerator: make_golden\nRoot-Is-Purelib: true\nTag: {tag}\n"
        ).encode(),
    }
    record = []
    for name, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{name},sha256={digest},{len(data)}")
    record.append(f"{dist_info}/RECORD,,")
    files[f"{dist_info}/RECORD"] = ("\n".join(record) + "\n").encode()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name in sorted(files):
            _zip_add(zf, name, files[name])
    return f"{escaped(rel.name)}-{rel.version}-{tag}.whl", buf.getvalue(), metadata


BACKEND = '''"""Tiny in-tree PEP 517 backend: copies PKG-INFO into a wheel."""
import base64, hashlib, os, zipfile

def _meta():
    with open("PKG-INFO", encoding="utf-8") as f:
        return f.read()

def _field(text, key):
    for line in text.splitlines():
        if line.startswith(key + ": "):
            return line.split(": ", 1)[1]

def get_requires_for_build_wheel(config_settings=None):
    return []

def prepare_metadata_for_build_wheel(directory, config_settings=None):
    meta = _meta()
    name = _field(meta, "Name").replace("-", "_").lower()
    dist_info = f"{name}-{_field(meta, 'Version')}.dist-info"
    os.makedirs(os.path.join(directory, dist_info))
    with open(os.path.join(directory, dist_info, "METADATA"), "w", encoding="utf-8") as f:
        f.write(meta)
    return dist_info

def build_wheel(directory, config_settings=None, metadata_directory=None):
    meta = _meta()
    name = _field(meta, "Name").replace("-", "_").lower()
    version = _field(meta, "Version")
    dist_info = f"{name}-{version}.dist-info"
    files = {
        f"{dist_info}/METADATA": meta.encode(),
        f"{dist_info}/WHEEL": b"Wheel-Version: 1.0\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n",
    }
    record = []
    for path, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{path},sha256={digest},{len(data)}")
    record.append(f"{dist_info}/RECORD,,")
    files[f"{dist_info}/RECORD"] = ("\\n".join(record) + "\\n").encode()
    filename = f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(os.path.join(directory, filename), "w") as zf:
        for path, data in files.items():
            zf.writestr(path, data)
    return filename
'''


def build_sdist(rel: Release) -> tuple[str, bytes]:
    base = f"{escaped(rel.name)}-{rel.version}"
    deps = ", ".join(json.dumps(r) for r in rel.requires)
    pyproject = (
        '[build-system]\nrequires = []\nbuild-backend = "backend"\nbackend-path = ["_backend"]\n\n'
        f'[project]\nname = "{rel.name}"\nversion = "{rel.version}"\ndependencies = [{deps}]\n'
    )
    if rel.requires_python:
        pyproject += f'requires-python = "{rel.requires_python}"\n'
    if rel.extras:
        pyproject += "\n[project.optional-dependencies]\n"
        for extra, reqs in rel.extras.items():
            pyproject += f"{extra} = [{', '.join(json.dumps(r) for r in reqs)}]\n"
    files = {
        f"{base}/PKG-INFO": metadata_text(rel).encode(),
        f"{base}/pyproject.toml": pyproject.encode(),
        f"{base}/_backend/backend.py": BACKEND.encode(),
    }
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tf:
        for name in sorted(files):
            info = tarfile.TarInfo(name)
            info.size = len(files[name])
            info.mtime = TAR_MTIME
            info.mode = 0o644
            tf.addfile(info, io.BytesIO(files[name]))
    out = io.BytesIO()
    import gzip

    with gzip.GzipFile(fileobj=out, mode="wb", mtime=TAR_MTIME, filename="") as gz:
        gz.write(raw.getvalue())
    return f"{base}.tar.gz", out.getvalue()


def build_universe(files_dir: Path) -> dict[str, list[dict[str, object]]]:
    """Write every file into ``files_dir``; return the PEP 691 file lists per project."""
    pages: dict[str, list[dict[str, object]]] = {}
    for rel in UNIVERSE:
        built: list[tuple[str, bytes, bytes | None]] = []
        for tag in rel.wheel_tags:
            built.append(build_wheel(rel, tag))
        if rel.sdist:
            name, data = build_sdist(rel)
            built.append((name, data, None))
        for filename, data, metadata in built:
            (files_dir / filename).write_bytes(data)
            entry: dict[str, object] = {
                "filename": filename,
                "url": f"../../files/{filename}",
                "hashes": {"sha256": hashlib.sha256(data).hexdigest()},
                "size": len(data),
            }
            if rel.requires_python:
                entry["requires-python"] = rel.requires_python
            if rel.upload_time:
                entry["upload-time"] = rel.upload_time
            if metadata is not None:
                (files_dir / f"{filename}.metadata").write_bytes(metadata)
                entry["core-metadata"] = {"sha256": hashlib.sha256(metadata).hexdigest()}
            pages.setdefault(normalise(rel.name), []).append(entry)
    return pages


def serve(files_dir: Path, pages: dict[str, list[dict[str, object]]]) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_HEAD(self) -> None:
            self.do_GET(head=True)

        def do_GET(self, head: bool = False) -> None:
            path = self.path.split("?", 1)[0]
            body: bytes | None = None
            ctype = "application/octet-stream"
            # The same projects are served under two index URLs, /simple/ and /other/simple/,
            # so a case can lock one package from two registries.
            for prefix in ("/simple/", "/other/simple/"):
                if path.startswith(prefix):
                    path = "/simple/" + path[len(prefix) :]
            if path.startswith("/other/files/"):
                path = path[len("/other") :]
            if path.startswith("/simple/"):
                project = normalise(path[len("/simple/") :].strip("/"))
                if project in pages:
                    versions = sorted({str(f["filename"]) for f in pages[project]})
                    body = json.dumps(
                        {
                            "meta": {"api-version": "1.1"},
                            "name": project,
                            "files": pages[project],
                            "versions": versions,
                        }
                    ).encode()
                    ctype = "application/vnd.pypi.simple.v1+json"
            elif path.startswith("/files/"):
                target = files_dir / path[len("/files/") :]
                if target.is_file():
                    body = target.read_bytes()
            if body is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if not head:
                self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def make_git_repo() -> None:
    """Create GIT_REPO with one commit tagged v1.0; fixed dates and author give a fixed hash."""
    if GIT_REPO.exists():
        shutil.rmtree(GIT_REPO)
    GIT_REPO.mkdir(parents=True)
    (GIT_REPO / "pyproject.toml").write_text(_local_project("gitdep", "0.9.0", ""))
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "golden",
        "GIT_AUTHOR_EMAIL": "golden@localhost",
        "GIT_COMMITTER_NAME": "golden",
        "GIT_COMMITTER_EMAIL": "golden@localhost",
        "GIT_AUTHOR_DATE": "2000-01-01T00:00:00Z",
        "GIT_COMMITTER_DATE": "2000-01-01T00:00:00Z",
    }
    for cmd in (
        ["git", "init", "-q", "-b", "main"],
        ["git", "add", "pyproject.toml"],
        ["git", "commit", "-q", "-m", "golden"],
        ["git", "tag", "v1.0"],
    ):
        subprocess.run(cmd, cwd=GIT_REPO, env=env, check=True)


def lock_case(case: Path, uv: str, python: str, cache: Path) -> None:
    for rel_path, text in CASE_FILES.get(case.name, {}).items():
        target = case / rel_path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    for rel in CASE_WHEELS.get(case.name, []):
        filename, data, _ = build_wheel(rel, "py3-none-any")
        (case / "wheels").mkdir(exist_ok=True)
        (case / "wheels" / filename).write_bytes(data)
    (case / "uv.lock").unlink(missing_ok=True)
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("UV_", "PIP_", "VIRTUAL_ENV", "FERRY_"))
    }
    env.update(
        XDG_CONFIG_HOME=str(cache.parent / "config"),  # no user-level uv.toml
        UV_CACHE_DIR=str(cache),
        UV_PYTHON=python,
        UV_PYTHON_DOWNLOADS="never",
        UV_NO_PROGRESS="1",
    )
    cmd = [uv, "lock", "--default-index", INDEX, "--directory", str(case)]
    extra = case / "uv-args.txt"
    if extra.is_file():
        cmd += extra.read_text().split()
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"uv lock failed for {case.name}:\n{result.stderr}")
    print(f"{case.name}: {result.stderr.strip().splitlines()[-1]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--uv", default=shutil.which("uv") or "/tmp/dev/bin/uv")
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--only", nargs="*", default=None)
    args = parser.parse_args()
    cases = sorted(p.parent for p in HERE.glob("*/pyproject.toml"))
    if args.only:
        cases = [c for c in cases if c.name in args.only]
    with tempfile.TemporaryDirectory() as tmp:
        files_dir = Path(tmp) / "files"
        files_dir.mkdir()
        pages = build_universe(files_dir)
        make_git_repo()
        server = serve(files_dir, pages)
        try:
            for case in cases:
                lock_case(case, args.uv, args.python, Path(tmp) / "cache")
        finally:
            server.shutdown()


if __name__ == "__main__":
    main()
