"""The commonest command lines, read without click.

``ferry lock``, ``ferry sync``, ``ferry pip install …`` and ``ferry pip compile FILE…`` are
what CI, Docker builds and pre-commit hooks run over and over; importing click and declaring
every command's options costs ~15 ms of each run, a twentieth of a warm lock and a tenth of a
warm ``pip install``. ``ferry venv --seed`` is read here too (click would be a tenth of its
run; the plain ``ferry venv`` has a faster path still, :mod:`ferry.commands.venv_fast`).
Each token is a plain flag or an option with one value (a string, a path, or one of a list of
choices), parsed by table. Anything else — an unknown or abbreviated option, ``--help``, a
value not among an option's choices, a global option read from the environment that needs
checking — hands the whole command line, untouched, to the full CLI, so what the user sees is
always what the full CLI would show.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ferry.model.choices import INDEX_STRATEGIES, LINK_MODES, PRERELEASE_MODES, RESOLUTIONS
from ferry.model.immutable import immutable

_AS_IS: Callable[[str], Any] = str


def _one_of(*choices: str) -> Callable[[str], str]:
    """A value click would check against ``choices``: anything else is the full CLI's to
    refuse (``ValueError`` hands the command line over)."""

    def check(value: str) -> str:
        if value not in choices:
            raise ValueError(value)
        return value

    return check


_STRATEGY = ("index_strategy", _one_of(*INDEX_STRATEGIES))

# token -> (keyword, value for a flag)
_GLOBAL_FLAGS: dict[str, tuple[str, Any]] = {
    "-q": ("quiet", 1), "--quiet": ("quiet", 1), "-qq": ("quiet", 2),
    "-v": ("verbose", 1), "--verbose": ("verbose", 1), "-vv": ("verbose", 2),
    "-vvv": ("verbose", 3),
    "--offline": ("offline", True), "--prefer-offline": ("prefer_offline", True),
    "-n": ("no_cache", True), "--no-cache": ("no_cache", True), "--refresh": ("refresh", True),
}
_GLOBAL_VALUED: dict[str, tuple[str, Callable[[str], Any]]] = {
    "--cache-dir": ("cache_dir", Path),
}


@immutable
class _Spec:
    """One command's options by token: flags, one-value options, repeatable ones, and what its
    positional arguments are."""

    flags: dict[str, str]
    valued: dict[str, tuple[str, Callable[[str], Any]]]
    repeated: dict[str, tuple[str, Callable[[str], Any]]]
    positional: tuple[str, Callable[[str], Any]] | None = None
    single: bool = False
    """At most one positional argument, passed as a value (``None`` when absent)."""
    env: tuple[tuple[str, str, Callable[[str], Any]], ...] = (
        ("index_url", "FERRY_INDEX_URL", _AS_IS),
    )
    """``(keyword, variable, convert)``: the options click fills in from the environment."""
    env_left_to_click: tuple[str, ...] = ()
    """Variables click reads for this command in ways not repeated here (a flag's boolean
    spellings): when one is set, the whole command line is the full CLI's."""


_INDEX_URL = ("index_url", _AS_IS)
_PYTHON = ("python", _AS_IS)

LOCK = _Spec(
    flags={"--locked": "locked", "--frozen": "frozen", "-U": "upgrade", "--upgrade": "upgrade",
           "--no-index": "no_index", "--check": "check", "--check-exists": "check_exists",
           "--dry-run": "dry_run"},
    valued={"-i": _INDEX_URL, "--index-url": _INDEX_URL, "--default-index": _INDEX_URL,
            "-p": _PYTHON, "--python": _PYTHON, "--exclude-newer": ("exclude_newer", _AS_IS),
            "--index-strategy": _STRATEGY},
    repeated={"-P": ("upgrade_packages", _AS_IS),
              "--upgrade-package": ("upgrade_packages", _AS_IS),
              "--extra-index-url": ("extra_index_urls", _AS_IS),
              "--index": ("index", _AS_IS),
              "-f": ("find_links", _AS_IS), "--find-links": ("find_links", _AS_IS)},
)

_CONSTRAINT = ("constraints", Path)
_OVERRIDE = ("overrides", Path)
COMPILE = _Spec(
    flags={flag: flag[2:].replace("-", "_") for flag in (
        "--universal", "--generate-hashes", "--no-annotate", "--no-header", "--no-strip-extras",
        "--all-extras", "--upgrade", "--no-deps", "--pre", "--no-index", "--emit-index-url",
        "--emit-find-links", "--no-build", "--emit-index-annotation", "--no-progress")}
    | {"-U": "upgrade"},
    valued={"-o": ("output_file", Path), "--output-file": ("output_file", Path),
            "-i": _INDEX_URL, "--index-url": _INDEX_URL, "--default-index": _INDEX_URL,
            "-p": _PYTHON, "--python": _PYTHON,
            "--python-version": ("python_version", _AS_IS),
            "--python-platform": ("python_platform", _AS_IS),
            "--exclude-newer": ("exclude_newer", _AS_IS), "--index-strategy": _STRATEGY,
            "--custom-compile-command": ("custom_compile_command", _AS_IS)},
    repeated={"-c": _CONSTRAINT, "--constraint": _CONSTRAINT, "--constraints": _CONSTRAINT,
              "--override": _OVERRIDE, "--overrides": _OVERRIDE,
              "--extra": ("extra", _AS_IS), "--group": ("group", _AS_IS),
              "--extra-index-url": ("extra_index_url", _AS_IS),
              "--index": ("extra_index_url", _AS_IS),
              "-f": ("find_links", _AS_IS), "--find-links": ("find_links", _AS_IS),
              "-P": ("upgrade_package", _AS_IS), "--upgrade-package": ("upgrade_package", _AS_IS),
              "--no-binary": ("no_binary", _AS_IS), "--only-binary": ("only_binary", _AS_IS),
              "--no-emit-package": ("no_emit_package", _AS_IS)},
    positional=("src_files", Path),
    env=(("index_url", "FERRY_INDEX_URL", _AS_IS),
         ("custom_compile_command", "FERRY_CUSTOM_COMPILE_COMMAND", _AS_IS)),
)

_EXTRA_INDEX = ("extra_index_url", _AS_IS)
_INSECURE = ("allow_insecure_host", _AS_IS)
_LINK_MODE = _one_of(*LINK_MODES)
VENV = _Spec(
    flags={flag: flag[2:].replace("-", "_") for flag in (
        "--seed", "--clear", "--allow-existing", "--system-site-packages", "--no-index")},
    valued={"-p": _PYTHON, "--python": _PYTHON, "--prompt": ("prompt", _AS_IS),
            "-i": _INDEX_URL, "--index-url": _INDEX_URL, "--default-index": _INDEX_URL,
            "--index-strategy": _STRATEGY, "--exclude-newer": ("exclude_newer", _AS_IS),
            "--link-mode": ("link_mode", _LINK_MODE)},
    repeated={"--extra-index-url": _EXTRA_INDEX, "--index": _EXTRA_INDEX,
              "-f": ("find_links", _AS_IS), "--find-links": ("find_links", _AS_IS),
              "--allow-insecure-host": _INSECURE, "--trusted-host": _INSECURE},
    positional=("path", Path),
    single=True,
    env=(("python", "FERRY_PYTHON", str), ("index_url", "FERRY_INDEX_URL", str),
         ("link_mode", "FERRY_LINK_MODE", _LINK_MODE)),
)

_REQUIREMENT = ("requirements", Path)
PIP_INSTALL = _Spec(
    flags={flag: flag[2:].replace("-", "_") for flag in (
        "--upgrade", "--reinstall", "--no-deps", "--pre", "--require-hashes", "--no-build",
        "--no-build-isolation", "--compile-bytecode", "--dry-run", "--system", "--no-index")}
    | {"-U": "upgrade", "--force-reinstall": "reinstall", "--compile": "compile_bytecode"},
    valued={"-p": _PYTHON, "--python": _PYTHON,
            "-i": _INDEX_URL, "--index-url": _INDEX_URL, "--default-index": _INDEX_URL,
            "--index-strategy": _STRATEGY, "--exclude-newer": ("exclude_newer", _AS_IS),
            "--link-mode": ("link_mode", _LINK_MODE),
            "--python-version": ("python_version", _AS_IS),
            "--prerelease": ("prerelease", _one_of(*PRERELEASE_MODES)),
            "--resolution": ("resolution", _one_of(*RESOLUTIONS))},
    repeated={"-r": _REQUIREMENT, "--requirement": _REQUIREMENT,
              "-c": _CONSTRAINT, "--constraint": _CONSTRAINT,
              "-e": ("editables", _AS_IS), "--editable": ("editables", _AS_IS),
              "--extra-index-url": _EXTRA_INDEX, "--index": _EXTRA_INDEX,
              "-f": ("find_links", _AS_IS), "--find-links": ("find_links", _AS_IS),
              "-P": ("upgrade_package", _AS_IS), "--upgrade-package": ("upgrade_package", _AS_IS),
              "--reinstall-package": ("reinstall_package", _AS_IS),
              "--no-binary": ("no_binary", _AS_IS), "--only-binary": ("only_binary", _AS_IS),
              "--no-build-isolation-package": ("no_build_isolation_package", _AS_IS),
              "--allow-insecure-host": _INSECURE, "--trusted-host": _INSECURE},
    positional=("packages", _AS_IS),
    env=(("index_url", "FERRY_INDEX_URL", str), ("link_mode", "FERRY_LINK_MODE", _LINK_MODE)),
    env_left_to_click=("FERRY_COMPILE_BYTECODE",),
)


def _directory(value: str) -> Path:
    """``click.Path(file_okay=False)``: an existing file is click's to refuse."""
    path = Path(value)
    if path.is_file():
        raise ValueError(value)
    return path


_REPEATED_AS_IS = ("--package", "--no-install-package", "--reinstall-package",
                   "--upgrade-package")
SYNC = _Spec(
    flags={flag: flag[2:].replace("-", "_") for flag in (
        "--all-extras", "--all-groups", "--no-dev", "--only-dev", "--no-default-groups",
        "--all-packages",
        "--frozen", "--locked", "--inexact", "--no-install-project", "--no-install-workspace",
        "--no-editable", "--reinstall", "--compile-bytecode", "--active", "--recreate",
        "--upgrade", "--no-index", "--dry-run")} | {"-U": "upgrade"},
    valued={"-p": _PYTHON, "--python": _PYTHON,
            "-i": _INDEX_URL, "--index-url": _INDEX_URL, "--default-index": _INDEX_URL,
            "--link-mode": ("link_mode", _LINK_MODE), "--index-strategy": _STRATEGY,
            "--exclude-newer": ("exclude_newer", _AS_IS), "--project": ("project", _directory)},
    repeated={flag: (flag[2:].replace("-", "_"), _AS_IS) for flag in _REPEATED_AS_IS} | {
        "--extra": ("extras", _AS_IS), "--no-extra": ("no_extras", _AS_IS),
        "--group": ("groups", _AS_IS),
        "--only-group": ("only_groups", _AS_IS), "--no-group": ("no_groups", _AS_IS),
        "-P": ("upgrade_package", _AS_IS),
        "--extra-index-url": _EXTRA_INDEX, "--index": ("index", _AS_IS),
        "-f": ("find_links", _AS_IS), "--find-links": ("find_links", _AS_IS)},
    env=(("index_url", "FERRY_INDEX_URL", str), ("link_mode", "FERRY_LINK_MODE", _LINK_MODE)),
    env_left_to_click=("FERRY_COMPILE_BYTECODE",),
)

# The environment variables the full CLI reads for global options it would check against a list
# of choices (left to it).
_ENV_LEFT_TO_CLICK = ("FERRY_KEYRING_PROVIDER", "UV_KEYRING_PROVIDER")


def parse(
    tokens: list[str], spec: _Spec
) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """(global options, command options) of ``tokens``, or ``None`` for the full CLI."""
    if any(os.environ.get(name) for name in (*_ENV_LEFT_TO_CLICK, *spec.env_left_to_click)):
        return None
    globals_: dict[str, Any] = {}
    command: dict[str, Any] = {}
    positional: list[Any] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        # ``--opt=value``; click reads ``-o=x`` as the value ``=x``, so that is click's to read
        long = token.startswith("--")
        name, has_value, inline = token.partition("=") if long else (token, "", "")
        if not token.startswith("-"):
            if spec.positional is None:
                return None
            positional.append(spec.positional[1](token))
        elif not has_value and token in _GLOBAL_FLAGS:
            key, value = _GLOBAL_FLAGS[token]
            counted = key in ("verbose", "quiet")  # uv counts them, and refuses both
            globals_[key] = globals_.get(key, 0) + value if counted else value
        elif not has_value and token in spec.flags:
            command[spec.flags[token]] = True
        elif name in _GLOBAL_VALUED or name in spec.valued or name in spec.repeated:
            if not has_value:
                index += 1
                if index >= len(tokens) or tokens[index].startswith("-"):
                    return None  # the full CLI says what is missing
                inline = tokens[index]
            if not inline or not _store(name, inline, spec, globals_, command):
                return None
        else:
            return None
        index += 1
    return _finish(globals_, command, positional, spec)


def _store(
    name: str, value: str, spec: _Spec, globals_: dict[str, Any], command: dict[str, Any]
) -> bool:
    """Record option ``name``'s value; ``False`` for a value click would refuse."""
    try:
        if name in spec.repeated:
            key, convert = spec.repeated[name]
            command[key] = (*command.get(key, ()), convert(value))
        else:
            key, convert = _GLOBAL_VALUED.get(name) or spec.valued[name]
            (globals_ if name in _GLOBAL_VALUED else command)[key] = convert(value)
    except ValueError:
        return False
    return True


def _finish(
    globals_: dict[str, Any], command: dict[str, Any], positional: list[Any], spec: _Spec
) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """The positional arguments and the environment's defaults added, or ``None`` when click
    would refuse them (an extra argument, a variable outside its option's choices)."""
    if (spec.single and len(positional) > 1) or ("quiet" in globals_ and "verbose" in globals_):
        return None
    if spec.positional is not None:
        command[spec.positional[0]] = (
            (positional[0] if positional else None) if spec.single else tuple(positional)
        )
    try:
        _environment_defaults(globals_, command, spec)
    except ValueError:
        return None
    return globals_, command


def _environment_defaults(globals_: dict[str, Any], command: dict[str, Any], spec: _Spec) -> None:
    """What click's ``envvar=`` would fill in for options not on the command line (an empty
    variable counts as unset, as for click)."""
    if "cache_dir" not in globals_ and os.environ.get("FERRY_CACHE_DIR"):
        globals_["cache_dir"] = Path(os.environ["FERRY_CACHE_DIR"])
    for key, variable, convert in spec.env:
        if key not in command and os.environ.get(variable):
            command[key] = convert(os.environ[variable])


def try_lean(argv: list[str]) -> bool:
    """Run ``argv`` here when it is a lean command line; ``False`` (nothing done) otherwise."""
    action: Callable[[Any, dict[str, Any]], None]
    if argv[:1] == ["lock"]:
        spec, action = LOCK, _lock
        rest = argv[1:]
    elif argv[:2] == ["pip", "compile"]:
        spec, action = COMPILE, _compile
        rest = argv[2:]
    elif argv[:1] == ["venv"]:
        spec, action = VENV, _venv
        rest = argv[1:]
    elif argv[:2] == ["pip", "install"]:
        spec, action = PIP_INSTALL, _pip_install
        rest = argv[2:]
    elif argv[:1] == ["sync"]:
        spec, action = SYNC, _sync_as_typed(argv)
        rest = argv[1:]
    else:
        return False
    parsed = parse(rest, spec)
    if parsed is None:
        return False
    global_kwargs, command_kwargs = parsed
    from ferry.cli.process import global_options, run_guarded, with_interrupt_handler

    def body() -> None:
        options = global_options(**global_kwargs)
        from ferry.cli.argument_checks import check_command_line
        from ferry.commands.common import warn_project_settings

        # as the full CLI does first
        check_command_line(argv[: len(argv) - len(rest)], argv, command_kwargs)
        warn_project_settings(argv[0], command_kwargs)
        action(options, command_kwargs)

    with_interrupt_handler(lambda: run_guarded(body))
    return True


def _lock(options: Any, kwargs: dict[str, Any]) -> None:
    from ferry.cli.lock_action import lock_action

    lock_action(options, **kwargs)


def _compile(options: Any, kwargs: dict[str, Any]) -> None:
    from ferry.cli.compile_action import compile_action

    compile_action(options, **kwargs)


def _pip_install(options: Any, kwargs: dict[str, Any]) -> None:
    from ferry.cli.pip_install_action import pip_install_action

    pip_install_action(options, **kwargs)


def _venv(options: Any, kwargs: dict[str, Any]) -> None:
    from ferry.cli.venv_action import venv_action

    venv_action(options, **kwargs)


def _sync_as_typed(argv: list[str]) -> Callable[[Any, dict[str, Any]], None]:
    """``ferry sync``, which records its command line as typed (for the no-op fast path)."""

    def sync(options: Any, kwargs: dict[str, Any]) -> None:
        from ferry.cli.sync_action import sync_action

        sync_action(options, argv, **kwargs)

    return sync
