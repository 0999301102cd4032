"""The PEP 723 ``# /// script`` block of a Python file, read and rewritten in place.

``ferry add --script``, ``ferry remove --script`` and ``ferry init --script`` edit a script the
way uv does, so a script edited by either tool gets the same diff: the block's TOML is edited
with :class:`~ferry.project.edit.PyprojectEditor` (comments, key order and quoting survive; the
edited array takes uv's one-entry-per-line layout) and written back as ``# `` comment lines
(``#`` alone for an empty line). Everything outside the block is kept byte for byte.

A file without a block gets one with ``requires-python`` and ``dependencies``, placed as uv
places it (measured with uv 0.13.8): after a ``#!`` line if there is one; ``add`` puts the code
right after ``# ///`` (with one blank line when the code starts with a comment), ``init`` always
leaves a blank line and, under a ``#!`` line, separates the two with a lone ``#``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from ferry._regex_cache import compile_pattern
from ferry.model.errors import ParseError, UserError
from ferry.model.immutable import immutable
from ferry.project.edit import PyprojectEditor

SCRIPT_BLOCK = compile_pattern(
    r"(?m)^# /// (?P<type>[a-zA-Z0-9-]+)$\s(?P<content>(^#(| .*)$\s)+)^# ///$"
)
"""PEP 723's reference regular expression."""

Placement = Literal["add", "init"]


def new_block(requires_python: str | None) -> str:
    """The TOML of a fresh block: ``requires-python`` (when known) and no dependencies."""
    lines = [f'requires-python = "{requires_python}"'] if requires_python else []
    return "\n".join([*lines, "dependencies = []", ""])


def render_block(toml_text: str) -> str:
    """``toml_text`` as a ``script`` block (without a final newline)."""
    lines = toml_text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    body = "".join(f"# {line}\n" if line else "#\n" for line in lines)
    return f"# /// script\n{body}# ///"


def block_toml(content: str) -> str:
    """The TOML inside a block: each line without its ``# `` (or lone ``#``)."""
    return "".join(
        line[2:] if line.startswith("# ") else line[1:]
        for line in content.splitlines(keepends=True)
    )


def insert_block(text: str, block: str, placement: Placement) -> str:
    """``text`` with ``block`` (rendered, no final newline) added where uv adds it."""
    shebang, rest = "", text
    if text.startswith("#!"):
        first, newline, rest = text.partition("\n")
        shebang = first + "\n"
        if not newline:
            rest = ""
    if placement == "init":
        return (f"{shebang}#\n" if shebang else "") + f"{block}\n\n{rest}"
    return shebang + block + "\n" + ("\n" if rest.startswith("#") else "") + rest


@immutable
class _Found:
    start: int
    end: int
    toml: str


def find_block(text: str, path: Path) -> _Found | None:
    """The ``script`` block of ``text``; more than one is an error (PEP 723)."""
    blocks = [m for m in SCRIPT_BLOCK.finditer(text) if m.group("type") == "script"]
    if not blocks:
        return None
    if len(blocks) > 1:
        raise UserError(f"`{path}` has more than one `# /// script` block (PEP 723)")
    match = blocks[0]
    return _Found(match.start(), match.end(), block_toml(match.group("content")))


class ScriptEditor:
    """A script opened for editing; :attr:`toml` edits its block, :meth:`dumps` gives the file.

    ``requires_python`` is written into a block this editor creates (the caller decides it,
    from the interpreter, as uv does); it is not used when the script already has a block.
    """

    def __init__(self, text: str, path: Path, requires_python: str | None = None) -> None:
        self.path = path
        self.original = text
        found = find_block(text, path)
        self.created = found is None
        self._found = found
        content = new_block(requires_python) if found is None else found.toml
        try:
            self.toml = PyprojectEditor(content, path)
        except ParseError as error:
            raise UserError(
                f"The `# /// script` block of `{path}` is not valid TOML",
                causes=[error.message],
            ) from error

    @classmethod
    def read(cls, path: Path, requires_python: str | None = None) -> ScriptEditor:
        return cls(read_script(path), path, requires_python)

    def dumps(self, placement: Placement = "add") -> str:
        block = render_block(self.toml.dumps())
        if self._found is None:
            return insert_block(self.original, block, placement)
        return self.original[: self._found.start] + block + self.original[self._found.end :]

    def metadata(self) -> dict[str, object]:
        """The block's current content as plain values."""
        value: dict[str, object] = self.toml.doc.unwrap()
        return value


def read_script(path: Path) -> str:
    """The text of a script, with an error that says how to create one when it is missing."""
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            return handle.read()
    except FileNotFoundError:
        raise UserError(
            f"Failed to read `{path}` (not found)",
            hint=f"run `ferry init --script {path}` to create a PEP 723 script",
        ) from None
    except UnicodeDecodeError as error:
        raise UserError(f"`{path}` is not UTF-8 text: {error}") from error
    except OSError as error:
        raise UserError(f"Cannot read `{path}`: {error.strerror or error}") from error


def has_block(path: Path) -> bool:
    """Whether ``path`` already has a ``script`` block (``ferry init --script`` refuses then)."""
    return find_block(read_script(path), path) is not None


def read_metadata(path: Path) -> dict[str, Any]:
    """The ``script`` block of ``path`` as plain values; ``{}`` when it has none (uv locks and
    exports such a file as a script without dependencies)."""
    import tomllib

    found = find_block(read_script(path), path)
    if found is None:
        return {}
    try:
        return tomllib.loads(found.toml)
    except tomllib.TOMLDecodeError as error:
        raise UserError(
            f"The `# /// script` block of `{path}` is not valid TOML", causes=[str(error)]
        ) from error
