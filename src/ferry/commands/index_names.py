"""The command line's index values as uv 0.13.8 reads them: ``[NAME=]URL``, and a ``file:`` URL
in one spelling.

``--index NAME=URL`` (and ``--default-index NAME=URL``) names its index: it takes the place of
the project's ``[[tool.uv.index]]`` entry of that name — in the search list and for every
source pinned to the name — as an ordinary index (not ``explicit``; ``default`` only from
``--default-index``). :func:`with_named_indexes` gives a project (or script) those entries, so
the pinned sources, the lock's ``[package.metadata]`` and its freshness all see them;
:func:`plain_url` is what is fetched. Kept apart from :mod:`ferry.commands.lock_indexes`, which
orders the indexes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from ferry.model.log import get_logger
from ferry.model.value_fields import replace
from ferry.project.file_index_urls import searched_index_url
from ferry.project.lock_local import fetch_url, is_local_location
from ferry.project.pyproject import PyProject
from ferry.project.tool_settings import IndexSpec

if TYPE_CHECKING:
    from ferry.project.discovery import Project

logger = get_logger(__name__)


def split_named(value: str) -> tuple[str | None, str]:
    """``--index [NAME=]URL`` as uv reads it: a name before the first ``=`` unless that part
    could only be the start of a URL or a path (it has a ``:``, a slash or nothing)."""
    name, sep, url = value.partition("=")
    if sep and name and not any(c in name for c in ":/\\"):
        return name, url
    return None, value


def plain_url(value: str) -> str:
    """The URL of an ``--index``/``--default-index`` value as it is searched: its name (if any)
    dropped, and a ``file:`` URL of an absolute path in the one spelling uv 0.13.8 reads every
    form in — ``file:/srv/i``, ``file:////srv/i``, ``file://localhost/srv/i`` and
    ``file:///srv//x/../i`` all become ``file:///srv/i`` (a trailing slash kept, a fragment
    dropped), so the lock's ``registry`` is uv's. Anything else is left as given."""
    url = split_named(value)[1]
    if url[:5].lower() != "file:":
        return url
    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost") or not parts.path.startswith("/"):
        return url  # `file:relative` or another host: fetched (and refused) as before
    return searched_index_url("file:///" + parts.path.lstrip("/"))


def warn_ambiguous(values: Iterable[str]) -> None:
    """uv's warning for an ``--index`` value that is a relative path not starting with ``./``
    or ``../`` (it could be read as a name), once per value and run, as uv warns. A ``~``
    path is not warned about: ferry reads it as the home directory's (uv 0.13.8 takes it
    for a directory named ``~`` and finds no index)."""
    for value in values:
        if split_named(value)[0] is not None or value in _WARNED:
            continue
        if ":" in value or value.startswith(("/", "./", "../", "~")) or value in (".", ".."):
            continue
        _WARNED.add(value)
        logger.warning(
            "Relative paths passed to `--index` or `--default-index` should be disambiguated "
            "from index names (use `./%s`). Support for ambiguous values will be removed in the "
            "future", value)


_WARNED: set[str] = set()


def named_on_command_line(
    index_url: str | None, extra_index_urls: Sequence[str]
) -> list[IndexSpec]:
    """The indexes the command line names, as the ``[[tool.uv.index]]`` entries they stand
    for: ``--index NAME=URL`` an ordinary one, ``--default-index NAME=URL`` the default. A
    relative path is the working directory's, so it is made a ``file://`` URL (the project's
    entries are read from the project's directory)."""
    given = [(value, False) for value in extra_index_urls]
    given += [(index_url, True)] if index_url else []
    found: list[IndexSpec] = []
    for value, default in given:
        name, url = split_named(value)
        url = plain_url(url)
        if name is not None and name not in {spec.name for spec in found}:
            located = fetch_url(url, Path.cwd()) if is_local_location(url) else url
            found.append(IndexSpec(url=located, name=name, default=default))
    return found


def with_named_indexes(
    pyproject: PyProject, index_url: str | None, extra_index_urls: Sequence[str]
) -> PyProject:
    """``pyproject`` with the command line's named indexes in place of its entries of those
    names (first, as the command line's come first), as uv 0.13.8 merges them: the pinned
    sources, the lock's ``[package.metadata]`` and its freshness all see the command line's."""
    named = named_on_command_line(index_url, extra_index_urls)
    if not named:
        return pyproject
    names = {spec.name for spec in named}
    kept = tuple(i for i in pyproject.tool.indexes if i.name not in names)
    return replace(pyproject, tool=replace(pyproject.tool, indexes=(*named, *kept)))


def project_with_named_indexes(
    project: Project, index_url: str | None, extra_index_urls: Sequence[str]
) -> Project:
    """:func:`with_named_indexes` for a project, its workspace root and members alike."""
    if not any(split_named(v)[0] for v in (*extra_index_urls, index_url or "")):
        return project
    pyproject = with_named_indexes(project.pyproject, index_url, extra_index_urls)
    workspace = project.workspace
    if workspace is not None:
        members = tuple(replace(m, pyproject=with_named_indexes(m.pyproject, index_url,
                                                                extra_index_urls))
                        for m in workspace.members)
        workspace = replace(workspace, members=members, pyproject=with_named_indexes(
            workspace.pyproject, index_url, extra_index_urls))
    return replace(project, pyproject=pyproject, workspace=workspace)
