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

Imports: ``os``, ``sys`` and ferry's lean modules only (``tests/unit/test_import_budget.py``).
"""

from __future__ import annotations

# ruff: noqa: PTH100, PTH109, PTH111, PTH112, PTH113, PTH116, PTH118, PTH119, PTH120, PTH206
import os
import stat
import sys

from ferry.python.candidates import candidates, names_for
from ferry.python.interpreter_cache import entry_path, key_for, read_entry
from ferry.python.venv import VenvBase, target_state, write_venv

TYPE_CHECKING = False  # typing costs ~2 ms to import; mypy reads this name as True
if TYPE_CHECKING:
    from typing import Any

DEFAULT_PATH = ".venv"
GLOBAL_FLAGS = frozenset({"-q", "--quiet", "--offline", "--prefer-offline"})
GLOBAL_VALUED = frozenset({"--cache-dir", "--color"})
VENV_FLAGS = frozenset({"--clear", "--allow-existing", "--system-site-packages"})
VENV_VALUED = frozenset({"-p", "--python", "--prompt"})
COLORS = frozenset({"auto", "always", "never"})
RECORD_FIELDS = (
    "sys_executable",
    "version",
    "implementation",
    "markers",
    "tags",
    "scheme",
    "venv_layout",
    "prefix",
    "base_prefix",
    "base_executable",
    "is_venv",
    "pointer_size",
    "gil_disabled",
)
_SHELL_SAFE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_@%+=:,./-")


class Fallback(Exception):
    """This invocation is for the full CLI (raised before anything is printed or written)."""


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
        record = _interpreter(args, cwd, _cache_root(args.cache_dir))
        base = _venv_base(record)
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
    _status(args, f"Creating virtual environment at: {shown}")
    write_venv(
        root,
        base,
        prompt=default_prompt(args.prompt, args.path, cwd),
        clear=args.clear,
        allow_existing=args.allow_existing,
        system_site_packages=args.system_site_packages,
    )
    _status(args, f"Activate with: {activation_command(shown)}")
    return True


def _status(args: VenvArgs, line: str) -> None:
    if not args.quiet:
        sys.stderr.write(line + "\n")


# -- the cache -------------------------------------------------------------------------------


def _cache_root(cache_dir: str | None) -> str:
    """The cache the full path would open (``--cache-dir``, ``FERRY_CACHE_DIR``, else the user
    cache directory), when it is ready for use; a root that would need preparing, or that the
    full path would reject, is its business.

    The default root follows the rules platformdirs applies on Linux and macOS; wherever it is,
    an entry found in it describes the interpreter exactly (entries are keyed by the binary's
    identity), so a differing guess can only cost a fall back, never a wrong answer.
    """
    given = cache_dir if cache_dir is not None else os.environ.get("FERRY_CACHE_DIR") or None
    if os.environ.get("FERRY_NO_CACHE", "").strip().lower() not in ("", "0", "false", "no", "off"):
        raise Fallback  # set (or invalid: the full path says so)
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    if given is not None:
        root = os.path.expanduser(given)
    elif sys.platform.startswith("linux") and not hasattr(sys, "getandroidapilevel"):
        root = os.path.join(xdg or os.path.expanduser("~/.cache"), "ferry")
    elif sys.platform == "darwin":
        root = os.path.join(xdg or os.path.expanduser("~/Library/Caches"), "ferry")
    else:
        raise Fallback
    if ".." in root.split(os.sep) or root.startswith("//"):
        raise Fallback  # pathlib keeps what os.path would fold
    root = os.path.normpath(os.path.join(os.getcwd(), root))
    ready = os.path.isdir(os.path.join(root, ".tmp")) and os.path.isfile(
        os.path.join(root, "CACHEDIR.TAG")
    )
    if not ready or not os.access(root, os.W_OK | os.X_OK):
        raise Fallback
    return root


def _lookup(executable: str, cache_root: str) -> dict[str, Any] | None:
    """The cached description of ``executable``; ``None`` when the cache remembers that it
    cannot be queried. Raises :class:`Fallback` when the full path would have to run it."""
    path = os.path.abspath(executable)
    info = os.stat(path)
    if not stat.S_ISREG(info.st_mode):
        raise Fallback
    key = key_for(path, info)
    record = read_entry(entry_path(cache_root, key)) if key is not None else None
    if not isinstance(record, dict):
        raise Fallback
    if "query_error" in record:
        return None
    if not all(field in record for field in RECORD_FIELDS):
        raise Fallback
    return record


# -- which interpreter -----------------------------------------------------------------------


def _interpreter(args: VenvArgs, cwd: str, cache_root: str) -> dict[str, Any]:
    """The description of the interpreter ``ferry.python.discovery.find_interpreter`` would
    choose for this request (venvs not allowed, as ``ferry venv`` asks)."""
    text = _request_text(args, cwd)
    if text is None or text.strip().lower() in ("", "any", "default"):
        return _search(None, cache_root)
    raw = text.strip()
    if any(sep in raw for sep in {os.sep, "/", os.altsep or "/"}) or raw.startswith(("~", ".")):
        record = _lookup(_interpreter_in(os.path.expanduser(raw)), cache_root)
        if record is None:
            raise Fallback
        return record
    return _search(_version_parts(raw), cache_root)


def _request_text(args: VenvArgs, cwd: str) -> str | None:
    """``--python``, else FERRY_PYTHON (as click and ``requested_python`` read them), else the
    first request in the nearest ``.python-version``."""
    value = args.python if args.python is not None else os.environ.get("FERRY_PYTHON") or None
    if value:
        return value
    env = os.environ.get("FERRY_PYTHON", "").strip()
    if env:
        return env
    folder = cwd
    while True:
        candidate = os.path.join(folder, ".python-version")
        if os.path.isfile(candidate):
            with open(candidate, encoding="utf-8", errors="replace") as handle:
                lines = handle.read().splitlines()
            for line in lines:
                stripped = line.strip()
                if stripped and not stripped.startswith("#"):
                    return stripped
            raise Fallback  # names no version: the full path reports it
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def _interpreter_in(path: str) -> str:
    """A path request names an interpreter, or a directory holding one."""
    path = os.path.abspath(path)
    if not os.path.isdir(path):
        return path
    for relative in ("bin/python3", "bin/python", "Scripts/python.exe", "python.exe"):
        if os.path.isfile(os.path.join(path, relative)):
            return os.path.join(path, relative)
    raise Fallback


def _version_parts(raw: str) -> tuple[int, ...]:
    """``3``, ``3.12``, ``3.12.1`` and ``312`` as ``PythonRequest`` reads them; every other
    spelling (ranges, implementations, ``t``, names) is for the full path."""
    if raw.isdecimal():
        if raw[0] == "3" and 2 <= len(raw) <= 3:
            return (3, int(raw[1:]))
        return (int(raw),)
    parts = raw.split(".")
    if len(parts) > 3 or not all(part.isdecimal() for part in parts):
        raise Fallback
    return tuple(int(part) for part in parts)


def _search(parts: tuple[int, ...] | None, cache_root: str) -> dict[str, Any]:
    """The first candidate that is no venv, is not free-threaded and matches ``parts``."""
    minor = (parts[0], parts[1]) if parts is not None and len(parts) >= 2 else None
    names = names_for(name=None, minor=minor, pypy=False)
    for candidate in candidates(
        names,
        scan_minors=minor is None,
        pyenv_names=["python3", "python"],
        allow_venvs=False,
        order=_version_order,
    ):
        try:
            record = _lookup(candidate.path, cache_root)
        except OSError:
            continue  # unusable: skipped by the full path too
        if record is None or record["is_venv"] or record["gil_disabled"]:
            continue
        if parts is not None and _release(record["version"])[: len(parts)] != parts:
            continue
        return record
    raise Fallback  # nothing found: the full path explains


def _version_order(name: str) -> tuple[int, tuple[int, ...]]:
    """pyenv's folder names as ``packaging.version.Version`` orders plain releases."""
    parts = name.split(".")
    if not all(part.isdecimal() for part in parts):
        raise Fallback
    release = [int(part) for part in parts]
    while len(release) > 1 and release[-1] == 0:
        release.pop()
    return (1, tuple(release))


def _release(version: str) -> tuple[int, ...]:
    """The release numbers of a normalized version string (``3.13.0rc1`` → (3, 13, 0))."""
    release: list[int] = []
    for part in version.split("."):
        digits = len(part) - len(part.lstrip("0123456789"))
        if digits == 0:
            break
        release.append(int(part[:digits]))
        if digits < len(part):
            break
    return tuple(release)


def _venv_base(record: dict[str, Any]) -> VenvBase:
    version = str(record["version"])
    major, minor = version.split(".")[:2]
    layout = record["venv_layout"]
    return VenvBase(
        base_executable=str(record["base_executable"]),
        implementation=str(record["implementation"]),
        version=version,
        major=int(major),
        minor=int(minor),
        scripts=str(layout["scripts"]),
        purelib=str(layout["purelib"]),
        platlib=str(layout["platlib"]),
        pointer_size=int(record["pointer_size"]),
        sys_platform=str(record["markers"].get("sys_platform", "")),
    )


# -- what the command prints (shared with ferry.commands.venv) -------------------------------


def default_prompt(
    prompt: str | None, path: str | os.PathLike[str] | None, cwd: str | os.PathLike[str]
) -> str | None:
    """uv's rule: ``--prompt .`` or no PATH argument → the current directory's name; a PATH
    argument alone → no prompt (activation then shows the environment's folder name)."""
    if prompt == "." or (prompt is None and path is None):
        return os.path.basename(os.fspath(cwd)) or None
    return prompt


def display_path(path: str | os.PathLike[str], cwd: str | os.PathLike[str]) -> str:
    """As the user would type it: relative when inside the current directory."""
    absolute = os.path.abspath(path)  # keep symlinks
    base = os.fspath(cwd)
    if absolute == base:
        return "."
    prefix = base if base.endswith(os.sep) else base + os.sep
    return absolute[len(prefix) :] if absolute.startswith(prefix) else absolute


def activation_command(shown: str, shell: str | None = None) -> str:
    """The activation command for the user's shell (from ``$SHELL``), as uv prints it."""
    if os.name == "nt":
        return shell_quote(_join(shown, "Scripts", "activate"))
    given = shell if shell is not None else os.environ.get("SHELL", "")
    name = os.path.basename(os.path.normpath(given)) if given else ""
    if name == "fish":
        return f"source {shell_quote(_join(shown, 'bin', 'activate.fish'))}"
    if name in {"csh", "tcsh"}:
        return f"source {shell_quote(_join(shown, 'bin', 'activate.csh'))}"
    if name == "nu":
        return f"overlay use {shell_quote(_join(shown, 'bin', 'activate.nu'))}"
    if name in {"pwsh", "powershell"}:
        return shell_quote(_join(shown, "bin", "Activate.ps1"))
    return f"source {shell_quote(_join(shown, 'bin', 'activate'))}"


def _join(shown: str, *parts: str) -> str:
    """``str(Path(shown, *parts))``: pathlib drops a leading ``.``."""
    return os.path.join(*parts) if shown == "." else os.path.join(shown, *parts)


def shell_quote(text: str) -> str:
    """``shlex.quote`` (which imports ``re``)."""
    if not text:
        return "''"
    if all(char in _SHELL_SAFE for char in text):
        return text
    return "'" + text.replace("'", "'\"'\"'") + "'"
