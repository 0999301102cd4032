"""The index settings ``ferry pip …`` reads from the project's configuration, as ``uv pip`` does.

uv 0.13.8's pip commands are not blind to the project: they read the settings file of the
project they run in — ``uv.toml``, else the ``[tool.uv]`` table of ``pyproject.toml`` — with its
``[pip]`` section over its top level. Which file: the search starts at the project that holds the
working directory (the nearest ``pyproject.toml`` with ``[project]``, or the working directory
when there is none) and walks up to the first directory with a ``uv.toml`` or a
``pyproject.toml`` that has a settings table; a ``uv.toml`` wins over the ``pyproject.toml``
beside it (uv warns, naming the keys it ignores). In ``pyproject.toml`` ferry reads
``[tool.ferry]`` first and falls back to ``[tool.uv]`` key by key, as the project commands do
(:mod:`ferry.project.tool_settings`).

Read here: ``index-url``, ``extra-index-url``, ``[[index]]``, ``find-links``, ``no-index`` and
``index-strategy`` (uv's pip commands read its other pip settings too; ferry does not yet). A
list from the ``[pip]`` section comes before the same list from the top level (uv extends lists
and lets a ``[pip]`` scalar win). Relative paths are the settings file's. The command line and
its environment variables win, and a requirements file's own index options come after all of
it (:func:`with_pip_config`).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from ferry.model.immutable import immutable
from ferry.model.log import get_logger

if TYPE_CHECKING:
    from ferry.project.toml_walk import Walker

    KeyParser = Callable[[Walker, Any, str], dict[str, Any]]

    class PipIndexRequest(Protocol):
        """The index options every ``pip`` request has (install, sync, compile)."""

        @property
        def index_url(self) -> str | None: ...
        @property
        def extra_index_url(self) -> tuple[str, ...]: ...
        @property
        def find_links(self) -> tuple[str, ...]: ...
        @property
        def no_index(self) -> bool: ...
        @property
        def index_strategy(self) -> str | None: ...

logger = get_logger(__name__)

# The TOML readers are imported only when a settings file is there to read: every `pip install`
# looks for one, and most find none (they cost ~0.7 ms to import).
_READ_KEYS = frozenset({"index-url", "no-index", "index-strategy", "extra-index-url",
                        "find-links", "index"})


def _key_parsers() -> tuple[dict[str, KeyParser], dict[str, KeyParser]]:
    """The parsers of the scalar keys and of the list keys read here."""
    from ferry.project import tool_scalars as scalars

    return ({"index-url": scalars.string("index_url"), "no-index": scalars.boolean("no_index"),
             "index-strategy": scalars.index_strategy},
            {"extra-index-url": scalars.string_list("extra_index_urls"),
             "find-links": scalars.string_list("find_links")})


@immutable
class PipConfig:
    """What the settings file says about indexes (empty when there is none)."""

    index_url: str | None = None
    """The default index: the first ``[[index]]`` with ``default = true``, else ``index-url``."""
    indexes: tuple[str, ...] = ()
    """The other ``[[index]]`` URLs (not ``explicit``), searched before ``extra-index-url``."""
    extra_index_urls: tuple[str, ...] = ()
    find_links: tuple[str, ...] = ()
    """``find-links`` and every ``[[index]]`` with ``format = "flat"``."""
    no_index: bool = False
    index_strategy: str | None = None
    path: Path | None = None
    """The file read, for ``-v`` and messages."""


_EMPTY = PipConfig()


if TYPE_CHECKING:
    R = TypeVar("R", bound=PipIndexRequest)
else:  # a string bound is compiled at import (a ForwardRef): ~0.1 ms on every pip command
    R = TypeVar("R")


def with_pip_config(request: R, directory: Path | None = None) -> R:
    """``request`` (as the command line and its variables gave it) completed from the settings
    file, in uv's order: a default index or strategy given on the command line or by a variable
    wins; lists are the command line's (or their variable's), then the file's ``[[index]]``
    and ``extra-index-url`` entries / ``find-links``. A requirements file's own options are
    added after these by the command, as uv adds them."""
    config = find_pip_config(directory or Path.cwd())
    if config.path is None:
        return request
    from ferry.index.default import env_extra_index_urls, env_find_links, env_index_url
    from ferry.model.value_fields import replace

    extras = (*config.indexes, *config.extra_index_urls)
    return replace(
        request,
        index_url=request.index_url or env_index_url() or config.index_url,
        extra_index_url=tuple(dict.fromkeys(
            (*(request.extra_index_url or env_extra_index_urls()), *extras)))
        if extras else request.extra_index_url,
        find_links=(*(request.find_links or env_find_links()), *config.find_links)
        if config.find_links else request.find_links,
        no_index=request.no_index or config.no_index,
        index_strategy=request.index_strategy or config.index_strategy,
    )


def find_pip_config(start: Path) -> PipConfig:
    """The settings of the project holding ``start`` (see the module docstring)."""
    directories = (start, *start.parents)
    read = [_pyproject(directory) for directory in directories]
    begin = next((i for i, (is_project, _) in enumerate(read) if is_project), 0)
    for directory, (_, data) in zip(directories[begin:], read[begin:], strict=True):
        found = _settings_in(directory, data)
        if found is not None:
            logger.debug("Reading pip settings from %s", found.path)
            return found
    return _EMPTY


# How a settings table can be spelled: `[tool.uv]`, `[[tool.uv.index]]`, `tool.uv.x = …`, or
# under a `[tool]` table. Text with none of these is not parsed: every `pip install` run inside
# a project looks, and most projects have no such table (the TOML parse, even remembered in the
# cache, costs ~2 ms in a process that has not loaded json yet).
_SETTINGS_SPELLINGS = (b"tool.uv", b"tool.ferry", b"[tool]")


def _pyproject(directory: Path) -> tuple[bool, dict[str, Any] | None]:
    """Whether ``directory`` holds a project's ``pyproject.toml`` (uv's workspace discovery:
    ``[project]``, or a virtual workspace's ``[tool.uv.workspace]``), and the parsed file when
    it may hold a settings table (else ``None``)."""
    path = directory / "pyproject.toml"
    try:
        raw = path.read_bytes()
    except OSError:
        return False, None
    if not any(spelling in raw for spelling in _SETTINGS_SPELLINGS):
        return b"[project]" in raw, None
    from ferry.project.toml_read import load_toml, read_text

    data = load_toml(read_text(path), path, "pyproject.toml")
    tool = data.get("tool")
    uv = tool.get("uv") if isinstance(tool, dict) else None
    return "project" in data or (isinstance(uv, dict) and "workspace" in uv), data


def _settings_in(directory: Path, data: dict[str, Any] | None) -> PipConfig | None:
    """The settings in ``directory`` (``data``: its parsed ``pyproject.toml``): its ``uv.toml``,
    else its ``pyproject.toml``'s tables; ``None`` when it has neither."""
    uv_toml = directory / "uv.toml"
    tool = data.get("tool") if data else None
    tables = {name: tool[name] for name in ("ferry", "uv")
              if isinstance(tool, dict) and isinstance(tool.get(name), dict)}
    has_uv_toml = uv_toml.is_file()
    if not has_uv_toml and not tables:
        return None
    from ferry.project.toml_read import display_path, load_toml, read_text
    from ferry.project.toml_walk import Walker

    if has_uv_toml:
        top = load_toml(read_text(uv_toml), uv_toml, "uv.toml")
        if "uv" in tables:
            _warn_shadowed(tables["uv"], top)
        walker = Walker(display_path(uv_toml), uv_toml)
        return _parse(walker, [("pip", top.get("pip", {})), ("", top)], uv_toml)
    path = directory / "pyproject.toml"
    walker = Walker(display_path(path), path)
    ferry, uv = tables.get("ferry", {}), tables.get("uv", {})
    return _parse(walker, [("tool.ferry.pip", ferry.get("pip", {})),
                           ("tool.uv.pip", uv.get("pip", {})),
                           ("tool.ferry", ferry), ("tool.uv", uv)], path)


def _warn_shadowed(uv_table: dict[str, Any], uv_toml: dict[str, Any]) -> None:
    """uv's warning when a ``uv.toml`` hides settings of the ``[tool.uv]`` beside it."""
    ignored = sorted(key for key in uv_table if key in uv_toml)
    if ignored:
        logger.warning(
            "Found both a `uv.toml` file and a `[tool.uv]` section in an adjacent "
            "`pyproject.toml`. The following fields from `[tool.uv]` will be ignored in favor "
            "of the `uv.toml` file:\n%s", "\n".join(f"- {key}" for key in ignored))


def _parse(walker: Walker, sections: list[tuple[str, Any]], path: Path) -> PipConfig:
    """``sections`` (name, table) in priority order. In a ``pyproject.toml`` the order is
    ``[tool.ferry.pip]``, ``[tool.uv.pip]``, ``[tool.ferry]``, ``[tool.uv]``: a key of
    ``[tool.ferry]`` hides the same key of ``[tool.uv]`` (key by key, as for the project
    commands), and a ``[pip]`` list comes before the top level's, as uv combines them."""
    scalar_keys, list_keys = _key_parsers()
    values: dict[str, Any] = {}
    lists: dict[str, list[str]] = {}
    indexes: list[tuple[str, bool, bool, str]] = []
    seen_lists: set[tuple[str, str]] = set()
    for name, raw in sections:
        table = walker.table(raw, name or "pip")
        namespace = name.removeprefix("tool.ferry").removeprefix("tool.uv")  # "", ".pip"
        for key, value in table.items():
            where = f"{name}.{key}" if name else key
            if namespace.endswith("pip") and key not in _READ_KEYS:
                logger.warning("`%s` in `%s` is not supported by ferry's pip commands and is "
                               "ignored", where, walker.label)
            if key in scalar_keys and key not in values:
                values[key] = scalar_keys[key](walker, value, where)
            elif key in list_keys and (namespace, key) not in seen_lists:
                seen_lists.add((namespace, key))
                (field_values,) = list_keys[key](walker, value, where).values()
                lists.setdefault(key, []).extend(field_values)
            elif key == "index" and (namespace, key) not in seen_lists:
                seen_lists.add((namespace, key))
                indexes.extend(_index(walker, item, f"{where}[{i}]")
                               for i, item in enumerate(walker.array(value, where)))
    base = path.parent
    scalars_ = {k: v for parsed in values.values() for k, v in parsed.items()}
    default = next((url for url, is_default, _, _ in indexes if is_default), None)
    default = default or scalars_.get("index_url")
    return PipConfig(
        index_url=_located(default, base) if default else None,
        indexes=tuple(_located(url, base) for url, is_default, explicit, fmt in indexes
                      if not is_default and not explicit and fmt != "flat"),
        extra_index_urls=tuple(_located(u, base) for u in lists.get("extra-index-url", ())),
        find_links=(*(_located(u, base) for u in lists.get("find-links", ())),
                    *(_located(url, base) for url, _, explicit, fmt in indexes
                      if fmt == "flat" and not explicit)),
        no_index=bool(scalars_.get("no_index", False)),
        index_strategy=scalars_.get("index_strategy"),
        path=path,
    )


def _index(walker: Walker, raw: Any, where: str) -> tuple[str, bool, bool, str]:
    """One ``[[index]]``: (url, default, explicit, format)."""
    table = walker.table(raw, where)
    url = walker.string(table, "url", f"{where}.url", required=True)
    assert url is not None
    return (url, bool(walker.boolean(table, "default", f"{where}.default")),
            bool(walker.boolean(table, "explicit", f"{where}.explicit")),
            walker.string(table, "format", f"{where}.format") or "simple")


def _located(value: str, base: Path) -> str:
    """A location as the settings file means it: a relative path is the file's directory's
    (uv's rule), so the same settings work from any directory of the project."""
    if "://" in value or value.startswith("file:"):
        return value
    path = Path(value).expanduser()
    return value if path.is_absolute() else os.path.normpath(base / path)
