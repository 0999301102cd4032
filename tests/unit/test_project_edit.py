"""Editing pyproject.toml: uv's layout and ordering rules, and nothing else in the file moves."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from ferry.model.errors import ParseError, UserError
from ferry.project.edit import (
    DependencyTarget,
    PyprojectEditor,
    format_requirement,
    parse_user_requirement,
)

PATH = Path("pyproject.toml")

BASE = """\
# A project file with opinions.
[project]
name = "demo"
version = "0.1.0"
requires-python = ">=3.11"
dependencies = ["idna", 'sniffio>=1.0']  # keep this comment

[dependency-groups]
dev = [
  # linters first
  "pytest",  # the runner
]

[tool.black]
line-length = 88
"""


def editor(text: str = BASE) -> PyprojectEditor:
    return PyprojectEditor(text, PATH)


def add(e: PyprojectEditor, text: str, target: DependencyTarget | None = None) -> str:
    return e.add_dependency(
        parse_user_requirement(text), target or DependencyTarget.project()
    ).requirement


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        ("Rich[MD]", "rich[md]"),
        ("idna >=3, <4", "idna>=3,<4"),
        ("Zed[B,a]", "zed[a,b]"),
        ("abc~=1.0", "abc~=1.0"),
        ('anyio ; python_version >= "3.11"', "anyio ; python_full_version >= '3.11'"),
        (
            "pkg @ https://example.invalid/pkg-1.0.tar.gz",
            "pkg @ https://example.invalid/pkg-1.0.tar.gz",
        ),
        ("x_y.z!=1.5", "x-y-z!=1.5"),
    ],
)
def test_requirements_are_written_as_uv_writes_them(typed: str, written: str) -> None:
    assert format_requirement(parse_user_requirement(typed)) == written


def test_invalid_requirement_is_a_user_error_naming_it() -> None:
    with pytest.raises(UserError, match="Invalid requirement `foo>>1`"):
        parse_user_requirement("foo>>1")


def test_add_to_a_sorted_one_line_array_inserts_in_order_and_goes_multiline() -> None:
    e = editor()
    add(e, "Rich[MD]")
    text = e.dumps()
    assert (
        'dependencies = [\n    "idna",\n    "rich[md]",\n    \'sniffio>=1.0\',\n]'
        "  # keep this comment\n" in text
    )
    # Nothing else moved.
    assert (
        text.replace(
            'dependencies = [\n    "idna",\n    "rich[md]",\n    \'sniffio>=1.0\',\n]',
            "dependencies = [\"idna\", 'sniffio>=1.0']",
        )
        == BASE
    )


def test_unsorted_arrays_get_the_new_entry_at_the_end() -> None:
    e = editor(BASE.replace("[\"idna\", 'sniffio>=1.0']", '["zope", "attrs"]'))
    add(e, "middle")
    assert tomllib.loads(e.dumps())["project"]["dependencies"] == ["zope", "attrs", "middle"]


def test_comments_inside_an_array_stay_with_their_entries_and_indentation_is_kept() -> None:
    e = editor()
    add(e, "black", DependencyTarget.group("dev"))
    add(e, "ruff", DependencyTarget.group("dev"))
    assert (
        'dev = [\n  "black",\n  # linters first\n  "pytest",  # the runner\n  "ruff",\n]\n'
        in e.dumps()
    )


def test_existing_entry_is_updated_in_place_keeping_what_the_new_one_leaves_out() -> None:
    e = editor()
    edit = e.add_dependency(parse_user_requirement("sniffio[x]"), DependencyTarget.project())
    assert (edit.action, edit.requirement, edit.previous) == (
        "updated",
        "sniffio[x]>=1.0",
        "sniffio>=1.0",
    )
    edit = e.add_dependency(parse_user_requirement("idna"), DependencyTarget.project())
    assert edit.action == "unchanged"
    edit = e.add_dependency(parse_user_requirement("idna==3.6"), DependencyTarget.project())
    assert edit.requirement == "idna==3.6"
    assert tomllib.loads(e.dumps())["project"]["dependencies"] == ["idna==3.6", "sniffio[x]>=1.0"]


def test_same_name_with_another_marker_is_a_separate_entry() -> None:
    e = editor()
    add(e, "idna ; sys_platform == 'win32'")
    assert tomllib.loads(e.dumps())["project"]["dependencies"] == [
        "idna",
        "idna ; sys_platform == 'win32'",
        "sniffio>=1.0",
    ]


def test_new_optional_table_is_created_under_project_with_a_blank_line_after() -> None:
    e = editor()
    add(e, "rich", DependencyTarget.optional("CLI"))
    text = e.dumps()
    assert (
        ']  # keep this comment\n\n[project.optional-dependencies]\ncli = [\n    "rich",\n]\n\n'
        "[dependency-groups]" in text
    )


def test_new_group_table_is_appended_and_group_keys_match_normalised() -> None:
    e = editor(BASE.replace("dev = [", "Dev = ["))
    add(e, "black", DependencyTarget.group("dev"))
    add(e, "mypy", DependencyTarget.group("typing"))
    data = tomllib.loads(e.dumps())
    assert data["dependency-groups"] == {"Dev": ["black", "pytest"], "typing": ["mypy"]}


def test_no_project_table_means_groups_only() -> None:
    e = editor("[dependency-groups]\ndev = []\n")
    with pytest.raises(UserError, match=r"no `\[project\]` table"):
        add(e, "idna")
    add(e, "idna", DependencyTarget.group("dev"))
    assert e.dumps() == '[dependency-groups]\ndev = [\n    "idna",\n]\n'


def test_remove_takes_every_entry_of_the_name_and_keeps_the_comments() -> None:
    e = editor()
    assert e.remove_dependency("PyTest", DependencyTarget.group("dev")) == ["pytest"]
    # the removed entry's own comment stays on a line of its own, as uv keeps it
    assert "dev = [\n  # linters first\n  # the runner\n]\n" in e.dumps()
    assert e.remove_dependency("pytest", DependencyTarget.group("dev")) == []
    assert e.remove_dependency("idna", DependencyTarget.project()) == ["idna"]
    assert e.remove_dependency("sniffio", DependencyTarget.project()) == ["sniffio>=1.0"]
    assert "dependencies = []  # keep this comment\n" in e.dumps()


def test_remove_from_a_missing_table_finds_nothing() -> None:
    e = editor()
    assert e.remove_dependency("idna", DependencyTarget.optional("nope")) == []
    assert e.remove_dependency("idna", DependencyTarget.group("nope")) == []
    assert not e.changed


def test_find_dependency_lists_every_place() -> None:
    e = editor()
    add(e, "pytest", DependencyTarget.optional("test"))
    assert e.find_dependency("pytest") == [
        DependencyTarget.optional("test"),
        DependencyTarget.group("dev"),
    ]
    assert e.find_dependency("nothing") == []


def test_dev_goes_to_the_legacy_table_only_when_the_project_uses_it() -> None:
    assert editor().dev_target() == DependencyTarget.group("dev")
    legacy = editor('[project]\nname = "x"\n\n[tool.uv]\ndev-dependencies = ["a"]\n')
    target = legacy.dev_target()
    assert target.kind == "legacy-dev"
    add(legacy, "b", target)
    assert tomllib.loads(legacy.dumps())["tool"]["uv"]["dev-dependencies"] == ["a", "b"]


def test_sources_go_to_tool_uv_unless_tool_ferry_owns_them() -> None:
    e = editor()
    add(e, "helper")
    assert e.set_source("Helper", {"path": "../helper", "editable": True}) == "tool.uv.sources"
    assert '[tool.uv.sources]\nhelper = { path = "../helper", editable = true }\n' in e.dumps()
    assert e.remove_source("HELPER")
    assert "helper =" not in e.dumps()

    ferry = editor(BASE + "\n[tool.ferry.sources]\nother = { path = 'o' }\n")
    assert ferry.set_source("helper", {"path": "h"}) == "tool.ferry.sources"
    assert tomllib.loads(ferry.dumps())["tool"]["ferry"]["sources"]["helper"] == {"path": "h"}


def test_url_requirement_with_a_source_loses_its_url() -> None:
    e = editor()
    edit = e.add_dependency(
        parse_user_requirement("zed @ https://example.invalid/z-1.0.tar.gz"),
        DependencyTarget.project(),
        has_source=True,
    )
    assert edit.requirement == "zed"


def test_set_specifier_writes_the_bound_and_keeps_extras_and_marker() -> None:
    e = editor()
    add(e, "rich[md] ; sys_platform != 'win32'")
    rich = parse_user_requirement("rich ; sys_platform != 'win32'")
    text = e.set_specifier(DependencyTarget.project(), rich, ">=13.0.0,<14.0.0")
    assert text == "rich[md]>=13.0.0,<14.0.0 ; sys_platform != 'win32'"
    missing = parse_user_requirement("missing")
    assert e.set_specifier(DependencyTarget.project(), missing, ">=1") is None


def test_add_index_once() -> None:
    e = editor()
    e.add_indexes([("internal", "https://example.invalid/simple", False)])
    e.add_indexes([(None, "https://example.invalid/simple", False)])
    data = tomllib.loads(e.dumps())
    assert data["tool"]["uv"]["index"] == [
        {"name": "internal", "url": "https://example.invalid/simple"}
    ]


def test_version_read_and_write() -> None:
    e = editor()
    assert e.get_version() == "0.1.0"
    e.set_version("0.2.0")
    assert e.dumps() == BASE.replace('version = "0.1.0"', 'version = "0.2.0"')
    dynamic = editor('[project]\nname = "x"\ndynamic = ["version"]\n')
    assert dynamic.get_version() is None
    with pytest.raises(UserError, match=r"no `project\.version`"):
        dynamic.set_version("1.0")


def test_malformed_toml_is_a_parse_error_with_the_line() -> None:
    with pytest.raises(ParseError) as info:
        editor('[project]\nname = "x"\ndependencies = [\n')
    assert info.value.path == "pyproject.toml"
    assert info.value.line is not None


def test_non_array_dependencies_are_refused() -> None:
    e = editor('[project]\nname = "x"\ndependencies = "idna"\n')
    with pytest.raises(UserError, match="not an array"):
        add(e, "rich")
