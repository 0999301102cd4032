"""``ferry init [PATH]``: create a new project, printing what ``uv init`` prints."""

from __future__ import annotations

from pathlib import Path

import click
from click.core import ParameterSource

from ferry.cli.output import Printer
from ferry.model.choices import BUILD_BACKENDS
from ferry.model.errors import UsageError
from ferry.model.settings import GlobalOptions


def _kind_flag(ctx: click.Context, param: click.Parameter, value: bool) -> bool:
    """Note the kind flags in command-line order: uv names the first one given in a clash."""
    if value:
        ctx.meta.setdefault("ferry.init.kinds", []).append(str(param.name))
    return value


@click.command()
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option("--name", help="The project name (default: the directory's name).")
@click.option("--app", is_flag=True, callback=_kind_flag, help="An application (the default).")
@click.option(
    "--lib", is_flag=True, callback=_kind_flag, help="A library: src layout, built as a package."
)
@click.option(
    "--bare",
    is_flag=True,
    help="Only a pyproject.toml (or only the script's block): no README, no code, no git, no "
    ".python-version; combines with --app, --lib, --package and --script.",
)
@click.option(
    "--script",
    is_flag=True,
    callback=_kind_flag,
    help="Create (or add a block to) the PEP 723 script PATH instead of a project.",
)
@click.option(
    "--package/--no-package",
    default=None,
    help="Build the project as a Python package (src layout, [build-system] with hatchling).",
)
@click.option(
    "--build-backend",
    type=click.Choice(BUILD_BACKENDS),
    envvar="FERRY_INIT_BUILD_BACKEND",
    help="Package the project with this build backend (implies --package) "
    "[env: FERRY_INIT_BUILD_BACKEND].",
)
@click.option(
    "-p",
    "--python",
    envvar="FERRY_PYTHON",
    help="The Python that decides requires-python: a version, a range, or an interpreter "
    "[env: FERRY_PYTHON].",
)
@click.option("--no-readme", is_flag=True, help="Do not create a README.md.")
@click.option("--no-pin-python", is_flag=True, help="Do not create a .python-version file.")
@click.option(
    "--vcs",
    type=click.Choice(["git", "none"]),
    help="Initialize a version control system (default: git when available).",
)
@click.option("--description", help="The project description.")
@click.option("--no-description", is_flag=True, help="Leave the description out.")
@click.option(
    "--no-workspace",
    is_flag=True,
    help="Do not join the workspace (or project) around PATH: create a standalone project.",
)
@click.option(
    "--author-from",
    type=click.Choice(["auto", "git", "none"]),
    help="Where the `authors` field comes from (default: auto for a packaged project, else "
    "none).",
)
@click.pass_obj
def init(
    options: GlobalOptions,
    path: Path | None,
    name: str | None,
    app: bool,
    lib: bool,
    bare: bool,
    script: bool,
    package: bool | None,
    build_backend: str | None,
    python: str | None,
    no_readme: bool,
    no_pin_python: bool,
    vcs: str | None,
    description: str | None,
    no_description: bool,
    author_from: str | None,
    no_workspace: bool,
) -> None:
    """Create a new project in PATH (default: the current directory).

    Writes pyproject.toml (requires-python from the interpreter found, as uv does),
    .python-version, README.md and example code: main.py for an application, src/<name>/ for
    --lib and --package (built with hatchling, or --build-backend). Refuses when a
    pyproject.toml exists.
    """
    kind = _kind(package)
    backend = _backend(build_backend, package, kind)
    if kind == "script":
        _init_script(
            options, path, package, python, no_readme, no_pin_python, vcs, bare, no_workspace
        )
        return
    from ferry.commands.init import InitRequest, init_project

    if description is not None and no_description:
        raise UsageError("`--description` and `--no-description` cannot be used together")
    request = InitRequest(
        path=path,
        name=name,
        kind=kind,  # type: ignore[arg-type]
        bare=bare,
        package=package,
        backend=backend,  # type: ignore[arg-type]
        python=python,
        readme=not no_readme,
        pin_python=not no_pin_python,
        vcs=vcs,  # type: ignore[arg-type]
        description=description,
        no_description=no_description,
        author_from=author_from,  # type: ignore[arg-type]
        no_workspace=no_workspace,
    )
    result = init_project(request, options)
    printer = Printer(options)
    if result.workspace is not None and result.membership is not None:
        message = _MEMBERSHIP[result.membership]
        printer.status(message.format(name=result.name, root=result.workspace))
    if result.at_cwd:
        printer.status(f"Initialized project `{result.name}`")
    else:
        printer.status(f"Initialized project `{result.name}` at `{result.root}`")


_MEMBERSHIP = {
    "add": "Adding `{name}` as member of workspace `{root}`",
    "member": "Project `{name}` is already a member of workspace `{root}`",
    "excluded": "Project `{name}` is excluded by workspace `{root}`",
}
"""uv's words for what happened to the workspace around the new project."""


def _kind(package: bool | None) -> str:
    """``app`` (the default), ``lib`` or ``script``: one of them, as uv allows (its words)."""
    given = click.get_current_context().meta.get("ferry.init.kinds", [])
    if len(given) > 1:
        raise UsageError(f"the argument '--{given[0]}' cannot be used with '--{given[1]}'")
    kind = given[0] if given else "app"
    if kind == "lib" and package is False:
        raise UsageError("the argument '--lib' cannot be used with '--no-package'")
    return str(kind)


def _backend(given: str | None, package: bool | None, kind: str | None) -> str | None:
    """``--build-backend``, refused with ``--no-package`` and ``--script`` when typed (as uv);
    from FERRY_INIT_BUILD_BACKEND it yields to them instead."""
    if given is None:
        return None
    source = click.get_current_context().get_parameter_source("build_backend")
    typed = source is not ParameterSource.ENVIRONMENT
    for flag, clash in (("--no-package", package is False), ("--script", kind == "script")):
        if clash:
            if typed:
                raise UsageError(f"`--build-backend` cannot be used with `{flag}`")
            return None
    return given


def _init_script(
    options: GlobalOptions,
    path: Path | None,
    package: bool | None,
    python: str | None,
    no_readme: bool,
    no_pin_python: bool,
    vcs: str | None,
    bare: bool,
    no_workspace: bool,
) -> None:
    """``ferry init --script PATH``: as uv, project-only flags are refused or warned about;
    ``--bare`` writes only the block (no example code)."""
    from ferry.commands.edit_script import init_script

    if path is None:
        raise UsageError("`--script` needs the PATH of the script")
    if package is not None:
        raise UsageError("`--script` cannot be used with `--package`/`--no-package`")
    printer = Printer(options)
    for flag, given in (("--no-workspace", no_workspace), ("--no-readme", no_readme),
                        ("--no-pin-python", no_pin_python), ("--vcs", vcs is not None)):
        if given:
            printer.warn(f"`{flag}` is a no-op for Python scripts, which are standalone")
    init_script(path, python, options, bare=bare)
    printer.status(f"Initialized script at `{path}`")
