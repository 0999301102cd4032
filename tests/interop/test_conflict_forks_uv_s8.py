"""Conflicting extras/groups that pin different versions of a package the project also needs
unpinned, locked by uv 0.13.8 and by ferry on the same loopback index (review s8, F3).

The fork with neither conflicting item (what a plain ``sync`` installs) must get the version uv
gives it — the newest, carried from the sibling forks in uv's preference order (the oldest
with ``resolution = "lowest"``, none carried with "lowest-direct") — not whichever version the
last solved sibling chose. The locks must be equal byte for byte, each tool must
take the other's lock as up to date, and ``uv sync --frozen`` of ferry's lock with no extra
must install that ``six``.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from tests.interop.test_uv_lock_interop import UV, uv, uv_env
from tests.support.envs import snapshot_env
from tests.support.index import IndexServer, LocalIndex

from ferry.cache.store import Cache
from ferry.commands.lock import LockRequest, lock_project
from ferry.model.settings import GlobalOptions
from ferry.project.discovery import discover_project

pytestmark = pytest.mark.skipif(UV is None, reason="uv is not installed")

T = "2024-01-01T00:00:00Z"

EXTRAS = """[project]
name = "proj"
version = "0.1.0"
requires-python = ">=3.10"
dependencies = ["six", "lib"]

[project.optional-dependencies]
{old} = ["six==1.16.0"]
{new} = ["six==1.17.0"]

[tool.uv]
conflicts = [[{{extra = "{first}"}}, {{extra = "{second}"}}]]
{settings}"""

GROUPS = """[project]
name = "proj"
version = "0.1.0"
requires-python = ">=3.10"
dependencies = ["six", "lib"]

[dependency-groups]
{old} = ["six==1.16.0"]
{new} = ["six==1.17.0"]

[tool.uv]
default-groups = []
conflicts = [[{{group = "{first}"}}, {{group = "{second}"}}]]
{settings}"""

#: (template, name of the extra/group pinning 1.16, of the one pinning 1.17, order in
#: `conflicts`, extra settings, the six a plain sync installs)
CASES: dict[str, tuple[str, str, str, bool, str, str]] = {
    "extras": (EXTRAS, "old", "new", True, "", "1.17.0"),
    "extras-reversed": (EXTRAS, "old", "new", False, "", "1.17.0"),
    "extras-renamed": (EXTRAS, "zold", "anew", True, "", "1.17.0"),
    "groups": (GROUPS, "old", "new", True, "", "1.17.0"),
    "groups-reversed": (GROUPS, "old", "new", False, "", "1.17.0"),
    # "lowest": the oldest of the siblings' versions comes first (uv's preference order)
    "lowest": (EXTRAS, "old", "new", True, 'resolution = "lowest"\n', "1.16.0"),
    # "lowest-direct": uv carries no sibling's versions, so the direct six is the oldest

    "lowest-direct": (EXTRAS, "old", "new", True, 'resolution = "lowest-direct"\n', "1.15.0"),
}


def _populate(index: LocalIndex) -> None:
    for version in ("1.15.0", "1.16.0", "1.17.0"):
        index.add_wheel("six", version, upload_time=T)
    index.add_wheel("lib", "1.0", requires=["six"], upload_time=T)
    index.add_wheel("lib", "2.0", requires=["six>=1.15"], upload_time=T)


def _pyproject(case: str) -> str:
    template, old, new, in_order, settings, _ = CASES[case]
    first, second = (old, new) if in_order else (new, old)
    return template.format(old=old, new=new, first=first, second=second, settings=settings)


def _six_for_plain_sync(lock_text: str) -> set[str]:
    """The six versions the project's own dependencies name for no extra and no group: those
    whose edge marker holds when every conflict flag is off."""
    data: dict[str, Any] = tomllib.loads(lock_text)
    project = next(p for p in data["package"] if p["name"] == "proj")
    found = set()
    for dep in project.get("dependencies", []):
        if dep["name"] != "six":
            continue
        marker = dep.get("marker", "")
        # every conflict flag off: `extra == '…'` is false, `extra != '…'` true
        clauses = [c.strip(" ()") for c in marker.split(" or ")] if marker else [""]
        if any(all("!=" in atom for atom in clause.split(" and ") if atom)
               for clause in clauses):
            found.add(dep["version"])
    return found


def _lock_both(
    tmp_path: Path, pyproject: str, url: str, python312: Path
) -> tuple[Path, Path, dict[str, str], Cache]:
    """``pyproject`` locked by uv (in ``uv/``) and by ferry (in ``ferry/``) against ``url``."""
    env = uv_env(tmp_path, python312)
    theirs, mine = tmp_path / "uv", tmp_path / "ferry"
    for directory in (theirs, mine):
        directory.mkdir()
        (directory / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    made = uv(["lock", "--default-index", url], theirs, env)
    assert made.returncode == 0, made.stderr
    cache = Cache(tmp_path / "ferry-cache")
    lock_project(discover_project(project=mine),
                 LockRequest(index_url=url, python=str(python312)), GlobalOptions(), cache)
    return theirs, mine, env, cache


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_fork_with_no_conflicting_item_locks_like_uv(
    case: str, tmp_path: Path, isolated_env: Path, python_exe: Callable[[str], Path]
) -> None:
    python312 = python_exe("3.12")
    index = LocalIndex(tmp_path / "index")
    _populate(index)
    with IndexServer(index) as server:
        url = server.simple_url.rstrip("/")
        theirs, mine, env, cache = _lock_both(tmp_path, _pyproject(case), url, python312)

        expected = (theirs / "uv.lock").read_text(encoding="utf-8")
        written = (mine / "uv.lock").read_text(encoding="utf-8")
        assert _six_for_plain_sync(expected) == {CASES[case][5]}
        assert written == expected

        checked = uv(["lock", "--locked", "--default-index", url], mine, env)
        assert checked.returncode == 0, checked.stderr
        outcome = lock_project(discover_project(project=theirs), LockRequest(index_url=url),
                               GlobalOptions(), cache)
        assert outcome.reason is None and not outcome.written

        synced = uv(["sync", "--frozen", "--default-index", url], mine, env)
        assert synced.returncode == 0, synced.stderr
        installed = snapshot_env(mine / ".venv")["dists"]
        assert installed.get("six") == CASES[case][5]

# -- review s8, projects F4: a dependency split by marker in a project that also declares
# conflicts. ferry used to append the conflict's impossible clause (`or (extra == 'a' and
# extra == 'b')`) to the markers of the two edges that forked for another reason (the
# platform); uv writes the platform marker alone.

SPLIT_BY_MARKER = """[project]
name = "p"
version = "0.1.0"
requires-python = ">=3.10"
dependencies = ["x<2 ; sys_platform == 'linux'", "x>=2 ; sys_platform != 'linux'", "y"]

[project.optional-dependencies]
old = ["y==1.0"]
new = ["y==2.0"]

[tool.uv]
conflicts = [[{extra = "old"}, {extra = "new"}]]
"""


def test_marker_split_edges_keep_their_plain_markers(
    tmp_path: Path, isolated_env: Path, python_exe: Callable[[str], Path]
) -> None:
    python312 = python_exe("3.12")
    index = LocalIndex(tmp_path / "index")
    for version in ("1.0", "2.0"):
        index.add_wheel("x", version, upload_time=T)
        index.add_wheel("y", version, upload_time=T)
    with IndexServer(index) as server:
        url = server.simple_url.rstrip("/")
        theirs, mine, env, _ = _lock_both(tmp_path, SPLIT_BY_MARKER, url, python312)
        expected = (theirs / "uv.lock").read_text(encoding="utf-8")
        assert "marker = \"sys_platform == 'linux'\"" in expected
        assert (mine / "uv.lock").read_text(encoding="utf-8") == expected
        checked = uv(["lock", "--locked", "--default-index", url], mine, env)
        assert checked.returncode == 0, checked.stderr
