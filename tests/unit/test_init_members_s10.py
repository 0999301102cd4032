"""``ferry init`` adding the new project to the enclosing workspace's ``members`` (s9 review
F18): the root ``pyproject.toml`` must be byte-identical to what uv 0.13.8 writes. Every expected
text below was produced by ``uv init --vcs none b`` in a directory holding the given root
``pyproject.toml`` (and a member ``a``; ``c`` where listed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ferry.model.errors import UserError
from ferry.project.edit_members import add_member
from ferry.project.init_workspace import glob_matches, joining_workspace
from ferry.project.toml_tables import dotted, table_spans

P = '[project]\nname = "root"\nversion = "0.1.0"\nrequires-python = ">=3.12"\n'
UV_CASES = [
    pytest.param(
        '[tool.uv.workspace]\nmembers = [\n    "a",  # a\n]\n',
        '[tool.uv.workspace]\nmembers = [\n    "a",\n    "b",  # a\n]\n',
        id='eol_last',
    ),
    pytest.param(
        '[tool.uv.workspace]\nmembers = [\n    "a",\n    # end\n]\n',
        '[tool.uv.workspace]\nmembers = [\n    "a",\n    "b",\n    # end\n]\n',
        id='own_after',
    ),
    pytest.param(
        '[tool.uv.workspace]\nmembers = [\n    "a",  # a\n    "c",\n]\n',
        '[tool.uv.workspace]\nmembers = [\n    "a",  # a\n    "c",\n    "b",\n]\n',
        id='eol_mid',
    ),
    pytest.param(
        '[tool.uv.workspace]\nmembers = [\n  "a",\n  "c"\n]\n',
        '[tool.uv.workspace]\nmembers = [\n  "a",\n  "c",\n  "b",\n]\n',
        id='two_space',
    ),
    pytest.param(
        '[tool.uv.workspace]\nmembers = [\n\t"a", "c",\n]\n',
        '[tool.uv.workspace]\nmembers = [\n\t"a",\n\t"c",\n\t"b",\n]\n',
        id='tabs',
    ),
    pytest.param(
        '[tool.uv.workspace]\nmembers = [ "a" , "c" ]\n',
        '[tool.uv.workspace]\nmembers = [\n "a",\n "c",\n "b",\n]\n',
        id='inline_sp',
    ),
    pytest.param(
        '[tool.uv.workspace]\nmembers = [ ]\n',
        '[tool.uv.workspace]\nmembers = [\n    "b",\n]\n',
        id='empty_sp',
    ),
    pytest.param(
        '[tool.uv.workspace]\nmembers = [\n]\n',
        '[tool.uv.workspace]\nmembers = [\n    "b",\n]\n',
        id='empty_nl',
    ),
    pytest.param(
        '[tool.uv.workspace]\nmembers = [\n    # none yet\n]\n',
        '[tool.uv.workspace]\nmembers = [\n    "b",\n    # none yet\n]\n',
        id='empty_comment',
    ),
    pytest.param(
        '[tool.uv.workspace]\nmembers = [\n    "a"  # a\n]\n',
        '[tool.uv.workspace]\nmembers = [  # a\n    "a",\n    "b",\n]\n',
        id='no_comma_eol',
    ),
    pytest.param(
        '[tool.uv.workspace]\nmembers = [\'a\', "c"]\n',
        '[tool.uv.workspace]\nmembers = [\n    \'a\',\n    "c",\n    "b",\n]\n',
        id='literal',
    ),
    pytest.param(
        '[tool.uv.workspace]\nmembers = [\n    "a",\n\n    "c",\n]\n',
        '[tool.uv.workspace]\nmembers = [\n    "a",\n    "c",\n    "b",\n]\n',
        id='blank_between',
    ),
    pytest.param(
        '[tool.uv.workspace]\nmembers = [\n    "a",\n\n    # group two\n    "c",\n]\n',
        (
            '[tool.uv.workspace]\nmembers = [\n    "a",\n    # group two\n    "c",\n'
            '    "b",\n]\n'
        ),
        id='blank_comment',
    ),
    pytest.param(
        '[tool.uv.workspace]\nmembers = [\n    "a",\n        # deep\n  "c",\n]\n',
        (
            '[tool.uv.workspace]\nmembers = [\n    "a",\n    # deep\n    "c",\n    "b",\n'
            ']\n'
        ),
        id='odd_indent_comment',
    ),
    pytest.param(
        '[tool.uv.workspace]\nmembers = [  # first\n    "a",\n]\n',
        '[tool.uv.workspace]\nmembers = [  # first\n    "a",\n    "b",\n]\n',
        id='first_eol',
    ),
    pytest.param(
        '[tool.uv.workspace]\nmembers = [\n    "a",  # x\n    # y\n]\n',
        '[tool.uv.workspace]\nmembers = [\n    "a",\n    "b",  # x\n    # y\n]\n',
        id='two_comments_trailing',
    ),
    pytest.param(
        '[tool.uv.workspace]\nmembers = [\n    "a"  # x\n    , "c"\n]\n',
        '[tool.uv.workspace]\nmembers = [  # x\n    "a",\n    "c",\n    "b",\n]\n',
        id='eol_in_suffix_mid',
    ),
    pytest.param(
        '[tool.uv.workspace]\nmembers = [\n"a"]\n',
        '[tool.uv.workspace]\nmembers = [\n    "a",\n    "b",\n]\n',
        id='nl_prefix',
    ),
    pytest.param(
        '[tool.uv.workspace]\nmembers = ["a"]  # members\nexclude = []\n',
        (
            '[tool.uv.workspace]\nmembers = [\n    "a",\n    "b",\n]  # members\n'
            'exclude = []\n'
        ),
        id='after_bracket',
    ),
    pytest.param(
        '[tool.uv.workspace]\nexclude = ["z"]\n\n# later\n',
        '[tool.uv.workspace]\nexclude = ["z"]\nmembers = [\n    "b",\n]\n\n# later\n',
        id='exclude_first',
    ),
    pytest.param(
        P,
        P + '\n[tool.uv.workspace]\nmembers = [\n    "b",\n]\n',
        id='plain',
    ),
    pytest.param(
        '[project]\nname = "root"\nversion = "0.1.0"\nrequires-python = ">=3.12"',
        P + '\n[tool.uv.workspace]\nmembers = [\n    "b",\n]\n',
        id='noeol',
    ),
    pytest.param(
        P + '\n\n',
        P + '\n[tool.uv.workspace]\nmembers = [\n    "b",\n]\n\n\n',
        id='trail_blank',
    ),
    pytest.param(
        P + '\n# the end\n',
        P + '\n[tool.uv.workspace]\nmembers = [\n    "b",\n]\n\n# the end\n',
        id='trail_comment',
    ),
    pytest.param(
        P + '\n[tool.black]\nline-length = 100\n',
        P + (
            '\n[tool.black]\nline-length = 100\n\n[tool.uv.workspace]\nmembers = [\n'
            '    "b",\n]\n'
        ),
        id='black',
    ),
    pytest.param(
        P + (
            '\n[tool.uv]\npackage = false\n\n[tool.uv.sources]\nsix = { path = "six" }\n\n'
            '[tool.black]\nx = 1\n'
        ),
        P + (
            '\n[tool.uv]\npackage = false\n\n[tool.uv.sources]\nsix = { path = "six" }\n\n'
            '[tool.uv.workspace]\nmembers = [\n    "b",\n]\n\n[tool.black]\nx = 1\n'
        ),
        id='uv_sources',
    ),
    pytest.param(
        P + '\n[tool.uv]\npackage = false\n',
        P + (
            '\n[tool.uv]\npackage = false\n\n[tool.uv.workspace]\nmembers = [\n    "b",\n'
            ']\n'
        ),
        id='uv_only',
    ),
    pytest.param(
        P + (
            '\n[tool.uv]\npackage = false\n\n[tool.black]\nx = 1\n\n[tool.uv.sources]\n'
            'six = { path = "six" }\n'
        ),
        P + (
            '\n[tool.uv]\npackage = false\n\n[tool.black]\nx = 1\n\n[tool.uv.sources]\n'
            'six = { path = "six" }\n\n[tool.uv.workspace]\nmembers = [\n    "b",\n]\n'
        ),
        id='uv_late_sources',
    ),
    pytest.param(
        P + '\n[tool]\nuv.package = false\n',
        P + (
            '\n[tool]\nuv.package = false\n\n[tool.uv.workspace]\nmembers = [\n    "b",\n'
            ']\n'
        ),
        id='tool_dotted',
    ),
    pytest.param(
        '[tool.uv.workspace]\nmembers = [\n    "a",    # a\n]\n',
        '[tool.uv.workspace]\nmembers = [\n    "a",\n    "b",    # a\n]\n',
        id='eol_spacing',
    ),
    pytest.param(
        '[tool.uv.workspace]\nmembers = ["a", # a\n]\n',
        '[tool.uv.workspace]\nmembers = [\n    "a",\n    "b", # a\n]\n',
        id='eol_first_comma',
    ),
    pytest.param(
        P + '\n[tool.uv.workspace]\n\n[tool.black]\nx = 1\n',
        P + '\n[tool.uv.workspace]\nmembers = [\n    "b",\n]\n\n[tool.black]\nx = 1\n',
        id='ws_empty_table',
    ),
]


@pytest.mark.parametrize(("before", "after"), UV_CASES)
def test_members_written_as_uv_writes_them(before: str, after: str) -> None:
    assert add_member(before, "b") == after


def test_ferry_table_gets_the_member() -> None:
    text = '[project]\nname = "r"\n\n[tool.ferry.workspace]\nmembers = ["a"]\n'
    assert add_member(text, "libs/z", "ferry") == (
        '[project]\nname = "r"\n\n[tool.ferry.workspace]\nmembers = [\n    "a",\n'
        '    "libs/z",\n]\n'
    )


def test_non_string_members_are_refused() -> None:
    with pytest.raises(UserError, match="array of strings"):
        add_member('[tool.uv.workspace]\nmembers = ["a", 1]\n', "b")


def test_table_spans_skip_brackets_inside_values() -> None:
    text = (
        'a = """\n[not.a.table]\n"""\nb = [\n  "[x]",\n]\n\n[tool.uv]  # c\n'
        "x.y = 1\n\n[[tool.uv.index]]\nurl = 'u'\n# trailing\n"
    )
    spans = table_spans(text)
    assert [(s.name, s.last_line) for s in spans] == [
        ((), 5), (("tool", "uv"), 8), (("tool", "uv", "index"), 11)
    ]
    assert spans[1].touches(("tool", "uv", "x"))
    assert dotted(' tool . "uv".x =') == ("tool", "uv", "x")


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        ("packages/*", "packages/b", True),
        ("packages/*", "packages/b/c", False),  # uv adds `pk/x/y` next to `pk/*`
        ("packages/**", "packages/b/c", True),
        ("./packages/b", "packages/b", True),
        ("packages/[!x]*", "packages/xb", False),
        ("Packages/*", "packages/b", False),
    ],
)
def test_glob_matches_one_segment_per_star(pattern: str, path: str, matches: bool) -> None:
    assert glob_matches(pattern, path) is matches


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_joining_a_workspace_from_inside_a_member(tmp_path: Path) -> None:
    _write(tmp_path / "pyproject.toml",
           '[project]\nname = "r"\nversion = "1"\n\n[tool.uv.workspace]\nmembers = ["p/a"]\n'
           'exclude = ["p/x*"]\n')
    _write(tmp_path / "p" / "a" / "pyproject.toml", '[project]\nname = "a"\nversion = "1"\n')
    joining = joining_workspace(tmp_path / "p" / "a" / "sub")
    assert joining is not None
    assert (joining.root, joining.relative, joining.state) == (tmp_path, "p/a/sub", "add")
    excluded = joining_workspace(tmp_path / "p" / "xy")
    assert excluded is not None and excluded.state == "excluded"
    member = joining_workspace(tmp_path / "p" / "a" / ".." / "a")
    assert member is not None and (member.relative, member.state) == ("p/a", "member")


def test_no_workspace_above_a_tool_only_root(tmp_path: Path) -> None:
    _write(tmp_path / "pyproject.toml", "[tool.uv]\npackage = false\n")
    assert joining_workspace(tmp_path / "b") is None


def test_a_broken_root_says_how_to_skip_it(tmp_path: Path) -> None:
    _write(tmp_path / "pyproject.toml", "[project\nname = 'r'\n")
    with pytest.raises(UserError, match="--no-workspace"):
        joining_workspace(tmp_path / "b")
