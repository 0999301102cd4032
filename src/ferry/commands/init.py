"""``ferry init``: create a project — ``pyproject.toml``, ``.python-version``, a README and example
code — as ``uv init`` does (see :mod:`ferry.project.init_template` for the templates).

``requires-python`` follows uv: a version request (``--python 3.12``) is used as written
(``>=3.12``, pinned ``3.12``); a range becomes ``requires-python`` itself; otherwise the
interpreter ferry would use (``--python`` path or name, FERRY_PYTHON, a ``.python-version`` above,
PATH, pyenv) decides, as ``>=<major>.<minor>``. Without ``--python``, a project created in a
workspace (or below a project) takes the workspace's ``requires-python`` instead — the
intersection of its members', spelled as uv spells a range (``~=3.12`` -> ``>=3.12, <4``,
``>=3.11,<3.12`` -> ``==3.11.*``) — and pins the first interpreter that satisfies it, as
``uv init`` does: the new member must not claim Pythons the workspace's lock does not cover.
A ``pyproject.toml`` already present is never touched: the command refuses. Other files that
already exist (a README, ``main.py``) are kept.

Packaged projects (``--lib``, ``--package``, ``--build-backend``) get an ``authors`` entry from
git's ``user.name``/``user.email``; other projects only with ``--author-from``, as uv does.

Inside a workspace (or inside a plain project) the new project joins it as ``uv init`` does
(see :mod:`ferry.project.init_workspace`): its path is appended to the root's
``[tool.uv.workspace] members`` — the table is created in a plain project — unless a ``members``
glob already names it or an ``exclude`` glob leaves it out; ``--no-workspace`` skips that.
Why: a project beside the workspace but outside ``members`` is silently ignored by ``lock`` and
``sync`` at the root, which is not what a uv user who ran ``init packages/b`` expects.

Differences from uv, on purpose: packaged projects use ``hatchling`` unless ``--build-backend``
names another (ferry has no build backend of its own).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Literal

from ferry.commands.common import open_cache
from ferry.fs.atomic import atomic_write_text
from ferry.model.errors import FilesystemError, UsageError, UserError
from ferry.model.immutable import immutable, mutable
from ferry.model.log import get_logger
from ferry.model.pep440_specifiers import SpecifierSet
from ferry.model.requires_python import lock_requires_python
from ferry.model.settings import GlobalOptions
from ferry.model.value_fields import field
from ferry.project.edit_members import add_member
from ferry.project.init_template import (
    DEFAULT_BACKEND,
    DESCRIPTION,
    GITIGNORE,
    Author,
    InitKind,
    InitOptions,
    project_files,
    project_name,
)
from ferry.project.init_template_backends import BuildBackend
from ferry.project.init_workspace import (
    Joining,
    Membership,
    inherited_requires_python,
    joining_workspace,
)
from ferry.project.pyproject import PYPROJECT
from ferry.python.discovery import find_interpreter, requested_python
from ferry.python.request import PythonRequest, RequestKind

log = get_logger(__name__)

Vcs = Literal["git", "none"]
AuthorFrom = Literal["auto", "git", "none"]


@immutable
class InitRequest:
    path: Path | None = None
    name: str | None = None
    kind: InitKind = "app"
    bare: bool = False
    """``--bare``: only ``pyproject.toml`` (with ``kind``'s ``[build-system]`` and authors)."""
    package: bool | None = None
    """``--package``/``--no-package``; None: packaged for ``lib`` or with a ``backend``, not
    for ``app``."""
    backend: BuildBackend | None = None
    """``--build-backend``: packages the project with this backend (default: hatchling)."""
    python: str | None = None
    readme: bool = True
    pin_python: bool = True
    vcs: Vcs | None = None
    """None: ``git`` when git is installed and the directory is not already in a repository."""
    description: str | None = None
    no_description: bool = False
    author_from: AuthorFrom | None = None
    """None: ``auto`` for a packaged project, ``none`` otherwise (uv's default)."""
    no_workspace: bool = False
    """``--no-workspace``: never join (nor create) the workspace around the new project."""


@mutable
class InitResult:
    name: str
    root: Path
    at_cwd: bool
    written: list[Path] = field(default_factory=list)
    git_initialized: bool = False
    workspace: Path | None = None
    """The root of the workspace the project joined (or was already a member of)."""
    membership: Membership | None = None


def init_project(request: InitRequest, options: GlobalOptions) -> InitResult:
    cwd = Path.cwd()
    root = (cwd / request.path).absolute() if request.path is not None else cwd
    pyproject = root / "pyproject.toml"
    if pyproject.exists():
        raise UserError(
            f"Cannot initialize a project in `{root}` because `pyproject.toml` already exists"
        )
    if root.exists() and not root.is_dir():
        raise UserError(f"Cannot initialize a project in `{root}`: it is a file")
    name = project_name(request.name or root.name)
    joining = None if request.no_workspace else joining_workspace(root)
    kind = request.kind
    bare = request.bare or kind == "bare"
    if request.backend is not None and request.package is False:
        raise UsageError("`--build-backend` cannot be used with `--no-package`")
    package = (
        request.package
        if request.package is not None
        else kind == "lib" or request.backend is not None
    )
    pin_wanted = request.pin_python and not bare
    inherited = None
    if joining is not None and not request.python:
        inherited, pin_wanted = _from_workspace(joining, root, pin_wanted)
    requires_python, pin = _python(request, root, options, inherited, pin_wanted=pin_wanted)
    use_git = not bare and _want_git(request.vcs, root)
    default_description = None if bare else DESCRIPTION
    description = (
        None if request.no_description else (request.description or default_description)
    )
    author_from = request.author_from or ("auto" if package else "none")
    authors = _authors(author_from, root)
    init = InitOptions(
        name=name,
        kind=kind,
        bare=bare,
        package=package,
        requires_python=requires_python,
        readme=request.readme and not bare,
        description=description,
        authors=authors,
        backend=request.backend or DEFAULT_BACKEND,
    )
    files = project_files(init, python_pin=pin if pin_wanted else None)
    if use_git:
        files.append((".gitignore", GITIGNORE))
    result = InitResult(name=name, root=root, at_cwd=root == cwd)
    _write_files(root, files, result)
    if use_git:
        _git_init(root)
        result.git_initialized = True
    if joining is not None:
        _join(joining, result)
    return result


def _join(joining: Joining, result: InitResult) -> None:
    """Add the new project to the root's ``members`` unless a glob already decides."""
    result.workspace, result.membership = joining.root, joining.state
    if joining.state != "add":
        return
    path = joining.root / PYPROJECT
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise UserError(f"Cannot read `{path}`: {error.strerror or error}") from error
    atomic_write_text(path, add_member(text, joining.relative, joining.tool))
    log.debug("added `%s` to the members of %s", joining.relative, path)


def _from_workspace(joining: Joining, root: Path, pin_wanted: bool) -> tuple[str | None, bool]:
    """(the workspace's requires-python, whether to pin) for a new member and no ``--python``,
    as uv: a request in force (FERRY_PYTHON, a ``.python-version`` above) decides as
    ``--python`` would and the workspace's is not taken; the workspace's own
    ``.python-version`` already pins the member, so none is written beside it."""
    _, source = requested_python(None, root if root.exists() else _existing_parent(root))
    if source is None:
        return _workspace_requires_python(joining), pin_wanted
    found = Path(source)  # FERRY_PYTHON's source is the variable's name, not a path
    if found.is_absolute() and found.parent.is_relative_to(joining.root):
        log.debug("%s pins the workspace: the new member gets no .python-version", found)
        return None, False
    return None, pin_wanted


def _workspace_requires_python(joining: Joining) -> str | None:
    """The workspace's ``requires-python`` as uv writes it into a new member (``None`` when no
    member declares one); members that admit no common Python are refused, as uv does."""
    declared = inherited_requires_python(joining)
    try:
        spelled = lock_requires_python(declared)
    except UsageError as error:
        error.hint = f"{error.hint}, or pass `--python`"
        raise
    log.debug("requires-python from the workspace at %s: %s", joining.root, spelled)
    return spelled


def _python(
    request: InitRequest,
    root: Path,
    options: GlobalOptions,
    inherited: str | None = None,
    *,
    pin_wanted: bool = True,
) -> tuple[str, str]:
    """(requires-python, the ``.python-version`` pin) for the new project; ``inherited`` is
    the workspace's requires-python (used as is; an interpreter is looked for only to pin)."""
    search_from = root if root.exists() else _existing_parent(root)
    if inherited is not None:
        if not pin_wanted:
            return inherited, ""
        with open_cache(options) as cache:
            interpreter = find_interpreter(None, cache, directory=search_from,
                                           requires_python=SpecifierSet(inherited))
        return inherited, f"{interpreter.version.major}.{interpreter.version.minor}"
    parsed = PythonRequest.parse(request.python) if request.python else None
    if (
        parsed is not None
        and parsed.kind is RequestKind.VERSION
        and parsed.parts
        and parsed.specifier is None
        and parsed.implementation is None
        and not parsed.free_threaded
    ):
        version = ".".join(map(str, parsed.parts))
        if len(parsed.parts) == 1:
            raise UserError(
                f"`--python {request.python}` names no minor version",
                hint="use e.g. `--python 3.12`",
            )
        log.debug("requires-python from the request: >=%s", version)
        return f">={version}", version
    with open_cache(options) as cache:
        interpreter = find_interpreter(parsed, cache, directory=search_from)
    minor = f"{interpreter.version.major}.{interpreter.version.minor}"
    log.debug("requires-python from %s at %s", interpreter.describe(), interpreter.executable)
    if parsed is not None and parsed.specifier is not None:
        written = parsed.text if parsed.implementation is None else str(parsed.specifier)
        return ",".join(part.strip() for part in written.split(",")), minor
    return f">={minor}", minor


def _existing_parent(path: Path) -> Path:
    for parent in path.parents:
        if parent.is_dir():
            return parent
    return Path.cwd()


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str] | None:
    git = shutil.which("git")
    if git is None:
        return None
    try:
        return subprocess.run(
            [git, *args], cwd=cwd, capture_output=True, text=True, check=False, timeout=30
        )
    except (OSError, subprocess.SubprocessError) as error:
        log.debug("git %s failed: %s", " ".join(args), error)
        return None


def _want_git(vcs: Vcs | None, root: Path) -> bool:
    if vcs == "none":
        return False
    if shutil.which("git") is None:
        if vcs == "git":
            raise UserError(
                "`--vcs git` needs git, which is not on PATH",
                hint="install git, or pass `--vcs none`",
            )
        log.debug("git is not installed; no repository is created")
        return False
    probe = _git(["rev-parse", "--is-inside-work-tree"], _existing_parent(root / "x"))
    if probe is not None and probe.returncode == 0 and probe.stdout.strip() == "true":
        log.debug("`%s` is already inside a git repository; not creating another", root)
        return False
    return True


def _authors(author_from: AuthorFrom, root: Path) -> tuple[Author, ...]:
    if author_from == "none":
        return ()
    where = _existing_parent(root / "x")
    values = []
    for key in ("user.name", "user.email"):
        done = _git(["config", "--get", key], where)
        values.append(done.stdout.strip() or None if done and done.returncode == 0 else None)
    if author_from == "git" and not any(values):
        raise UserError(
            "`--author-from git` found no `user.name` or `user.email` in the git configuration"
        )
    return (Author(values[0], values[1]),) if any(values) else ()


def _write_files(root: Path, files: list[tuple[str, str]], result: InitResult) -> None:
    """Write each file that does not exist yet; on failure remove what this run wrote."""
    created_root = not root.exists()
    try:
        for relative, text in files:
            target = root / relative
            if target.exists():
                log.debug("`%s` already exists; keeping it", target)
                continue
            atomic_write_text(target, text)
            result.written.append(target)
    except (OSError, FilesystemError):
        for path in reversed(result.written):
            path.unlink(missing_ok=True)
        if created_root:
            shutil.rmtree(root, ignore_errors=True)
        raise


def _git_init(root: Path) -> None:
    done = _git(["init"], root)
    if done is None or done.returncode != 0:
        detail = (done.stderr.strip() if done else "") or "git is not available"
        raise UserError(
            f"Failed to initialize a git repository in `{root}`",
            causes=[detail],
            hint="the project files were written; pass `--vcs none` to skip git",
        )
