"""pyproject.toml: syntax errors with positions (A1), key paths of schema errors (A2), model."""

from __future__ import annotations

from pathlib import Path

import pytest

from ferry.model.errors import ParseError
from ferry.project.groups import IncludeGroup
from ferry.project.pyproject import parse_pyproject, read_pyproject

GOLDEN = Path(__file__).resolve().parents[1] / "data" / "lockfiles"


def _parse(tmp_path: Path, text: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "pyproject.toml"
    path.write_text(text, encoding="utf-8")
    return read_pyproject(path)


def _error(tmp_path: Path, text: str) -> ParseError:
    with pytest.raises(ParseError) as info:
        _parse(tmp_path, text)
    return info.value


# -- A1: TOML syntax ---------------------------------------------------------------------------


def test_syntax_error_has_path_line_column_and_source_line(tmp_path: Path) -> None:
    err = _error(tmp_path, '[project]\nname = "demo"\nversion = 0.1.0\n')
    assert "Failed to parse `" in err.message and "pyproject.toml`" in err.message
    assert err.path == str(tmp_path / "pyproject.toml")
    assert (err.line, err.column) == (3, 14)  # tomllib stops at the second dot
    assert err.source_line == "version = 0.1.0"


def test_unclosed_array_at_end_of_file(tmp_path: Path) -> None:
    err = _error(tmp_path, '[project]\nname = "demo"\ndependencies = [\n  "a",\n')
    assert err.line is not None and err.line >= 4
    assert err.source_line is not None


def test_duplicate_table_is_a_syntax_error(tmp_path: Path) -> None:
    err = _error(tmp_path, '[project]\nname = "a"\n[project]\nname = "b"\n')
    assert err.line == 3


# -- A2: schema errors name the key path -------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "key_path", "detail"),
    [
        ('[project]\nname = "d"\ndependencies = "requests"\n', "project.dependencies", "array"),
        (
            '[project]\nname = "d"\ndependencies = ["ok", "fine>=1", "bad >= = 1"]\n',
            "project.dependencies[2]",
            "invalid requirement 'bad >= = 1'",
        ),
        ('[project]\nname = "d"\ndependencies = ["ok", 3]\n', "project.dependencies[1]", "integer"),
        ('[project]\nname = "d"\nrequires-python = ">=3.x"\n', "project.requires-python", ""),
        ('[project]\nversion = "1.0"\n', "project.name", "missing required key"),
        ('[project]\nname = "-bad-"\n', "project.name", "invalid project name"),
        ('[project]\nname = "d"\nversion = "one"\n', "project.version", "invalid version"),
        (
            '[project]\nname = "d"\n[project.optional-dependencies]\nfast = ["x;;"]\n',
            "project.optional-dependencies.fast[0]",
            "invalid requirement",
        ),
        ('[dependency-groups]\ntest = ["pytest", "py test"]\n', "dependency-groups.test[1]", ""),
        ('[tool.ferry]\ndefault-group = ["dev"]\n', "tool.ferry.default-group", "unknown key"),
        ('[tool.uv]\ndev-dependencies = ["x @"]\n', "tool.uv.dev-dependencies[0]", ""),
        ("[tool.uv]\nenvironments = [\"sys_platform = 'linux'\"]\n", "tool.uv.environments[0]", ""),
        ('[tool.uv]\npackage = "yes"\n', "tool.uv.package", "boolean"),
        ('[tool.uv.sources]\nfoo = { path = "x", git = "y" }\n', "tool.uv.sources.foo", "exactly"),
        (
            '[tool.uv.sources]\nfoo = { git = "y", tag = "a", rev = "b" }\n',
            "tool.uv.sources.foo",
            "",
        ),
        (
            '[tool.uv.sources]\nfoo = [{ index = "a" }, { pth = "x" }]\n',
            "tool.uv.sources.foo[1]",
            "",
        ),
        ('[[tool.uv.index]]\nname = "x"\n', "tool.uv.index[0].url", "missing required key"),
        ("[tool.uv]\nconflicts = [[{ extra = 'a' }]]\n", "tool.uv.conflicts[0]", "at least two"),
        ('[tool.uv]\ndefault-groups = ["docs"]\n', "tool.uv.default-groups", "not defined"),
        ('[build-system]\nrequires = ["setuptools>="]\n', "build-system.requires[0]", ""),
    ],
)
def test_schema_error_names_key_path(tmp_path: Path, body: str, key_path: str, detail: str) -> None:
    err = _error(tmp_path, body)
    assert f"`{key_path}`" in err.message
    assert detail in err.message
    assert err.path == str(tmp_path / "pyproject.toml")


def test_invalid_requirement_carries_packagings_message(tmp_path: Path) -> None:
    err = _error(tmp_path, '[project]\nname = "d"\ndependencies = ["ok", "fine", "bad ="]\n')
    assert err.message.startswith("Failed to parse `")
    assert "`project.dependencies[2]`" in err.message
    assert "Expected" in err.message  # packaging's parser explains what it expected
    assert err.causes and "bad =" in err.causes[0]


# -- the model ---------------------------------------------------------------------------------


def test_project_fields(tmp_path: Path) -> None:
    project = _parse(
        tmp_path,
        """
[project]
name = "My_Project"
version = "1.2.3"
requires-python = ">=3.11"
dependencies = ["anyio>=3", "idna; sys_platform == 'win32'"]
[project.optional-dependencies]
Fast = ["uvloop"]
cli = ["click>=8"]
[project.scripts]
my-tool = "my_project.cli:main"
""",
    )
    table = project.project
    assert table is not None
    assert (table.name, table.raw_name, table.version) == ("my-project", "My_Project", "1.2.3")
    assert [str(r) for r in table.dependencies] == ["anyio>=3", 'idna; sys_platform == "win32"']
    assert table.extras == ("fast", "cli")
    assert table.scripts == (("my-tool", "my_project.cli:main"),)
    assert str(table.requires_python_specifier) == ">=3.11"
    assert not project.is_package


def test_dynamic_version(tmp_path: Path) -> None:
    project = _parse(tmp_path, '[project]\nname = "d"\ndynamic = ["version"]\n')
    assert project.project is not None
    assert project.project.version is None and project.project.dynamic == ("version",)
    err = _error(tmp_path, '[project]\nname = "d"\nversion = "1"\ndynamic = ["version"]\n')
    assert "`project.version`" in err.message


@pytest.mark.parametrize(
    ("extra", "packaged"),
    [
        ("", False),
        ('[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n', True),
        ('[build-system]\nrequires = ["hatchling"]\n[tool.uv]\npackage = false\n', False),
        ("[tool.uv]\npackage = true\n", True),
        ("[tool.uv]\npackage = true\n[tool.ferry]\npackage = false\n", False),
    ],
)
def test_package_or_virtual(tmp_path: Path, extra: str, packaged: bool) -> None:
    project = _parse(tmp_path, f'[project]\nname = "d"\nversion = "1"\n{extra}')
    assert project.is_package is packaged


def test_groups_include_and_legacy_dev(tmp_path: Path) -> None:
    project = _parse(
        tmp_path,
        """
[dependency-groups]
Test = ["pytest", {include-group = "lint"}, {include-group = "typing"}]
lint = ["ruff", {include-group = "typing"}]
typing = ["mypy"]
dev = ["ipython"]
[tool.uv]
dev-dependencies = ["pdbpp"]
""",
    )
    groups = {k: [str(r) for r in v] for k, v in project.groups.items()}
    assert groups["test"] == ["pytest", "ruff", "mypy"]
    assert groups["lint"] == ["ruff", "mypy"]
    assert groups["dev"] == ["ipython", "pdbpp"]
    assert dict(project.declared_groups)["test"][1] == IncludeGroup("lint")
    assert project.default_groups == ("dev",)


def test_legacy_dev_dependencies_alone_make_a_dev_group(tmp_path: Path) -> None:
    project = _parse(tmp_path, '[tool.uv]\ndev-dependencies = ["pytest"]\n')
    assert [str(r) for r in project.groups["dev"]] == ["pytest"]
    assert project.default_groups == ("dev",)


@pytest.mark.parametrize(
    ("groups", "message"),
    [
        ('a = [{include-group = "a"}]', "cycle in `dependency-groups`: `a` -> `a`"),
        (
            'a = [{include-group = "b"}]\nb = [{include-group = "c"}]\nc = [{include-group = "a"}]',
            "`a` -> `b` -> `c` -> `a`",
        ),
        ('a = [{include-group = "missing"}]', "includes group `missing`, which is not defined"),
        ('a = [{include-group = "b", extra = 1}]\nb = []', "unknown key `extra`"),
    ],
)
def test_group_errors(tmp_path: Path, groups: str, message: str) -> None:
    err = _error(tmp_path, f"[dependency-groups]\n{groups}\n")
    assert message in err.message
    assert "`dependency-groups." in err.message


def test_default_groups_all_and_explicit(tmp_path: Path) -> None:
    body = '[dependency-groups]\na = ["x"]\nb = ["y"]\n'
    assert _parse(tmp_path, body + '[tool.uv]\ndefault-groups = "all"\n').default_groups == (
        "a",
        "b",
    )
    assert _parse(tmp_path, body + '[tool.uv]\ndefault-groups = ["B"]\n').default_groups == ("b",)
    assert _parse(tmp_path, body).default_groups == ()


def test_tool_ferry_falls_back_key_by_key(tmp_path: Path) -> None:
    project = _parse(
        tmp_path,
        """
[dependency-groups]
a = []
b = []
[tool.uv]
default-groups = ["a"]
environments = ["sys_platform == 'linux'"]
constraint-dependencies = ["x<2"]
[tool.ferry]
default-groups = ["b"]
override-dependencies = ["y==1"]
""",
    )
    tool = project.tool
    assert tool.default_groups == ("b",)
    assert tool.environments == ("sys_platform == 'linux'",)
    assert [str(r) for r in tool.constraint_dependencies] == ["x<2"]
    assert [str(r) for r in tool.override_dependencies] == ["y==1"]
    assert tool.origin_of("default-groups") == "tool.ferry"
    assert tool.origin_of("environments") == "tool.uv"


def test_unknown_tool_uv_keys_are_ignored(tmp_path: Path) -> None:
    project = _parse(tmp_path, '[tool.uv]\nsome-future-setting = 3\npython-preference = "only"\n')
    assert project.tool.package is None


def test_sources_indexes_conflicts(tmp_path: Path) -> None:
    project = _parse(
        tmp_path,
        """
[project]
name = "d"
[tool.uv.sources]
helper = { path = "libs/helper", editable = true }
Lib = { git = "https://git.example/lib", tag = "v1", subdirectory = "py" }
torch = [
  { index = "cpu", marker = "sys_platform == 'linux'" },
  { index = "gpu", extra = "cuda" },
]
member = { workspace = true }
[[tool.uv.index]]
name = "cpu"
url = "https://download.example/cpu"
explicit = true
[[tool.uv.index]]
url = "https://mirror.example/simple"
default = true
[tool.uv]
conflicts = [[{ extra = "cpu" }, { extra = "CUDA" }], [{ group = "a" }, { package = "other" }]]
""",
    )
    tool = project.tool
    (helper,) = tool.sources_for("helper")
    assert (helper.kind, helper.path, helper.editable) == ("path", "libs/helper", True)
    (lib,) = tool.sources_for("lib")
    assert (lib.kind, lib.git, lib.tag, lib.subdirectory) == (
        "git",
        "https://git.example/lib",
        "v1",
        "py",
    )
    cpu, gpu = tool.sources_for("torch")
    assert (cpu.index, cpu.marker, gpu.index, gpu.extra) == (
        "cpu",
        "sys_platform == 'linux'",
        "gpu",
        "cuda",
    )
    assert tool.sources_for("member")[0].kind == "workspace"
    named = tool.index_named("cpu")
    assert named is not None and named.explicit and not named.default
    assert tool.indexes[1].default and tool.indexes[1].name is None
    assert [(c.extra, c.group, c.package) for c in tool.conflicts[0]] == [
        ("cpu", None, None),
        ("cuda", None, None),
    ]
    assert tool.conflicts[1][1].package == "other"


@pytest.mark.parametrize("case", sorted(p.parent.name for p in GOLDEN.glob("*/pyproject.toml")))
def test_golden_pyprojects_parse(case: str) -> None:
    project = read_pyproject(GOLDEN / case / "pyproject.toml")
    assert project.root == GOLDEN / case


def test_parse_without_file(tmp_path: Path) -> None:
    project = parse_pyproject('[project]\nname = "x"\n', tmp_path / "pyproject.toml")
    assert project.name == "x"


@pytest.mark.parametrize("table", ["tool.ferry.pip", "tool.uv.pip"])
def test_the_pip_interfaces_section_is_accepted_by_project_commands(
    tmp_path: Path, table: str
) -> None:
    """``[tool.ferry.pip]``/``[tool.uv.pip]`` configure ``ferry pip …`` (commands/pip_config.py);
    a project that has one still parses for ``lock``/``sync`` (it was an unknown key)."""
    path = tmp_path / "pyproject.toml"
    path.write_text(f'[project]\nname = "d"\nversion = "1.0"\n[{table}]\ngenerate-hashes = true\n')
    assert read_pyproject(path).project is not None
