"""``ferry add`` and ``ferry remove``: edit the dependencies, then lock and sync — all or nothing.

``add`` writes each requirement where it was asked to go (``[project] dependencies``,
``--optional EXTRA``, ``--group G``, ``--dev``), sources for paths and URLs (see
:mod:`ferry.project.edit_sources`), locks, and — as uv does — gives every requirement that came
without a version the bound of the version the lock chose (``>=2.31.0``; ``--bounds`` picks
another shape, ``--raw`` none), which a second, no-op lock records. Then it syncs, keeping what
is installed (the environment's recorded selection plus the edited extra or group). ``remove``
takes the requirement out (and its source, when nothing else needs it) and syncs exactly.
``--frozen`` only edits ``pyproject.toml``; ``--no-sync`` locks but does not sync.

One edit at a time, and nothing half-done: how an edit is locked against other ferry processes,
locked, synced and rolled back on failure is shared with ``ferry version`` and lives in
:mod:`ferry.commands.edit_apply`.
"""

from __future__ import annotations

from pathlib import Path

from ferry.commands.edit_apply import Applied, ApplySettings, apply, project_lock
from ferry.commands.edit_write import searched_indexes, set_bounds, write_specs
from ferry.commands.workspace_sync import edit_path, focus, with_member_sources
from ferry.model.errors import ResolutionError, UserError
from ferry.model.immutable import immutable, mutable
from ferry.model.names import canonicalize_name
from ferry.model.settings import GlobalOptions
from ferry.model.value_fields import field, replace
from ferry.project.discovery import Project, discover_project
from ferry.project.edit import PyprojectEditor, parse_user_requirement
from ferry.project.edit_inputs import AddInputs, collect
from ferry.project.edit_requirement import Bounds, DependencyTarget, with_extras
from ferry.project.lock_model import Lock


@immutable
class AddRequest:
    packages: tuple[str, ...]
    project: Path | None = None
    dev: bool = False
    group: str | None = None
    optional: str | None = None
    editable: bool = False
    raw: bool = False
    bounds: Bounds | None = None
    indexes: tuple[str, ...] = ()
    """``--index [NAME=]URL``: added to ``[[tool.uv.index]]``; a named one pins the packages."""
    default_index: str | None = None
    requirements: tuple[Path, ...] = ()
    """``-r``: requirements files whose entries are added too."""
    constraints: tuple[Path, ...] = ()
    """``-c``: constraints files for the lock that follows (not written anywhere)."""
    marker: str | None = None
    """``-m``: joined with ``and`` to every added requirement's marker."""
    script: Path | None = None
    """``--script``: edit this PEP 723 script instead of a project."""
    settings: ApplySettings = field(default_factory=ApplySettings)
    git: str | None = None
    """``--git URL``: the packages come from this repository."""
    tag: str | None = None
    branch: str | None = None
    rev: str | None = None
    """``--tag``/``--branch``/``--rev``: the revision of the git sources added."""
    extras: tuple[str, ...] = ()
    """``--extra``: extras of the added packages (each of them gets all)."""


@mutable
class EditResult:
    changes: list[str] = field(default_factory=list)
    applied: Applied = field(default_factory=Applied)
    updated: Path | None = None
    """A script written without resolving (``remove``, ``--frozen``): uv says so."""


def _target(
    editor: PyprojectEditor, dev: bool, group: str | None, optional: str | None
) -> DependencyTarget:
    if sum(bool(x) for x in (dev, group, optional)) > 1:
        raise UserError("Use only one of `--dev`, `--group` and `--optional`")
    if optional:
        return DependencyTarget.optional(optional)
    if group:
        return DependencyTarget.group(group)
    return editor.dev_target() if dev else DependencyTarget.project()


def add_inputs(
    request: AddRequest, root: Path, options: GlobalOptions | None = None
) -> AddInputs:
    """The packages of the command line and the ``-r`` files, and the ``-c`` constraints (git
    references named and given their revision flags: :mod:`ferry.commands.git_add`)."""
    from ferry.commands.git_add import (
        git_reference,
        named_packages,
        with_reference,
        without_credentials,
    )

    reference = git_reference(request.tag, request.branch, request.rev)
    packages = named_packages(request.packages, request.git, options or GlobalOptions())
    found = collect(
        packages,
        request.requirements,
        request.constraints,
        cwd=Path.cwd(),
        root=root,
        editable=request.editable,
        raw=request.raw,
        marker=request.marker,
    )
    specs = without_credentials(with_reference(found.specs, reference))
    if request.extras:
        specs = tuple(
            replace(s, requirement=with_extras(s.requirement, request.extras)) for s in specs
        )
    return replace(found, specs=specs)


def add_packages(request: AddRequest, options: GlobalOptions) -> EditResult:
    if request.script is not None:
        from ferry.commands.edit_script import add_to_script

        return add_to_script(request, request.script, options)
    project = focus(discover_project(project=request.project), request.settings.package)
    result = EditResult()
    with project_lock(project.root):
        editor = PyprojectEditor.read(edit_path(project))
        target = _target(editor, request.dev, request.group, request.optional)
        inputs = add_inputs(request, edit_path(project).parent, options)
        specs = with_member_sources(project, inputs.specs)
        wants_bound = write_specs(
            editor,
            target,
            specs,
            indexes=request.indexes,
            default_index=request.default_index,
            raw=request.raw,
            changes=result.changes,
        )

        def bounds(edited: Project, lock_: Lock) -> str | None:
            changed = set_bounds(editor, target, wants_bound, lock_, request.bounds)
            return editor.dumps() if changed else None

        searched, default = searched_indexes(request.indexes, request.default_index)
        settings = replace(request.settings, constraints=inputs.constraints,
                           extra_index_urls=(*searched, *request.settings.extra_index_urls),
                           index_url=request.settings.index_url or default)
        try:
            result.applied = apply(
                project,
                editor.dumps(),
                settings,
                options,
                inexact=True,
                extra=target.name if target.kind == "optional" else None,
                group=target.name if target.kind == "group" else None,
                after_lock=bounds if wants_bound else None,
            )
        except ResolutionError as error:
            raise ResolutionError(
                "Failed to add dependencies", causes=[error.message, *error.causes],
                hint=ADD_FAILED_HINT,
            ) from error
    return result


ADD_FAILED_HINT = (
    "If you want to add the package regardless of the failed resolution, provide the "
    "`--frozen` flag to skip locking and syncing"
)
"""uv's hint when ``add`` cannot resolve: the files are restored; ``--frozen`` writes them."""


@immutable
class RemoveRequest:
    packages: tuple[str, ...]
    project: Path | None = None
    dev: bool = False
    group: str | None = None
    optional: str | None = None
    script: Path | None = None
    settings: ApplySettings = field(default_factory=ApplySettings)


class DependencyNotFound(UserError):
    """``remove`` of a name the table does not hold: exit code 2, as uv's (its error is not
    its parser's, so ``-qq`` silences it)."""

    exit_code = 2


def not_found(
    name: str, target: DependencyTarget, editor: PyprojectEditor, *, dev: bool = False
) -> UserError:
    """uv's error (and its words: ``--dev`` names both tables it searched, a project
    dependency is a "production dependency", a group is retried with ``--group``)."""
    if dev:
        where = "`tool.uv.dev-dependencies` or `tool.uv.dependency-groups.dev`"
    else:
        where = "`dependency-groups.dev`" if target.kind == "legacy-dev" else f"`{target}`"
    hint = None
    found = editor.find_dependency(name)
    if found:
        other = found[0]
        flag = f"--group {other.name}" if other.kind == "group" else other.flag()
        retry = f"(try: `ferry remove {name} {flag}`)"
        if other.kind == "optional":
            hint = f"`{name}` is an optional dependency {retry}"
        elif other.kind == "project":
            hint = f"`{name}` is a production dependency"
        elif other.kind == "legacy-dev":
            hint = f"`{name}` is a development dependency {retry}"
        else:
            hint = f"`{name}` is in the `{other.name or 'dev'}` group {retry}"
    return DependencyNotFound(f"The dependency `{name}` could not be found in {where}",
                              hint=hint)


def remove_packages(request: RemoveRequest, options: GlobalOptions) -> EditResult:
    if request.script is not None:
        from ferry.commands.edit_script import remove_from_script

        return remove_from_script(request, request.script, options)
    project = focus(discover_project(project=request.project), request.settings.package)
    result = EditResult()
    with project_lock(project.root):
        editor = PyprojectEditor.read(edit_path(project))
        target = _target(editor, request.dev, request.group, request.optional)
        targets = [target]
        if request.dev:
            targets = [DependencyTarget.group("dev"), DependencyTarget("legacy-dev")]
        for raw in request.packages:
            name = str(canonicalize_name(parse_user_requirement(raw).name))
            removed = [text for t in targets for text in editor.remove_dependency(name, t)]
            if not removed:
                raise not_found(name, target, editor, dev=request.dev)
            result.changes.extend(f"removed `{text}` from `{target}`" for text in removed)
            if not editor.find_dependency(name):
                editor.remove_source(name)
        result.applied = apply(project, editor.dumps(), request.settings, options, inexact=False)
    return result
