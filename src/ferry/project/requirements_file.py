"""``requirements.txt`` files, read the way pip and uv read them.

Supported: comments, blank lines, ``\\`` continuations, ``${VAR}`` expansion, ``-r``/``-c``
(relative to the including file), ``-e``, the index options (``-i``, ``--extra-index-url``,
``-f``, ``--no-index``, ``--pre``, ``--only-binary``, ``--no-binary``, ``--require-hashes``,
``--prefer-binary``, ``--trusted-host``), per-requirement ``--hash`` and ``--config-settings``,
PEP 508 lines, direct references (``name @ url``) and bare paths or URLs of wheels, sdists and
directories. Relative paths are resolved against the file that names them (as uv does), so a
requirements file means the same thing from any working directory.

This module is the parser's spine: the entry points, the walk through included files (``-r``,
``-c``, cycles, remote files) and the sorting of each line into requirements, constraints,
editables and file-wide options. The pieces it drives live beside it: the lexical rules in
:mod:`~ferry.project.requirements_lines`, a line's meaning in
:mod:`~ferry.project.requirements_entries`, hash checking in
:mod:`~ferry.project.requirements_hashes` and the result's types in
:mod:`~ferry.project.requirements_model`.

Every error is a :class:`ParseError` carrying the path, line, column and source line, so the CLI
can draw a caret under the offending text.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Callable, Mapping
from pathlib import Path
from urllib.parse import urljoin

from ferry.model.errors import FilesystemError, ParseError, UsageError
from ferry.model.url import redact
from ferry.model.value_fields import replace
from ferry.project.requirements_entries import bare_entry, requirement_entry
from ferry.project.requirements_hashes import check_hash_mode, parse_hash
from ferry.project.requirements_lines import (
    OPTION_START,
    Context,
    LogicalLine,
    apply_global_option,
    fail,
    logical_lines,
    split_options,
)
from ferry.project.requirements_model import (
    IndexOptions,
    RequirementEntry,
    RequirementsFile,
    SourceLocation,
)

ReadUrl = Callable[[str], str]


class UnreadableInclude(FilesystemError):
    """A ``-r``/``-c`` file that is not there, in uv 0.13.8's words (exit code 2)::

        Error parsing included file in `outer.txt` at position 0
          cause: failed to read from file `/abs/missing.txt`: No such file or directory (os error 2)

    with a ``cause:`` line for each file in between when the includes nest."""

    def __init__(self, headline: str, chain: list[str]) -> None:
        super().__init__(headline + "".join(f"\n  cause: {line}" for line in chain))
        self.headline = headline
        self.chain = chain


def _joined(including: str, target: str) -> str:
    """``target`` as uv names it: joined to the including file's directory as that file was
    named (the working directory when it was named without one)."""
    if target.startswith(("http://", "https://")):
        return target
    head, sep, _ = including.rpartition(os.sep)
    return str(Path(head or sep if sep else Path.cwd(), target))


def _user_display(path: str) -> str:
    """A path as uv shows a file it read: without the working directory in front."""
    prefix = str(Path.cwd() / "_")[:-1]
    return path[len(prefix):] if path.startswith(prefix) else path


def parse_requirements_file(
    path: str | os.PathLike[str],
    *,
    constraint: bool = False,
    environ: Mapping[str, str] | None = None,
    read_url: ReadUrl | None = None,
    defer_missing_hashes: bool = False,
    check_hashes: bool = True,
) -> RequirementsFile:
    """Read ``path`` (and everything it includes); ``constraint=True`` reads it as ``-c``.

    ``defer_missing_hashes``: see :func:`check_hash_mode`'s ``defer_missing``.
    ``check_hashes=False``: no hash-checking mode at all, whatever the file says (``ferry add
    -r`` ignores hashes, as ``uv add`` does: they are not written anywhere)."""
    parser = _Parser(os.environ if environ is None else environ, read_url)
    parser.include(str(path), None, constraint, None)
    return parser.finish(str(path), defer_missing_hashes, check_hashes)


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
    directory = str(Path(base_dir or Path.cwd()).absolute())
    parser.sources.append((_user_display(str(Path(directory, path))), text))
    parser.parse(text, path, directory, constraint)
    return parser.finish(path, defer_missing_hashes)


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
        self.sources: list[tuple[str, str]] = []
        """(path as uv names it, text) of each file being read, the innermost last."""

    def finish(
        self, path: str, defer_missing_hashes: bool = False, check_hashes: bool = True
    ) -> RequirementsFile:
        result = RequirementsFile(path, tuple(self.requirements), tuple(self.constraints),
                                  tuple(self.editables), self.options, tuple(self.files))
        if check_hashes:
            check_hash_mode(result, defer_missing=defer_missing_hashes)
        return result

    # --- files ----------------------------------------------------------------------------

    def include(self, target: str, base: str | None, constraint: bool,
                at: Context | None) -> None:
        named = _joined(self.sources[-1][0], target) if self.sources else _user_display(target)
        if base is not None and not target.startswith(("http://", "https://")) and not Path(
            target
        ).is_absolute():
            target = urljoin(base + "/", target) if base.startswith("http") else str(
                Path(base) / target)
        is_url = target.startswith(("http://", "https://"))
        key = target if is_url else str(Path(target).absolute())
        if key in self.stack:
            fail(f"`{target}` includes itself (through {' -> '.join(self.stack)})", at, 0)
        if is_url:
            if self.read_url is None:
                fail(f"Remote requirements files are not supported here: "
                     f"`{redact(target)}`", at, 0)
            assert self.read_url is not None
            text = self.read_url(target)
            directory = target.rsplit("/", 1)[0]
        else:
            try:
                text = Path(key).read_bytes().decode("utf-8-sig")
            except FileNotFoundError as exc:
                if at is not None:
                    raise UnreadableInclude(self._where(at), [
                        f"failed to read from file `{named}`: {exc.strerror} (os error "
                        f"{exc.errno})"]) from None
                raise UsageError(f"File not found: {named}") from None  # uv's, exit code 2
            except UnicodeDecodeError as exc:
                raise ParseError(f"`{target}` is not UTF-8 text: {exc}", path=target) from exc
            except OSError as exc:
                raise FilesystemError(f"Cannot read `{target}`: {exc.strerror}") from exc
            except ValueError:  # e.g. a NUL character in the path
                fail(f"Invalid file name: `{target!r}`", at, 0)
            directory = str(Path(key).parent)
        self.files.append(target)
        self.stack.append(key)
        self.sources.append((named, text))
        try:
            self.parse(text, target, directory, constraint)
        except UnreadableInclude as inner:
            self.sources.pop()
            if at is None:
                raise
            raise UnreadableInclude(self._where(at), [inner.headline, *inner.chain]) from None
        self.sources.pop()
        self.stack.pop()

    def _where(self, at: Context) -> str:
        """uv's ``Error parsing included file in `F` at position N``: ``F`` the file being read,
        ``N`` the byte offset of the ``-r``/``-c`` line in it."""
        named, text = self.sources[-1]
        logical = at[0]
        before = "".join(text.splitlines(keepends=True)[: logical.segments[0][0] - 1])
        position = len(before.encode()) + logical.lead
        return f"Error parsing included file in `{_user_display(named)}` at position {position}"

    def parse(self, text: str, path: str, directory: str, constraint: bool) -> None:
        for logical in logical_lines(text, self.environ):
            self._line(logical, path, directory, constraint)

    # --- lines ----------------------------------------------------------------------------

    def _line(self, lg: LogicalLine, path: str, directory: str, constraint: bool) -> None:
        match = OPTION_START.search(lg.text)
        cut = match.start() if match else len(lg.text)
        args, opts_text = lg.text[:cut].rstrip(), lg.text[cut:]
        ctx = (lg, path)
        try:
            tokens = shlex.split(opts_text)
        except ValueError as exc:
            fail(f"Cannot split options: {exc}", ctx, cut)
        options = split_options(tokens, ctx, cut, bool(args))
        location = SourceLocation(path, lg.segments[0][0])
        for kind, value in options:
            if kind in ("requirement", "constraint"):
                self.include(value, directory, constraint or kind == "constraint", ctx)
            elif kind == "editable":
                if constraint:
                    fail("Editable requirements are not allowed as constraints", ctx, 0)
                entry = bare_entry(value, directory, ctx, cut, editable=True)
                self.editables.append(replace(entry, location=location))
            else:
                self.options = apply_global_option(self.options, kind, value, directory)
        if not args:
            return
        entry = requirement_entry(args, directory, ctx)
        hashes = tuple(parse_hash(v, ctx, cut) for k, v in options if k == "hash")
        configs = []
        for k, v in options:
            if k == "config":
                key, sep, val = v.partition("=")
                if not sep:
                    fail(f"`--config-settings` expects KEY=VALUE, got `{v}`", ctx, cut)
                configs.append((key, val))
        entry = replace(entry, location=location, hashes=hashes, config_settings=tuple(configs))
        if constraint:
            if entry.requirement is None and entry.name is None:
                fail("Unnamed requirements are not allowed as constraints", ctx, 0)
            self.constraints.append(entry)
        else:
            self.requirements.append(entry)
