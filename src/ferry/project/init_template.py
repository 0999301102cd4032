"""The files ``ferry init`` writes, as uv writes them (uv's documented templates).

Why one module of plain text: the templates are the user's first contact with a project and
should read exactly like uv's (the same ``pyproject.toml`` keys in the same order, the same hello
functions), so someone moving between the two tools sees no difference — except one: a packaged
project (``--lib``, ``--package``) declares ``hatchling`` as its build backend unless
``--build-backend`` names another, because uv's own backend (``uv_build``) is part of uv and
ferry has no build backend of its own. ``hatchling`` finds the ``src/<module>`` layout without
configuration. The other backends are in :mod:`ferry.project.init_template_backends`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from ferry.model.errors import UserError
from ferry.model.immutable import immutable
from ferry.model.names import canonicalize_name, is_valid_name
from ferry.project.init_template_backends import (
    NATIVE_BACKENDS,
    BuildBackend,
    build_system,
    native_files,
    tool_tables,
)

InitKind = Literal["app", "lib", "bare"]

DEFAULT_BACKEND: BuildBackend = "hatch"
DESCRIPTION = "Add your description here"
GITIGNORE = """\
# Python-generated files
__pycache__/
*.py[oc]
build/
dist/
wheels/
*.egg-info

# Virtual environments
.venv
"""


@immutable
class Author:
    name: str | None = None
    email: str | None = None


@immutable
class InitOptions:
    """What the project should look like (the decisions of the ``init`` flags)."""

    name: str
    kind: InitKind = "app"
    bare: bool = False
    """Only ``pyproject.toml``, without ``readme`` or ``[project.scripts]`` (``--bare``, which
    combines with every kind; the kind ``bare`` is an application's)."""
    package: bool = False
    """Built and installed: a ``src/`` layout and a ``[build-system]`` (always for ``lib``)."""
    requires_python: str = ">=3.11"
    readme: bool = True
    description: str | None = DESCRIPTION
    authors: Sequence[Author] = ()
    backend: BuildBackend = DEFAULT_BACKEND
    """The build backend of a packaged project (``--build-backend``)."""


def project_name(raw: str) -> str:
    """The normalised project name, or a UserError saying how to pick a valid one."""
    if not is_valid_name(raw):
        raise UserError(
            f"The project name `{raw}` is not a valid package name",
            hint="pick one of letters, digits, `-`, `_` and `.` with `--name`",
        )
    return str(canonicalize_name(raw))


def module_name(name: str) -> str:
    """The import name of the project's package: ``hello-world`` → ``hello_world``."""
    return name.replace("-", "_").replace(".", "_")


def _toml_string(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def _authors(authors: Sequence[Author]) -> list[str]:
    entries = []
    for author in authors:
        parts = []
        if author.name:
            parts.append(f"name = {_toml_string(author.name)}")
        if author.email:
            parts.append(f"email = {_toml_string(author.email)}")
        if parts:
            entries.append("    { " + ", ".join(parts) + " }")
    if not entries:
        return []
    return ["authors = [", ",\n".join(entries), "]"]


def pyproject_text(options: InitOptions) -> str:
    """The ``pyproject.toml`` of a new project."""
    lines = ["[project]", f"name = {_toml_string(options.name)}", 'version = "0.1.0"']
    bare = options.bare or options.kind == "bare"
    if options.description is not None:
        lines.append(f"description = {_toml_string(options.description)}")
    if options.readme and not bare:
        lines.append('readme = "README.md"')
    lines.extend(_authors(options.authors))
    lines.append(f"requires-python = {_toml_string(options.requires_python)}")
    lines.append("dependencies = []")
    text = "\n".join(lines) + "\n"
    packaged = options.package or options.kind == "lib"
    if options.kind == "app" and packaged and not bare:
        text += f'\n[project.scripts]\n{options.name} = "{module_name(options.name)}:main"\n'
    if packaged:
        text += tool_tables(options.backend, module_name(options.name))
        text += "\n" + build_system(options.backend)
    return text


def source_files(options: InitOptions) -> list[tuple[str, str]]:
    """The example code: ``main.py`` for an application, ``src/<module>/`` for a package."""
    if options.bare or options.kind == "bare":
        return []
    module = module_name(options.name)
    if (options.package or options.kind == "lib") and options.backend in NATIVE_BACKENDS:
        return native_files(options.backend, options.name, module, library=options.kind == "lib")
    if options.kind == "lib":
        return [
            (
                f"src/{module}/__init__.py",
                f'def hello() -> str:\n    return "Hello from {options.name}!"\n',
            ),
            (f"src/{module}/py.typed", ""),
        ]
    if options.package:
        return [
            (
                f"src/{module}/__init__.py",
                f'def main() -> None:\n    print("Hello from {options.name}!")\n',
            )
        ]
    return [
        (
            "main.py",
            f'def main():\n    print("Hello from {options.name}!")\n\n\n'
            'if __name__ == "__main__":\n    main()\n',
        )
    ]


def project_files(options: InitOptions, *, python_pin: str | None) -> list[tuple[str, str]]:
    """Every file of the new project, relative path and text, ``pyproject.toml`` first."""
    files = [("pyproject.toml", pyproject_text(options))]
    if options.bare or options.kind == "bare":
        return files
    if python_pin is not None:
        files.append((".python-version", f"{python_pin}\n"))
    if options.readme:
        files.append(("README.md", ""))
    files.extend(source_files(options))
    return files
