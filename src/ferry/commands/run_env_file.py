"""``ferry run --env-file``: dotenv files read exactly as uv 0.13.8 reads them.

uv reads them with the ``dotenvy`` crate (0.15), whose dialect is not the shell's nor
python-dotenv's, and a file written for ``uv run`` must give the same environment under
``ferry run``. What was observed against uv, and is reproduced here:

- ``KEY=value``, ``export KEY=value``, blanks around ``=``; a key is ``[A-Za-z_][A-Za-z0-9_.]*``.
- ``# comment`` lines, and `` # comment`` after an unquoted value (``a#b`` keeps its ``#``).
- ``'single'`` quotes are literal; ``"double"`` quotes and bare values expand ``$VAR`` and
  ``${VAR}`` and take the escapes ``\\\\ \\' \\" \\$ \\<space> \\n`` (any other escape is an
  error). A bare ``$NAME`` stops at the first character that is not a letter or digit: the
  underscore too, so ``$MY_VAR`` is ``$MY`` followed by ``_VAR``, as in uv. A variable is looked
  up in ferry's own environment first, then among the values this same file set before it (not
  other files'), and is empty when neither has it.
- A quoted value may span lines. An unquoted value with a blank inside (``a b``) is an error.
- The first line that does not parse ends that file with a warning naming the position;
  the lines before it still count. A missing file is an error (exit 2), before anything is
  locked or synced.
- Later files win over earlier ones, the first value of a key wins within one file, and a
  variable already set in ferry's environment is never replaced. Only the command sees the
  values: they do not change what ferry itself does (``FERRY_*`` in a file configure nothing),
  and ``VIRTUAL_ENV``/``PATH`` are still the environment's.

Kept apart from :mod:`ferry.commands.run` so a ``run`` without env files never loads it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from ferry.model.errors import FilesystemError, UsageError
from ferry.model.log import get_logger

log = get_logger(__name__)

FILE_VARIABLE = "FERRY_ENV_FILE"
NO_FILE_VARIABLE = "FERRY_NO_ENV_FILE"
# set by ferry for the command whatever a file says (uv overrides these the same way)
_OWN = frozenset({"VIRTUAL_ENV", "PATH"})

# states of the reader that joins the lines of a quoted value (dotenvy's ``QuotedLines``)
_COMPLETE, _ESCAPE, _STRONG, _STRONG_ESCAPE, _WEAK, _WEAK_ESCAPE, _COMMENT, _BLANK = range(8)


class LineError(Exception):
    """A line dotenvy would refuse: the text it shows and the position in it."""

    def __init__(self, content: str, position: int) -> None:
        super().__init__(content, position)
        self.content = content
        self.position = position


def env_file_paths(given: Sequence[str], no_env_file: bool) -> list[Path]:
    """The files to read: ``--env-file`` values, else ``FERRY_ENV_FILE`` (space separated);
    none with ``--no-env-file`` or ``FERRY_NO_ENV_FILE``. Empty names are skipped, as uv
    skips them."""
    from ferry.model.settings import env_bool

    if no_env_file or (NO_FILE_VARIABLE in os.environ and env_bool(NO_FILE_VARIABLE)):
        return []
    names = list(given) if given else os.environ.get(FILE_VARIABLE, "").split()
    return [Path(name) for name in names if name]


def load_env_files(
    paths: Sequence[Path], environ: Mapping[str, str]
) -> tuple[dict[str, str], list[str]]:
    """The variables the files add to ``environ`` (later files win; ``environ`` is never
    overridden) and a warning for each file that stopped at a line it could not parse."""
    added: dict[str, str] = {}
    warnings: list[str] = []
    # uv reads the last file first and lets no file replace a value already set: later files
    # win, and within a file its first value of a key does.
    for path in reversed(paths):
        pairs, error = parse_dotenv(_read(path), environ)
        if error is not None:
            warnings.append(
                f"Failed to parse environment file `{path}` at position {error.position}: "
                f"{error.content}"
            )
        log.debug("read %d variable(s) from the environment file %s", len(pairs), path)
        for key, value in pairs:
            if key not in environ and key not in added:
                added[key] = value
    return added, warnings


def apply_env_file(env: dict[str, str], added: Mapping[str, str]) -> None:
    """Put the files' variables into the command's environment ``env``, except the ones
    ferry sets for the command itself."""
    for key, value in added.items():
        if key not in _OWN:
            env[key] = value


def _read(path: Path) -> str:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise UsageError(
            f"No environment file found at: `{path}`",
            hint="check the path given to `--env-file` (or `FERRY_ENV_FILE`), or pass "
            "`--no-env-file`",
        ) from None
    except OSError as error:
        reason = f"{error.strerror or error} (os error {error.errno})"
        raise FilesystemError(f"Failed to read environment file `{path}`: {reason}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise FilesystemError(
            f"Failed to read environment file `{path}`: stream did not contain valid UTF-8"
        ) from None


def parse_dotenv(
    text: str, environ: Mapping[str, str]
) -> tuple[list[tuple[str, str]], LineError | None]:
    """The ``(key, value)`` pairs of ``text`` up to its first bad line, and that line's error."""
    pairs: list[tuple[str, str]] = []
    seen: dict[str, str | None] = {}
    try:
        for line in _logical_lines(text):
            parsed = _parse_line(line, seen, environ)
            if parsed is not None:
                pairs.append(parsed)
    except LineError as error:
        return pairs, error
    return pairs, None


def _logical_lines(text: str) -> Iterator[str]:
    """The file's lines, a quoted value's lines joined, comment lines as ``""``; a quote or
    escape still open at the end of the file is a :class:`LineError`."""
    start = 0
    while start < len(text):
        buffer = ""
        state = _COMPLETE
        while True:
            if start >= len(text):  # the file ended inside this line
                raise LineError(buffer, len(buffer.encode()))
            end = text.find("\n", start)
            piece = text[start:] if end < 0 else text[start : end + 1]
            start += len(piece)
            offset = len(buffer)
            buffer += piece
            if buffer.lstrip().startswith("#"):
                buffer, state = "", _COMPLETE
                break
            state, position = _end_state(state, piece)
            if state == _COMMENT:
                buffer = buffer[: offset + position]
                break
            if state == _COMPLETE:
                buffer = buffer.removesuffix("\n").removesuffix("\r")
                break
        yield buffer


def _end_state(state: int, piece: str) -> tuple[int, int]:
    """The reader's state after ``piece``, and where a trailing comment starts in it."""
    for position, char in enumerate(piece):
        if state == _BLANK:
            if char == "#":
                return _COMMENT, position
            state = {"\\": _ESCAPE, '"': _WEAK, "'": _STRONG}.get(char, _COMPLETE)
        elif state == _COMPLETE:
            if char.isspace() and char not in "\n\r":
                state = _BLANK
            else:
                state = {"\\": _ESCAPE, '"': _WEAK, "'": _STRONG}.get(char, _COMPLETE)
        elif state == _ESCAPE:
            state = _COMPLETE
        elif state == _WEAK:
            state = {"\\": _WEAK_ESCAPE, '"': _COMPLETE}.get(char, _WEAK)
        elif state == _WEAK_ESCAPE:
            state = _WEAK
        elif state == _STRONG:
            state = {"\\": _STRONG_ESCAPE, "'": _COMPLETE}.get(char, _STRONG)
        else:  # _STRONG_ESCAPE
            state = _STRONG
    return state, len(piece)


class _Line:
    """One logical line being read: what is left of it and the byte position reached."""

    __slots__ = ("original", "position", "rest")

    def __init__(self, line: str) -> None:
        self.original = line
        self.rest = line.rstrip()
        self.position = 0

    def error(self) -> LineError:
        return LineError(self.original, self.position)

    def advance(self, count: int) -> str:
        taken, self.rest = self.rest[:count], self.rest[count:]
        self.position += len(taken.encode())
        return taken

    def skip_blanks(self) -> None:
        self.advance(len(self.rest) - len(self.rest.lstrip()))

    def key(self) -> str:
        if not self.rest or not (self.rest[0].isascii() and (self.rest[0].isalpha()
                                                            or self.rest[0] == "_")):
            raise self.error()
        length = 0
        while length < len(self.rest) and _key_char(self.rest[length]):
            length += 1
        return self.advance(length)

    def equals(self) -> bool:
        if not self.rest.startswith("="):
            return False
        self.advance(1)
        return True


def _key_char(char: str) -> bool:
    return char.isascii() and (char.isalnum() or char in "_.")


def _parse_line(
    line: str, seen: dict[str, str | None], environ: Mapping[str, str]
) -> tuple[str, str] | None:
    reader = _Line(line)
    reader.skip_blanks()
    if not reader.rest or reader.rest.startswith("#"):
        return None
    key = reader.key()
    reader.skip_blanks()
    if not reader.equals():
        if key != "export":
            raise reader.error()
        key = reader.key()  # `export` was a prefix (else it is a key itself: `export=1`)
        reader.skip_blanks()
        if not reader.equals():
            raise reader.error()
    reader.skip_blanks()
    if not reader.rest or reader.rest.startswith("#"):
        seen[key] = None
        return key, ""
    value = _parse_value(reader.rest, seen, environ)
    seen[key] = value
    return key, value


_ESCAPED = {"\\": "\\", "'": "'", '"': '"', "$": "$", " ": " ", "n": "\n"}


def _parse_value(text: str, seen: dict[str, str | None], environ: Mapping[str, str]) -> str:
    """A value: quotes, escapes and ``$`` substitutions, in dotenvy's order of precedence
    (a ``$NAME`` ends at any character that is not alphanumeric, the closing quote
    included, which is why ``"$A"`` is an error and ``"${A}"`` is not)."""
    reader = _Value(text, seen, environ)
    for index, char in enumerate(text):
        if reader.expecting_end:
            if char in " \t":
                continue
            if char == "#":
                break
            raise LineError(text, index)
        reader.feed(index, char)
    if reader.substitution == "{" or reader.strong or reader.weak:
        raise LineError(text, max(len(text.encode()) - 1, 0))
    reader.substitute()
    return "".join(reader.output)


class _Value:
    """The state of one value being read (dotenvy's ``parse_value``)."""

    __slots__ = ("environ", "escaped", "expecting_end", "name", "output", "seen", "strong",
                 "substitution", "text", "weak")

    def __init__(
        self, text: str, seen: dict[str, str | None], environ: Mapping[str, str]
    ) -> None:
        self.text, self.seen, self.environ = text, seen, environ
        self.strong = self.weak = self.escaped = self.expecting_end = False
        self.substitution: str | None = None  # None, "$" (a bare name) or "{" (in ${...})
        self.name = ""
        self.output: list[str] = []

    def substitute(self) -> None:
        """Append the variable named so far: ferry's environment, else this file's value."""
        found = self.environ.get(self.name) if self.name else None
        self.output.append(found if found is not None else (self.seen.get(self.name) or ""))
        self.name = ""

    def feed(self, index: int, char: str) -> None:
        if self.escaped:
            if char not in _ESCAPED:
                raise LineError(self.text, index)
            self.output.append(_ESCAPED[char])
            self.escaped = False
        elif self.strong:
            if char == "'":
                self.strong = False
            else:
                self.output.append(char)
        elif self.substitution is not None:
            self._in_substitution(char)
        elif char == "$":
            self.substitution = "$"
        elif self.weak:
            if char == '"':
                self.weak = False
            elif char == "\\":
                self.escaped = True
            else:
                self.output.append(char)
        else:
            self._bare(char)

    def _in_substitution(self, char: str) -> None:
        if char.isalnum():
            self.name += char
        elif self.substitution == "{":
            if char == "}":
                self.substitution = None
                self.substitute()
            else:
                self.name += char
        elif char == "{" and not self.name:
            self.substitution = "{"
        else:
            self.substitute()
            if char == "$":
                self.substitution = "$"
            else:
                self.substitution = None
                self.output.append(char)

    def _bare(self, char: str) -> None:
        if char == "'":
            self.strong = True
        elif char == '"':
            self.weak = True
        elif char == "\\":
            self.escaped = True
        elif char in " \t":
            self.expecting_end = True
        else:
            self.output.append(char)
