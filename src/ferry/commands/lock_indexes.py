"""Where a project's packages come from: the indexes of the command line, the environment and
``[[tool.uv.index]]`` / ``[[tool.ferry.index]]``, and sources pinning a package to one of them.

Order and precedence follow uv, so both tools pick the same index for a name (first-index
strategy): ``--index`` indexes first, then the project's non-explicit indexes in order, then
``--extra-index-url`` (FERRY_EXTRA_INDEX_URL) and the project's ``extra-index-url`` ones, then
the default index — ``--index-url``, else
FERRY_INDEX_URL, else a project index with ``default = true``, else the project's ``index-url``,
else pip's default. The project's ``find-links`` join the command line's, and its ``no-index``
turns every index off as the flag does. An ``explicit`` index is consulted only for packages a
``[tool.uv.sources]`` entry pins to it. Every index gets its own client, so a pinned package is
looked up on its index alone (:mod:`ferry.commands.lock_routing`). This module imports no HTTP
client, so the no-op path of ``ferry lock`` can check the lock's indexes cheaply.

An index or find-links directory on disk (a ``file://`` URL or a path: a pyproject's relative
to its directory, the command line's to the working directory) is fetched as a ``file://`` URL
and named in the lock as uv names it, a path (:mod:`ferry.project.lock_local`).

``--index NAME=URL`` names its index, as in uv 0.13.8: it takes the place of the project's
``[[tool.uv.index]]`` entry of that name (:mod:`ferry.commands.index_names`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ferry.commands.index_names import (
    named_on_command_line,
    plain_url,
    warn_ambiguous,
    with_named_indexes,
)
from ferry.index.default import env_extra_index_urls, env_find_links, env_index_url
from ferry.model.errors import UserError
from ferry.model.immutable import immutable
from ferry.model.names import NormalizedName, canonicalize_name
from ferry.model.url import strip_credentials
from ferry.project.lock_local import (
    LocalRegistry,
    fetch_url,
    is_local_location,
    local_registry,
    registry_directory,
    registry_key,
)
from ferry.project.pyproject import PyProject

if TYPE_CHECKING:
    from ferry.commands.index_settings import IndexSettings
    from ferry.project.workspace import Workspace



@immutable
class IndexChoice:
    """The indexes in force for one lock: search order, pins and find-links."""

    urls: tuple[str, ...]
    pinned: tuple[tuple[NormalizedName, str], ...] = ()
    find_links: tuple[str, ...] = ()
    no_index: bool = False
    conditional: tuple[tuple[str, str, NormalizedName, str], ...] = ()
    """``(kind, extra-or-group, package, index URL)``: pins that hold where that extra or group
    is selected."""
    marked: tuple[tuple[NormalizedName, str, str], ...] = ()
    """``(package, marker, index URL)``: pins that hold where the marker does (sources split by
    ``marker``; the universal resolution forks on them)."""
    keyring_provider: str | None = None
    """The project's ``keyring-provider`` setting (a flag or variable overrides it)."""
    strategy: str = "first-index"
    """``--index-strategy``, else the project's ``index-strategy``: how the search list is
    consulted for one name. It steers a resolution only: whether a lock is fresh does not
    depend on it (as for uv, whose ``--locked`` passes after a change of strategy)."""
    local: tuple[LocalRegistry, ...] = ()
    """The indexes and find-links directories on disk, with the path the lock names each by."""

    def configured(self) -> set[str]:
        """Every registry a lock may name: index URLs (credentials stripped), and the paths of
        local indexes and find-links directories as uv writes them."""
        local = {r.key: r.value for r in self.local}
        urls = [*self.urls, *self.explicit_indexes()]
        return {local.get(u, strip_credentials(u)) for u in urls} | {r.value for r in self.local}

    def unconfigured(self, registries: Iterable[str]) -> list[str]:
        """The registries of a lock that no configured index explains, sorted. A path registry
        is explained by a local index in the same spelling (relative or absolute, as uv: one
        spelled the other way makes uv re-lock); a trailing slash or ``./`` does not matter."""
        known = self.configured()
        paths = {registry_key(r.value) for r in self.local}
        return sorted(v for v in set(registries)
                      if v not in known and registry_key(v) not in paths)

    def spelled_otherwise(self, value: str, root: Path) -> str | None:
        """How a local index is configured now, when the lock's path registry ``value`` names
        the same directory the other way (``../idx`` against ``/srv/idx``)."""
        if "://" in value:
            return None
        directory = registry_directory(value, root).as_posix()
        return next((r.value for r in self.local if r.directory == directory), None)

    def registry_of(self, key: str | None) -> LocalRegistry | None:
        """The local registry whose files carry ``key`` as their index URL."""
        return next((r for r in self.local if r.key == key), None)

    def pins_for(self, kind: str, name: str | None) -> tuple[tuple[NormalizedName, str], ...]:
        return tuple((package, url) for k, n, package, url in self.conditional
                     if k == kind and n == name)

    def explicit_indexes(self) -> list[str]:
        return list(dict.fromkeys([*(u for _, u in self.pinned),
                                   *(u for *_, u in self.conditional),
                                   *(u for *_, u in self.marked)]))


def search_list(
    pyproject: PyProject,
    *,
    index_url: str | None,
    extra_index_urls: Sequence[str],
    default: Callable[[], str] | None = None,
    priority: Sequence[str] | None = None,
) -> tuple[str, ...]:
    """The indexes searched for a name no source pins, in order, the default one last (one on
    disk as the ``file://`` URL it is read from)."""
    given = _search_given(pyproject, index_url=index_url, extra_index_urls=extra_index_urls,
                          default=default, priority=priority)
    return tuple(dict.fromkeys(fetch_url(url, base) for url, base in given))


def written_search_list(
    pyproject: PyProject, *, index_url: str | None, extra_index_urls: Sequence[str]
) -> list[str]:
    """The search list as written (a relative path stays relative), the default index last:
    what ``ferry export --emit-index-url`` names."""
    given = _search_given(pyproject, index_url=index_url, extra_index_urls=extra_index_urls,
                          default=None)
    return [url for url, _ in given]


def _search_given(
    pyproject: PyProject,
    *,
    index_url: str | None,
    extra_index_urls: Sequence[str],
    default: Callable[[], str] | None,
    priority: Sequence[str] | None = None,
) -> list[tuple[str, Path]]:
    """The search list as written, each with the directory a relative path in it is relative
    to: the pyproject's for its indexes, the working directory for flags and variables.

    ``priority`` are the command line's ``--index`` values, which uv searches before the
    project's indexes, while its ``--extra-index-url`` values come after them; ``None`` means
    the caller cannot tell them apart, and every command-line index goes first."""
    tool = pyproject.tool
    cwd = Path.cwd()
    named = {spec.name for spec in named_on_command_line(index_url, extra_index_urls)}
    extras = [plain_url(u) for u in extra_index_urls] or list(env_extra_index_urls())
    wanted = None
    if priority is not None:
        warn_ambiguous(priority)
        wanted = {plain_url(u) for u in priority}
    first = extras if wanted is None else [u for u in extras if u in wanted]
    given = [(url, cwd) for url in first]
    given += [(i.url, pyproject.root) for i in tool.indexes
              if not i.explicit and not i.default and i.name not in named]
    given += [(url, cwd) for url in extras if url not in set(first)]
    given += [(url, pyproject.root) for url in tool.extra_index_urls]
    default_index = (plain_url(index_url) if index_url else None) or env_index_url()
    if default_index is not None:
        given.append((default_index, cwd))
    else:
        declared = [i.url for i in tool.indexes
                    if i.default and not i.explicit and i.name not in named]
        if tool.index_url is not None:
            declared.append(tool.index_url)
        if declared:
            given.append((declared[0], pyproject.root))
        else:
            from ferry.index.default import default_index_url

            given.append(((default or default_index_url)(), cwd))
    return given


def all_find_links(pyproject: PyProject, find_links: Sequence[str]) -> tuple[str, ...]:
    """The command line's (else FERRY_FIND_LINKS') find-links, then the project's
    ``find-links``, a relative path of which is read from the project's directory."""
    declared = tuple(fetch_url(location, pyproject.root) if is_local_location(location)
                     else location for location in pyproject.tool.find_links)
    return tuple(dict.fromkeys((*(tuple(find_links) or env_find_links()), *declared)))


def local_registries(
    pyproject: PyProject,
    given: Iterable[tuple[str, Path]],
    find_links: Iterable[str],
    declared_links: Iterable[str] = (),
) -> tuple[LocalRegistry, ...]:
    """How the lock names each index and find-links directory on disk (see
    :mod:`ferry.project.lock_local`); the project root is the pyproject's directory.
    ``find_links`` are the command line's (relative to the working directory),
    ``declared_links`` the project's (relative to the project, fetched as ``file://`` URLs)."""
    root = pyproject.root
    found: dict[str, LocalRegistry] = {}
    for url, base in given:
        if url and is_local_location(url):
            registry = local_registry(url, base=base, root=root)
            found.setdefault(registry.key, registry)
    cwd = Path.cwd()
    links = [(location, cwd, location) for location in find_links]
    links += [(location, root, fetch_url(location, root)) for location in declared_links]
    for location, base, key in links:
        if not location or not is_local_location(location):
            continue
        registry = local_registry(location, base=base, root=root, key=key, flat=True)
        if Path(registry.directory).is_dir():
            found.setdefault(registry.key, registry)
    return tuple(found.values())


def build_index_settings(
    pyproject: PyProject,
    *,
    index_url: str | None,
    extra_index_urls: Sequence[str],
    find_links: Sequence[str],
    no_index: bool,
    index_strategy: str | None = None,
    priority: Sequence[str] | None = None,
) -> IndexSettings:
    """Where isolated builds get their build requirements: the project's indexes, as uv does.

    Only the command line's would send a project whose default index is a private one to the
    public index for hatchling or setuptools (or fail, where only the private one is reachable).
    Explicit indexes serve pinned packages only, and build requirements are never pinned.
    """
    from ferry.commands.index_settings import IndexSettings

    strategy = index_strategy or pyproject.tool.index_strategy or "first-index"
    links = all_find_links(pyproject, find_links)
    if no_index or pyproject.tool.no_index:
        return IndexSettings(find_links=links, no_index=True, strategy=strategy)
    *extras, default_index = search_list(pyproject, index_url=index_url,
                                         extra_index_urls=extra_index_urls, priority=priority)
    return IndexSettings(index_url=default_index, extra_index_urls=tuple(extras),
                         find_links=links, strategy=strategy)


def choose_indexes(
    pyproject: PyProject,
    *,
    index_url: str | None,
    extra_index_urls: Sequence[str],
    find_links: Sequence[str],
    no_index: bool,
    default: Callable[[], str] | None = None,
    index_strategy: str | None = None,
    workspace: Workspace | None = None,
    priority: Sequence[str] | None = None,
) -> IndexChoice:
    """The indexes for this project and command line (see the module docstring);
    ``index_strategy`` (``--index-strategy``) overrides the project's ``index-strategy``.
    Only the ``index`` sources of names the project (or a member of ``workspace``, the
    workspace ``pyproject`` is the root of) requires pin a package (see
    :mod:`ferry.commands.lock_index_scope`)."""
    from ferry.commands.lock_index_scope import index_sources

    pyproject = with_named_indexes(pyproject, index_url, extra_index_urls)
    tool = pyproject.tool
    search = _search_given(pyproject, index_url=index_url, extra_index_urls=extra_index_urls,
                           default=default, priority=priority)
    urls = tuple(dict.fromkeys(fetch_url(url, base) for url, base in search))
    given = [] if no_index else list(search)
    pinned: list[tuple[NormalizedName, str]] = []
    conditional: list[tuple[str, str, NormalizedName, str]] = []
    marked: list[tuple[NormalizedName, str, str]] = []
    for source in index_sources(pyproject, workspace):
        name, specs = source.name, source.specs
        index_specs = [s for s in specs if s.kind == "index"]
        package = canonicalize_name(name)
        for spec in index_specs:
            # the root's index (relative to the root), else one the member declares itself
            base = pyproject.root
            declared = tool.index_named(spec.index or "")
            if declared is None:
                base = source.declaring.root
                declared = source.declaring.tool.index_named(spec.index or "")
            if declared is None:
                raise UserError(
                    f"`{name}` is pinned to the index `{spec.index}`, which is not declared in "
                    "`[[tool.uv.index]]`",
                    hint="add an index with that `name`",
                )
            given.append((declared.url, base))
            url = fetch_url(declared.url, base)
            if spec.marker and spec.extra is None and spec.group is None:
                marked.append((package, spec.marker, url))
                continue
            scoped = all(s.extra is not None or s.group is not None for s in specs)
            if spec.marker or (len(index_specs) != len(specs) and not scoped):
                raise UserError(
                    f"The sources of `{name}` mix an index with other kinds of source, not each "
                    "with its own `marker` or each with its own `extra`/`group` (or one source "
                    "has both a marker and an extra or group), which ferry does not support yet",
                    hint="give every source of the package a `marker`, or every one an `extra` "
                    "or `group`; a lock written by uv can be used with `--frozen` "
                    "(`ferry sync --frozen`, `ferry tree --frozen`)",
                )
            if spec.extra is not None:
                conditional.append(("extra", canonicalize_name(spec.extra), package, url))
            elif spec.group is not None:
                conditional.append(("group", canonicalize_name(spec.group), package, url))
            elif len(index_specs) == 1:
                pinned.append((package, url))
            else:
                raise UserError(f"`{name}` is pinned to several indexes at once",
                                hint="give each pin an `extra` or a `group`")
    links = all_find_links(pyproject, find_links)
    no_index = no_index or tool.no_index
    return IndexChoice(
        urls=() if no_index else urls,
        pinned=tuple(pinned),
        conditional=tuple(conditional),
        marked=tuple(marked),
        find_links=links,
        local=local_registries(pyproject, given, find_links or env_find_links(),
                               tool.find_links),
        no_index=no_index,
        keyring_provider=pyproject.tool.keyring_provider,
        strategy=index_strategy or pyproject.tool.index_strategy or "first-index",
    )

