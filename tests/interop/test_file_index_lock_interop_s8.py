"""Indexes and find-links directories on disk, locked side by side with uv 0.13.8 (s8 review F1;
``[tool.uv]`` index-url, extra-index-url, find-links and no-index since s9).

uv names a local index in ``uv.lock`` by its path (absolute when it was given as a ``file://`` URL
or an absolute path, relative to the project when given relative) and each of its files by
``path = …`` (absolute, or relative to the index's directory). For each way of giving the index:
both tools lock the same project; the locks must be the same bytes; each tool accepts the other's
lock under ``--locked`` and installs from it under ``--frozen``. The twin projects sit at the same
depth, so a relative index path means the same directory from both.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from tests.interop.test_uv_lock_interop import UV, uv, uv_env
from tests.support.envs import snapshot_env
from tests.support.index import LocalIndex
from tests.support.runner import Runner

T = "2024-01-01T00:00:00Z"
pytestmark = pytest.mark.skipif(UV is None, reason="uv is not installed")

HEAD = """\
[project]
name = "app"
version = "0.1.0"
requires-python = ">=3.10"
dependencies = ["lib", "onlysd"]
"""

INDEX = """
[[tool.uv.index]]
name = "{name}"
url = "{url}"
{extra}
"""

EXPECTED = {"dep": "1.0", "lib": "1.0", "onlysd": "1.0"}


def _populate(index: LocalIndex) -> None:
    index.add_wheel("lib", "1.0", requires=["dep"], upload_time=T)
    index.add_sdist("lib", "1.0", requires=["dep"], upload_time=T)
    index.add_wheel("dep", "1.0", upload_time=T)
    index.add_sdist("onlysd", "1.0", upload_time=T)


@dataclass
class Case:
    pyproject: Callable[[Path], str]
    """The pyproject, given the tmp dir (the index is ``<tmp>/index``, projects three deep)."""
    args: Callable[[Path], list[str]] = lambda tmp: []
    """Flags both tools get for lock, lock --locked and sync --frozen."""
    registry: Callable[[Path], str] = lambda tmp: ""
    """A line the lock must hold (what uv writes)."""
    hashed: bool = True
    """The lock records hashes (a find-links directory's files have none)."""


def _index(url: str, extra: str = "default = true") -> str:
    return INDEX.format(name="local", url=url, extra=extra)


CASES = {
    "file-url": Case(
        lambda tmp: HEAD + _index((tmp / "index" / "simple").as_uri() + "/"),
        registry=lambda tmp: f'source = {{ registry = "{tmp}/index/simple/" }}',
    ),
    "relative-path": Case(
        lambda tmp: HEAD + _index("./../../../index/simple/"),
        registry=lambda tmp: 'source = { registry = "../../../index/simple" }',
    ),
    "absolute-path": Case(
        lambda tmp: HEAD + _index(f"{tmp}/index/simple/"),
        registry=lambda tmp: f'source = {{ registry = "{tmp}/index/simple" }}',
    ),
    "pinned-explicit": Case(
        lambda tmp: HEAD + '\n[tool.uv.sources]\nlib = { index = "pinned" }\n'
        + INDEX.format(name="pinned", url=(tmp / "pinned" / "simple").as_uri(),
                       extra="explicit = true")
        + _index("../../../index/simple"),
        registry=lambda tmp: f'{{ name = "lib", index = "{(tmp / "pinned/simple").as_uri()}" }}',
    ),
    "index-url-flag": Case(
        lambda tmp: HEAD,
        args=lambda tmp: ["--index-url", "../../../index/simple"],
        registry=lambda tmp: '    { path = "../files/dep-1.0-py3-none-any.whl", hash = "sha256:',
    ),
    "find-links-relative": Case(
        lambda tmp: HEAD,
        args=lambda tmp: ["--no-index", "--find-links", "../../../index/files"],
        registry=lambda tmp: '    { path = "dep-1.0-py3-none-any.whl" },',
        hashed=False,
    ),
    "find-links-absolute": Case(
        lambda tmp: HEAD,
        args=lambda tmp: ["--no-index", "--find-links", str(tmp / "index" / "files")],
        registry=lambda tmp: f'sdist = {{ path = "{tmp}/index/files/onlysd-1.0.tar.gz" }}',
        hashed=False,
    ),
    # [tool.uv] find-links / no-index / index-url / extra-index-url (s9: read, as uv reads them;
    # a relative path is the project's, whatever the working directory).
    "tool-find-links": Case(
        lambda tmp: HEAD + '\n[tool.uv]\nfind-links = ["../../../index/files"]\nno-index = true\n',
        registry=lambda tmp: '    { path = "dep-1.0-py3-none-any.whl" },',
        hashed=False,
    ),
    "tool-index-url": Case(
        lambda tmp: HEAD + '\n[tool.uv]\nindex-url = "../../../index/simple"\n',
        registry=lambda tmp: '    { path = "../files/dep-1.0-py3-none-any.whl", hash = "sha256:',
    ),
    "tool-extra-index-url": Case(
        lambda tmp: HEAD + '\n[tool.uv]\nindex-url = "../../../pinned/simple"\n'
        f'extra-index-url = ["{(tmp / "index" / "simple").as_uri()}/"]\n',
        registry=lambda tmp: f'source = {{ registry = "{tmp}/index/simple/" }}',
    ),
}


def _twins(tmp_path: Path, pyproject: str, case: str) -> dict[str, Path]:
    twins = {}
    for tool in ("uv", "ferry"):
        twin = tmp_path / tool / "work" / case
        twin.mkdir(parents=True)
        (twin / "pyproject.toml").write_text(pyproject, encoding="utf-8")
        twins[tool] = twin
    return twins


def _installed(project: Path) -> dict[str, str]:
    return dict(snapshot_env(project / ".venv")["dists"])


@pytest.mark.parametrize("name", sorted(CASES))
def test_local_index_locks_as_uv_locks(
    name: str, tmp_path: Path, run: Runner, isolated_env: Path
) -> None:
    case = CASES[name]
    tmp = tmp_path.resolve()
    _populate(LocalIndex(tmp / "index"))
    LocalIndex(tmp / "pinned").add_wheel("lib", "1.0", requires=["dep"], upload_time=T)
    twins = _twins(tmp, case.pyproject(tmp), name)
    env = uv_env(tmp, Path(sys.executable))
    flags = case.args(tmp)

    made = uv(["lock", *flags], twins["uv"], env)
    assert made.returncode == 0, made.stderr
    result = run("lock", *flags, cwd=twins["ferry"])
    assert result.code == 0, result.stderr

    theirs = (twins["uv"] / "uv.lock").read_text(encoding="utf-8")
    mine = (twins["ferry"] / "uv.lock").read_text(encoding="utf-8")
    assert case.registry(tmp) in theirs
    assert mine == theirs

    # uv takes ferry's lock as up to date and installs from it ...
    checked = uv(["lock", "--locked", *flags], twins["ferry"], env)
    assert checked.returncode == 0, checked.stderr
    synced = uv(["sync", "--frozen", "--python", sys.executable, *flags], twins["ferry"], env)
    assert synced.returncode == 0, synced.stderr
    assert _installed(twins["ferry"]) == EXPECTED

    # ... and ferry takes uv's.
    result = run("lock", "--locked", *flags, cwd=twins["uv"])
    assert result.code == 0, result.stderr
    result = run("sync", "--frozen", "-p", sys.executable, *flags, cwd=twins["uv"])
    assert result.code == 0, result.stderr
    assert _installed(twins["uv"]) == EXPECTED
    assert (twins["uv"] / "uv.lock").read_text(encoding="utf-8") == theirs

    # A pylock export names the same files (relative paths start at the index's directory).
    # (uv hashes a find-links directory's files for it; ferry's export wants the lock's hashes.)
    if not case.hashed:
        return
    export = ["export", "--frozen", "--format", "pylock.toml", "--no-header"]
    exported = uv(export, twins["uv"], env)
    assert exported.returncode == 0, exported.stderr
    result = run(*export, cwd=twins["uv"])
    assert result.code == 0, result.stderr
    assert result.stdout.replace('"ferry"', '"uv"') == exported.stdout


def test_a_local_index_spelled_the_other_way_is_stale_for_both(
    tmp_path: Path, run: Runner, isolated_env: Path
) -> None:
    """uv compares a path registry in the spelling it would write: the same directory given
    absolute where the lock has it relative makes both tools call the lock stale (ferry says
    why), while a trailing slash or ``./`` changes nothing."""
    tmp = tmp_path.resolve()
    _populate(LocalIndex(tmp / "index"))
    twins = _twins(tmp, HEAD, "spelling")
    env = uv_env(tmp, Path(sys.executable))
    relative = ["--index-url", "../../../index/simple"]
    assert uv(["lock", *relative], twins["uv"], env).returncode == 0

    same = ["--index-url", "./../../../index/simple/"]
    assert uv(["lock", "--locked", *same], twins["uv"], env).returncode == 0
    assert run("lock", "--locked", *same, cwd=twins["uv"]).code == 0

    absolute = ["--index-url", (tmp / "index" / "simple").as_uri()]
    assert uv(["lock", "--locked", *absolute], twins["uv"], env).returncode != 0
    result = run("lock", "--locked", *absolute, cwd=twins["uv"])
    assert result.code == 1
    assert "names the local index `../../../index/simple`, configured now as" in result.stderr
    assert "no longer configured" not in result.stderr


def test_frozen_sync_from_a_local_index_checks_hashes(
    tmp_path: Path, run: Runner, isolated_env: Path
) -> None:
    """Files named by path are verified against the lock's hashes like downloaded ones."""
    tmp = tmp_path.resolve()
    index = LocalIndex(tmp / "index")
    _populate(index)
    twins = _twins(tmp, CASES["relative-path"].pyproject(tmp), "hashes")
    env = uv_env(tmp, Path(sys.executable))
    assert uv(["lock"], twins["uv"], env).returncode == 0
    wheel = index.files_dir / "dep-1.0-py3-none-any.whl"
    data = bytearray(wheel.read_bytes())
    data[-1] ^= 0xFF
    wheel.write_bytes(bytes(data))

    result = run("sync", "--frozen", "-p", sys.executable, cwd=twins["uv"])
    assert result.code != 0
    assert "Hash mismatch for `dep-1.0-py3-none-any.whl`" in result.stderr, result.stderr
    assert not (twins["uv"] / ".venv" / "lib").exists() or "dep" not in _installed(twins["uv"])


def test_project_index_settings_search_in_uvs_order(
    tmp_path: Path, run: Runner, isolated_env: Path
) -> None:
    """``[[tool.uv.index]]`` first, then ``[tool.uv] extra-index-url``, then ``index-url``: with
    the first-index strategy each name comes from the first that has it, in both tools."""
    tmp = tmp_path.resolve()
    for name, version in (("first", "1.0"), ("extra", "2.0"), ("default", "3.0")):
        index = LocalIndex(tmp / name)
        index.add_wheel("lib", version, requires=["dep"], upload_time=T)
        if name != "first":
            index.add_wheel("onlysd", version, upload_time=T)
        if name == "default":
            index.add_wheel("dep", version, upload_time=T)
    pyproject = (HEAD + "\n[tool.uv]\n"
                 f'index-url = "{(tmp / "default" / "simple").as_uri()}"\n'
                 f'extra-index-url = ["{(tmp / "extra" / "simple").as_uri()}"]\n'
                 + INDEX.format(name="first", url=(tmp / "first" / "simple").as_uri(), extra=""))
    twins = _twins(tmp, pyproject, "order")
    env = uv_env(tmp, Path(sys.executable))
    assert uv(["lock"], twins["uv"], env).returncode == 0
    result = run("lock", cwd=twins["ferry"])
    assert result.code == 0, result.stderr
    mine = (twins["ferry"] / "uv.lock").read_text(encoding="utf-8")
    assert mine == (twins["uv"] / "uv.lock").read_text(encoding="utf-8")
    assert '[[package]]\nname = "lib"\nversion = "1.0"\n' in mine
    assert '[[package]]\nname = "onlysd"\nversion = "2.0"\n' in mine
    assert '[[package]]\nname = "dep"\nversion = "3.0"\n' in mine


@pytest.mark.parametrize(("flag", "winner"), [("--index", "flag"), ("--extra-index-url", "first")])
def test_command_line_indexes_search_in_uvs_order(
    tmp_path: Path, run: Runner, isolated_env: Path, flag: str, winner: str
) -> None:
    """``--index`` is searched before ``[[tool.uv.index]]``, ``--extra-index-url`` after it (as
    in uv): they were one option, always first."""
    tmp = tmp_path.resolve()
    for name, version in (("first", "1.0"), ("flag", "2.0"), ("default", "3.0")):
        index = LocalIndex(tmp / name)
        index.add_wheel("lib", version, upload_time=T)
        index.add_wheel("onlysd", version, upload_time=T)
    pyproject = HEAD + INDEX.format(name="first", url=(tmp / "first" / "simple").as_uri(),
                                    extra="")
    twins = _twins(tmp, pyproject, f"cli{flag}")
    env = uv_env(tmp, Path(sys.executable))
    args = [flag, (tmp / "flag" / "simple").as_uri(),
            "--default-index", (tmp / "default" / "simple").as_uri()]
    assert uv(["lock", *args], twins["uv"], env).returncode == 0
    result = run("lock", *args, cwd=twins["ferry"])
    assert result.code == 0, result.stderr
    mine = (twins["ferry"] / "uv.lock").read_text(encoding="utf-8")
    assert mine == (twins["uv"] / "uv.lock").read_text(encoding="utf-8")
    version = {"flag": "2.0", "first": "1.0"}[winner]
    assert f'[[package]]\nname = "lib"\nversion = "{version}"\n' in mine
