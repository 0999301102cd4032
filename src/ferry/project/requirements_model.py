"""What a parsed ``requirements.txt`` is: its entries, its index options, the file as a whole.

These values are what the rest of ferry consumes (``pip install``, ``pip compile``, ``add -r``);
they live apart from the parser so that readers of a parsed file need not import the tokenizer,
and so that the model can be read without the parsing rules around it.
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from ferry.model.immutable import immutable
from ferry.model.names import NormalizedName
from ferry.model.pep508_markers import Marker
from ferry.model.pep508_requirements import Requirement
from ferry.model.value_fields import field


@immutable
class SourceLocation:
    path: str
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@immutable
class RequirementEntry:
    """One requirement line. ``requirement`` is set for PEP 508 lines (also ``name @ url``);
    ``url`` for direct references and bare paths/URLs (made absolute); ``name`` whenever known
    (from the requirement, an ``#egg=`` fragment or an archive's filename)."""

    location: SourceLocation
    requirement: Requirement | None = None
    url: str | None = None
    name: NormalizedName | None = None
    extras: frozenset[str] = frozenset()
    marker: Marker | None = None
    hashes: tuple[str, ...] = ()
    editable: bool = False
    config_settings: tuple[tuple[str, str], ...] = ()
    text: str = ""
    """The requirement, path or URL as written (variables expanded, options cut off): what
    ``ferry add -r`` records, in the user's spelling and specifier order."""

    def as_requirement(self) -> Requirement | None:
        """A PEP 508 requirement for this entry, or ``None`` while its name is unknown."""
        if self.requirement is not None:
            return self.requirement
        if self.name is None or self.url is None:
            return None
        extras = f"[{','.join(sorted(self.extras))}]" if self.extras else ""
        marker = f" ; {self.marker}" if self.marker else ""
        return Requirement(f"{self.name}{extras} @ {self.url}{marker}")

    def allowed_hashes(self) -> dict[str, frozenset[str]]:
        out: dict[str, set[str]] = {}
        for item in self.hashes:
            algorithm, _, digest = item.partition(":")
            out.setdefault(algorithm, set()).add(digest)
        return {k: frozenset(v) for k, v in out.items()}


@immutable
class IndexOptions:
    index_url: str | None = None
    extra_index_urls: tuple[str, ...] = ()
    find_links: tuple[str, ...] = ()
    no_index: bool = False
    pre: bool = False
    no_binary: frozenset[str] = frozenset()
    only_binary: frozenset[str] = frozenset()
    require_hashes: bool = False
    prefer_binary: bool = False
    trusted_hosts: tuple[str, ...] = ()

    def merged(self, other: IndexOptions) -> IndexOptions:
        """Options of several files together: the first index URL wins, the rest accumulate."""
        return IndexOptions(
            index_url=self.index_url or other.index_url,
            extra_index_urls=(*self.extra_index_urls, *other.extra_index_urls),
            find_links=(*self.find_links, *other.find_links),
            no_index=self.no_index or other.no_index,
            pre=self.pre or other.pre,
            no_binary=self.no_binary | other.no_binary,
            only_binary=self.only_binary | other.only_binary,
            require_hashes=self.require_hashes or other.require_hashes,
            prefer_binary=self.prefer_binary or other.prefer_binary,
            trusted_hosts=(*self.trusted_hosts, *other.trusted_hosts),
        )


@immutable
class RequirementsFile:
    path: str
    requirements: tuple[RequirementEntry, ...] = ()
    constraints: tuple[RequirementEntry, ...] = ()
    editables: tuple[RequirementEntry, ...] = ()
    options: IndexOptions = field(default_factory=IndexOptions)
    files: tuple[str, ...] = ()

    @property
    def hash_checking(self) -> bool:
        """uv's rule: only ``--require-hashes`` (in the file or on the command line) turns
        checking on. pip's (any ``--hash`` anywhere does) is not followed: a file where only
        some lines carry hashes installs, with those hashes verified
        (:func:`ferry.commands.hash_checking.enforce_hashes`), as with uv."""
        return self.options.require_hashes


def file_url_path(url: str) -> str:
    """The local path a ``file:`` URL names (percent-decoded)."""
    return unquote(urlsplit(url).path)
