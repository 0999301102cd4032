"""Git requirements on the pip side: pinned to the commit they resolved to, named by fetching.

The resolver works with the URL as written (``git+…@main``); what a user sees and what an
environment records is the commit it stood for in this command: ``pip compile`` prints
``name @ git+…@<commit>``, ``pip install`` writes that commit into ``direct_url.json`` and later
compares installs by it (the branch or tag asked for is kept beside it, as PEP 610's
``requested_revision``, which is what uv records). :func:`ferry.dist.git.git_sources` resolves
each reference once per process, so the commit here is the one whose metadata the resolver
read.
"""

from __future__ import annotations

from collections.abc import Iterable

from ferry.cache.store import Cache
from ferry.commands.inputs import NameOf, static_project_name
from ferry.model.dist import PinnedDist
from ferry.model.git import GitUrl, is_git_url
from ferry.model.log import get_logger
from ferry.model.value_fields import replace

logger = get_logger(__name__)


def precise_url(cache: Cache, url: str, *, offline: bool = False) -> str:
    """``url`` pinned to its commit when it is a git reference; anything else unchanged."""
    if not is_git_url(url):
        return url
    from ferry.dist.git import git_sources

    parsed = GitUrl.parse(url)
    if parsed.commit is not None:
        return parsed.requirement_url()
    return git_sources(cache, offline=offline).resolve(parsed).requirement_url()


def pin_commits(
    dists: Iterable[PinnedDist], cache: Cache, *, offline: bool = False
) -> tuple[PinnedDist, ...]:
    """Every git pin of ``dists`` with its commit; git pins are never editable (as uv)."""
    result = []
    for dist in dists:
        if dist.direct_url is not None and is_git_url(dist.direct_url):
            url = precise_url(cache, dist.direct_url, offline=offline)
            if dist.editable:
                logger.warning("`%s` comes from git, which cannot be installed editable; "
                               "installing it from a checkout instead", dist.name)
            requested = dist.requested_revision or GitUrl.parse(dist.direct_url).reference
            dist = replace(dist, direct_url=url, editable=False, requested_revision=requested)
        result.append(dist)
    return tuple(result)


def git_name_of(cache: Cache, *, offline: bool = False) -> NameOf:
    """A :data:`~ferry.commands.inputs.NameOf` that also names bare ``git+`` URLs: by the
    ``[project] name`` of their checkout (fetched once; the resolver reuses it)."""

    def name_of(url: str) -> str | None:
        if not is_git_url(url):
            return static_project_name(url)
        from ferry.dist.git_build import git_checkout

        return static_project_name(git_checkout(cache, url, offline=offline).as_uri())

    return name_of
