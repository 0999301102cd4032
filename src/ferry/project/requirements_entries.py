"""One requirement line's text made into a :class:`RequirementEntry`.

A line is either PEP 508 (``name[extras] specifier ; marker``, also ``name @ url``) or a bare
path or URL of a wheel, sdist, directory or VCS checkout, whose name comes from an ``#egg=``
fragment or the archive's filename. Telling the two apart follows pip's heuristics; relative
paths become absolute ``file:`` URLs against the naming file's directory (as uv does), so an
entry means the same thing from any working directory.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from ferry.model.dist import SDIST_SUFFIXES, parse_filename
from ferry.model.names import NormalizedName, canonicalize_name
from ferry.model.pep508_markers import InvalidMarker, Marker
from ferry.model.pep508_requirements import InvalidRequirement
from ferry.model.requirement_text import requirement_from_text
from ferry.project.requirements_lines import Context, fail
from ferry.project.requirements_model import RequirementEntry, SourceLocation, file_url_path

_URL_SCHEMES = ("http://", "https://", "file:", "git+", "hg+", "svn+", "bzr+")


def requirement_entry(args: str, directory: str, ctx: Context) -> RequirementEntry:
    """The entry for a requirement line's text (options already cut off); location unset."""
    head = args.split(";", 1)[0].strip()
    if head.startswith(_URL_SCHEMES) or _looks_like_path(head):
        return bare_entry(args, directory, ctx, 0, editable=False)
    try:
        req = requirement_from_text(args)
    except InvalidRequirement as exc:
        message, _, caret = str(exc).partition("\n")
        column = _caret_column(caret)
        fail(f"Invalid requirement `{args}`: {message}", ctx, column)
    if req.url is not None and "://" not in req.url and not req.url.startswith("file:"):
        req.url = Path(directory, req.url).absolute().as_uri()
    return RequirementEntry(SourceLocation("", 0), req, req.url, canonicalize_name(req.name),
                            frozenset(req.extras), req.marker, text=args.strip())


def bare_entry(text: str, directory: str, ctx: Context, col: int,
               *, editable: bool) -> RequirementEntry:
    """A path or URL without a name: a wheel, an sdist, a directory or a VCS URL."""
    written = text.strip()
    marker = None
    if ";" in text:
        text, _, marker_text = text.partition(";")
        try:
            marker = Marker(marker_text.strip())
        except InvalidMarker as exc:
            fail(f"Invalid marker `{marker_text.strip()}`: {exc}", ctx, col)
    text = text.strip()
    extras: frozenset[str] = frozenset()
    name: NormalizedName | None = None
    if text.startswith(_URL_SCHEMES):
        url = text
        egg = re.search(r"[#&]egg=([^&\[]+)(\[[^\]]*\])?", url)
        if egg:
            name = canonicalize_name(egg.group(1))
            extras = _extras(egg.group(2))
    else:
        ext = re.search(r"(\[[^\]]*\])$", text)
        if ext:
            text, extras = text[: ext.start()], _extras(ext.group(1))
        url = Path(directory, text).absolute().as_uri()
    filename = file_url_path(url.split("#", 1)[0]).rsplit("/", 1)[-1]
    parsed = parse_filename(filename)
    if name is None and parsed is not None:
        name = parsed.name
    return RequirementEntry(SourceLocation("", 0), None, url, name, extras, marker,
                            editable=editable, text=written)


def _extras(text: str | None) -> frozenset[str]:
    if not text:
        return frozenset()
    return frozenset(canonicalize_name(e.strip()) for e in text.strip("[]").split(",") if e.strip())


def _looks_like_path(text: str) -> bool:
    """pip's heuristics: a path separator, a leading dot, or an archive's name."""
    if "/" in text or os.sep in text or text.startswith("."):
        return "@" not in text.split("/", 1)[0]
    return text.endswith((".whl", *SDIST_SUFFIXES))


def _caret_column(caret_block: str) -> int:
    """Column (0-based) of packaging's ``^`` under the requirement (``~`` spans lead to it)."""
    lines = caret_block.splitlines()
    if len(lines) >= 2:
        marker = lines[-1]
        index = marker.find("^")
        if index < 0:
            index = max(marker.find("~"), 0)
        return max(index - 4, 0)  # packaging indents its excerpt by four spaces
    return 0
