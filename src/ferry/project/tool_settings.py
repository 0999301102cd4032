"""Project settings from ``[tool.ferry]``, falling back key by key to ``[tool.uv]``.

Why key by key: a project shared between uv and ferry keeps its settings in ``[tool.uv]``; a team
may override one of them for ferry (say ``default-groups``) without copying the rest. So each
setting comes from ``[tool.ferry]`` when that table sets it, else from ``[tool.uv]``, and
:attr:`ToolSettings.origin` records which, for ``-v`` and for error key paths.

``[tool.ferry]`` is ferry's own table, so a key it does not know is an error (most likely a
typo); ``[tool.uv]`` may hold any of uv's many settings, so unknown keys there are ignored.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from ferry.model.immutable import immutable
from ferry.model.log import get_logger
from ferry.model.names import canonicalize_name
from ferry.model.pep508_markers import InvalidMarker, Marker
from ferry.model.pep508_requirements import InvalidRequirement, Requirement
from ferry.model.value_fields import field
from ferry.project import tool_scalars as scalars
from ferry.project.toml_read import type_name
from ferry.project.toml_walk import Walker

SourceKind = Literal["path", "git", "url", "index", "workspace"]

#: Settings ferry understands; the ones without a field below are accepted and not yet used.
log = get_logger(__name__)

KNOWN_KEYS = frozenset(
    {
        "sources",
        "index",
        "conflicts",
        "environments",
        "required-environments",
        "constraint-dependencies",
        "override-dependencies",
        "build-constraint-dependencies",
        "package",
        "managed",
        "dev-dependencies",
        "default-groups",
        "resolution",
        "prerelease",
        "fork-strategy",
        "exclude-newer",
        "index-url",
        "extra-index-url",
        "find-links",
        "no-index",
        "index-strategy",
        "workspace",
        "required-version",
        "link-mode",
        "compile-bytecode",
        "cache-dir",
        "python-preference",
        "python-downloads",
        "dependency-metadata",
        "no-build-isolation-package",
        "config-settings",
        "keyring-provider",
        "pip",  # the pip interface's section, read by `ferry pip …` (commands/pip_config.py)
    }
)
_SOURCE_KEYS = {
    "path": {"path", "editable", "package"},
    "git": {"git", "subdirectory", "rev", "tag", "branch", "lfs"},
    "url": {"url", "subdirectory"},
    "index": {"index"},
    "workspace": {"workspace", "editable"},
}
_SOURCE_COMMON = {"marker", "extra", "group"}
_INDEX_KEYS = {
    "name",
    "url",
    "explicit",
    "default",
    "format",
    "publish-url",
    "authenticate",
    "ignore-error-codes",
    "cache-control",
}


@immutable
class SourceSpec:
    """One entry of ``sources.<name>``: where a dependency comes from instead of the index."""

    kind: SourceKind
    path: str | None = None
    editable: bool | None = None
    package: bool | None = None
    git: str | None = None
    rev: str | None = None
    tag: str | None = None
    branch: str | None = None
    subdirectory: str | None = None
    url: str | None = None
    index: str | None = None
    marker: str | None = None
    extra: str | None = None
    group: str | None = None


@immutable
class IndexSpec:
    """A named index from ``[[tool.uv.index]]``."""

    url: str
    name: str | None = None
    explicit: bool = False
    default: bool = False
    format: str = "simple"


@immutable
class ConflictSpec:
    """A member of a declared conflict set; ``package`` ``None`` means the project itself."""

    package: str | None = None
    extra: str | None = None
    group: str | None = None


@immutable
class ToolSettings:
    sources: tuple[tuple[str, tuple[SourceSpec, ...]], ...] = ()
    indexes: tuple[IndexSpec, ...] = ()
    conflicts: tuple[tuple[ConflictSpec, ...], ...] = ()
    environments: tuple[str, ...] = ()
    required_environments: tuple[str, ...] = ()
    constraint_dependencies: tuple[Requirement, ...] = ()
    override_dependencies: tuple[Requirement, ...] = ()
    build_constraint_dependencies: tuple[Requirement, ...] = ()
    package: bool | None = None
    managed: bool | None = None
    dev_dependencies: tuple[Requirement, ...] = ()
    default_groups: tuple[str, ...] | Literal["all"] | None = None
    resolution: str | None = None
    prerelease: str | None = None
    fork_strategy: str | None = None
    exclude_newer: str | None = None
    workspace_members: tuple[str, ...] = ()
    workspace_exclude: tuple[str, ...] = ()
    keyring_provider: str | None = None
    index_strategy: str | None = None
    index_url: str | None = None
    """``index-url``: the default index, when no flag, variable or ``default = true`` index
    names one (uv's legacy spelling, still read)."""
    extra_index_urls: tuple[str, ...] = ()
    """``extra-index-url``: searched after the ``[[tool.uv.index]]`` entries, as uv does."""
    find_links: tuple[str, ...] = ()
    """``find-links``: added to the command line's; a relative path is the project's."""
    no_index: bool = False
    link_mode: str | None = None
    """``link-mode``: how a project sync puts files in place when no flag or variable says."""
    compile_bytecode: bool = False
    origin: tuple[tuple[str, str], ...] = field(default=())

    def sources_for(self, name: str) -> tuple[SourceSpec, ...]:
        wanted = canonicalize_name(name)
        for key, specs in self.sources:
            if canonicalize_name(key) == wanted:
                return specs
        return ()

    def index_named(self, name: str) -> IndexSpec | None:
        return next((i for i in self.indexes if i.name == name), None)

    def origin_of(self, key: str) -> str | None:
        """``"tool.ferry"`` or ``"tool.uv"``: the table a setting came from."""
        return dict(self.origin).get(key)


class DeclaredRequirement(Requirement):
    """A requirement that remembers its text: uv records version specifiers in the order the
    user wrote them (``>=1.0,<2``), which :class:`Requirement` does not keep."""

    def __init__(self, requirement_string: str) -> None:
        super().__init__(requirement_string)
        self.text = requirement_string


def parse_requirement(w: Walker, value: Any, key_path: str) -> Requirement:
    if not isinstance(value, str):
        w.fail(key_path, f"expected a PEP 508 requirement string, found {type_name(value)}")
    try:
        return DeclaredRequirement(value)
    except InvalidRequirement as exc:
        first = str(exc).splitlines()[0]
        w.fail(key_path, f"invalid requirement {value!r}: {first}", causes=[str(exc)])


def parse_requirements(w: Walker, value: Any, key_path: str) -> tuple[Requirement, ...]:
    return tuple(
        parse_requirement(w, item, f"{key_path}[{i}]")
        for i, item in enumerate(w.array(value, key_path))
    )


def _markers(w: Walker, value: Any, key_path: str) -> tuple[str, ...]:
    result = []
    for i, item in enumerate(w.array(value, key_path)):
        if not isinstance(item, str):
            w.fail(f"{key_path}[{i}]", f"expected a marker string, found {type_name(item)}")
        try:
            Marker(item)
        except InvalidMarker as exc:
            w.fail(f"{key_path}[{i}]", f"invalid marker {item!r}: {str(exc).splitlines()[0]}")
        result.append(item)
    return tuple(result)


def _source(w: Walker, value: Any, kp: str) -> SourceSpec:
    table = w.table(value, kp)
    kinds = [k for k in _SOURCE_KEYS if k in table]
    if len(kinds) != 1:
        w.fail(kp, "a source needs exactly one of `path`, `git`, `url`, `index`, `workspace`")
    kind: SourceKind = kinds[0]  # type: ignore[assignment]
    w.reject_unknown(table, kp, _SOURCE_KEYS[kind] | _SOURCE_COMMON)
    refs = [k for k in ("rev", "tag", "branch") if k in table]
    if len(refs) > 1:
        w.fail(kp, "a git source takes at most one of `rev`, `tag`, `branch`")
    if "marker" in table:
        _markers(w, [table["marker"]], f"{kp}.marker")
    if kind == "workspace" and table["workspace"] is not True:
        w.fail(f"{kp}.workspace", "expected `true`")
    return SourceSpec(
        kind=kind,
        path=w.string(table, "path", f"{kp}.path"),
        editable=w.boolean(table, "editable", f"{kp}.editable"),
        package=w.boolean(table, "package", f"{kp}.package"),
        git=w.string(table, "git", f"{kp}.git"),
        rev=w.string(table, "rev", f"{kp}.rev"),
        tag=w.string(table, "tag", f"{kp}.tag"),
        branch=w.string(table, "branch", f"{kp}.branch"),
        subdirectory=w.string(table, "subdirectory", f"{kp}.subdirectory"),
        url=w.string(table, "url", f"{kp}.url"),
        index=w.string(table, "index", f"{kp}.index"),
        marker=w.string(table, "marker", f"{kp}.marker"),
        extra=w.string(table, "extra", f"{kp}.extra"),
        group=w.string(table, "group", f"{kp}.group"),
    )


def _index(w: Walker, value: Any, kp: str) -> IndexSpec:
    table = w.table(value, kp)
    w.reject_unknown(table, kp, _INDEX_KEYS)
    url = w.string(table, "url", f"{kp}.url", required=True)
    assert url is not None
    return IndexSpec(
        url=url,
        name=w.string(table, "name", f"{kp}.name"),
        explicit=bool(w.boolean(table, "explicit", f"{kp}.explicit")),
        default=bool(w.boolean(table, "default", f"{kp}.default")),
        format=w.string(table, "format", f"{kp}.format") or "simple",
    )


def _conflicts(w: Walker, value: Any, kp: str) -> tuple[tuple[ConflictSpec, ...], ...]:
    sets = []
    for i, raw_set in enumerate(w.array(value, kp)):
        items = []
        for j, raw in enumerate(w.array(raw_set, f"{kp}[{i}]")):
            ikp = f"{kp}[{i}][{j}]"
            table = w.table(raw, ikp)
            w.reject_unknown(table, ikp, {"package", "extra", "group"})
            if "extra" in table and "group" in table:
                w.fail(ikp, "a conflict item names an `extra` or a `group`, not both")
            extra = w.string(table, "extra", f"{ikp}.extra")
            group = w.string(table, "group", f"{ikp}.group")
            package = w.string(table, "package", f"{ikp}.package")
            items.append(
                ConflictSpec(
                    canonicalize_name(package) if package else None,
                    canonicalize_name(extra) if extra else None,
                    canonicalize_name(group) if group else None,
                )
            )
        if len(items) < 2:
            w.fail(f"{kp}[{i}]", "a conflict set needs at least two items")
        sets.append(tuple(items))
    return tuple(sets)


def _sources(w: Walker, raw: Any, kp: str) -> dict[str, Any]:
    sources = []
    for name, spec in w.table(raw, kp).items():
        where = f"{kp}.{name}"
        if isinstance(spec, list):
            parsed = tuple(_source(w, s, f"{where}[{i}]") for i, s in enumerate(spec))
        else:
            parsed = (_source(w, spec, where),)
        sources.append((name, parsed))
    return {"sources": tuple(sources)}


def _indexes(w: Walker, raw: Any, kp: str) -> dict[str, Any]:
    items = w.array(raw, kp)
    return {"indexes": tuple(_index(w, item, f"{kp}[{i}]") for i, item in enumerate(items))}


def _requirement_list(attr: str) -> Callable[[Walker, Any, str], dict[str, Any]]:
    return lambda w, raw, kp: {attr: parse_requirements(w, raw, kp)}


def _marker_list(attr: str) -> Callable[[Walker, Any, str], dict[str, Any]]:
    return lambda w, raw, kp: {attr: _markers(w, raw, kp)}


def _workspace(w: Walker, raw: Any, kp: str) -> dict[str, Any]:
    table = w.table(raw, kp)
    return {
        "workspace_members": w.strings(table, "members", f"{kp}.members"),
        "workspace_exclude": w.strings(table, "exclude", f"{kp}.exclude"),
    }


_PARSERS: dict[str, Callable[[Walker, Any, str], dict[str, Any]]] = {
    "sources": _sources,
    "index": _indexes,
    "conflicts": lambda w, raw, kp: {"conflicts": _conflicts(w, raw, kp)},
    "environments": _marker_list("environments"),
    "required-environments": _marker_list("required_environments"),
    "constraint-dependencies": _requirement_list("constraint_dependencies"),
    "override-dependencies": _requirement_list("override_dependencies"),
    "build-constraint-dependencies": _requirement_list("build_constraint_dependencies"),
    "dev-dependencies": _requirement_list("dev_dependencies"),
    "package": scalars.boolean("package"),
    "managed": scalars.boolean("managed"),
    "default-groups": scalars.default_groups,
    "resolution": scalars.string("resolution"),
    "prerelease": scalars.string("prerelease"),
    "fork-strategy": scalars.string("fork_strategy"),
    "exclude-newer": scalars.exclude_newer,
    "workspace": _workspace,
    "keyring-provider": scalars.keyring_provider,
    "index-strategy": scalars.index_strategy,
    "index-url": scalars.string("index_url"),
    "extra-index-url": scalars.string_list("extra_index_urls"),
    "find-links": scalars.string_list("find_links"),
    "no-index": scalars.boolean("no_index"),
    "link-mode": scalars.link_mode,
    "compile-bytecode": scalars.boolean("compile_bytecode"),
}


# Read by uv but not (yet) acted on by ferry: each is said as a warning, never ignored silently.
# (``python-preference``/``python-downloads`` and ``required-version`` are about uv's own
# interpreter downloads and version, which have no meaning for ferry; they pass quietly.)
_NOT_APPLIED = {
    "cache-dir": "pass `--cache-dir` or set FERRY_CACHE_DIR",
    "config-settings": "builds run without these settings",
    "no-build-isolation-package": "these packages are built in isolation",
    "managed": "ferry manages the project as if `managed = true`",
    "build-constraint-dependencies": "recorded in the lock as uv records it, but builds do not "
                                     "apply it",
}


def parse_tool_settings(w: Walker, tool: dict[str, Any]) -> ToolSettings:
    """Merge ``tool.ferry`` over ``tool.uv``; each value is validated at its own key path."""
    ferry = w.table(tool.get("ferry", {}), "tool.ferry")
    uv = w.table(tool.get("uv", {}), "tool.uv")
    w.reject_unknown(ferry, "tool.ferry", KNOWN_KEYS)
    origin: dict[str, str] = {}
    settings: dict[str, Any] = {}
    for key in sorted(KNOWN_KEYS):
        table_name = "tool.ferry" if key in ferry else "tool.uv" if key in uv else None
        if table_name is None:
            continue
        origin[key] = table_name
        if key in _NOT_APPLIED:
            log.warning("`%s.%s` in `%s` is not supported by ferry and is ignored: %s",
                        table_name, key, w.label, _NOT_APPLIED[key])
        raw = (ferry if table_name == "tool.ferry" else uv)[key]
        if key in _PARSERS:
            settings.update(_PARSERS[key](w, raw, f"{table_name}.{key}"))
    return ToolSettings(**settings, origin=tuple(sorted(origin.items())))
