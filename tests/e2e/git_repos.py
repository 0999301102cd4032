"""Local git repositories for the git-source tests: made with the ``git`` executable in a tmp dir.

Each commit holds a project tree unpacked from ``make_sdist`` (in-tree backend, builds offline),
optionally under a subdirectory, so ferry and uv can build it without an index.
"""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
import tarfile
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from tests.support.sdists import make_sdist

GIT = shutil.which("git")
needs_git = pytest.mark.skipif(GIT is None, reason="git is not installed")

_ENV = {
    "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
    "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid",
    "GIT_CONFIG_NOSYSTEM": "1",
}


class GitRepo:
    """A repository at ``path`` whose commits each hold one version of a package."""

    def __init__(self, path: Path, name: str, subdirectory: str | None = None) -> None:
        assert GIT is not None
        self.path = path
        self.name = name
        self.subdirectory = subdirectory
        path.mkdir(parents=True)
        self.git("init", "--quiet", "--initial-branch=main")

    @property
    def url(self) -> str:
        return self.path.as_uri()

    def git(self, *args: str) -> str:
        assert GIT is not None
        config = self.path.parent / ".gitconfig-test"
        config.touch()
        env = {**os.environ, **_ENV, "GIT_CONFIG_GLOBAL": str(config)}
        done = subprocess.run([GIT, *args], cwd=self.path, env=env,
                              capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise AssertionError(f"git {' '.join(args)} failed: {done.stderr}")
        return done.stdout.strip()

    def commit(self, version: str, *, requires: Sequence[str] = (), tag: str | None = None,
               message: str | None = None) -> str:
        """Replace the tree with ``name==version`` and commit it; returns the full commit id."""
        work = self.path.parent / f".sdist-{self.path.name}"
        shutil.rmtree(work, ignore_errors=True)
        sdist = make_sdist(work, self.name, version, requires=list(requires))
        with tarfile.open(sdist) as archive:
            archive.extractall(work / "tree", filter="data")
        (tree,) = (work / "tree").iterdir()
        target = self.path / self.subdirectory if self.subdirectory else self.path
        if target.exists() and target != self.path:
            shutil.rmtree(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        if target == self.path:
            for child in tree.iterdir():
                destination = self.path / child.name
                if destination.is_dir():
                    shutil.rmtree(destination)
                child.rename(destination)
        else:
            tree.rename(target)
        shutil.rmtree(work)
        self.git("add", "-A")
        self.git("commit", "--quiet", "-m", message or f"{self.name} {version}")
        if tag:
            self.git("tag", tag)
        return self.git("rev-parse", "HEAD")


def requirement_url(repo: GitRepo, ref: str | None = None) -> str:
    """``git+file:///…[@ref][#subdirectory=…]``."""
    text = f"git+{repo.url}" + (f"@{ref}" if ref else "")
    return text + (f"#subdirectory={repo.subdirectory}" if repo.subdirectory else "")


TOKEN = "s3cr3t-t0ken"


class AuthHandler(SimpleHTTPRequestHandler):
    """git's "dumb" HTTP protocol: static files, behind HTTP basic authentication
    (``user:TOKEN``)."""

    expected = "Basic " + base64.b64encode(f"user:{TOKEN}".encode()).decode()

    def do_GET(self) -> None:
        if self.headers.get("Authorization") != self.expected:
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="git"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        super().do_GET()

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serve_with_auth(directory: Path) -> Iterator[str]:
    """``directory`` (bare repositories after ``update-server-info``) on loopback behind basic
    authentication; yields ``http://127.0.0.1:PORT`` (without credentials)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(AuthHandler, directory=str(directory)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
