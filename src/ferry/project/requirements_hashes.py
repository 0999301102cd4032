"""Hashes in ``requirements.txt``: the ``--hash`` option's syntax and pip's hash-checking mode.

Hash checking is a policy over a whole parsed file (``--require-hashes``, or any ``--hash``
anywhere, turns it on for every requirement), and callers re-apply it when the flag comes from
the command line; it is kept apart from the line parser so that both uses share one rule.
"""

from __future__ import annotations

import re
from pathlib import Path

from ferry.model.errors import ParseError
from ferry.model.pep440_specifiers import SpecifierSet
from ferry.model.url import redact
from ferry.project.requirements_lines import Context, fail, scrub
from ferry.project.requirements_model import RequirementEntry, RequirementsFile, file_url_path

_STRONG = {"sha256": 64, "sha384": 96, "sha512": 128}
_WEAK = {"md5", "sha1", "sha224"}


def parse_hash(value: str, ctx: Context, col: int) -> str:
    """One ``--hash`` value, checked and normalised to lower-case ``algorithm:digest``."""
    algorithm, sep, digest = value.partition(":")
    algorithm, digest = algorithm.lower(), digest.lower()
    if not sep or not digest:
        fail(f"`--hash` expects ALGORITHM:DIGEST, got `{value}`", ctx, col)
    if algorithm in _WEAK:
        fail(f"Hash algorithm `{algorithm}` is too weak for hash-checking; use sha256, "
             "sha384 or sha512", ctx, col)
    if algorithm not in _STRONG:
        fail(f"Unsupported hash algorithm `{algorithm}` (expected one of: `sha256`, "
             "`sha384`, `sha512`)", ctx, col)
    if len(digest) != _STRONG[algorithm] or not re.fullmatch(r"[0-9a-f]+", digest):
        fail(f"`{value}` is not a valid {algorithm} digest", ctx, col)
    return f"{algorithm}:{digest}"


def check_hash_mode(
    file: RequirementsFile, *, require_hashes: bool = False, defer_missing: bool = False
) -> None:
    """In hash-checking mode every requirement must be pinned with ``==`` and carry hashes.

    Runs on every parse with the file's own flag; call it again when ``--require-hashes`` comes
    from the command line. ``defer_missing`` leaves requirements without hashes to the caller,
    which can then name the hash the index offers (pip's ``HashMissing``). Errors mirror pip's
    ``HashUnpinned``/``HashMissing`` and uv's ``require_hashes_invalid_operator``.
    """
    if not (require_hashes or file.hash_checking):
        return
    hashed = {c.name for c in file.constraints if c.hashes}
    problems: list[tuple[RequirementEntry, str]] = []
    for entry in (*file.editables, *file.requirements):
        label = _label(entry)
        if entry.editable:
            problems.append((entry, f"`{label}` is editable, and editables cannot be hash-checked"))
        elif entry.requirement is not None and entry.requirement.url is None:
            if not _pinned(entry.requirement.specifier):
                problems.append((entry, "all requirements must have their versions pinned with "
                                        f"`==`, but found: `{label}`"))
            elif not entry.hashes and entry.name not in hashed and not defer_missing:
                problems.append((entry, f"hashes are required, but `{label}` has none"))
        elif entry.url is not None and not entry.hashes and entry.name not in hashed:
            if entry.url.startswith("file:") and Path(file_url_path(entry.url)).is_dir():
                problems.append((entry, f"`{label}` is a directory, which cannot be hash-checked"))
            elif not defer_missing:
                problems.append((entry, f"hashes are required, but `{label}` has none"))
    if problems:
        first, text = problems[0]
        raise ParseError(
            scrub(f"In `--require-hashes` mode, {text}"),
            path=first.location.path, line=first.location.line, column=1,
            causes=[scrub(f"{e.location}: {t}") for e, t in problems[1:]],
            hint="pin each requirement with `==` and add `--hash=sha256:…` for every file "
                 "(`ferry pip compile --generate-hashes` writes them)",
        )


def _pinned(spec: SpecifierSet) -> bool:
    clauses = list(spec)
    return len(clauses) == 1 and clauses[0].operator in ("==", "===") and not clauses[
        0].version.endswith(".*")


def _label(entry: RequirementEntry) -> str:
    if entry.requirement is not None:
        return str(entry.requirement)
    return redact(entry.url or "")
