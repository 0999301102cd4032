"""Conflicts across workspace members without uv: which sets a workspace declares, and what a
selection from such a lock installs or refuses (uv's walk and uv's words; the interop test
``tests/interop/test_workspace_conflicts.py`` checks the same against uv itself)."""

from __future__ import annotations

from pathlib import Path

import pytest
from packaging.utils import canonicalize_name

from ferry.model.errors import UserError
from ferry.project.lock_select import Selection, select
from ferry.project.lock_select_conflicts import check_requested
from ferry.project.lockfile import parse_lock
from ferry.project.pyproject import read_pyproject
from ferry.project.tool_settings import ConflictSpec
from ferry.project.workspace import load_workspace

INDEX = "http://127.0.0.1:9/simple/"


def _registry(name: str, version: str, deps: str = "") -> str:
    return (f'[[package]]\nname = "{name}"\nversion = "{version}"\n'
            f'source = {{ registry = "{INDEX}" }}\n{deps}'
            f'wheels = [\n    {{ url = "http://127.0.0.1:9/files/{name}-{version}-py3-none-any.whl"'
            f', hash = "sha256:{"0" * 64}" }},\n]\n\n')


def _dep(name: str, version: str, marker: str) -> str:
    return (f'    {{ name = "{name}", version = "{version}", source = {{ registry = "{INDEX}" }}'
            f', marker = "{marker}" }},\n')


CPU = "extra-8-member-a-cpu"
GPU = "extra-8-member-b-gpu"
LOCK = (
    'version = 1\nrevision = 5\nrequires-python = ">=3.12"\nconflicts = [[\n'
    '    { package = "member-a", extra = "cpu" },\n'
    '    { package = "member-b", extra = "gpu" },\n]]\n\n'
    '[manifest]\nmembers = [\n    "member-a",\n    "member-b",\n    "member-c",\n]\n\n'
    + _registry("dep", "1.0")
    + '[[package]]\nname = "member-a"\nversion = "1.0.0"\n'
    'source = { editable = "packages/member-a" }\n\n'
    '[package.optional-dependencies]\ncpu = [\n    { name = "shared" },\n'
    f'    {{ name = "torch", version = "1.0", source = {{ registry = "{INDEX}" }} }},\n]\n\n'
    '[[package]]\nname = "member-b"\nversion = "1.0.0"\n'
    'source = { editable = "packages/member-b" }\n\n'
    '[package.optional-dependencies]\ngpu = [\n    { name = "shared" },\n'
    f'    {{ name = "torch", version = "2.0", source = {{ registry = "{INDEX}" }} }},\n]\n\n'
    '[package.dev-dependencies]\nlint = [\n    { name = "dep" },\n]\n\n'
    '[[package]]\nname = "member-c"\nversion = "1.0.0"\n'
    'source = { editable = "packages/member-c" }\ndependencies = [\n'
    '    { name = "member-a" },\n'
    f'    {{ name = "member-a", extra = ["cpu"], marker = "extra == \'{CPU}\'" }},\n]\n\n'
    + _registry("shared", "1.0", "dependencies = [\n"
                + _dep("torch", "1.0", f"extra == '{CPU}'")
                + _dep("torch", "2.0", f"extra != '{CPU}' or extra == '{GPU}'") + "]\n")
    + _registry("torch", "1.0")
    + _registry("torch", "2.0")
)


def _selected(roots: list[str], selection: Selection) -> dict[str, str]:
    lock = parse_lock(LOCK)
    chosen = select(lock, [canonicalize_name(r) for r in roots], selection,
                    {"python_full_version": "3.12.1", "sys_platform": "linux"},
                    ["py3-none-any"], "/ws")
    return {item.package.name: item.package.version or "" for item in chosen}


def test_an_extra_selects_its_side_of_the_conflict_for_that_member_only() -> None:
    assert _selected(["member-b"], Selection(extras=frozenset({"gpu"}))) == {
        "member-b": "1.0.0", "shared": "1.0", "torch": "2.0"}
    # `--all-packages --extra cpu`: member-b has no `cpu`; the flag is member-a's
    every = ["member-a", "member-b", "member-c"]
    assert _selected(every, Selection(extras=frozenset({"cpu"}))) == {
        "member-a": "1.0.0", "member-b": "1.0.0", "member-c": "1.0.0",
        "shared": "1.0", "torch": "1.0"}


def test_an_edge_to_a_conflicting_extra_activates_it() -> None:
    # member-c -> member-a[cpu] (under the cpu flag, as uv writes it) turns cpu on
    assert _selected(["member-c"], Selection()) == {
        "member-a": "1.0.0", "member-c": "1.0.0", "shared": "1.0", "torch": "1.0"}
    with pytest.raises(UserError, match=r"Found conflicting extras `member-a\[cpu\]` and "
                                        r"`member-b\[gpu\]` enabled simultaneously"):
        _selected(["member-b", "member-c"], Selection(extras=frozenset({"gpu"})))


def test_asking_for_both_sides_is_refused_in_uvs_words() -> None:
    lock = parse_lock(LOCK)
    with pytest.raises(UserError) as caught:
        check_requested(lock, {"member-a", "member-b"}, (), True, ())
    assert caught.value.message == (
        "Extras `cpu` and `gpu` are incompatible with the declared conflicts: "
        "{`member-a[cpu]`, `member-b[gpu]`}")
    # the other side belongs to a package that is not synced: nothing to refuse
    check_requested(lock, {"member-a"}, (), True, ())


def test_groups_and_mixed_sets_are_worded_as_uv_words_them() -> None:
    lock = parse_lock(LOCK.replace('{ package = "member-a", extra = "cpu" }',
                                   '{ package = "member-a", group = "dev" }'))
    with pytest.raises(UserError) as caught:
        check_requested(lock, {"member-a", "member-b"}, {"gpu"}, False, {"dev"}, {"dev"})
    assert caught.value.message == (
        "Group `dev` (enabled by default) and extra `gpu` are incompatible with the declared "
        "conflicts: {`member-a:dev`, `member-b[gpu]`}")
    both_groups = parse_lock(LOCK.replace('{ package = "member-a", extra = "cpu" }',
                                          '{ package = "member-a", group = "dev" }')
                             .replace('{ package = "member-b", extra = "gpu" }',
                                      '{ package = "member-b", group = "lint" }'))
    with pytest.raises(UserError) as caught:
        check_requested(both_groups, {"member-a", "member-b"}, (), False, {"dev", "lint"})
    assert caught.value.message == (
        "Groups `dev` and `lint` are incompatible with the conflicts: "
        "{`member-a:dev`, `member-b:lint`}")


def _workspace(tmp_path: Path, root: str, member_b: str) -> Path:
    (tmp_path / "pyproject.toml").write_text(
        root + '\n[tool.uv.workspace]\nmembers = ["packages/*"]\n', encoding="utf-8")
    for name, extra in (("member-a", ""), ("member-b", member_b)):
        home = tmp_path / "packages" / name
        home.mkdir(parents=True)
        (home / "pyproject.toml").write_text(
            f'[project]\nname = "{name}"\nversion = "1.0.0"\n{extra}', encoding="utf-8")
    return tmp_path / "pyproject.toml"


def test_a_workspace_collects_every_members_sets_naming_their_packages(tmp_path: Path) -> None:
    path = _workspace(
        tmp_path,
        '[tool.uv]\nconflicts = [[{ package = "member-b", extra = "gpu" }, '
        '{ package = "member-a", group = "dev" }]]\n',
        '\n[tool.uv]\nconflicts = [[{ extra = "gpu" }, { package = "member-a", extra = "x" }]]\n')
    sets = load_workspace(read_pyproject(path)).conflicts()
    # a root without [project] first, then the members by name; a bare item is its member's
    assert sets == (
        (ConflictSpec("member-b", "gpu", None), ConflictSpec("member-a", None, "dev")),
        (ConflictSpec("member-b", "gpu", None), ConflictSpec("member-a", "x", None)),
    )


@pytest.mark.parametrize(("item", "message"), [
    ('{ package = "member-a" }', "The conflict on the whole package `member-a`"),
    ('{ package = "nobody", extra = "x" }', "names a package that is not a workspace member"),
    ('{ extra = "x" }', "names no `package`"),
])
def test_sets_ferry_cannot_lock_are_refused(tmp_path: Path, item: str, message: str) -> None:
    path = _workspace(tmp_path, '[tool.uv]\nconflicts = [[{ package = "member-b", '
                      f'extra = "gpu" }}, {item}]]\n', "")
    with pytest.raises(UserError, match=message):
        load_workspace(read_pyproject(path)).conflicts()
