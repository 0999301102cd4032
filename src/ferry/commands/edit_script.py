"""``ferry add --script``, ``ferry remove --script`` and ``ferry init --script``: PEP 723 scripts.

No project is involved and, as with uv, nothing is synced: a script's environment is made when
it runs. ``add`` still resolves — to reject a package no index has before anything is written,
and to give each requirement added without a version the bound of the version chosen (uv's
``>=x.y.z``). The resolution is ferry's universal lock run on a scratch project made from the
block (its ``dependencies``, ``requires-python`` and ``[tool.uv]``, relative path sources made
absolute) in a temporary directory, so indexes, sources and ``exclude-newer`` written in the
script count exactly as they would in a project. Nothing of it is kept.

All or nothing: the script is written once, after the resolution succeeded.

Not done: ``uv lock --script`` writes ``<script>.lock``, which ``uv add/remove --script`` then
update; ferry does not lock scripts (see :func:`stale_lock_warning`).
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from packaging.utils import canonicalize_name

from ferry.fs.atomic import atomic_write_text
from ferry.model.errors import UserError
from ferry.model.settings import GlobalOptions
from ferry.project.edit_requirement import DependencyTarget
from ferry.project.script_edit import ScriptEditor, has_block, insert_block, new_block
from ferry.project.script_edit import render_block as render

if TYPE_CHECKING:

    from ferry.commands.edit import AddRequest, EditResult, RemoveRequest

log = logging.getLogger(__name__)

_MAIN = '''
def main() -> None:
    print("Hello from {name}!")


if __name__ == "__main__":
    main()
'''


def script_requires_python(python: str | None, directory: Path, options: GlobalOptions) -> str:
    """``>=X.Y`` of the interpreter ``--python`` (or the default search) finds, as uv writes
    into a new script block whatever form the request had."""
    from ferry.commands.common import open_cache
    from ferry.python.discovery import find_interpreter
    from ferry.python.request import PythonRequest

    request = PythonRequest.parse(python) if python else None
    with open_cache(options) as cache:
        interpreter = find_interpreter(request, cache, directory=directory, allow_venvs=False)
    log.debug("requires-python of the new block from %s", interpreter.executable)
    return f">={interpreter.version.major}.{interpreter.version.minor}"


def open_script(path: Path, python: str | None, options: GlobalOptions) -> ScriptEditor:
    """The script, with a new block (``requires-python`` from the interpreter) if it has none."""
    from ferry.project.script_edit import read_script

    text = read_script(path)
    editor = ScriptEditor(text, path)
    if editor.created:
        requires = script_requires_python(python, path.absolute().parent, options)
        editor = ScriptEditor(text, path, requires)
    return editor


def stale_lock_warning(script: Path) -> str | None:
    lock = script.with_name(script.name + ".lock")
    if not lock.is_file():
        return None
    return (
        f"`{lock}` was not updated: ferry does not lock scripts; "
        "it no longer matches the script's dependencies"
    )


@dataclass
class ScriptOutcome:
    """What rendering needs: the lock's shape (``Resolved N packages in X``)."""

    lock: Any
    resolved: int
    seconds: float
    warnings: list[str]


def _absolute_sources(tool_uv: dict[str, Any], base: Path) -> dict[str, Any]:
    sources = tool_uv.get("sources")
    if not isinstance(sources, dict):
        return tool_uv
    fixed: dict[str, Any] = {}
    for name, source in sources.items():
        entries = source if isinstance(source, list) else [source]
        out = []
        for entry in entries:
            if isinstance(entry, dict) and isinstance(entry.get("path"), str):
                entry = {**entry, "path": str((base / entry["path"]).absolute())}
            out.append(entry)
        fixed[name] = out if isinstance(source, list) else out[0]
    return {**tool_uv, "sources": fixed}


def scratch_pyproject(metadata: dict[str, Any], script: Path) -> tuple[str, str]:
    """(the text of a ``pyproject.toml`` equivalent to the block, the scratch project's name)."""
    import tomlkit

    dependencies = metadata.get("dependencies", [])
    if not isinstance(dependencies, list):
        raise UserError(f"`dependencies` in the script block of `{script}` must be a list")
    name = "script-" + hashlib.sha256(str(script.absolute()).encode()).hexdigest()[:12]
    project: dict[str, Any] = {"name": name, "version": "0", "dependencies": dependencies}
    requires = metadata.get("requires-python")
    if isinstance(requires, str):
        project["requires-python"] = requires
    document: dict[str, Any] = {"project": project}
    tool = metadata.get("tool")
    tool_uv = tool.get("uv") if isinstance(tool, dict) else None
    if isinstance(tool_uv, dict):
        document["tool"] = {"uv": _absolute_sources(tool_uv, script.absolute().parent)}
    return tomlkit.dumps(document), name


def resolve_script(
    metadata: dict[str, Any], script: Path, lock_request: Any, options: GlobalOptions
) -> ScriptOutcome:
    """Resolve the block's dependencies for every platform (see the module docstring)."""
    from ferry.commands.common import open_cache
    from ferry.commands.lock import lock_project
    from ferry.project.discovery import discover_project

    started = time.perf_counter()
    text, name = scratch_pyproject(metadata, script)
    with tempfile.TemporaryDirectory(prefix="ferry-script-") as scratch:
        root = Path(scratch)
        (root / "pyproject.toml").write_text(text, encoding="utf-8")
        project = discover_project(project=root)
        with open_cache(options) as cache:
            outcome = lock_project(project, lock_request, options, cache)
    packages = [p for p in outcome.lock.packages if p.name != name]
    return ScriptOutcome(
        outcome.lock, len(packages), time.perf_counter() - started, list(outcome.warnings)
    )


def write_script(editor: ScriptEditor) -> None:
    atomic_write_text(editor.path, editor.dumps(), durable=False)


def init_script(path: Path, python: str | None, options: GlobalOptions) -> Path:
    """``ferry init --script PATH``: a new script, or a block added to an existing file."""
    if path.is_dir():
        raise UserError(f"Cannot create a script at `{path}`: it is a directory")
    existed = path.exists()
    if existed and has_block(path):
        raise UserError(
            f"`{path}` is already a PEP 723 script",
            hint=f"use `ferry run {path}` to execute it",
        )
    requires = script_requires_python(python, path.absolute().parent, options)
    block = render(new_block(requires))
    if existed:
        from ferry.project.script_edit import read_script

        text = insert_block(read_script(path), block, "init")
    else:
        text = insert_block(_MAIN.format(name=path.name), block, "init")
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, text, durable=False)
    return path



def add_to_script(request: AddRequest, script: Path, options: GlobalOptions) -> EditResult:
    """``ferry add --script``: edit the block, resolve it (unless ``--frozen``), set bounds,
    then write the script once."""
    from ferry.commands.edit import Applied, EditResult, add_inputs, lock_request
    from ferry.commands.edit_write import set_bounds, write_specs

    editor = open_script(script, request.settings.python, options)
    block = editor.toml
    target = DependencyTarget.script()
    inputs = add_inputs(request, script.absolute().parent)
    changes: list[str] = []
    wants_bound = write_specs(
        block,
        target,
        inputs.specs,
        indexes=request.indexes,
        default_index=request.default_index,
        raw=request.raw,
        changes=changes,
    )
    result = EditResult(changes, Applied())
    if request.settings.frozen:
        result.updated = script
    else:
        # ``--locked`` has no lock to compare with: the scratch lock is always new
        settings = replace(request.settings, locked=False, constraints=inputs.constraints)
        outcome = resolve_script(editor.metadata(), script, lock_request(settings), options)
        set_bounds(block, target, wants_bound, outcome.lock, request.bounds)
        result.applied.lock = outcome
    write_script(editor)
    warning = stale_lock_warning(script)
    if warning:
        result.applied.warnings.append(warning)
    return result


def remove_from_script(
    request: RemoveRequest, script: Path, options: GlobalOptions
) -> EditResult:
    """``ferry remove --script``: take the requirements (and unused sources) out of the block."""
    from ferry.commands.edit import Applied, EditResult, not_found
    from ferry.project.edit_requirement import parse_user_requirement
    from ferry.project.script_edit import read_script

    editor = ScriptEditor(read_script(script), script)
    if editor.created:
        raise UserError(
            f"`{script}` has no `# /// script` block to remove dependencies from",
            hint=f"`ferry init --script {script}` adds one",
        )
    block = editor.toml
    target = DependencyTarget.script()
    changes: list[str] = []
    for raw in request.packages:
        name = str(canonicalize_name(parse_user_requirement(raw).name))
        removed = block.remove_dependency(name, target)
        if not removed:
            raise not_found(name, target, block)
        changes.extend(f"removed `{text}` from `{target}`" for text in removed)
        if not block.find_dependency(name):
            block.remove_source(name)
    write_script(editor)
    warnings = [w for w in [stale_lock_warning(script)] if w]
    return EditResult(changes, Applied(warnings=warnings), updated=script)
