"""ferry's ``uv.lock`` equals, byte for byte, the one the real uv wrote for the same project.

``tests/data/lockfiles/make_golden.py`` built the golden locks with uv 0.13.8 against a small
index served on a fixed loopback port. This test serves the same index on the same port (so the
URLs in the locks match) and locks each golden project with ferry, in-process. Cases that use
features ``ferry lock`` does not support yet are listed, with the error ferry gives, and must
fail with a clear ``UserError`` rather than write a wrong lock.
"""

from __future__ import annotations

import difflib
import errno
import importlib.util
import re
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import pytest
from filelock import FileLock

from ferry.cache.store import Cache
from ferry.commands.lock import LockRequest, lock_project
from ferry.model.settings import GlobalOptions
from ferry.project.discovery import discover_project

GOLDEN = Path(__file__).resolve().parents[1] / "data" / "lockfiles"
SUPPORTED = ["conflicts", "extras", "groups", "markers", "multi_index", "no_project",
             "sdist_only", "simple"]


def _make_golden() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_golden", GOLDEN / "make_golden.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("make_golden", module)  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def golden_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    module = _make_golden()
    files = tmp_path_factory.mktemp("golden-files")
    pages = module.build_universe(files)
    # The port is fixed: test processes running in parallel (xdist) take turns.
    guard = FileLock(Path(tempfile.gettempdir()) / f"ferry-golden-{module.PORT}.lock")
    with guard.acquire(timeout=300):
        try:
            server = module.serve(files, pages)
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                pytest.skip(f"port {module.PORT} is busy; the golden URLs need it")
            raise
        try:
            yield str(module.INDEX)
        finally:
            server.shutdown()
            server.server_close()


def _lock(case: str, index: str, tmp_path: Path, request: LockRequest,
          edit: Callable[[str], str] | None = None) -> str:
    work = tmp_path / case
    shutil.copytree(GOLDEN / case, work, ignore=shutil.ignore_patterns("uv.lock", "uv-args.txt"))
    if edit is not None:
        pyproject = work / "pyproject.toml"
        pyproject.write_text(edit(pyproject.read_text(encoding="utf-8")), encoding="utf-8")
    project = discover_project(project=work)
    cache = Cache(tmp_path / "cache")
    lock_project(project, request, GlobalOptions(), cache)
    return (work / "uv.lock").read_text(encoding="utf-8")


def test_supported_cases_match_uv_byte_for_byte(
    golden_index: str, tmp_path: Path, isolated_env: Path, python_exe: Callable[[str], Path]
) -> None:
    # The goldens were made with CPython 3.12 (`no_project` takes requires-python from it).
    python = str(python_exe("3.12"))
    differences = []
    for case in SUPPORTED:
        request = LockRequest(index_url=golden_index, python=python)
        mine = _lock(case, golden_index, tmp_path, request)
        theirs = (GOLDEN / case / "uv.lock").read_text(encoding="utf-8")
        if mine != theirs:
            diff = difflib.unified_diff(theirs.splitlines(), mine.splitlines(),
                                        "uv", "ferry", lineterm="")
            differences.append(f"--- {case}\n" + "\n".join(diff))
    assert not differences, "\n\n".join(differences)


def test_relocking_a_uv_lock_changes_nothing(
    golden_index: str, tmp_path: Path, isolated_env: Path
) -> None:
    """With uv's lock in place, ``ferry lock`` keeps it as is (it satisfies the project)."""
    for case in SUPPORTED:
        work = tmp_path / case
        shutil.copytree(GOLDEN / case, work, ignore=shutil.ignore_patterns("uv-args.txt"))
        before = (work / "uv.lock").read_bytes()
        outcome = lock_project(discover_project(project=work), LockRequest(index_url=golden_index),
                               GlobalOptions(), Cache(tmp_path / "cache"))
        assert not outcome.written, case
        assert outcome.reason is None, case
        assert (work / "uv.lock").read_bytes() == before


def test_sources_with_git_match_uv(
    golden_index: str, tmp_path: Path, isolated_env: Path, python_exe: Callable[[str], Path]
) -> None:
    """The whole ``sources`` case, its git dependency included: the golden's repository is made
    again at its fixed path with its fixed commit (``make_golden.make_git_repo``)."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    with FileLock(Path(tempfile.gettempdir()) / "ferry-golden-git.lock").acquire(timeout=300):
        _make_golden().make_git_repo()
        request = LockRequest(index_url=golden_index, python=str(python_exe("3.12")),
                              resolution="lowest-direct", prerelease="allow",
                              exclude_newer="2025-01-01T00:00:00Z")
        mine = _lock("sources", golden_index, tmp_path, request)
    theirs = (GOLDEN / "sources" / "uv.lock").read_text(encoding="utf-8")
    diff = "\n".join(difflib.unified_diff(theirs.splitlines(), mine.splitlines(), "uv", "ferry",
                                          lineterm=""))
    assert mine == theirs, diff


def test_sources_without_git_match_uv(
    golden_index: str, tmp_path: Path, isolated_env: Path, python_exe: Callable[[str], Path]
) -> None:
    """Path (editable and not), local wheel, direct URL, explicit index, environments,
    constraints, overrides and options: uv's lock for `sources`, minus the git dependency."""
    def without_git(text: str) -> str:
        return text.replace('    "gitdep",\n', "").replace(
            'gitdep = { git = "file:///tmp/ferry-golden-git/gitdep", tag = "v1.0" }\n', "")

    request = LockRequest(index_url=golden_index, python=str(python_exe("3.12")),
                          resolution="lowest-direct", prerelease="allow",
                          exclude_newer="2025-01-01T00:00:00Z")
    mine = _lock("sources", golden_index, tmp_path, request, without_git)
    theirs = (GOLDEN / "sources" / "uv.lock").read_text(encoding="utf-8")
    theirs = re.sub(r'\n\[\[package\]\]\nname = "gitdep"\n[^\[]*', "\n", theirs)
    theirs = theirs.replace('    { name = "gitdep" },\n', "").replace(
        '    { name = "gitdep", git = "file:///tmp/ferry-golden-git/gitdep?tag=v1.0" },\n', "")
    assert mine == theirs
