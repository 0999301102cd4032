"""``remove`` keeps comments where uv 0.13.8 keeps them (s9 review F6): the end-of-line comment
of a removed entry stays on a line of its own, and an emptied ``[tool.uv.sources]`` table goes
with the blank lines and comments above its header while the comments after its last key stay.
Every expected text is what ``uv remove --frozen NAME`` wrote for the same file."""

from __future__ import annotations

from pathlib import Path

import pytest

from ferry.project.edit import PyprojectEditor
from ferry.project.edit_requirement import DependencyTarget
from ferry.project.toml_tables import drop_table

P = '[project]\nname = "p3"\nversion = "0.1.0"\nrequires-python = ">=3.12"\n'
CASES = [
    pytest.param(
        'idna',
        (
            'dependencies = [\n'
            '    # first comment\n'
            '    "certifi",\n'
            '    "idna",  # idna note\n'
            '    "urllib3",\n'
            ']\n'
        ),
        (
            'dependencies = [\n'
            '    # first comment\n'
            '    "certifi",\n'
            '    # idna note\n'
            '    "urllib3",\n'
            ']\n'
        ),
        id='c1-idna',
    ),
    pytest.param(
        'six',
        (
            'dependencies = [\n'
            '    "six",  # keep me\n'
            ']\n'
        ),
        (
            'dependencies = [\n'
            '    # keep me\n'
            ']\n'
        ),
        id='c2-six',
    ),
    pytest.param(
        'idna',
        (
            'dependencies = [\n'
            '    "certifi",\n'
            '    # above idna\n'
            '    "idna",  # idna note\n'
            '    # above urllib3\n'
            '    "urllib3",  # u note\n'
            ']\n'
        ),
        (
            'dependencies = [\n'
            '    "certifi",\n'
            '    # above idna\n'
            '    # idna note\n'
            '    # above urllib3\n'
            '    "urllib3",  # u note\n'
            ']\n'
        ),
        id='c3-idna',
    ),
    pytest.param(
        'urllib3',
        (
            'dependencies = [\n'
            '    "certifi",\n'
            '    # above idna\n'
            '    "idna",  # idna note\n'
            '    # above urllib3\n'
            '    "urllib3",  # u note\n'
            ']\n'
        ),
        (
            'dependencies = [\n'
            '    "certifi",\n'
            '    # above idna\n'
            '    "idna",  # idna note\n'
            '    # above urllib3\n'
            '    # u note\n'
            ']\n'
        ),
        id='c3-urllib3',
    ),
    pytest.param(
        'urllib3',
        (
            'dependencies = [\n'
            '    "certifi",\n'
            '    "urllib3",  # u note\n'
            '    # closing\n'
            ']\n'
        ),
        (
            'dependencies = [\n'
            '    "certifi",\n'
            '    # u note\n'
            '    # closing\n'
            ']\n'
        ),
        id='c4-urllib3',
    ),
    pytest.param(
        'helper',
        (
            'dependencies = [\n'
            '    "helper",\n'
            ']\n'
            '\n'
            '[tool.uv.sources]\n'
            'helper = { path = "../libs/helper" }  # local one\n'
            '# trailing comment in sources\n'
        ),
        (
            'dependencies = []\n'
            '# trailing comment in sources\n'
        ),
        id='c5-helper',
    ),
    pytest.param(
        'helper',
        (
            'dependencies = [\n'
            '    "helper",\n'
            ']\n'
            '\n'
            '[tool.uv.sources]\n'
            'helper = { path = "../libs/helper" }\n'
        ),
        (
            'dependencies = []\n'
        ),
        id='c7-helper',
    ),
    pytest.param(
        'helper',
        (
            'dependencies = [\n'
            '    "helper",\n'
            ']\n'
            '\n'
            '[tool.uv.sources]\n'
            'helper = { path = "../libs/helper" }  # local\n'
            '# tail one\n'
            '\n'
            '# tail two\n'
            '\n'
            '[tool.black]\n'
            'x = 1\n'
        ),
        (
            'dependencies = []\n'
            '# tail one\n'
            '\n'
            '# tail two\n'
            '\n'
            '[tool.black]\n'
            'x = 1\n'
        ),
        id='c8-helper',
    ),
]


@pytest.mark.parametrize(("name", "before", "after"), CASES)
def test_remove_keeps_comments_as_uv(name: str, before: str, after: str) -> None:
    editor = PyprojectEditor(P + before, Path("pyproject.toml"))
    assert editor.remove_dependency(name, DependencyTarget.project())
    if not editor.find_dependency(name):
        editor.remove_source(name)
    assert editor.dumps() == P + after


def test_drop_table_leaves_other_tables_alone() -> None:
    text = '[a]\nx = 1\n\n# about b\n[b]\ny = 2  # y\n# after b\n\n[c]\nz = 3\n'
    assert drop_table(text, ("b",)) == '[a]\nx = 1\n# after b\n\n[c]\nz = 3\n'
    assert drop_table(text, ("nope",)) is None
    assert drop_table("[b]\ny = 2\n", ("b",)) is None  # nothing before it: tomlkit deletes it
