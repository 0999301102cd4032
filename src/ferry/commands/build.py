"""``ferry build [SRC]``: the sdist and wheel of a project, into ``dist/`` (what ``uv build`` does).

By default the sdist is built from the tree and the wheel from that sdist, which proves the sdist
is complete; ``--sdist``/``--wheel`` build only what they name, straight from the tree; an sdist
archive as SRC is built into a wheel with ``--wheel``. Builds always run (the built-wheel cache is
for installs) and land in the output folder only when complete.

Build requirements of the isolated build environment are installed by :class:`CommandInstaller`:
with ``ferry.commands.pip_install.install_into`` once that exists (ferry's own resolver and
installer, reading the same indexes and cache), until then with the build interpreter's pip.
"""

from __future__ import annotations

import importlib
import os
import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

from ferry.commands.common import open_cache
from ferry.commands.index_settings import IndexSettings
from ferry.commands.venv import display_path
from ferry.dist.build import SourceBuilder
from ferry.dist.source_archive import is_sdist_archive
from ferry.dist.source_tree import read_pyproject
from ferry.model.errors import UsageError, UserError
from ferry.model.immutable import immutable
from ferry.model.log import get_logger
from ferry.model.pep440_specifiers import InvalidSpecifier, SpecifierSet
from ferry.model.settings import GlobalOptions
from ferry.model.value_fields import field
from ferry.python.discovery import find_interpreter
from ferry.python.environment import PythonEnvironment
from ferry.python.interpreter import Interpreter
from ferry.python.request import PythonRequest

__all__ = ["BuildRequest", "BuildResult", "CommandInstaller", "run_build"]

logger = get_logger(__name__)

GITIGNORE = "*"  # what uv writes into an output folder it creates


class Reporter(Protocol):
    def status(self, line: str) -> None: ...


@immutable
class BuildInstallOptions:
    """What ``install_into(environment, requirements, options)`` receives from ``ferry build``."""

    global_options: GlobalOptions
    index: IndexSettings = field(default_factory=IndexSettings)


@immutable
class BuildRequest:
    source: Path | None = None
    sdist: bool = False
    wheel: bool = False
    out_dir: Path | None = None
    python: str | None = None
    no_build_isolation: bool = False
    index: IndexSettings = field(default_factory=IndexSettings)
    config_settings: tuple[str, ...] = ()  # KEY=VALUE, as given to -C


@immutable
class BuildResult:
    built: tuple[Path, ...]
    shown: tuple[str, ...]  # the same paths as the user would type them


def run_build(request: BuildRequest, options: GlobalOptions, reporter: Reporter) -> BuildResult:
    cwd = Path.cwd()
    source = Path(os.path.abspath(request.source or cwd))  # noqa: PTH100 (keep symlinks)
    if not source.exists():
        raise UserError(f"Source `{display_path(source, cwd)}` does not exist")
    is_archive = source.is_file()
    if is_archive:
        if not is_sdist_archive(source):
            raise UserError(f"`{display_path(source, cwd)}` is not a source distribution")
        if request.sdist or not request.wheel:
            raise UserError(
                f"Failed to build `{display_path(source, cwd)}`",
                hint="pass `--wheel` explicitly to build a wheel from a source distribution",
            )
    default_out = source.parent if is_archive else source / "dist"
    out_dir = Path(os.path.abspath(request.out_dir or default_out))  # noqa: PTH100
    settings = parse_config_settings(request.config_settings)
    with open_cache(options) as cache:
        interpreter = _interpreter(request.python, source, is_archive, cache)
        installer = CommandInstaller(options, request.index, pip_python=interpreter.executable)
        builder = SourceBuilder(
            cache, installer, isolation=not request.no_build_isolation, config_settings=settings
        )
        _prepare_out_dir(out_dir)
        built: list[Path] = []
        if is_archive:
            reporter.status("Building wheel from source distribution...")
            built.append(builder.build_wheel_into(source, interpreter, out_dir))
        elif request.sdist or request.wheel:
            if request.sdist:
                reporter.status("Building source distribution...")
                built.append(builder.build_sdist(source, interpreter, out_dir))
            if request.wheel:
                reporter.status("Building wheel...")
                built.append(builder.build_wheel_into(source, interpreter, out_dir))
        else:
            reporter.status("Building source distribution...")
            sdist = builder.build_sdist(source, interpreter, out_dir)
            built.append(sdist)
            reporter.status("Building wheel from source distribution...")
            built.append(builder.build_wheel_into(sdist, interpreter, out_dir))
    return BuildResult(tuple(built), tuple(display_path(p, cwd) for p in built))


def parse_config_settings(pairs: Sequence[str]) -> dict[str, str | list[str]]:
    """``-C KEY=VALUE`` pairs as PEP 517 config settings (a repeated key gives a list)."""
    settings: dict[str, str | list[str]] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise UsageError(
                f"Invalid config setting `{pair}`",
                hint="use `KEY=VALUE`, e.g. `-C editable_mode=compat`",
            )
        previous = settings.get(key)
        if previous is None:
            settings[key] = value
        elif isinstance(previous, list):
            previous.append(value)
        else:
            settings[key] = [previous, value]
    return settings


def _interpreter(python: str | None, source: Path, is_archive: bool, cache: Any) -> Interpreter:
    """As ``uv build``: ``--python``, else ``.python-version``…, honouring requires-python."""
    directory = source.parent if is_archive else source
    requires_python = None
    pyproject = None if is_archive else read_pyproject(source)
    project = pyproject.get("project") if pyproject else None
    if isinstance(project, dict) and isinstance(project.get("requires-python"), str):
        try:
            requires_python = SpecifierSet(project["requires-python"])
        except InvalidSpecifier:
            requires_python = None  # the backend reports it with the file's name
    request = PythonRequest.parse(python) if python else None
    return find_interpreter(request, cache, directory=directory, requires_python=requires_python)


def _prepare_out_dir(out_dir: Path) -> None:
    if out_dir.exists():
        if not out_dir.is_dir():
            raise UserError(f"The output path `{out_dir}` exists and is not a directory")
        return
    try:
        out_dir.mkdir(parents=True)
        # Like uv, keep build output out of version control, but only in a folder we made.
        (out_dir / ".gitignore").write_text(GITIGNORE, encoding="utf-8")
    except OSError as error:
        raise UserError(
            f"Cannot create the output directory `{out_dir}`: {error.strerror or error}"
        ) from error


# -- installing build requirements ---------------------------------------------------------------


def _ferry_install_into() -> Callable[..., object] | None:
    """``ferry.commands.pip_install.install_into``, once the installer offers it."""
    try:
        module = importlib.import_module("ferry.commands.pip_install")
    except ImportError as error:
        logger.debug("ferry's installer is not importable (%s); build requirements use pip", error)
        return None
    function = getattr(module, "install_into", None)
    return function if callable(function) else None


class CommandInstaller:
    """Fills isolated build environments for ``ferry build`` (a ``BuildRequirementsInstaller``)."""

    def __init__(
        self, options: GlobalOptions, index: IndexSettings, *, pip_python: Path | None = None
    ) -> None:
        self.options = options
        self.index = index
        self.pip_python = pip_python

    def install(self, requirements: Sequence[str], environment: PythonEnvironment) -> None:
        install_into = _ferry_install_into()
        if install_into is not None:
            options = BuildInstallOptions(self.options, self.index)
            install_into(environment, list(requirements), options)
            return
        self._pip_install(requirements, environment)

    def _pip_install(self, requirements: Sequence[str], environment: PythonEnvironment) -> None:
        pip = self._pip_command()
        if pip is None:
            raise UserError(
                f"Cannot install the build requirements {', '.join(requirements)}: this ferry "
                "version installs them with pip, and the build interpreter has no pip",
                hint="install pip into that interpreter, or build with `--no-build-isolation` "
                "in an environment that already holds the build requirements",
            )
        command = [
            *pip,
            "--python",
            str(environment.python),
            "install",
            "--disable-pip-version-check",
            "--no-input",
            "--quiet",
            *self._index_args(),
            *requirements,
        ]
        logger.debug(
            "Installing build requirements with %s's pip: %s",
            self.pip_python,
            ", ".join(requirements),
        )
        completed = subprocess.run(
            command, stdin=subprocess.DEVNULL, capture_output=True, text=True, check=False
        )
        if completed.returncode != 0:
            output = (completed.stdout + completed.stderr).strip()
            raise UserError(
                f"pip failed to install {', '.join(requirements)} (exit status "
                f"{completed.returncode})",
                causes=[output] if output else [],
            )

    def _pip_command(self) -> list[str] | None:
        """``python -m pip`` when that python has a pip new enough for ``--python`` (22.3)."""
        if self.pip_python is None:
            return None
        probe = subprocess.run(
            [str(self.pip_python), "-c", "import pip; print(pip.__version__)"],
            capture_output=True,
            text=True,
            check=False,
        )
        if probe.returncode != 0:
            return None
        try:
            major, minor = (int(part) for part in probe.stdout.strip().split(".")[:2])
        except ValueError:
            return None
        if (major, minor) < (22, 3):
            logger.debug("pip %s is too old for --python", probe.stdout.strip())
            return None
        return [str(self.pip_python), "-m", "pip"]

    def _index_args(self) -> list[str]:
        args: list[str] = []
        if self.index.no_index or self.options.offline:
            args.append("--no-index")
        elif self.index.index_url:
            args += ["--index-url", self.index.index_url]
        for url in self.index.extra_index_urls:
            args += ["--extra-index-url", url]
        for link in self.index.find_links:
            args += ["--find-links", link]
        return args
