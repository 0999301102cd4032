"""``ferry venv`` for its common forms, before click or any heavy module is imported.

Creating an environment takes about a millisecond of file writes; the full command spends ~70 ms
before that importing click, packaging, logging, the cache and the introspection machinery. This
path handles ``ferry venv [PATH] [-p/--python X] [--prompt P] [--clear] [--allow-existing]
[--system-site-packages]`` (with ``-q``, ``--cache-dir``, ``--offline``, ``--prefer-offline``,
``--color``) when everything it needs is already known: the interpreter's description is in the
cache and the target can be created without an error. It then prints and writes exactly what
the full path would: the environment is written by the same ``ferry.python.venv`` code, the
candidates are walked by the same ``ferry.python.candidates`` code, and the cache entry is found
by the same ``ferry.python.interpreter_cache`` key. Anything else (another option, ``-v``, a
request this parser does not know, an interpreter never queried, a target that would fail)
returns ``None`` before anything is printed or written, and the full CLI runs and explains
itself.

This module parses the command line and runs the command; the interpreter is found by
:mod:`ferry.commands.venv_interpreter` and the printed lines come from
:mod:`ferry.commands.venv_messages` (shared with the full path).

Imports: ``os``, ``sys`` and ferry's lean modules only (``tests/unit/test_import_budget.py``).
"""

from __future__ import annotations

# ruff: noqa: PTH100, PTH109
import os
import sys

from ferry.commands.venv_interpreter import Fallback, cache_root, cached_interpreter, venv_base
from ferry.commands.venv_messages import (
    activation_command,
    creating_line,
    default_prompt,
    display_path,
)
from ferry.python.venv import target_state, write_venv

DEFAULT_PATH = ".venv"
GLOBAL_FLAGS = frozenset({"-q", "--quiet", "--offline", "--prefer-offline"})
GLOBAL_VALUED = frozenset({"--cache-dir", "--color"})
VENV_FLAGS = frozenset({"--clear", "--allow-existing", "--system-site-packages"})
VENV_VALUED = frozenset({"-p", "--python", "--prompt"})
COLORS = frozenset({"auto", "always", "never"})


class VenvArgs:
    """The command line, as far as this path understands it."""

    __slots__ = (
        "allow_existing",
        "cache_dir",
        "clear",
        "path",
        "prompt",
        "python",
        "quiet",
        "system_site_packages",
    )

    def __init__(self) -> None:
        self.path: str | None = None
        self.python: str | None = None
        self.prompt: str | None = None
        self.cache_dir: str | None = None
        self.clear = False
        self.allow_existing = False
        self.system_site_packages = False
        self.quiet = False


def parse(argv: list[str]) -> VenvArgs | None:
    """The options of a ``ferry venv`` this path handles; ``None`` for anything else.

    Global options may come before or after ``venv`` (the full CLI hoists them too).
    """
    args = VenvArgs()
    seen_command = False
    index = 0
    while index < len(argv):
        token = argv[index]
        name, equals, inline = token.partition("=") if token.startswith("--") else (token, "", "")
        if token == "venv" and not seen_command:
            seen_command = True
        elif token in GLOBAL_FLAGS:
            args.quiet = args.quiet or token in ("-q", "--quiet")
        elif name in GLOBAL_VALUED or (seen_command and name in VENV_VALUED):
            if not equals:
                index += 1
                if index == len(argv) or argv[index].startswith("-"):
                    return None
                inline = argv[index]
            if not _take(args, name, inline):
                return None
        elif seen_command and token in VENV_FLAGS:
            setattr(args, token[2:].replace("-", "_"), True)
        elif seen_command and token and not token.startswith("-") and args.path is None:
            args.path = token
        else:
            return None
        index += 1
    return args if seen_command else None


def _take(args: VenvArgs, name: str, value: str) -> bool:
    if name == "--color":
        return value in COLORS
    if name == "--cache-dir":
        args.cache_dir = value
    elif name == "--prompt":
        args.prompt = value
    else:
        args.python = value
    return True


def try_venv(argv: list[str]) -> bool:
    """Create the environment if this invocation is one this path handles (True), else leave
    everything untouched for the full CLI (False). Errors while writing are raised as the full
    path raises them (``ferry.model.errors``), for the caller to render."""
    args = parse(argv)
    if args is None or os.environ.get("FERRY_DEBUG"):
        return False
    try:
        cwd = os.getcwd()
        if args.path is None and _project_environment_applies(cwd):
            raise Fallback  # the full path finds where the project's environment goes
        record = cached_interpreter(args.python, cwd, cache_root(args.cache_dir))
        base = venv_base(record)
        path = args.path or DEFAULT_PATH
        root = os.path.abspath(path)
        state = target_state(root)
        if state == "file" or (
            (state == "venv" and not (args.clear or args.allow_existing))
            or (state == "other" and not args.allow_existing)
        ):
            raise Fallback  # the full path says why
    except (Fallback, OSError, KeyError, TypeError, ValueError, AttributeError):
        return False
    shown = display_path(path, cwd)
    using = f"{base.implementation_name} {base.version}"
    _status(args, f"Using {using} interpreter at: {record['sys_executable']}")
    _status(args, creating_line(shown))
    write_venv(
        root,
        base,
        prompt=default_prompt(args.prompt, args.path, cwd),
        clear=args.clear,
        allow_existing=args.allow_existing,
        system_site_packages=args.system_site_packages,
    )
    activate = activation_command(shown)
    if activate is not None:
        _status(args, f"Activate with: {activate}")
    return True


def _project_environment_applies(cwd: str) -> bool:
    """Might ``ferry venv`` without PATH go anywhere but ``./.venv`` here? Only at a project's
    root (a pyproject.toml here) with FERRY_/UV_PROJECT_ENVIRONMENT set: without one, the
    root's environment is ``./.venv`` too (``ferry.commands.venv.default_path``)."""
    placed = (os.environ.get("FERRY_PROJECT_ENVIRONMENT", "").strip()
              or os.environ.get("UV_PROJECT_ENVIRONMENT", ""))
    return bool(placed) and os.path.isfile(os.path.join(cwd, "pyproject.toml"))  # noqa: PTH113, PTH118


def _status(args: VenvArgs, line: str) -> None:
    if not args.quiet:
        sys.stderr.write(line + "\n")
