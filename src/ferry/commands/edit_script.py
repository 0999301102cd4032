"""``ferry add --script``, ``ferry remove --script`` and ``ferry init --script``: PEP 723 scripts.

No project is involved and, as with uv, nothing is synced: a script's environment is made when
it runs. ``add`` still resolves — to reject a package no index has before anything is written,
and to give each requirement added without a version the bound of the version chosen (uv's
``>=x.y.z``). The resolution is :func:`ferry.commands.script_lock.lock_script` on the edited
block (read as a virtual project beside the script, so indexes, sources and ``exclude-newer``
written in the script count exactly as they would in a project).

When the script has a lock (``<script>.lock``, made by ``ferry lock --script`` or uv), ``add`` and
``remove`` update it as uv does: the existing versions are preferred, and the lock is written
right after the script. Without a lock none is created. ``--frozen`` edits the script only, and
says that the lock no longer matches it.

All or nothing: both files are written after the resolution succeeded, each atomically.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ferry.fs.atomic import atomic_write_text
from ferry.model.errors import UserError
from ferry.model.log import get_logger
from ferry.model.names import canonicalize_name
from ferry.model.settings import GlobalOptions
from ferry.model.value_fields import replace
from ferry.project.edit_requirement import DependencyTarget
from ferry.project.script_edit import ScriptEditor, has_block, insert_block, new_block
from ferry.project.script_edit import render_block as render
from ferry.project.script_lock import script_lock_path

if TYPE_CHECKING:
    from ferry.commands.edit import AddRequest, EditResult, RemoveRequest
    from ferry.commands.lock import LockOutcome, LockRequest

log = get_logger(__name__)

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


def frozen_lock_warning(script: Path) -> str | None:
    """``--frozen`` leaves an existing lock alone: say that it no longer matches the script."""
    lock = script_lock_path(script)
    if not lock.is_file():
        return None
    return f"`{lock}` was not updated (`--frozen`); it no longer matches the script's block"


def resolve_script(
    editor: ScriptEditor, lock_request: LockRequest, options: GlobalOptions
) -> LockOutcome:
    """Lock the edited block for every platform, without writing anything: the existing lock's
    versions are preferred, ``--locked`` fails if it would change."""
    from ferry.commands.script_lock import lock_script

    if not script_lock_path(editor.path).is_file():
        lock_request = replace(lock_request, locked=False)  # a new lock has nothing to check
    return lock_script(  # cli/edit.py prints the resolution's warnings after `Resolved`
        editor.path, lock_request, options, metadata=editor.metadata(), write=False,
        keep_diagnostics=True,
    )


def write_edited(editor: ScriptEditor, outcome: LockOutcome | None) -> None:
    """The script, then its lock (when it has one) with the final block's requirements —
    bounds set after the resolution included."""
    write_script(editor)
    if outcome is None or not script_lock_path(editor.path).is_file():
        return
    from ferry.commands.script_lock import write_script_lock
    from ferry.project.script_lock import as_script_lock, script_pyproject

    final = script_pyproject(editor.metadata(), editor.path)
    write_script_lock(editor.path, as_script_lock(outcome.lock, final))


def write_script(editor: ScriptEditor) -> None:
    atomic_write_text(editor.path, editor.dumps(), durable=False)


def init_script(
    path: Path, python: str | None, options: GlobalOptions, *, bare: bool = False
) -> Path:
    """``ferry init --script PATH``: a new script, or a block added to an existing file;
    ``bare``: a new script is the block alone, as ``uv init --bare --script`` writes it."""
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
        text = block.rstrip("\n") + "\n" if bare else insert_block(
            _MAIN.format(name=path.name), block, "init"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, text, durable=False)
    return path



def add_to_script(request: AddRequest, script: Path, options: GlobalOptions) -> EditResult:
    """``ferry add --script``: edit the block, resolve it (unless ``--frozen``), set bounds,
    then write the script once."""
    from ferry.commands.edit import EditResult, add_inputs
    from ferry.commands.edit_apply import Applied, lock_request
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
    outcome = None
    if request.settings.frozen:
        result.updated = script
        if warning := frozen_lock_warning(script):
            result.applied.warnings.append(warning)
    else:
        settings = replace(request.settings, constraints=inputs.constraints)
        outcome = resolve_script(editor, lock_request(settings), options)
        if set_bounds(block, target, wants_bound, outcome.lock, request.bounds):
            # uv locks the block again once the bounds are in: the same versions, whose
            # warnings it prints a second time (the lock is written for the final block)
            outcome.diagnostics.extend(list(outcome.diagnostics))
        result.applied.lock = outcome
    write_edited(editor, outcome)
    return result


def remove_from_script(
    request: RemoveRequest, script: Path, options: GlobalOptions
) -> EditResult:
    """``ferry remove --script``: take the requirements (and unused sources) out of the block."""
    from ferry.commands.edit import EditResult, not_found
    from ferry.commands.edit_apply import Applied, lock_request
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
    result = EditResult(changes, Applied())
    outcome = None
    if request.settings.frozen or not script_lock_path(script).is_file():
        result.updated = script  # nothing resolved: uv says which file it wrote
        if warning := frozen_lock_warning(script):
            result.applied.warnings.append(warning)
    else:
        outcome = resolve_script(editor, lock_request(request.settings), options)
        result.applied.lock = outcome
    write_edited(editor, outcome)
    return result
