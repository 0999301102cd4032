"""The lexical layer of ``requirements.txt``: logical lines, option tokens, located errors.

pip's line rules (``\\`` continuations, comments, ``${VAR}`` expansion) and its option grammar
are independent of what a requirement means; keeping them here lets the parser
(:mod:`ferry.project.requirements_file`) and the entry builders deal only in meaning. Errors are
raised through :func:`fail`, which maps a column of the joined logical line back to the physical
line and column of the file, and scrubs URL passwords from both message and source line, so the
CLI can draw a caret without ever printing a credential.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import NoReturn

from ferry._regex_cache import compile_pattern
from ferry.model.errors import ParseError
from ferry.model.immutable import mutable
from ferry.model.lazy_regex import lazy_pattern
from ferry.model.log import get_logger
from ferry.model.names import canonicalize_name
from ferry.model.value_fields import replace
from ferry.project.requirements_model import IndexOptions

logger = get_logger(__name__)

_COMMENT = compile_pattern(r"(^|\s+)#.*$")
_ENV_VAR = compile_pattern(r"\$\{(?P<name>[A-Z0-9_]+)\}")
OPTION_START = compile_pattern(r"(?:^|(?<=\s))-")
_GLOBAL_VALUE = {"-i": "index_url", "--index-url": "index_url", "--extra-index-url": "extra",
                 "-f": "find_links", "--find-links": "find_links", "--no-binary": "no_binary",
                 "--only-binary": "only_binary", "--trusted-host": "trusted_host",
                 "--use-feature": "ignored", "-r": "requirement", "--requirement": "requirement",
                 "-c": "constraint", "--constraint": "constraint", "-e": "editable",
                 "--editable": "editable"}
_GLOBAL_FLAGS = {"--no-index": "no_index", "--pre": "pre", "--require-hashes": "require_hashes",
                 "--prefer-binary": "prefer_binary"}
_REQ_VALUE = {"--hash": "hash", "-C": "config", "--config-settings": "config",
              "--global-option": "ignored", "--install-option": "ignored"}


@mutable
class LogicalLine:
    """One logical line (continuations joined) and how to map its columns back to the file."""

    text: str
    lead: int
    segments: list[tuple[int, int, str]]  # (line number, offset in the joined line, raw line)

    def where(self, column0: int) -> tuple[int, int, str]:
        index = self.lead + max(column0, 0)
        line, start, raw = self.segments[0]
        for seg in self.segments:
            if seg[1] <= index:
                line, start, raw = seg
        return line, index - start + 1, raw


Context = tuple[LogicalLine, str]
"""A logical line and the path of the file it came from: where an error points."""


def logical_lines(text: str, environ: Mapping[str, str]) -> list[LogicalLine]:
    """Join continuations (pip's rules), strip comments, expand ``${VAR}``; skip empty lines."""
    out: list[LogicalLine] = []
    pending: list[tuple[int, int, str]] = []
    joined = ""
    for number, raw in enumerate(text.splitlines(), start=1):
        if raw.endswith("\\") and not _COMMENT.match(raw):
            pending.append((number, len(joined), raw))
            joined += raw.strip("\\")
            continue
        piece = " " + raw if _COMMENT.match(raw) and pending else raw
        pending.append((number, len(joined) + len(piece) - len(raw), raw))
        joined += piece
        out.append(_finish(joined, pending, environ))
        pending, joined = [], ""
    if pending:
        out.append(_finish(joined, pending, environ))
    return [lg for lg in out if lg.text]


def _finish(joined: str, segments: list[tuple[int, int, str]],
            environ: Mapping[str, str]) -> LogicalLine:
    body = _COMMENT.sub("", joined)
    body = _ENV_VAR.sub(lambda m: environ.get(m.group("name"), m.group(0)), body)
    lead = len(body) - len(body.lstrip())
    return LogicalLine(body.strip(), lead, list(segments))


def split_options(tokens: list[str], ctx: Context, col: int,
                  has_requirement: bool) -> list[tuple[str, str]]:
    """The option tokens of one line as ``(kind, value)`` pairs, in order.

    Per-requirement options (``--hash``, ``--config-settings``) must follow a requirement and
    file-wide ones must not; ignored options are dropped with a warning."""
    out: list[tuple[str, str]] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        name, eq, inline = token.partition("=") if token.startswith("--") else (token, "", "")
        if not token.startswith("--") and len(token) > 2 and token[:2] in _GLOBAL_VALUE:
            name, eq, inline = token[:2], "=", token[2:]
        kind = _REQ_VALUE.get(name) or _GLOBAL_VALUE.get(name) or _GLOBAL_FLAGS.get(name)
        if kind is None:
            fail(f"Unknown option `{name}`", ctx, col)
        assert kind is not None
        if has_requirement and name not in _REQ_VALUE:
            fail(f"`{name}` cannot follow a requirement on the same line", ctx, col)
        if not has_requirement and name in _REQ_VALUE:
            fail(f"`{name}` must follow a requirement on the same line", ctx, col)
        if name in _GLOBAL_FLAGS:
            out.append((kind, ""))
        elif eq:
            out.append((kind, inline))
        elif i + 1 < len(tokens):
            i += 1
            out.append((kind, tokens[i]))
        else:
            fail(f"`{name}` needs a value", ctx, col)
        if kind == "ignored":
            logger.warning("ignoring `%s` in %s", name, ctx[1])
            out.pop()
        i += 1
    return out


def apply_global_option(o: IndexOptions, kind: str, value: str, directory: str) -> IndexOptions:
    """``o`` with one file-wide option applied; ``-f`` paths resolve against ``directory``."""
    if kind == "index_url":
        o = replace(o, index_url=value)
    elif kind == "extra":
        o = replace(o, extra_index_urls=(*o.extra_index_urls, value))
    elif kind == "find_links":
        if "://" not in value and not value.startswith("file:"):
            value = str((Path(directory) / value).absolute())
        o = replace(o, find_links=(*o.find_links, value))
    elif kind == "trusted_host":
        o = replace(o, trusted_hosts=(*o.trusted_hosts, value))
    elif kind == "no_binary":
        nb, ob = _format_control(value, set(o.no_binary), set(o.only_binary))
        o = replace(o, no_binary=frozenset(nb), only_binary=frozenset(ob))
    elif kind == "only_binary":
        ob, nb = _format_control(value, set(o.only_binary), set(o.no_binary))
        o = replace(o, no_binary=frozenset(nb), only_binary=frozenset(ob))
    elif kind == "no_index":
        o = replace(o, no_index=True)
    elif kind == "pre":
        o = replace(o, pre=True)
    elif kind == "require_hashes":
        o = replace(o, require_hashes=True)
    elif kind == "prefer_binary":
        o = replace(o, prefer_binary=True)
    return o


def _format_control(value: str, mine: set[str], other: set[str]) -> tuple[set[str], set[str]]:
    """pip's ``--no-binary``/``--only-binary`` arithmetic, including ``:all:`` and ``:none:``."""
    for item in value.split(","):
        item = item.strip()
        if item == ":all:":
            mine, other = {":all:"}, set()
        elif item == ":none:":
            mine = set()
        elif item:
            name = canonicalize_name(item)
            other.discard(name)
            mine.add(name)
    return mine, other


def fail(message: str, ctx: Context | None, column0: int) -> NoReturn:
    """Raise a :class:`ParseError` pointing at ``column0`` of ``ctx``'s logical line."""
    if ctx is None:
        raise ParseError(scrub(message))
    logical, path = ctx
    line, column, source = logical.where(column0)
    source, column = _scrub_line(source, column)
    raise ParseError(scrub(message), path=path, line=line, column=column, source_line=source)


# Compiled when an error message is written (~0.13 ms that a readable file never needs).
_USERINFO = lazy_pattern(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?P<user>[^/@\s:]*)"
                         r"(?::(?P<password>[^/@\s]*))?@")


def _hide(match: re.Match[str]) -> str:
    if match.group("password") is not None:
        return f"{match.group('scheme')}{match.group('user')}:****@"
    return f"{match.group('scheme')}****@"


def scrub(text: str) -> str:
    """Every URL password (or lone token) in ``text`` replaced by ``****``, as ``redact`` does."""
    return _USERINFO().sub(_hide, text)


def _scrub_line(line: str, column: int) -> tuple[str, int]:
    """``scrub`` for a source line, moving the caret column by what was cut before it."""
    out, last, shift = [], 0, 0
    for match in _USERINFO().finditer(line):
        replacement = _hide(match)
        if match.end() < column:
            shift += len(replacement) - (match.end() - match.start())
        out += [line[last:match.start()], replacement]
        last = match.end()
    out.append(line[last:])
    return "".join(out), max(column + shift, 1)
