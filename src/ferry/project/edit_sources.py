"""What ``ferry add`` was given: a requirement, a local path, or a URL — and where it comes from.

uv's rules, so a project edited by either tool looks the same: a requirement from the index is
written as typed (``rich[md]>=13``); anything else is written by name alone in the dependency
list and its origin goes to ``[tool.uv.sources]`` — ``{ path = "libs/helper" }`` (relative to the
project when it was given relative, ``editable = true`` with ``--editable``), ``{ url = … }``,
``{ git = …, rev = … }``. ``--raw`` keeps a URL inside the requirement instead and writes no
source. A directory's name comes from its ``pyproject.toml``; an archive's from its file name.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit, urlunsplit

from ferry._regex_cache import compile_pattern
from ferry.model.dist import parse_filename
from ferry.model.errors import UserError
from ferry.model.immutable import immutable
from ferry.model.names import canonicalize_name
from ferry.model.pep508_requirements import InvalidRequirement, Requirement
from ferry.project.edit import parse_user_requirement
from ferry.project.tool_settings import DeclaredRequirement

_ARCHIVES = (".whl", ".tar.gz", ".zip", ".tar.bz2", ".tgz")
_PATH_EXTRAS = compile_pattern(r"^(.*?)(\[[^\[\]]*\])$")


@immutable
class AddSpec:
    """One package to add: the requirement to write and, unless from an index, its source."""

    requirement: Requirement
    source: tuple[tuple[str, str | bool], ...] | None = None

    @property
    def name(self) -> str:
        return str(canonicalize_name(self.requirement.name))

    @property
    def from_index(self) -> bool:
        return self.source is None and self.requirement.url is None


def _looks_like_path(spec: str, cwd: Path) -> bool:
    if "://" in spec or spec.startswith("git+"):
        return False
    if spec in (".", "..") or spec.startswith(("./", "../", "/", "~")):
        return True
    if "@" in spec or ";" in spec:
        return False
    if "/" in spec or os.sep in spec:
        return True
    return spec.endswith(_ARCHIVES) and (cwd / spec).exists()


def _portable(path: Path, given_absolute: bool, project_root: Path) -> str:
    """The path as the source records it: relative to the project unless given absolute."""
    if given_absolute:
        return path.as_posix()
    try:
        relative = os.path.relpath(path, project_root)
    except ValueError:  # another drive (Windows)
        return path.as_posix()
    return PurePosixPath(Path(relative).as_posix()).as_posix()


def _name_of_directory(directory: Path) -> str:
    from ferry.project.pyproject import PYPROJECT, read_pyproject

    candidate = directory / PYPROJECT
    if candidate.is_file():
        name = read_pyproject(candidate).name
        if name is not None:
            return str(name)
    raise UserError(
        f"Cannot tell the package name of `{directory}`: it has no `pyproject.toml` with a "
        "static `[project] name`",
        hint=f"name it yourself: `ferry add 'NAME @ {directory.as_uri()}'`",
    )


def _local(
    path: Path, given_absolute: bool, cwd: Path, root: Path, editable: bool, raw: bool = False
) -> AddSpec:
    """A local directory or archive; with ``--raw``, ``name @ file:///…`` and no source, as uv
    writes it (and not editable: a requirement cannot say so)."""
    absolute = path if path.is_absolute() else (cwd / path)
    absolute = Path(os.path.normpath(absolute))
    if not absolute.exists():
        raise UserError(f"Distribution not found at: {absolute.as_uri()}")  # uv's words
    if absolute.is_dir():
        name = _name_of_directory(absolute)
    else:
        parsed = parse_filename(absolute.name)
        if parsed is None:
            raise UserError(
                f"`{absolute.name}` is neither a wheel nor a source archive",
                hint="pass a directory, a `.whl`, or a `.tar.gz`/`.zip` source distribution",
            )
        if editable:
            raise UserError(f"An archive cannot be editable: `{absolute.name}`")
        name = str(parsed.name)
    if raw:
        return AddSpec(DeclaredRequirement(f"{name} @ {absolute.as_uri()}"))
    source: list[tuple[str, str | bool]] = [("path", _portable(absolute, given_absolute, root))]
    if editable:
        source.append(("editable", True))
    return AddSpec(DeclaredRequirement(name), tuple(source))


def _url_source(url: str) -> tuple[tuple[str, str | bool], ...]:
    if url.startswith("git+"):
        parts = urlsplit(url[4:])
        path, _, rev = parts.path.partition("@")
        source: list[tuple[str, str | bool]] = [
            ("git", urlunsplit((parts.scheme, parts.netloc, path, parts.query, "")))
        ]
        fragment = dict(p.partition("=")[::2] for p in parts.fragment.split("&") if p)
        if fragment.get("subdirectory"):
            source.append(("subdirectory", fragment["subdirectory"]))
        if rev:
            source.append(("rev", rev))
        return tuple(source)
    return (("url", url),)


def _with_name(requirement: Requirement, name: str, url: str | None = None) -> Requirement:
    text = name
    if requirement.extras:
        text += "[" + ",".join(sorted(requirement.extras)) + "]"
    if url is not None:
        text += f" @ {url}"
    if requirement.marker is not None:
        text += f" ; {requirement.marker}"
    return DeclaredRequirement(text)


def _split_extras(spec: str) -> tuple[str, str]:
    """``../libs/pkg[x,y]`` → (``../libs/pkg``, ``[x,y]``): uv takes extras after a path."""
    match = _PATH_EXTRAS.match(spec)
    if match is None:
        return spec, ""
    return match.group(1), match.group(2)


def _named(spec: str) -> Requirement | None:
    """``spec`` as a named PEP 508 requirement (``six``, ``x@https://…`` — no space needed), or
    None for a bare URL or path."""
    try:
        return DeclaredRequirement(spec)
    except InvalidRequirement:
        return None


def _is_local_url(url: str) -> bool:
    """A direct reference that is a path (uv's ``name @ ../dir``) or a ``file:`` URL."""
    return url.startswith("file:") or ("://" not in url and not url.startswith("git+"))


def _direct_local(
    requirement: Requirement, spec: str, cwd: Path, root: Path, editable: bool, raw: bool
) -> AddSpec:
    """``name @ file:///…`` or ``name @ ../dir``: the source is the path, checked to hold
    ``name``."""
    url = str(requirement.url)
    if url.startswith("file:"):
        local, absolute = Path(unquote(urlsplit(url).path)), True
    else:
        local = Path(url).expanduser()
        absolute = local.is_absolute()
    found = _local(local, absolute, cwd, root, editable, raw)
    if canonicalize_name(found.name) != canonicalize_name(requirement.name):
        raise UserError(
            f"`{spec}` names `{requirement.name}`, but the distribution there is `{found.name}`"
        )
    if raw:
        return AddSpec(_with_name(requirement, requirement.name, found.requirement.url))
    return AddSpec(_with_name(requirement, requirement.name), found.source)


def interpret(
    spec: str, *, cwd: Path, project_root: Path, editable: bool = False, raw: bool = False
) -> AddSpec:
    """Turn one command-line argument of ``ferry add`` into an :class:`AddSpec`."""
    if _looks_like_path(spec, cwd):
        text, extras = _split_extras(spec)
        path = Path(text).expanduser()
        found = _local(path, path.is_absolute(), cwd, project_root, editable, raw)
        if not extras:
            return found
        with_extras = DeclaredRequirement(f"{found.name}{extras}")
        return AddSpec(_with_name(with_extras, found.name, found.requirement.url), found.source)
    requirement = _named(spec)
    if requirement is None and spec.startswith("git+"):
        raise UserError(
            f"Cannot tell the package name of `{spec}`",
            hint=f"write it as `NAME @ {spec}`",
        )
    if requirement is None and "://" in spec:
        filename = unquote(urlsplit(spec).path.rsplit("/", 1)[-1])
        parsed = parse_filename(filename)
        if parsed is None:
            raise UserError(
                f"Cannot tell the package name of `{spec}`",
                hint="write it as `NAME @ URL`",
            )
        requirement = parse_user_requirement(f"{parsed.name} @ {spec}")
    if requirement is None:
        requirement = parse_user_requirement(spec)  # raises, naming what is wrong
    url = requirement.url
    if url is None:
        if editable:
            raise UserError(
                f"`--editable` needs a local directory, not `{spec}`",
                hint="pass the path of the project to install in editable mode",
            )
        return AddSpec(requirement)
    if _is_local_url(url):
        return _direct_local(requirement, spec, cwd, project_root, editable, raw)
    if raw:
        return AddSpec(requirement)
    return AddSpec(_with_name(requirement, requirement.name), _url_source(url))
