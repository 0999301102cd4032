"""``ferry add`` of git references: ``git+URL`` (named by fetching it), ``--git URL`` and
``--tag``/``--branch``/``--rev``.

What is written follows ``uv add``: the package by name in the dependency list and
``{ git = "<repo>", subdirectory = "…", tag = "v1" }`` in ``[tool.uv.sources]`` (``@ref`` in the
URL becomes ``rev``). A ``git+URL`` without a name is fetched and checked out, and the name is
read from the checkout's ``pyproject.toml``, as uv does; the lock that follows reuses that fetch.
"""

from __future__ import annotations

from collections.abc import Sequence

from ferry.commands.common import open_cache
from ferry.commands.git_pins import git_name_of
from ferry.model.errors import UsageError, UserError
from ferry.model.git import GitUrl, is_git_url
from ferry.model.settings import GlobalOptions
from ferry.model.value_fields import replace
from ferry.project.edit_sources import AddSpec

_REFS = ("rev", "tag", "branch")


def git_reference(tag: str | None, branch: str | None, rev: str | None) -> tuple[str, str] | None:
    """The one ``--tag``/``--branch``/``--rev`` given, as ``(kind, value)``."""
    given = [(k, v) for k, v in (("tag", tag), ("branch", branch), ("rev", rev)) if v]
    if len(given) > 1:
        raise UsageError("Give at most one of `--tag`, `--branch` and `--rev`")
    return given[0] if given else None


def named_packages(
    packages: Sequence[str], git: str | None, options: GlobalOptions
) -> tuple[str, ...]:
    """``packages`` with ``--git`` applied (``name`` → ``name @ git+URL``) and every bare
    ``git+URL`` given the name of the project it holds."""
    if git is not None:
        if not packages:
            raise UsageError("`--git` needs the names of the packages it provides")
        url = git if git.startswith("git+") else f"git+{git}"
        return tuple(f"{name} @ {url}" for name in packages)
    if not any(is_git_url(p) for p in packages):
        return tuple(packages)
    with open_cache(options) as cache:
        name_of = git_name_of(cache, offline=options.offline)
        result = []
        for package in packages:
            if is_git_url(package):
                name = name_of(package)
                if name is None:
                    raise UserError(
                        f"Cannot tell the package name of `{package}`: its checkout has no "
                        "`pyproject.toml` with a static `[project] name`",
                        hint=f"name it yourself: `ferry add 'NAME @ {package}'`",
                    )
                package = f"{name} @ {package}"
            result.append(package)
        return tuple(result)


def with_reference(
    specs: Sequence[AddSpec], reference: tuple[str, str] | None
) -> tuple[AddSpec, ...]:
    """Each git source of ``specs`` pinned to ``--tag``/``--branch``/``--rev`` (in the place uv
    writes it: after ``git`` and ``subdirectory``)."""
    if reference is None:
        return tuple(specs)
    result = []
    touched = False
    for spec in specs:
        source = dict(spec.source or ())
        if "git" in source:
            if any(k in source for k in _REFS):
                raise UsageError(
                    f"`{spec.name}` names a revision in its URL and with `--{reference[0]}`",
                    hint="give the revision once",
                )
            kept = tuple((k, v) for k, v in (spec.source or ()))
            spec = replace(spec, source=(*kept, reference))
            touched = True
        result.append(spec)
    if not touched:
        raise UsageError(f"`--{reference[0]}` applies to git sources, and none was given")
    return tuple(result)


def without_credentials(specs: Sequence[AddSpec]) -> tuple[AddSpec, ...]:
    """Each git source of ``specs`` without the URL's credentials (``pyproject.toml`` is
    committed; uv strips them too unless ``--raw``); the credentials are kept in this process
    for the lock and sync that follow (:func:`ferry.dist.git.remember_credentials`)."""
    from ferry.dist.git import remember_credentials

    result = []
    for spec in specs:
        source = spec.source or ()
        git = dict(source).get("git")
        if isinstance(git, str):
            url = GitUrl(git)
            if url.safe_repository != git:
                remember_credentials(url)
                kept = tuple((k, url.safe_repository if k == "git" else v) for k, v in source)
                spec = replace(spec, source=kept)
        result.append(spec)
    return tuple(result)
