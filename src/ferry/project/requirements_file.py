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

from ferry.model.errors import FilesystemError, ParseError
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
    parser.parse(text, path, str(Path(base_dir or Path.cwd()).absolute()), constraint)
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
            except FileNotFoundError:
                fail(f"File not found: `{target}`", at, 0)
            except UnicodeDecodeError as exc:
                raise ParseError(f"`{target}` is not UTF-8 text: {exc}", path=target) from exc
            except OSError as exc:
                raise FilesystemError(f"Cannot read `{target}`: {exc.strerror}") from exc
            except ValueError:  # e.g. a NUL character in the path
                fail(f"Invalid file name: `{target!r}`", at, 0)
            directory = str(Path(key).parent)
        self.files.append(target)
        self.stack.append(key)
        self.parse(text, target, directory, constraint)
        self.stack.pop()

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
