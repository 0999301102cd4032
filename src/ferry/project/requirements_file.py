"""``requirements.txt`` files, read the way pip and uv read them.

Supported: comments, blank lines, ``\\`` continuations, ``${VAR}`` expansion, ``-r``/``-c``
(relative to the including file), ``-e``, the index options (``-i``, ``--extra-index-url``,
``-f``, ``--no-index``, ``--pre``, ``--only-binary``, ``--no-binary``, ``--require-hashes``,
``--prefer-binary``, ``--trusted-host``), per-requirement ``--hash`` and ``--config-settings``,
PEP 508 lines, direct references (``name @ url``) and bare paths or URLs of wheels, sdists and
directories. Relative paths are resolved against the file that names them (as uv does), so a
requirements file means the same thing from any working directory.

Every error is a :class:`ParseError` carrying the path, line, column and source line, so the CLI
can draw a caret under the offending text.
"""

from __future__ import annotations

import logging
import os
import re
import shlex
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import NoReturn
from urllib.parse import unquote, urljoin, urlsplit

from packaging.markers import InvalidMarker, Marker
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName, canonicalize_name

from ferry.model.dist import SDIST_SUFFIXES, parse_filename
from ferry.model.errors import FilesystemError, ParseError
from ferry.model.url import redact

logger = logging.getLogger(__name__)

_COMMENT = re.compile(r"(^|\s+)#.*$")
_ENV_VAR = re.compile(r"\$\{(?P<name>[A-Z0-9_]+)\}")
_OPTION_START = re.compile(r"(?:^|(?<=\s))-")
_URL_SCHEMES = ("http://", "https://", "file:", "git+", "hg+", "svn+", "bzr+")
_STRONG = {"sha256": 64, "sha384": 96, "sha512": 128}
_WEAK = {"md5", "sha1", "sha224"}
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

ReadUrl = Callable[[str], str]


@dataclass(frozen=True, slots=True)
class SourceLocation:
    path: str
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
class RequirementsFile:
    path: str
    requirements: tuple[RequirementEntry, ...] = ()
    constraints: tuple[RequirementEntry, ...] = ()
    editables: tuple[RequirementEntry, ...] = ()
    options: IndexOptions = field(default_factory=IndexOptions)
    files: tuple[str, ...] = ()

    @property
    def hash_checking(self) -> bool:
        """pip's rule: ``--require-hashes``, or any ``--hash`` anywhere, turns checking on."""
        return self.options.require_hashes or any(r.hashes for r in self.requirements)


def parse_requirements_file(
    path: str | os.PathLike[str],
    *,
    constraint: bool = False,
    environ: Mapping[str, str] | None = None,
    read_url: ReadUrl | None = None,
    defer_missing_hashes: bool = False,
) -> RequirementsFile:
    """Read ``path`` (and everything it includes); ``constraint=True`` reads it as ``-c``.

    ``defer_missing_hashes``: see :func:`check_hash_mode`'s ``defer_missing``."""
    parser = _Parser(os.environ if environ is None else environ, read_url)
    parser.include(str(path), None, constraint, None)
    return parser.finish(str(path), defer_missing_hashes)


def parse_requirements_text(
    text: str,
    *,
    path: str = "<string>",
    base_dir: str | os.PathLike[str] | None = None,
    constraint: bool = False,
    environ: Mapping[str, str] | None = None,
    read_url: ReadUrl | None = None,
    defer_missing_hashes: bool = False,
) -> RequirementsFile:
    """Parse requirements given as text; relative paths resolve against ``base_dir`` (or cwd)."""
    parser = _Parser(os.environ if environ is None else environ, read_url)
    parser.parse(text, path, str(Path(base_dir or Path.cwd()).absolute()), constraint)
    return parser.finish(path, defer_missing_hashes)


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
            if entry.url.startswith("file:") and Path(_file_path(entry.url)).is_dir():
                problems.append((entry, f"`{label}` is a directory, which cannot be hash-checked"))
            elif not defer_missing:
                problems.append((entry, f"hashes are required, but `{label}` has none"))
    if problems:
        first, text = problems[0]
        raise ParseError(
            _scrub(f"In `--require-hashes` mode, {text}"),
            path=first.location.path, line=first.location.line, column=1,
            causes=[_scrub(f"{e.location}: {t}") for e, t in problems[1:]],
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


def _file_path(url: str) -> str:
    return unquote(urlsplit(url).path)


@dataclass
class _Logical:
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


class _Parser:
    def __init__(self, environ: Mapping[str, str], read_url: ReadUrl | None) -> None:
        self.environ = environ
        self.read_url = read_url
        self.requirements: list[RequirementEntry] = []
        self.constraints: list[RequirementEntry] = []
        self.editables: list[RequirementEntry] = []
        self.options = IndexOptions()
        self.files: list[str] = []
        self.stack: list[str] = []

    def finish(self, path: str, defer_missing_hashes: bool = False) -> RequirementsFile:
        result = RequirementsFile(path, tuple(self.requirements), tuple(self.constraints),
                                  tuple(self.editables), self.options, tuple(self.files))
        check_hash_mode(result, defer_missing=defer_missing_hashes)
        return result

    # --- files ----------------------------------------------------------------------------

    def include(self, target: str, base: str | None, constraint: bool,
                at: tuple[_Logical, str] | None) -> None:
        if base is not None and not target.startswith(("http://", "https://")) and not Path(
            target
        ).is_absolute():
            target = urljoin(base + "/", target) if base.startswith("http") else str(
                Path(base) / target)
        is_url = target.startswith(("http://", "https://"))
        key = target if is_url else str(Path(target).absolute())
        if key in self.stack:
            self._fail(f"`{target}` includes itself (through {' -> '.join(self.stack)})", at, 0)
        if is_url:
            if self.read_url is None:
                self._fail(f"Remote requirements files are not supported here: "
                           f"`{redact(target)}`", at, 0)
            assert self.read_url is not None
            text = self.read_url(target)
            directory = target.rsplit("/", 1)[0]
        else:
            try:
                text = Path(key).read_bytes().decode("utf-8-sig")
            except FileNotFoundError:
                self._fail(f"File not found: `{target}`", at, 0)
            except UnicodeDecodeError as exc:
                raise ParseError(f"`{target}` is not UTF-8 text: {exc}", path=target) from exc
            except OSError as exc:
                raise FilesystemError(f"Cannot read `{target}`: {exc.strerror}") from exc
            except ValueError:  # e.g. a NUL character in the path
                self._fail(f"Invalid file name: `{target!r}`", at, 0)
            directory = str(Path(key).parent)
        self.files.append(target)
        self.stack.append(key)
        self.parse(text, target, directory, constraint)
        self.stack.pop()

    def parse(self, text: str, path: str, directory: str, constraint: bool) -> None:
        for logical in _logical_lines(text, self.environ):
            self._line(logical, path, directory, constraint)

    # --- lines ----------------------------------------------------------------------------

    def _line(self, lg: _Logical, path: str, directory: str, constraint: bool) -> None:
        match = _OPTION_START.search(lg.text)
        cut = match.start() if match else len(lg.text)
        args, opts_text = lg.text[:cut].rstrip(), lg.text[cut:]
        ctx = (lg, path)
        try:
            tokens = shlex.split(opts_text)
        except ValueError as exc:
            self._fail(f"Cannot split options: {exc}", ctx, cut)
        options = self._options(tokens, ctx, cut, bool(args))
        location = SourceLocation(path, lg.segments[0][0])
        for kind, value in options:
            if kind in ("requirement", "constraint"):
                self.include(value, directory, constraint or kind == "constraint", ctx)
            elif kind == "editable":
                if constraint:
                    self._fail("Editable requirements are not allowed as constraints", ctx, 0)
                entry = self._bare(value, directory, ctx, cut, editable=True)
                self.editables.append(replace(entry, location=location))
            else:
                self._global(kind, value, directory)
        if not args:
            return
        entry = self._requirement(args, directory, ctx)
        hashes = tuple(self._hash(v, ctx, cut) for k, v in options if k == "hash")
        configs = []
        for k, v in options:
            if k == "config":
                key, sep, val = v.partition("=")
                if not sep:
                    self._fail(f"`--config-settings` expects KEY=VALUE, got `{v}`", ctx, cut)
                configs.append((key, val))
        entry = replace(entry, location=location, hashes=hashes, config_settings=tuple(configs))
        if constraint:
            if entry.requirement is None and entry.name is None:
                self._fail("Unnamed requirements are not allowed as constraints", ctx, 0)
            self.constraints.append(entry)
        else:
            self.requirements.append(entry)

    def _options(self, tokens: list[str], ctx: tuple[_Logical, str], col: int,
                 has_requirement: bool) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        i = 0
        while i < len(tokens):
            token = tokens[i]
            name, eq, inline = token.partition("=") if token.startswith("--") else (token, "", "")
            if not token.startswith("--") and len(token) > 2 and token[:2] in _GLOBAL_VALUE:
                name, eq, inline = token[:2], "=", token[2:]
            kind = _REQ_VALUE.get(name) or _GLOBAL_VALUE.get(name) or _GLOBAL_FLAGS.get(name)
            if kind is None:
                self._fail(f"Unknown option `{name}`", ctx, col)
            assert kind is not None
            if has_requirement and name not in _REQ_VALUE:
                self._fail(f"`{name}` cannot follow a requirement on the same line", ctx, col)
            if not has_requirement and name in _REQ_VALUE:
                self._fail(f"`{name}` must follow a requirement on the same line", ctx, col)
            if name in _GLOBAL_FLAGS:
                out.append((kind, ""))
            elif eq:
                out.append((kind, inline))
            elif i + 1 < len(tokens):
                i += 1
                out.append((kind, tokens[i]))
            else:
                self._fail(f"`{name}` needs a value", ctx, col)
            if kind == "ignored":
                logger.warning("ignoring `%s` in %s", name, ctx[1])
                out.pop()
            i += 1
        return out

    def _global(self, kind: str, value: str, directory: str) -> None:
        o = self.options
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
        self.options = o

    def _hash(self, value: str, ctx: tuple[_Logical, str], col: int) -> str:
        algorithm, sep, digest = value.partition(":")
        algorithm, digest = algorithm.lower(), digest.lower()
        if not sep or not digest:
            self._fail(f"`--hash` expects ALGORITHM:DIGEST, got `{value}`", ctx, col)
        if algorithm in _WEAK:
            self._fail(f"Hash algorithm `{algorithm}` is too weak for hash-checking; use sha256, "
                       "sha384 or sha512", ctx, col)
        if algorithm not in _STRONG:
            self._fail(f"Unsupported hash algorithm `{algorithm}` (expected one of: `sha256`, "
                       "`sha384`, `sha512`)", ctx, col)
        if len(digest) != _STRONG[algorithm] or not re.fullmatch(r"[0-9a-f]+", digest):
            self._fail(f"`{value}` is not a valid {algorithm} digest", ctx, col)
        return f"{algorithm}:{digest}"

    # --- requirements -----------------------------------------------------------------------

    def _requirement(
        self, args: str, directory: str, ctx: tuple[_Logical, str]
    ) -> RequirementEntry:
        head = args.split(";", 1)[0].strip()
        if head.startswith(_URL_SCHEMES) or _looks_like_path(head):
            return self._bare(args, directory, ctx, 0, editable=False)
        try:
            req = Requirement(args)
        except InvalidRequirement as exc:
            message, _, caret = str(exc).partition("\n")
            column = _caret_column(caret)
            self._fail(f"Invalid requirement `{args}`: {message}", ctx, column)
        if req.url is not None and "://" not in req.url and not req.url.startswith("file:"):
            req.url = Path(directory, req.url).absolute().as_uri()
        return RequirementEntry(SourceLocation("", 0), req, req.url, canonicalize_name(req.name),
                                frozenset(req.extras), req.marker, text=args.strip())

    def _bare(self, text: str, directory: str, ctx: tuple[_Logical, str], col: int,
              *, editable: bool) -> RequirementEntry:
        """A path or URL without a name: a wheel, an sdist, a directory or a VCS URL."""
        written = text.strip()
        marker = None
        if ";" in text:
            text, _, marker_text = text.partition(";")
            try:
                marker = Marker(marker_text.strip())
            except InvalidMarker as exc:
                self._fail(f"Invalid marker `{marker_text.strip()}`: {exc}", ctx, col)
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
        filename = _file_path(url.split("#", 1)[0]).rsplit("/", 1)[-1]
        parsed = parse_filename(filename)
        if name is None and parsed is not None:
            name = parsed.name
        return RequirementEntry(SourceLocation("", 0), None, url, name, extras, marker,
                                editable=editable, text=written)

    def _fail(self, message: str, ctx: tuple[_Logical, str] | None, column0: int) -> NoReturn:
        if ctx is None:
            raise ParseError(_scrub(message))
        logical, path = ctx
        line, column, source = logical.where(column0)
        source, column = _scrub_line(source, column)
        raise ParseError(_scrub(message), path=path, line=line, column=column, source_line=source)


_USERINFO = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?P<user>[^/@\s:]*)"
                       r"(?::(?P<password>[^/@\s]*))?@")


def _hide(match: re.Match[str]) -> str:
    if match.group("password") is not None:
        return f"{match.group('scheme')}{match.group('user')}:****@"
    return f"{match.group('scheme')}****@"


def _scrub(text: str) -> str:
    """Every URL password (or lone token) in ``text`` replaced by ``****``, as ``redact`` does."""
    return _USERINFO.sub(_hide, text)


def _scrub_line(line: str, column: int) -> tuple[str, int]:
    """``_scrub`` for a source line, moving the caret column by what was cut before it."""
    out, last, shift = [], 0, 0
    for match in _USERINFO.finditer(line):
        replacement = _hide(match)
        if match.end() < column:
            shift += len(replacement) - (match.end() - match.start())
        out += [line[last:match.start()], replacement]
        last = match.end()
    out.append(line[last:])
    return "".join(out), max(column + shift, 1)


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


def _logical_lines(text: str, environ: Mapping[str, str]) -> list[_Logical]:
    """Join continuations (pip's rules), strip comments, expand ``${VAR}``; skip empty lines."""
    out: list[_Logical] = []
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
            environ: Mapping[str, str]) -> _Logical:
    body = _COMMENT.sub("", joined)
    body = _ENV_VAR.sub(lambda m: environ.get(m.group("name"), m.group(0)), body)
    lead = len(body) - len(body.lstrip())
    return _Logical(body.strip(), lead, list(segments))
