"""lock_satisfies: unchanged inputs are fresh; each kind of change is stale, with a reason."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ferry.project.discovery import workspace_members
from ferry.project.lock_fresh import Freshness, lock_satisfies
from ferry.project.lock_model import LockOptions
from ferry.project.lockfile import read_lock
from ferry.project.pyproject import read_pyproject

GOLDEN = Path(__file__).resolve().parents[1] / "data" / "lockfiles"
CASES = sorted(p.parent.name for p in GOLDEN.glob("*/uv.lock"))


def _check(root: Path, options: LockOptions | None = None) -> Freshness:
    pyproject = read_pyproject(root / "pyproject.toml")
    lock = read_lock(root / "uv.lock")
    return lock_satisfies(pyproject, lock, options=options, members=workspace_members(pyproject))


def _copy(case: str, tmp_path: Path) -> Path:
    target = tmp_path / case
    shutil.copytree(GOLDEN / case, target)
    return target


def _edit(root: Path, old: str, new: str, file: str = "pyproject.toml") -> None:
    path = root / file
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize("case", CASES)
def test_unchanged_project_is_fresh(case: str) -> None:
    lock = read_lock(GOLDEN / case / "uv.lock")
    result = _check(GOLDEN / case, options=lock.options)
    assert result, result.reason
    assert result.reason is None


def test_options_from_the_command_line_matter(tmp_path: Path) -> None:
    result = _check(GOLDEN / "sources")
    assert not result
    assert result.reason == "the resolution mode changed (locked: lowest-direct, now: default)"
    assert not _check(GOLDEN / "simple", options=LockOptions(exclude_newer="2020-01-01T00:00:00Z"))


def test_options_declared_in_pyproject_count(tmp_path: Path) -> None:
    root = _copy("sources", tmp_path)
    _edit(
        root,
        "[tool.uv]\n",
        '[tool.uv]\nresolution = "lowest-direct"\nprerelease = "allow"\n'
        'exclude-newer = "2025-01-01T00:00:00Z"\n',
    )
    assert _check(root)
    _edit(root, 'exclude-newer = "2025-01-01T00:00:00Z"', 'exclude-newer = "2025-02-01T00:00:00Z"')
    assert "exclude-newer" in (_check(root).reason or "")


@pytest.mark.parametrize(
    ("case", "old", "new"),
    [
        # Spelling differences uv and ferry may write differently.
        ("markers", "python_version >= '3.12'", "python_full_version>='3.12'"),
        ("markers", "python_version < '3.12'", "'3.12' > python_version"),
        ("markers", "wincolor; sys_platform == 'win32'", "WinColor ; sys_platform=='win32'"),
        ("extras", '"gamma[fast]"', '"Gamma[FAST]"'),
        ("extras", 'cli = ["Zeta_Pkg>=0.1"', 'cli = ["zeta.pkg >= 0.1"'),
        ("groups", 'test = ["beta", {include-group = "lint"}]', 'test = ["beta", "gamma[fast]"]'),
        ("simple", 'dependencies = ["alpha", "gamma"]', 'dependencies = ["gamma", "alpha"]'),
    ],
)
def test_equivalent_spelling_stays_fresh(tmp_path: Path, case: str, old: str, new: str) -> None:
    root = _copy(case, tmp_path)
    _edit(root, old, new)
    result = _check(root, options=read_lock(root / "uv.lock").options)
    assert result, result.reason


@pytest.mark.parametrize(
    ("case", "old", "new", "reason"),
    [
        (
            "simple",
            '"alpha", "gamma"]',
            '"alpha", "gamma", "delta"]',
            "the requirements of `simple` changed: `delta` is new",
        ),
        (
            "simple",
            '"alpha", "gamma"]',
            '"alpha"]',
            "the requirements of `simple` changed: `gamma` was removed",
        ),
        (
            "simple",
            '"alpha", "gamma"]',
            '"alpha>=2", "gamma"]',
            "the requirements of `simple` changed: `alpha>=2` is new, `alpha` was removed",
        ),
        (
            "simple",
            'requires-python = ">=3.11"',
            'requires-python = ">=3.12"',
            "`requires-python` changed (locked: `>=3.11`, declared: `>=3.12`)",
        ),
        (
            "markers",
            "wincolor; sys_platform == 'win32'",
            "wincolor; sys_platform == 'darwin'",
            "the requirements of `markers` changed",
        ),
        (
            "groups",
            'lint = ["gamma[fast]"]',
            'lint = ["gamma[fast]", "eps"]',
            "dependency group `lint` of `groups` changed: `eps` is new",
        ),
        (
            "groups",
            "docs = []\n",
            "",
            "the dependency groups of `groups` changed: `docs` was removed",
        ),
        (
            "groups",
            'dev-dependencies = ["tzdata"]',
            'dev-dependencies = ["tzdata", "late"]',
            "dependency group `dev` of `groups` changed: `late` is new",
        ),
        (
            "groups",
            'default-groups = ["test", "dev"]',
            'default-groups = ["test"]',
            "`default-groups` changed",
        ),
        (
            "extras",
            'fast = ["gamma[fast]"]',
            'fast = ["gamma[fast]"]\nnew = ["eps"]',
            "the requirements of `extras-demo` changed: `eps ; extra == 'new'` is new",
        ),
        ("extras", 'version = "1.0.0"', 'version = "1.0.1"', "the version of `extras-demo`"),
        ("extras", "[build-system]", "[tool.ferry]\npackage = false\n\n[build-system]", "virtual"),
        ("simple", "[project]", '[build-system]\nrequires = ["hatchling"]\n\n[project]', "package"),
        ("conflicts", '{ extra = "two" }', '{ extra = "one" }, { extra = "two" }, {group="x"}', ""),
        (
            "sources",
            'constraint-dependencies = ["alpha<3"]',
            'constraint-dependencies = ["alpha<4"]',
            "the `constraints` changed",
        ),
        (
            "sources",
            "environments = [\"sys_platform == 'linux'\", \"sys_platform == 'darwin'\"]",
            "environments = [\"sys_platform == 'linux'\"]",
            "`environments` changed",
        ),
        (
            "markers",
            "required-environments = [",
            "required-environments = [\"sys_platform == 'darwin'\", ",
            "`required-environments` changed",
        ),
        (
            "sources",
            'helper = { path = "libs/helper", editable = true }',
            'helper = { path = "libs/helper" }',
            "`helper (directory libs/helper)` is new",
        ),
        (
            "no_project",
            'docs = ["Zeta_Pkg"]',
            'docs = ["Zeta_Pkg", "eps"]',
            "dependency group `docs` changed: `eps` is new",
        ),
    ],
)
def test_changes_make_the_lock_stale(
    tmp_path: Path, case: str, old: str, new: str, reason: str
) -> None:
    root = _copy(case, tmp_path)
    _edit(root, old, new)
    result = _check(root, options=read_lock(root / "uv.lock").options)
    assert not result
    assert result.reason is not None and reason in result.reason


def test_a_path_dependency_that_changed_makes_the_lock_stale(tmp_path: Path) -> None:
    root = _copy("sources", tmp_path)
    options = read_lock(root / "uv.lock").options
    assert _check(root, options=options)
    _edit(
        root,
        'dependencies = ["beta"]',
        'dependencies = ["beta", "eps"]',
        "libs/helper/pyproject.toml",
    )
    result = _check(root, options=options)
    assert result.reason == "the requirements of `helper` changed: `eps` is new"


def test_workspace_member_change_is_noticed(tmp_path: Path) -> None:
    root = _copy("workspace", tmp_path)
    options = read_lock(root / "uv.lock").options
    _edit(root, 'version = "0.2.0"', 'version = "0.3.0"', "packages/member/pyproject.toml")
    assert "the version of `member` changed" in (_check(root, options=options).reason or "")


def test_dynamic_dependencies_are_not_judged_statically(tmp_path: Path) -> None:
    root = _copy("extras", tmp_path)
    _edit(root, 'dependencies = ["gamma>=1.0"]', 'dynamic = ["dependencies"]')
    assert _check(root)
    _edit(root, 'dev = ["tzdata"]', 'dev = ["tzdata", "eps"]')
    assert "dependency group `dev`" in (_check(root).reason or "")
