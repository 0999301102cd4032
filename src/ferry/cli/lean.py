"""The commonest command lines, read without click.

``ferry lock`` and ``ferry pip compile FILE…`` are what CI and pre-commit hooks run over and
over; importing click and declaring every command's options costs ~15 ms of each run, a twentieth
of a warm lock. Here each token is a plain flag or an option with one value (a string or a
path), parsed by table. Anything else — an unknown or abbreviated option, ``--help``, a value
click would check against a list of choices, a global option read from the environment that
needs checking — hands the whole command line, untouched, to the full CLI, so what the user sees
is always what the full CLI would show.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ferry.model.immutable import immutable

_AS_IS: Callable[[str], Any] = str

# token -> (keyword, value for a flag)
_GLOBAL_FLAGS: dict[str, tuple[str, Any]] = {
    "-q": ("quiet", True), "--quiet": ("quiet", True),
    "-v": ("verbose", 1), "--verbose": ("verbose", 1), "-vv": ("verbose", 2),
    "-vvv": ("verbose", 3),
    "--offline": ("offline", True), "--prefer-offline": ("prefer_offline", True),
    "--no-cache": ("no_cache", True), "--refresh": ("refresh", True),
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


_INDEX_URL = ("index_url", _AS_IS)
_PYTHON = ("python", _AS_IS)

LOCK = _Spec(
    flags={"--locked": "locked", "--frozen": "frozen", "-U": "upgrade", "--upgrade": "upgrade",
           "--no-index": "no_index"},
    valued={"-i": _INDEX_URL, "--index-url": _INDEX_URL, "--default-index": _INDEX_URL,
            "-p": _PYTHON, "--python": _PYTHON, "--exclude-newer": ("exclude_newer", _AS_IS)},
    repeated={"-P": ("upgrade_packages", _AS_IS),
              "--upgrade-package": ("upgrade_packages", _AS_IS),
              "--extra-index-url": ("extra_index_urls", _AS_IS),
              "--index": ("extra_index_urls", _AS_IS),
              "-f": ("find_links", _AS_IS), "--find-links": ("find_links", _AS_IS)},
)

_CONSTRAINT = ("constraints", Path)
_OVERRIDE = ("overrides", Path)
COMPILE = _Spec(
    flags={flag: flag[2:].replace("-", "_") for flag in (
        "--universal", "--generate-hashes", "--no-annotate", "--no-header", "--no-strip-extras",
        "--all-extras", "--upgrade", "--no-deps", "--pre", "--no-index", "--emit-index-url",
        "--emit-find-links", "--no-build")} | {"-U": "upgrade"},
    valued={"-o": ("output_file", Path), "--output-file": ("output_file", Path),
            "-i": _INDEX_URL, "--index-url": _INDEX_URL, "--default-index": _INDEX_URL,
            "-p": _PYTHON, "--python": _PYTHON,
            "--python-version": ("python_version", _AS_IS),
            "--python-platform": ("python_platform", _AS_IS),
            "--exclude-newer": ("exclude_newer", _AS_IS)},
    repeated={"-c": _CONSTRAINT, "--constraint": _CONSTRAINT, "--constraints": _CONSTRAINT,
              "--override": _OVERRIDE, "--overrides": _OVERRIDE,
              "--extra": ("extra", _AS_IS), "--group": ("group", _AS_IS),
              "--extra-index-url": ("extra_index_url", _AS_IS),
              "--index": ("extra_index_url", _AS_IS),
              "-f": ("find_links", _AS_IS), "--find-links": ("find_links", _AS_IS),
              "-P": ("upgrade_package", _AS_IS), "--upgrade-package": ("upgrade_package", _AS_IS),
              "--no-binary": ("no_binary", _AS_IS), "--only-binary": ("only_binary", _AS_IS)},
    positional=("src_files", Path),
)

# The environment variables the full CLI reads for the options above, and those it would
# check against a list of choices (left to it).
_ENV_DEFAULTS = {"cache_dir": ("FERRY_CACHE_DIR", Path), "index_url": ("FERRY_INDEX_URL", str)}
_ENV_LEFT_TO_CLICK = ("FERRY_KEYRING_PROVIDER", "UV_KEYRING_PROVIDER")


def parse(
    tokens: list[str], spec: _Spec
) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """(global options, command options) of ``tokens``, or ``None`` for the full CLI."""
    if any(os.environ.get(name) for name in _ENV_LEFT_TO_CLICK):
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
            globals_[key] = globals_.get(key, 0) + value if key == "verbose" else value
        elif not has_value and token in spec.flags:
            command[spec.flags[token]] = True
        elif name in _GLOBAL_VALUED or name in spec.valued or name in spec.repeated:
            if not has_value:
                index += 1
                if index >= len(tokens) or tokens[index].startswith("-"):
                    return None  # the full CLI says what is missing
                inline = tokens[index]
            if not inline:
                return None
            if name in spec.repeated:
                key, convert = spec.repeated[name]
                command[key] = (*command.get(key, ()), convert(inline))
            else:
                key, convert = _GLOBAL_VALUED.get(name) or spec.valued[name]
                (globals_ if name in _GLOBAL_VALUED else command)[key] = convert(inline)
        else:
            return None
        index += 1
    if spec.positional is not None:
        command[spec.positional[0]] = tuple(positional)
    _environment_defaults(globals_, command)
    return globals_, command


def _environment_defaults(globals_: dict[str, Any], command: dict[str, Any]) -> None:
    """What click's ``envvar=`` would fill in for options not on the command line (an empty
    variable counts as unset, as for click)."""
    for key, (variable, convert) in _ENV_DEFAULTS.items():
        target = globals_ if key == "cache_dir" else command
        if key not in target and os.environ.get(variable):
            target[key] = convert(os.environ[variable])


def try_lean(argv: list[str]) -> bool:
    """Run ``argv`` here when it is a lean command line; ``False`` (nothing done) otherwise."""
    if argv[:1] == ["lock"]:
        spec, action = LOCK, _lock
        rest = argv[1:]
    elif argv[:2] == ["pip", "compile"]:
        spec, action = COMPILE, _compile
        rest = argv[2:]
    else:
        return False
    parsed = parse(rest, spec)
    if parsed is None:
        return False
    global_kwargs, command_kwargs = parsed
    from ferry.cli.process import global_options, run_guarded, with_interrupt_handler

    def body() -> None:
        action(global_options(**global_kwargs), command_kwargs)

    with_interrupt_handler(lambda: run_guarded(body))
    return True


def _lock(options: Any, kwargs: dict[str, Any]) -> None:
    from ferry.cli.lock_action import lock_action

    lock_action(options, **kwargs)


def _compile(options: Any, kwargs: dict[str, Any]) -> None:
    from ferry.cli.compile_action import compile_action

    compile_action(options, **kwargs)
