"""pyproject.toml layout after ``add``, byte for byte as uv 0.13.8 writes it (s9 review F9, F11):
re-adding an unchanged entry still rewrites its array in uv's multi-line layout, and a new
``[project.optional-dependencies]`` table goes right after ``[project]``'s body (and its
sub-tables) with one blank line before it and none added after — the blank lines and comments
that preceded the next header stay before that header. Each expected text is what
``uv add --no-sync …`` wrote for the same file."""

from __future__ import annotations

from pathlib import Path

import pytest

from ferry.project.edit import DependencyTarget, PyprojectEditor, parse_user_requirement

P = '[project]\nname = "f3"\nversion = "0.1.0"\nrequires-python = ">=3.12"\n'
CASES = [
    pytest.param(
        'certifi>=2026.10.18', 'web',
        (
            'dependencies = [\n'
            '\t"idna", "urllib3"\n'
            ']\n'
            '[dependency-groups]\n'
            'Dev = ["toml"]\n'
        ),
        (
            'dependencies = [\n'
            '\t"idna", "urllib3"\n'
            ']\n'
            '\n'
            '[project.optional-dependencies]\n'
            'web = [\n'
            '    "certifi>=2026.10.18",\n'
            ']\n'
            '[dependency-groups]\n'
            'Dev = ["toml"]\n'
        ),
        id='f11.optional_web_certifi',
    ),
    pytest.param(
        'certifi>=2026.10.18', 'web',
        (
            'dependencies = []\n'
            '\n'
            '# groups\n'
            '[dependency-groups]\n'
            'Dev = ["toml"]\n'
        ),
        (
            'dependencies = []\n'
            '\n'
            '[project.optional-dependencies]\n'
            'web = [\n'
            '    "certifi>=2026.10.18",\n'
            ']\n'
            '\n'
            '# groups\n'
            '[dependency-groups]\n'
            'Dev = ["toml"]\n'
        ),
        id='f11c.optional_web_certifi',
    ),
    pytest.param(
        'certifi>=2026.10.18', 'web',
        (
            'dependencies = []\n'
            '# groups\n'
            '\n'
            '\n'
            '[dependency-groups]\n'
            'Dev = ["toml"]\n'
        ),
        (
            'dependencies = []\n'
            '\n'
            '[project.optional-dependencies]\n'
            'web = [\n'
            '    "certifi>=2026.10.18",\n'
            ']\n'
            '# groups\n'
            '\n'
            '\n'
            '[dependency-groups]\n'
            'Dev = ["toml"]\n'
        ),
        id='f11d.optional_web_certifi',
    ),
    pytest.param(
        'certifi>=2026.10.18', 'web',
        (
            'dependencies = []\n'
            '\n'
            '\n'
        ),
        (
            'dependencies = []\n'
            '\n'
            '[project.optional-dependencies]\n'
            'web = [\n'
            '    "certifi>=2026.10.18",\n'
            ']\n'
            '\n'
            '\n'
        ),
        id='f11f.optional_web_certifi',
    ),
    pytest.param(
        'certifi>=2026.10.18', 'cli',
        (
            'dependencies = []\n'
            '\n'
            '[project.optional-dependencies]\n'
            'web = ["idna"]\n'
            '[dependency-groups]\n'
            'Dev = ["toml"]\n'
        ),
        (
            'dependencies = []\n'
            '\n'
            '[project.optional-dependencies]\n'
            'web = ["idna"]\n'
            'cli = [\n'
            '    "certifi>=2026.10.18",\n'
            ']\n'
            '[dependency-groups]\n'
            'Dev = ["toml"]\n'
        ),
        id='f11g.optional_cli_certifi',
    ),
    pytest.param(
        'certifi>=2026.10.18', 'web',
        (
            'dependencies = []\n'
            '\n'
            '[project.urls]\n'
            'x = "y"\n'
            '\n'
            '[tool.black]\n'
            'z = 1\n'
        ),
        (
            'dependencies = []\n'
            '\n'
            '[project.urls]\n'
            'x = "y"\n'
            '\n'
            '[project.optional-dependencies]\n'
            'web = [\n'
            '    "certifi>=2026.10.18",\n'
            ']\n'
            '\n'
            '[tool.black]\n'
            'z = 1\n'
        ),
        id='f11h.optional_web_certifi',
    ),
    pytest.param(
        'six', None,
        (
            'dependencies = ["six>=1.0", "idna"]  # trailing\n'
        ),
        (
            'dependencies = [\n'
            '    "six>=1.0",\n'
            '    "idna",\n'
            ']  # trailing\n'
        ),
        id='f9.six',
    ),
    pytest.param(
        'six', None,
        (
            'dependencies = [\n'
            '\t"idna", "six>=1.0"\n'
            ']\n'
        ),
        (
            'dependencies = [\n'
            '\t"idna",\n'
            '\t"six>=1.0",\n'
            ']\n'
        ),
        id='f9b.six',
    ),
]


@pytest.mark.parametrize(("requirement", "extra", "before", "after"), CASES)
def test_add_layout_as_uv(requirement: str, extra: str | None, before: str, after: str) -> None:
    editor = PyprojectEditor(P + before, Path("pyproject.toml"))
    target = DependencyTarget.optional(extra) if extra else DependencyTarget.project()
    editor.add_dependency(parse_user_requirement(requirement), target)
    assert editor.dumps() == P + after
