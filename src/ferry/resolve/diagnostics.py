"""The warnings a finished resolution leaves for the user, in uv's words (its "resolution
diagnostics"): an extra the chosen version does not have, a yanked version that was chosen,
and — under ``--resolution lowest`` — requirements with no lower bound.

They are not logged while resolving: uv prints them after its ``Resolved N packages`` line
(``pip install``/``pip sync``: after the changes), and only for what the resolution finally
chose — a version tried and left while backtracking says nothing. So resolutions return them
(``Resolution.warnings``, ``UniversalGraph.warnings``) and the CLI prints them where uv does.
One definition of each text, for every resolver and command.
"""

from __future__ import annotations

from collections.abc import Iterable

from ferry.model.dist import FileRef
from ferry.model.pep440_specifiers import SpecifierSet
from ferry.model.pep440_version import Version


def missing_extra_warning(name: str, version: Version | str, extra: str) -> str:
    """uv's words for ``name[extra]`` resolved to a version that declares no such extra."""
    return f"The package `{name}=={version}` does not have an extra named `{extra}`"


def yanked_warning(name: str, version: Version | str, reason: str | bool) -> str:
    """uv's words for a chosen version whose file is yanked: ``reason`` is ``FileRef.yanked``
    (``True``: no reason given; an empty reason is shown empty, as uv shows it)."""
    return f"`{name}=={version}` is yanked{yank_detail(reason, quoted=True)}"


def yank_detail(reason: str | bool | None, *, quoted: bool = False) -> str:
    """`` (reason: …)`` after "yanked" for a reason the index gave, even an empty one (uv
    0.13.8: ``(reason: "")`` in a warning, ``(reason: )`` in a resolution error); nothing
    when it gave none (``True``)."""
    if not isinstance(reason, str):
        return ""
    return f' (reason: "{reason}")' if quoted else f" (reason: {reason})"


def yanked_warnings(chosen: Iterable[tuple[str, Version, FileRef | None]]) -> list[str]:
    """One warning per chosen ``(name, version, file)`` whose file is yanked, in that order."""
    return [yanked_warning(name, version, file.yanked) for name, version, file in chosen
            if file is not None and file.yanked is not None]


def unique(warnings: Iterable[str]) -> list[str]:
    """``warnings`` without repeats, first occurrence kept (forks and both resolutions of an
    extra and its base can report the same thing)."""
    return list(dict.fromkeys(warnings))


def unpinned_direct_warning(name: str) -> str:
    """uv's words, under ``--resolution lowest``/``lowest-direct``, for a requirement of the
    project with no lower bound (printed while resolving, before ``Resolved``)."""
    return (f"The direct dependency `{name}` is unpinned. Consider setting a lower bound when "
            "using `--resolution lowest` or `--resolution lowest-direct` to avoid using "
            "outdated versions.")


def unpinned_transitive_warning(name: str) -> str:
    """uv's words, under ``--resolution lowest``, for a package of the resolution that nothing
    requiring it bounds from below (after ``Resolved``, with the other diagnostics)."""
    return (f"The transitive dependency `{name}` is unpinned. Consider setting a lower bound "
            "with a constraint when using `--resolution lowest` to avoid using outdated "
            "versions.")


_LOWER = frozenset({"==", "===", "~=", ">", ">="})


def has_lower_bound(specifier: SpecifierSet) -> bool:
    """Whether ``specifier`` bounds versions from below (uv: ``==``, ``===``, ``~=``, ``>``,
    ``>=``; ``!=``, ``<`` and ``<=`` do not)."""
    return any(s.operator in _LOWER for s in specifier)
