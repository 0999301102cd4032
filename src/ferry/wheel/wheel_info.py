"""What a checked wheel is (``WheelInfo``) and how a refused one is reported.

Shared by the ZIP validator (a wheel file) and the unpacked-tree checks (a cache entry, every
warm install), so that the latter never imports ``zipfile``.
"""

from __future__ import annotations

from ferry.model.errors import InvalidWheelError
from ferry.model.immutable import immutable
from ferry.model.names import NormalizedName
from ferry.model.pep440_version import Version
from ferry.model.wheel_name import expand_tag
from ferry.wheel._contents import Contents
from ferry.wheel._problem import ZipProblem
from ferry.wheel.scripts import EntryPointScript

__all__ = ["WheelInfo", "info_from_contents", "parse_wheel_tags", "show_name", "wheel_error"]


@immutable
class WheelInfo:
    """What a validated wheel is: identity, layout and members (ZIP names, ``/``-separated).

    ``tags`` are the tags' text (``py3-none-any``), lowercase, one per member of a compressed
    set."""

    filename: str
    name: NormalizedName
    version: Version
    dist_info: str
    root_is_purelib: bool
    tags: frozenset[str]
    members: tuple[str, ...]
    wheel_version: str
    scripts: tuple[EntryPointScript, ...] = ()

    @property
    def data_dir(self) -> str:
        """``<name>-<version>.data``: the directory whose subfolders map to scheme paths."""
        return self.dist_info[: -len(".dist-info")] + ".data"


def show_name(name: str) -> str:
    """A member name safe to print: control characters escaped."""
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in name)


def wheel_error(label: str, problem: ZipProblem) -> InvalidWheelError:
    """The user-facing error for one refused wheel (or unpacked wheel directory)."""
    hint = "ferry refuses malformed or hostile wheels; nothing was installed."
    if problem.member is None:
        return InvalidWheelError(
            f"Invalid wheel `{label}`: the archive {problem.reason}", hint=hint
        )
    return InvalidWheelError(
        f"Invalid wheel `{label}`: `{show_name(problem.member)}` {problem.reason}", hint=hint
    )


def info_from_contents(
    filename: str, contents: Contents, tags: frozenset[str], members: tuple[str, ...]
) -> WheelInfo:
    return WheelInfo(
        filename=filename,
        name=contents.name,
        version=contents.version,
        dist_info=contents.dist_info,
        root_is_purelib=contents.root_is_purelib,
        tags=tags,
        members=members,
        wheel_version=contents.wheel_version,
        scripts=contents.scripts,
    )


def parse_wheel_tags(tags: tuple[str, ...]) -> frozenset[str]:
    """The ``Tag:`` lines of a WHEEL file as tags (used for an unpacked tree without filename);
    a line that is not a tag is skipped."""
    result: set[str] = set()
    for tag in tags:
        try:
            result |= expand_tag(tag)
        except ValueError:
            continue
    return frozenset(result)
