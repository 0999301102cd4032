"""Lock edges restricted like uv's: by ``environments`` and by the parent's reachability
(review s8, F5), locked by uv 0.13.8 and by ferry on the same loopback indexes.

uv writes a darwin-only edge as ``sys_platform != 'linux'`` when the project declares
``environments = [linux, darwin]``, drops a marker its parent's reachability already implies,
and writes ``python_full_version != '3.11.*'`` for a ``< 3.11`` edge under a parent reached
below 3.12. The locks must be equal byte for byte and uv must take ferry's as up to date.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from tests.interop.test_conflict_forks_uv_s8 import _lock_both
from tests.interop.test_uv_lock_interop import UV, uv
from tests.support.index import IndexServer, LocalIndex

pytestmark = pytest.mark.skipif(UV is None, reason="uv is not installed")

T = "2024-01-01T00:00:00Z"
HEAD = '[project]\nname = "p"\nversion = "0.1.0"\nrequires-python = ">=3.10"\n'
LINUX, DARWIN, WIN = ("sys_platform == 'linux'", "sys_platform == 'darwin'",
                      "sys_platform == 'win32'")


def _environments(*markers: str) -> str:
    return "[tool.uv]\nenvironments = [" + ", ".join(f'"{m}"' for m in markers) + "]\n"


def _dependencies(*requirements: str) -> str:
    return "dependencies = [" + ", ".join(f'"{r}"' for r in requirements) + "]\n"


CASES: dict[str, str] = {
    # the review's repro: a source split by marker onto a second index (MORE)
    "source-split": HEAD + _dependencies("a") + _environments(LINUX, DARWIN)
    + '[tool.uv.sources]\na = [{ index = "more", marker = "sys_platform == \'linux\'" }]\n'
    + '[[tool.uv.index]]\nname = "more"\nurl = "MORE"\nexplicit = true\n',
    "plain": HEAD + _dependencies(f"a; {DARWIN}", "b; sys_platform != 'linux'", "e")
    + _environments(LINUX, DARWIN),
    "three-platforms": HEAD + _dependencies(f"a<2; {DARWIN}", "a>=2; sys_platform != 'darwin'",
                                            "e")
    + _environments(LINUX, DARWIN, WIN),
    "negated-environment": HEAD + _dependencies(f"a<2; {DARWIN}", "a>=2; sys_platform != 'darwin'",
                                                "e", f"d; {LINUX} or {WIN}")
    + _environments("sys_platform != 'win32'"),
    "machine-and-platform": HEAD + _dependencies(f"a; {DARWIN}", "c; platform_machine == 'x86_64'")
    + _environments(f"{LINUX} and platform_machine == 'x86_64'", DARWIN),
    "python-and-platform": HEAD + _dependencies("a; python_version < '3.12'",
                                                "b; python_version >= '3.12'")
    + _environments(f"python_version >= '3.11' and {LINUX}",
                    f"python_version < '3.11' and {DARWIN}"),
    # a parent reached only on darwin: its edges need no platform marker
    "transitive": HEAD + _dependencies(f"e; {DARWIN}", "a; python_version >= '3.11'")
    + _environments(LINUX, DARWIN, WIN),
    # a parent reached below 3.12: its `< 3.11` edge is written `!= '3.11.*'`
    "transitive-python": HEAD + _dependencies("e; python_version < '3.12'",
                                              "a<2; python_version < '3.11'",
                                              "a>=2; python_version >= '3.11'")
    + _environments(LINUX, DARWIN),
}


def _populate(index: LocalIndex) -> None:
    for version in ("1.0", "2.0"):
        for name in ("a", "b", "c", "d"):
            index.add_wheel(name, version, upload_time=T)
    index.add_wheel("e", "1.0", upload_time=T, requires=[
        "a", f"b; {DARWIN}", "c; sys_platform != 'linux'"])


@pytest.mark.parametrize("case", sorted(CASES))
def test_edges_are_restricted_like_uv(
    case: str, tmp_path: Path, isolated_env: Path, python_exe: Callable[[str], Path]
) -> None:
    python312 = python_exe("3.12")
    main, more = LocalIndex(tmp_path / "index"), LocalIndex(tmp_path / "more")
    _populate(main)
    more.add_wheel("a", "2.0", upload_time=T)
    with IndexServer(main) as server, IndexServer(more) as second:
        url = server.simple_url.rstrip("/")
        pyproject = CASES[case].replace("MORE", second.simple_url.rstrip("/"))
        theirs, mine, env, _ = _lock_both(tmp_path, pyproject, url, python312)
        expected = (theirs / "uv.lock").read_text(encoding="utf-8")
        assert (mine / "uv.lock").read_text(encoding="utf-8") == expected
        checked = uv(["lock", "--locked", "--default-index", url], mine, env)
        assert checked.returncode == 0, checked.stderr


def test_the_review_repro_writes_the_negated_platform(
    tmp_path: Path, isolated_env: Path, python_exe: Callable[[str], Path]
) -> None:
    """The line the review saw differ, checked by name so a uv upgrade cannot hide it."""
    python312 = python_exe("3.12")
    main = LocalIndex(tmp_path / "index")
    _populate(main)
    with IndexServer(main) as server:
        url = server.simple_url.rstrip("/")
        _, mine, _, _ = _lock_both(tmp_path, CASES["plain"], url, python312)
        written = (mine / "uv.lock").read_text(encoding="utf-8")
        assert "{ name = \"a\", marker = \"sys_platform != 'linux'\" }" in written
        assert "sys_platform == 'darwin'\" }," not in written.split("[package.metadata]")[0]
