"""The no-op fast path of ``ferry sync`` and ``ferry run``: answered before anything heavy loads.

A no-op ``sync`` has nothing to do but prove that: the lock is fresh, the environment is valid and
holds exactly the selection. The full proof imports click, packaging and the project model
(~100 ms of Python start-up work). After every successful sync, ferry writes a *record* into the
environment: a digest of every input that could change the answer (ferry's version, the command
line, the working directory, relevant environment variables, the bytes of pyproject.toml,
uv.lock, .python-version and pyvenv.cfg, the base interpreter's identity and the names in
site-packages). When the next invocation computes the same digest, the previous answer still
holds and is replayed; anything else — a changed byte, another flag, a package installed by
another tool, ``-v`` — takes the full path, which explains itself.

Only cheap standard modules are imported here (no pathlib, json or dataclasses: each costs
milliseconds at start-up, which is the whole budget of this path).
"""

from __future__ import annotations

# os.path on purpose: pathlib costs milliseconds to import on this path.
# ruff: noqa: PTH105, PTH108, PTH109, PTH110, PTH112, PTH113, PTH116, PTH118, PTH120, PTH117, PTH208
import os
import sys
import time

# CPython's builtin sha256: hashlib would load OpenSSL (~2 ms) for the same digests.
from ferry.model.builtin_sha256 import sha256
from ferry.model.console_text import elapsed, plural

RECORD_PREFIX = "ferry-fast-"
RECORD_VERSION = 1
ENV_PREFIXES = ("FERRY_", "UV_", "VIRTUAL_ENV", "PYENV_VERSION", "PYTHONHOME", "SSL_CERT")
# Options of `run` that take a value: the token after them is not the command to run.
RUN_VALUED = frozenset(
    {
        "--extra",
        "--no-extra",
        "--group",
        "--only-group",
        "--no-group",
        "--no-install-package",
        "--reinstall-package",
        "--link-mode",
        "-p",
        "--python",
        "-P",
        "--upgrade-package",
        "-i",
        "--index-url",
        "--default-index",
        "--extra-index-url",
        "--index",
        "-f",
        "--find-links",
        "--index-strategy",
        "--exclude-newer",
        "--project",
        "--with",
        "-w",
        "--with-requirements",
        "--with-editable",
        "--env-file",
        "--refresh-package",
        "--keyring-provider",
        "--package",
        "--max-recursion-depth",
        # Global options given after `run` (hoisted by the full path) take values too.
        "--cache-dir",
        "--color",
        "--directory",
    }
)
# Flags after which the answer is not a plain replay.
UNSAFE = frozenset(
    {
        "--project",
        "--directory",
        "--active",
        "--with",
        "-w",
        "--with-requirements",
        "--with-editable",
        "--env-file",  # the file's variables reach the command: the full path reads them
        "--max-recursion-depth",  # another limit than the one this path knows
        "-s",
        "--script",
        "-m",
        "--module",
        "--isolated",
        "--no-sync",
        "--dry-run",
        "--reinstall",
        "--reinstall-package",
        "--recreate",
        "-U",
        "--upgrade",
        "-P",
        "--upgrade-package",
        "-n",
        "--no-cache",
        "--refresh",
        "--refresh-package",
        "-v",
        "-vv",
        "-vvv",
        "--verbose",
        "--help",
        "-h",
    }
)


def split_run(argv: list[str]) -> tuple[list[str], list[str]]:
    """``run``'s own options, and the command it runs (everything from the first positional)."""
    for index, token in enumerate(argv):
        if token == "--":
            return argv[:index], argv[index + 1 :]
        if token.startswith("-"):
            continue
        previous = argv[index - 1] if index else ""
        if previous in RUN_VALUED:
            continue
        return argv[:index], argv[index:]
    return argv, []


class Invocation:
    __slots__ = ("child", "command", "options")

    def __init__(self, command: str, options: list[str], child: list[str]) -> None:
        self.command = command
        self.options = options
        self.child = child


def parse(argv: list[str]) -> Invocation | None:
    """The sub-command and its options, when this invocation may use the fast path at all."""
    if not argv or argv[0] not in ("sync", "run"):
        return None
    options, child = (argv[1:], []) if argv[0] == "sync" else split_run(argv[1:])
    if argv[0] == "run" and (not child or child[0].endswith(".py")):
        return None
    if argv[0] == "run" and os.environ.get("FERRY_ENV_FILE", "").strip():
        return None  # `run --env-file` by variable: the full path reads the files
    if any(token in UNSAFE or token.split("=", 1)[0] in UNSAFE or token.startswith("-vv")
           for token in options):
        return None  # (``-vvvv``: -v counted however often, as uv counts it)
    return Invocation(argv[0], options, child)


def read_bytes(path: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        return b"<missing>"


def _parents(start: str) -> list[str]:
    folders = [start]
    while True:
        parent = os.path.dirname(folders[-1])
        if parent == folders[-1]:
            return folders
        folders.append(parent)


def find_project(start: str) -> str | None:
    for folder in _parents(start):
        candidate = os.path.join(folder, "pyproject.toml")
        if os.path.isfile(candidate):
            return folder if b"[project]" in read_bytes(candidate) else None
    return None


def environment_root(root: str) -> str:
    """``ferry.project.discovery.project_environment_path`` with ``os.path`` only (same rules:
    FERRY_PROJECT_ENVIRONMENT stripped and ``~``-expanded, else UV_PROJECT_ENVIRONMENT as uv
    reads it, else ``.venv``)."""
    configured = os.environ.get("FERRY_PROJECT_ENVIRONMENT", "").strip()
    if configured:
        configured = os.path.expanduser(configured)  # noqa: PTH111
    else:
        configured = os.environ.get("UV_PROJECT_ENVIRONMENT", "") or ".venv"
    return configured if os.path.isabs(configured) else os.path.join(root, configured)


def python_version_file(start: str) -> bytes:
    for folder in _parents(start):
        candidate = os.path.join(folder, ".python-version")
        if os.path.isfile(candidate):
            return candidate.encode() + b"\0" + read_bytes(candidate)
    return b"<none>"


def _site_dirs(env_root: str) -> list[str]:
    found = []
    for lib in ("lib", "Lib"):
        base = os.path.join(env_root, lib)
        try:
            names = sorted(os.listdir(base))
        except OSError:
            continue
        for name in names:
            site = os.path.join(base, name, "site-packages")
            if name.startswith("python") and os.path.isdir(site):
                found.append(site)
        if lib == "Lib" and os.path.isdir(os.path.join(base, "site-packages")):
            found.append(os.path.join(base, "site-packages"))
    return found


def digest(invocation: Invocation, cwd: str, root: str, env_root: str) -> str:
    """Everything the answer of ``sync`` (or the sync part of ``run``) depends on; ``""`` when
    the answer must not be replayed."""
    active = os.environ.get("VIRTUAL_ENV")
    if active and os.path.realpath(active) != os.path.realpath(env_root):
        return ""  # the full path warns, every time, that this active environment is ignored
    parts = invocation_parts(RECORD_VERSION, invocation, cwd, env_root)
    if _requests_python(invocation.options):
        # A name (`python3.11`) or a version is looked up on PATH: another PATH, another answer.
        parts.append(f"PATH={os.environ.get('PATH', '')}".encode())
    parts.append(read_bytes(os.path.join(root, "pyproject.toml")))
    # the project's other build inputs: an edit rebuilds it (install/local_freshness.py)
    parts.append(read_bytes(os.path.join(root, "setup.py")))
    parts.append(read_bytes(os.path.join(root, "setup.cfg")))
    parts.append(read_bytes(os.path.join(root, "uv.lock")))
    parts.append(python_version_file(root))
    parts.append(read_bytes(os.path.join(env_root, "pyvenv.cfg")))
    try:
        real = os.path.realpath(os.path.join(env_root, "bin", "python"), strict=True)
        stat = os.stat(real)
        parts.append(f"{real}:{stat.st_mtime_ns}:{stat.st_size}".encode())
    except (OSError, TypeError):
        return ""
    for site in _site_dirs(env_root):
        try:
            names = sorted(os.listdir(site))
        except OSError:
            return ""
        parts.append(site.encode())
        parts.append("\0".join(names).encode())
    return fold(parts)


def invocation_parts(version: int, invocation: Invocation, cwd: str, env_root: str) -> list[bytes]:
    """What every record's digest starts with: its format, ferry's version, the command line,
    where it runs and for which environment, and the variables ferry and uv read."""
    from ferry import __version__

    parts = [version.to_bytes(2, "big"), __version__.encode(), invocation.command.encode(),
             "\0".join(invocation.options).encode(), cwd.encode(), env_root.encode()]
    parts.extend(f"{key}={os.environ[key]}".encode()
                 for key in sorted(os.environ) if key.startswith(ENV_PREFIXES))
    return parts


def fold(parts: list[bytes]) -> str:
    """One digest of ``parts``, each length-prefixed (no two lists fold alike)."""
    digest = sha256()
    for part in parts:
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def _requests_python(options: list[str]) -> bool:
    if os.environ.get("FERRY_PYTHON") or os.environ.get("UV_PYTHON"):
        return True
    return python_option(options)


def python_option(options: list[str]) -> bool:
    """``-p``/``--python`` (any spelling: ``-p X``, ``-pX``, ``-p=X``, ``--python=X``) among
    ``options``."""
    return any(token in ("-p", "--python") or token.startswith(("--python=", "-p"))
               for token in options)


def option_value(options: list[str], name: str) -> str | None:
    """The value of the long option ``name`` (``--name X`` or ``--name=X``; the last one
    given, as click takes it), ``None`` when absent."""
    found = None
    for index, token in enumerate(options):
        if token == name and index + 1 < len(options):
            found = options[index + 1]
        elif token.startswith(name + "="):
            found = token.split("=", 1)[1]
    return found


def record_path(env_root: str, invocation: Invocation) -> str:
    """One record per command line, so alternating ``sync`` and ``run`` do not evict each other."""
    key = "\0".join([invocation.command, *invocation.options]).encode()
    return os.path.join(env_root, RECORD_PREFIX + sha256(key).hexdigest()[:16])


def eligible(root: str) -> bool:
    """Projects whose lock freshness depends on files outside the inputs are never replayed:
    path sources, workspaces, and workspace members (an ancestor declares the workspace).
    Nor is a project using the legacy ``dev-dependencies``: uv warns about it on every run,
    which the full path does."""
    text = read_bytes(os.path.join(root, "pyproject.toml"))
    if b"sources" in text or b"workspace" in text or b"dev-dependencies" in text:
        return False
    return not any(b"workspace" in read_bytes(os.path.join(folder, "pyproject.toml"))
                   for folder in _parents(root)[1:])


def write_record(argv: list[str], resolved: int, audited: int) -> None:
    """Remember that this invocation left the environment in its current, synced state."""
    invocation = parse(argv)
    if invocation is None or os.environ.get("FERRY_NO_FAST_PATH"):
        return
    cwd = os.getcwd()
    root = find_project(cwd)
    if root is None or not eligible(root):
        return
    env_root = environment_root(root)
    value = digest(invocation, cwd, root, env_root)
    if not value or not os.path.isdir(env_root):
        return
    path = record_path(env_root, invocation)
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        with open(tmp, "w", encoding="utf-8") as handle:
            handle.write(f"{RECORD_VERSION} {value} {resolved} {audited}\n")
        os.replace(tmp, path)
    except OSError:
        if os.path.exists(tmp):
            os.unlink(tmp)


class FastAnswer:
    __slots__ = ("audited", "env_root", "invocation", "resolved", "seconds")

    def __init__(
        self, invocation: Invocation, env_root: str, resolved: int, audited: int, seconds: float
    ) -> None:
        self.invocation = invocation
        self.env_root = env_root
        self.resolved = resolved
        self.audited = audited
        self.seconds = seconds


def try_fast_path(argv: list[str]) -> FastAnswer | None:
    """The recorded answer, when every input is as it was; ``None`` sends to the full path."""
    started = time.perf_counter()
    invocation = parse(argv)
    if invocation is None or os.environ.get("FERRY_NO_FAST_PATH"):
        return None
    if invocation.command == "run" and run_depth() is None:
        return None  # the full path refuses it, in uv's words
    if os.environ.get("FERRY_REFRESH", "").strip().lower() not in ("", "0", "false", "no", "off"):
        return None  # a refresh re-checks the cache: never a replay (an invalid value: the error)
    cwd = os.getcwd()
    root = find_project(cwd)
    if root is None or not eligible(root):
        return None
    env_root = environment_root(root)
    fields = read_bytes(record_path(env_root, invocation)).split()
    if len(fields) != 4 or fields[0] != str(RECORD_VERSION).encode():
        return None
    value = digest(invocation, cwd, root, env_root)
    if not value or fields[1] != value.encode():
        return None
    try:
        resolved, audited = int(fields[2]), int(fields[3])
    except ValueError:
        return None
    return FastAnswer(invocation, env_root, resolved, audited, time.perf_counter() - started)


RUN_DEPTH_VARIABLES = ("FERRY_RUN_RECURSION_DEPTH", "UV_RUN_RECURSION_DEPTH")
DEFAULT_MAX_RUN_DEPTH = 100  # uv's default ``--max-recursion-depth``


def run_depth_setting() -> tuple[str, str, int | None] | None:
    """The first of :data:`RUN_DEPTH_VARIABLES` with a value (an empty one is none, as in uv):
    its name, its value, and the number it spells (``+`` allowed, as Rust's ``u32`` parser
    allows it), ``None`` when it spells none. ``FERRY_…`` first, then uv's (as
    ``UV_PROJECT_ENVIRONMENT`` is read: a ferry started by ``uv run`` continues uv's count).
    Read here for both paths: this one passes the count on, the full one
    (``run_spawn.recursion_depth``) also refuses what is malformed."""
    for name in RUN_DEPTH_VARIABLES:
        value = os.environ.get(name, "")
        if value:
            digits = value[1:] if value.startswith("+") else value
            return name, value, int(digits) if digits.isascii() and digits.isdigit() else None
    return None


def run_depth() -> int | None:
    """How many ``ferry run`` invocations enclose this one; ``None`` when only the full path
    may answer: a malformed value (its error) or a depth beyond the default limit (its
    refusal). A script whose shebang is ``ferry run`` re-runs itself through this path, so the
    count must go on here too."""
    setting = run_depth_setting()
    if setting is None:
        return 0
    number = setting[2]
    return number if number is not None and number <= DEFAULT_MAX_RUN_DEPTH else None


def child_argv(child: list[str], env_root: str) -> list[str]:
    python = os.path.join(env_root, "bin", "python")
    if child[0] in ("python", "python3"):
        return [python, *child[1:]]
    return list(child)


def child_env(env_root: str, bins: list[str] | None = None) -> dict[str, str]:
    """The environment a command runs with inside ``env_root`` (``bins`` first on PATH;
    default: the environment's own ``bin``). Shared by the fast path and ``ferry run``.

    As uv 0.13.8 does for ``uv run``: ``VIRTUAL_ENV`` names ``env_root`` only when it is a
    virtual environment (outside a project the command may run on a base interpreter, whose
    prefix is not one; an inherited ``VIRTUAL_ENV`` is then left as it was), and ``FERRY`` names
    this ferry, as ``UV`` names uv (:func:`self_command`)."""
    env = dict(os.environ)
    env.pop("PYTHONHOME", None)
    if os.path.isfile(os.path.join(env_root, "pyvenv.cfg")):
        env["VIRTUAL_ENV"] = env_root
    scripts = bins if bins is not None else [os.path.join(env_root, "bin")]
    env["PATH"] = os.pathsep.join([*scripts, env.get("PATH", "")])
    command = self_command()
    if command is None:
        env.pop("FERRY", None)  # another ferry's, or the user's: not the one that ran this
    else:
        env["FERRY"] = command
    return env


def self_command() -> str | None:
    """The executable that runs this ferry again, for a child's ``$FERRY`` (uv gives its own
    path, symlinks resolved, as ``$UV``): the installed ``ferry`` script this process runs
    (``__main__.__file__``, absolute since Python 3.9 — unlike ``sys.argv[0]``, still right
    after ``--directory`` changed the working directory), or a frozen binary. ``python -m
    ferry`` has none: no single path re-invokes it (``sys.executable`` needs ``-m ferry``, and
    the ``ferry`` script next to it may belong to another installation), so ``None``."""
    if getattr(sys, "frozen", False):
        return os.path.realpath(sys.executable)
    script = getattr(sys.modules.get("__main__"), "__file__", None)
    if not isinstance(script, str) or not script:
        return None
    if os.path.basename(script) == "__main__.py":  # noqa: PTH119
        script = os.path.dirname(script)  # a zipapp (ferry.pyz/__main__.py) is run as a file
    if os.path.isfile(script) and os.access(script, os.X_OK):
        return os.path.realpath(script)
    return None


def quiet(argv: list[str]) -> bool:
    return (any(token == "--quiet" or (token.startswith("-q") and token.strip("q") == "-")
                for token in argv) or os.environ.get("FERRY_QUIET") == "1")


def replay(answer: FastAnswer, argv: list[str]) -> None:
    """Print what a no-op sync prints, or exec the command for ``run``. Does not return for run."""
    if answer.invocation.command == "sync":
        if not quiet(argv):
            sys.stderr.write(
                f"Resolved {plural(answer.resolved, 'package')} in {elapsed(answer.seconds)}\n"
                f"Checked {plural(answer.audited, 'package')} in 0ms\n"
            )
        return
    command = child_argv(answer.invocation.child, answer.env_root)
    env = child_env(answer.env_root)
    env[RUN_DEPTH_VARIABLES[0]] = str((run_depth() or 0) + 1)
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        os.execvpe(command[0], command, env)
    except OSError as error:  # not found, not executable, a directory: as the full path says
        sys.stderr.write(f"error: Failed to spawn: `{command[0]}`\n"
                         f"  Caused by: {error.strerror} (os error {error.errno})\n")
        raise SystemExit(2) from None
