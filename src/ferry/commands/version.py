"""``ferry version``: read, set or bump ``project.version``, then lock and sync, as ``uv version``.

Bumps follow uv: components rank major > minor > patch > stable > pre-release > post > dev;
bumping one clears every lower one, and a missing one starts at 1 (``--bump minor`` on
``1.2.3rc1`` gives ``1.3.0``; ``--bump patch --bump beta`` on ``0.2.0`` gives ``0.2.1b1``).
At most one release and one pre-release/dev component may be bumped at once, ``stable`` and
``post`` only alone, a value may be given (``--bump rc=3``), and a bump that does not increase
the version is refused with the reason. The version lives in ``uv.lock`` too (the project's own
entry), so a change re-locks and syncs, restoring ``pyproject.toml`` if that fails — unless
``--frozen`` (edit only) or ``--no-sync`` (lock only). ``--dry-run`` writes nothing.

In a workspace the version is the current member's (the one the command runs in, or
``--package NAME``): its ``pyproject.toml`` is edited, the whole workspace re-locked, and the
environment synced for that member, as ``uv version --package`` does.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from ferry.commands.edit_apply import Applied, ApplySettings, apply, project_lock
from ferry.commands.workspace_sync import edit_path, focus
from ferry.model.errors import UsageError, UserError
from ferry.model.immutable import immutable, mutable
from ferry.model.pep440_version import InvalidVersion, Version
from ferry.model.settings import GlobalOptions
from ferry.model.value_fields import field
from ferry.project.discovery import discover_project
from ferry.project.edit import PyprojectEditor
from ferry.project.lockfile import read_lock

BumpKind = Literal["major", "minor", "patch", "stable", "alpha", "beta", "rc", "post", "dev"]
BUMP_KINDS: tuple[BumpKind, ...] = (
    "major",
    "minor",
    "patch",
    "stable",
    "alpha",
    "beta",
    "rc",
    "post",
    "dev",
)
_RELEASE = {"major": 0, "minor": 1, "patch": 2}
_PRE = {"alpha": "a", "beta": "b", "rc": "rc"}


@immutable
class Bump:
    kind: BumpKind
    value: int | None = None

    @classmethod
    def parse(cls, text: str) -> Bump:
        kind, _, value = text.partition("=")
        if kind not in BUMP_KINDS:
            raise UsageError(
                f"Invalid `--bump` value `{text}`",
                hint=f"use one of {', '.join(BUMP_KINDS)}, optionally `=N` (e.g. `rc=2`)",
            )
        if value and not value.isdigit():
            raise UsageError(f"Invalid `--bump` value `{text}`: `{value}` is not a number")
        if value and kind == "stable":
            raise UsageError("`--bump stable` takes no value")
        return cls(kind, int(value) if value else None)  # type: ignore[arg-type]

    def __str__(self) -> str:
        return self.kind if self.value is None else f"{self.kind}={self.value}"


def _compose(
    epoch: int,
    release: list[int],
    pre: tuple[str, int] | None,
    post: int | None,
    dev: int | None,
    local: str | None,
) -> Version:
    text = (f"{epoch}!" if epoch else "") + ".".join(map(str, release))
    if pre is not None:
        text += f"{pre[0]}{pre[1]}"
    if post is not None:
        text += f".post{post}"
    if dev is not None:
        text += f".dev{dev}"
    if local:
        text += f"+{local}"
    return Version(text)


def _check_combination(bumps: list[Bump]) -> None:
    names = ", ".join(str(b) for b in bumps)
    kinds = [b.kind for b in bumps]
    if "stable" in kinds and len(bumps) > 1:
        raise UserError(f"`--bump stable` cannot be used with another `--bump` value, got: {names}")
    if "post" in kinds and len(bumps) > 1:
        raise UserError(f"`--bump post` cannot be used with another `--bump` value, got: {names}")
    release = [str(b) for b in bumps if b.kind in _RELEASE]
    if len(release) > 1:
        raise UserError(
            "Only one release version component can be provided to `--bump`, "
            f"got: {', '.join(release)}"
        )
    pre = [str(b) for b in bumps if b.kind in (*_PRE, "dev")]
    if len(pre) > 1:
        raise UserError(
            "Only one pre-release version component can be provided to `--bump`, "
            f"got: {', '.join(pre)}"
        )


def bump_version(old: Version, bumps: list[Bump]) -> Version:
    """``old`` with ``bumps`` applied in uv's order, or a UserError saying why not."""
    _check_combination(bumps)
    release = list(old.release)
    pre: tuple[str, int] | None = old.pre
    post, dev = old.post, old.dev
    for bump in sorted(bumps, key=lambda b: BUMP_KINDS.index(b.kind)):
        if bump.kind in _RELEASE:
            index = _RELEASE[bump.kind]
            length = max(len(release), index + 1)
            padded = release + [0] * (length - len(release))
            padded[index] = bump.value if bump.value is not None else padded[index] + 1
            release = padded[: index + 1] + [0] * (length - index - 1)
            pre, post, dev = None, None, None
        elif bump.kind == "stable":
            pre, post, dev = None, None, None
        elif bump.kind in _PRE:
            letter = _PRE[bump.kind]
            post, dev = None, None
            if bump.value is not None:
                pre = (letter, bump.value)
            elif pre is not None and pre[0] == letter:
                pre = (letter, pre[1] + 1)
            else:
                pre = (letter, 1)
        elif bump.kind == "post":
            dev = None
            post = bump.value if bump.value is not None else (post or 0) + 1
        else:
            dev = bump.value if bump.value is not None else (dev + 1 if dev is not None else 1)
    new = _compose(old.epoch, release, pre, post, dev, old.local)
    if new <= old:
        if not old.is_prerelease and not old.is_devrelease and new.is_prerelease and new.pre:
            raise UserError(
                f"{old} => {new} didn't increase the version; when bumping to a pre-release "
                "version you also need to increase a release version component, e.g., with "
                "`--bump <major|minor|patch>`"
            )
        if new.is_devrelease and not old.is_devrelease:
            raise UserError(
                f"{old} => {new} didn't increase the version; when bumping to a dev version you "
                "also need to increase another version component, e.g., with "
                "`--bump <major|minor|patch|alpha|beta|rc>`"
            )
        raise UserError(
            f"{old} => {new} didn't increase the version; provide the exact version to force "
            "an update"
        )
    return new


@immutable
class VersionRequest:
    value: str | None = None
    bumps: tuple[Bump, ...] = ()
    dry_run: bool = False
    project: Path | None = None
    settings: ApplySettings = field(default_factory=ApplySettings)


@mutable
class VersionResult:
    name: str
    old: str
    new: str | None = None
    applied: Applied = field(default_factory=Applied)


def _frozen_version(request: VersionRequest, name: str, lock_path: Path) -> str | None:
    """The version ``uv.lock`` records for the project: what ``--frozen`` shows (uv reads the
    lock, so a missing one is the same error as for any ``--frozen`` command)."""
    if not lock_path.is_file():
        from ferry.commands.lock import missing_lock_error

        raise missing_lock_error(lock_path.name, request.settings.given_as or "--frozen")
    for package in read_lock(lock_path).find(name):
        if package.source.is_local and package.version is not None:
            return package.version
    return None


def project_version(request: VersionRequest, options: GlobalOptions) -> VersionResult:
    if request.value is not None and request.bumps:
        raise UsageError("Give either a version or `--bump`, not both")
    project = focus(discover_project(project=request.project), request.settings.package)
    member = project.current_member()
    pyproject = member.pyproject if member is not None else project.pyproject
    path = edit_path(project)
    name = pyproject.name
    if name is None:
        raise UserError(f"Missing `project.name` field in: `{path}`")
    read_only = request.value is None and not request.bumps
    if read_only and request.settings.frozen:
        locked = _frozen_version(request, name, project.lock_path)
        if locked is not None:
            return VersionResult(name, locked)
    editor = PyprojectEditor.read(path)
    current = editor.get_version()
    if current is None:
        dynamic = pyproject.project is not None and "version" in pyproject.project.dynamic
        if dynamic:
            raise UserError(f"We cannot get or set dynamic project versions in: `{path}`")
        raise UserError(f"There is no `project.version` field in: `{path}`")
    old = Version(current)
    if read_only:
        return VersionResult(name, current)
    if request.value is not None:
        if request.value in BUMP_KINDS:
            raise UserError(
                f"Invalid version `{request.value}`, did you mean to pass `--bump {request.value}`?"
            )
        try:
            new = Version(request.value)
        except InvalidVersion as error:
            raise UserError(f"Invalid version `{request.value}`: {error}") from error
    else:
        new = bump_version(old, list(request.bumps))
    result = VersionResult(name, current, str(new))
    if request.dry_run:  # the same version still locks and syncs, as uv does
        return result
    with project_lock(project.root):
        editor = PyprojectEditor.read(path)
        editor.set_version(str(new))
        result.applied = apply(project, editor.dumps(), request.settings, options, inexact=True)
    return result
