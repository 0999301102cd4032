"""Git references as every layer spells them: requirement URLs, lock sources, PEP 610 records.

One value, :class:`GitUrl`, because the same reference crosses four notations and each layer must
agree on the others' spelling:

- a requirement: ``git+https://host/repo@v1#subdirectory=sub`` (``@<commit>`` once resolved, which
  is what ``pip compile`` prints and what an installed distribution's pin compares with);
- ``[tool.uv.sources]``: ``{ git = "https://host/repo", tag = "v1", subdirectory = "sub" }``;
- ``uv.lock``: ``https://host/repo?subdirectory=sub&tag=v1#<full commit>`` — uv's layout, with
  credentials stripped (a lock is committed; a token in it would leak);
- ``direct_url.json`` (PEP 610): ``{"url", "vcs_info": {"vcs", "commit_id", "requested_revision"},
  "subdirectory"}``.

The kind of reference matters to uv's lock (``tag=v1`` and ``rev=v1`` are different sources) but
not to git: ``rev`` is looked up as a branch, then a tag, then a commit.
"""

from __future__ import annotations

from typing import Any, Literal
from urllib.parse import parse_qsl, urlencode, urlsplit

from ferry._regex_cache import compile_pattern
from ferry.model.errors import UserError
from ferry.model.immutable import immutable
from ferry.model.url import redact, strip_credentials
from ferry.model.value_fields import replace

RefKind = Literal["branch", "tag", "rev"]
REF_KINDS: tuple[RefKind, ...] = ("branch", "tag", "rev")
_COMMIT = compile_pattern(r"^[0-9a-f]{40}$")
_HEX = compile_pattern(r"^[0-9a-f]{4,40}$")


class GitUrlError(UserError, ValueError):
    """A requirement's ``git+`` URL that names no repository: the user's to fix. Still a
    ``ValueError``, for the callers that only test a URL's shape."""

    def __init__(self, url: str) -> None:
        super().__init__(
            f"`{redact(url)}` is not a valid git URL",
            hint="write it as `git+https://host/owner/repo[@ref]`, `git+ssh://…` or "
            "`git+file:///absolute/path`",
        )


def is_commit(text: str | None) -> bool:
    """A full (40 hex digits) SHA-1 commit id."""
    return text is not None and _COMMIT.match(text) is not None


def looks_like_commit(text: str) -> bool:
    """Could ``text`` be an abbreviated commit id (4 to 40 lower-case hex digits)?"""
    return _HEX.match(text) is not None


def is_git_url(url: str | None) -> bool:
    return url is not None and url.startswith("git+")


@immutable
class GitUrl:
    """One git reference: repository, what was asked for, and (once resolved) the commit.

    ``repository`` is the URL git fetches (credentials kept, no ``git+``, no ``@ref``).
    """

    repository: str
    ref_kind: RefKind | None = None
    reference: str | None = None
    subdirectory: str | None = None
    commit: str | None = None

    # -- parsing ------------------------------------------------------------------------------

    @classmethod
    def parse(cls, url: str) -> GitUrl:
        """``git+<repo>[@<ref>][#subdirectory=…&egg=…]``; raises ``ValueError`` otherwise."""
        if not url.startswith("git+"):
            raise GitUrlError(url)
        location, _, fragment = url[len("git+"):].partition("#")
        base, _, query = location.partition("?")
        parts = urlsplit(base)
        if not parts.scheme or (not parts.netloc and parts.scheme != "file"):
            raise GitUrlError(url)
        prefix, path = base[: len(base) - len(parts.path)], parts.path
        path, at, ref = path.rpartition("@") if "@" in path else (path, "", "")
        repository = prefix + path + (f"?{query}" if query else "")
        subdirectory = None
        for key, value in parse_qsl(fragment, keep_blank_values=True):
            if key == "subdirectory" and value:
                subdirectory = value
        reference = ref if at and ref else None
        commit = reference if is_commit(reference) else None
        return cls(repository, "rev" if reference else None, reference, subdirectory, commit)

    @classmethod
    def from_source(
        cls,
        git: str,
        *,
        branch: str | None = None,
        tag: str | None = None,
        rev: str | None = None,
        subdirectory: str | None = None,
    ) -> GitUrl:
        """A ``[tool.uv.sources]`` git entry."""
        for kind, value in (("branch", branch), ("tag", tag), ("rev", rev)):
            if value:
                commit = value if kind == "rev" and is_commit(value) else None
                return cls(git, kind, value, subdirectory or None, commit)  # type: ignore[arg-type]
        return cls(git, None, None, subdirectory or None)

    @classmethod
    def from_lock(cls, value: str) -> GitUrl:
        """``<repo>?subdirectory=…&tag=…#<commit>`` as ``uv.lock`` writes a git source."""
        location, _, commit = value.partition("#")
        repository, _, query = location.partition("?")
        kind: RefKind | None = None
        reference = subdirectory = None
        for key, item in parse_qsl(query, keep_blank_values=True):
            if key == "subdirectory":
                subdirectory = item or None
            elif key in REF_KINDS:
                kind, reference = key, item  # type: ignore[assignment]
        return cls(repository, kind, reference, subdirectory, commit or None)

    # -- spelling -----------------------------------------------------------------------------

    @property
    def safe_repository(self) -> str:
        """The repository without credentials: for locks, cache keys and PEP 610 records. An SSH
        user name (``ssh://git@host/…``) is an address, not a secret, and is kept."""
        parts = urlsplit(self.repository)
        if parts.scheme.endswith("ssh") and parts.password is None:
            return self.repository
        return strip_credentials(self.repository)

    def resolved(self, commit: str) -> GitUrl:
        return replace(self, commit=commit)

    def requirement_url(self) -> str:
        """``git+<repo>@<commit or ref>#subdirectory=…`` (the commit once resolved)."""
        pinned = self.commit or self.reference
        text = f"git+{self.repository}" + (f"@{pinned}" if pinned else "")
        return text + (f"#subdirectory={self.subdirectory}" if self.subdirectory else "")

    def lock_requirement(self) -> str:
        """``<repo>?subdirectory=…&<kind>=…``: the declared source in ``[package.metadata]``."""
        query: list[tuple[str, str]] = []
        if self.subdirectory:
            query.append(("subdirectory", self.subdirectory))
        if self.ref_kind is not None and self.reference:
            query.append((self.ref_kind, self.reference))
        return self.safe_repository + (f"?{urlencode(query)}" if query else "")

    def lock_source(self) -> str:
        """``<repo>?…#<commit>``: the ``source = { git = … }`` of a locked package."""
        if self.commit is None:
            raise ValueError(f"{self.lock_requirement()} is not resolved to a commit")
        return f"{self.lock_requirement()}#{self.commit}"

    def describe(self) -> str:
        """For messages: the credential-free repository and what was asked for."""
        wanted = f" ({self.ref_kind} `{self.reference}`)" if self.reference else ""
        return f"`{self.safe_repository}`{wanted}"

    def pep610(self, requested: str | None = None) -> dict[str, Any]:
        """The ``direct_url.json`` record of an install from this (resolved) reference.
        ``requested`` is what the user asked for when this URL holds only the commit it
        resolved to; uv writes it as asked (a branch, a tag, or the commit itself) and leaves
        it out when nothing was asked for."""
        vcs_info: dict[str, Any] = {"vcs": "git", "commit_id": self.commit}
        if requested:
            vcs_info["requested_revision"] = requested
        elif self.reference and self.reference != self.commit:
            vcs_info["requested_revision"] = self.reference
        record: dict[str, Any] = {"url": self.safe_repository, "vcs_info": vcs_info}
        if self.subdirectory:
            record["subdirectory"] = self.subdirectory
        return record


def comparable_url(url: str) -> str:
    """A direct URL as an installed distribution's ``direct_url.json`` can reproduce it: git
    references pinned to their commit, without credentials (PEP 610 records none)."""
    if not is_git_url(url):
        return url
    try:
        parsed = GitUrl.parse(url)
    except ValueError:
        return url
    return replace(parsed, repository=parsed.safe_repository).requirement_url()


def url_from_pep610(record: dict[str, Any]) -> str | None:
    """The requirement URL an installed git distribution was pinned to (``None`` if not git)."""
    info = record.get("vcs_info")
    url = record.get("url")
    if not isinstance(info, dict) or info.get("vcs") != "git" or not isinstance(url, str):
        return None
    commit = info.get("commit_id")
    subdirectory = record.get("subdirectory")
    return GitUrl(
        url,
        "rev",
        commit if isinstance(commit, str) else None,
        subdirectory if isinstance(subdirectory, str) else None,
        commit if isinstance(commit, str) else None,
    ).requirement_url()
