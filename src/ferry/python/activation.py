"""Activation scripts for every common shell, rendered from templates in ``activators/``.

Each substituted value (the environment's path, its prompt, the scripts folder) is inserted as a
complete, shell-specific quoted literal, so a path with spaces or quotes cannot break a script.
The templates are adapted from virtualenv's (MIT), which uv ships too, so ``activate`` behaves the
same under ferry and uv.
"""

from __future__ import annotations

# ruff: noqa: PTH100, PTH118, PTH120
import os

TYPE_CHECKING = False  # lean: on ``ferry venv``'s fast path (typing costs ~2 ms to import)
if TYPE_CHECKING:
    from collections.abc import Callable

TEMPLATES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "activators")


def quote_posix(value: str) -> str:
    """bash/zsh/csh single quotes: close, escaped quote, reopen."""
    return "'" + value.replace("'", "'\\''") + "'"


def quote_fish(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def quote_nu(value: str) -> str:
    """Nushell's single quotes cannot hold a quote; its raw strings can."""
    if "'" not in value:
        return f"'{value}'"
    hashes = "#"
    while f"'{hashes}" in value:
        hashes += "#"
    return f"r{hashes}'{value}'{hashes}"


def quote_powershell(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def quote_batch(value: str) -> str:
    """The inside of a cmd.exe ``"…"``: ``%`` doubled (a batch file expands ``%x%`` even
    there); a ``"`` cannot be written inside one at all, and no Windows path holds one."""
    return value.replace("%", "%%").replace('"', "")


# file name in the scripts folder -> (template, quoting): the files and names uv 0.13.8 writes
ACTIVATORS: dict[str, tuple[str, Callable[[str], str]]] = {
    "activate": ("bash.template", quote_posix),
    "activate.csh": ("csh.template", quote_posix),
    "activate.fish": ("fish.template", quote_fish),
    "activate.nu": ("nu.template", quote_nu),
    "activate.ps1": ("ps1.template", quote_powershell),
    "activate.xsh": ("xsh.template", repr),
    "activate.bat": ("bat.template", quote_batch),
    "deactivate.bat": ("deactivate_bat.template", quote_batch),
    "pydoc.bat": ("pydoc_bat.template", quote_batch),
    "activate_this.py": ("activate_this.template", repr),
}


_TEXTS: dict[str, str] = {}


def _template(name: str) -> str:
    """Read once per process."""
    text = _TEXTS.get(name)
    if text is None:
        # binary and decoded here: a text-mode file object costs more than the read (x10)
        with open(os.path.join(TEMPLATES, name), "rb") as handle:
            text = _TEXTS[name] = handle.read().decode("utf-8")
    return text


def render_activators(
    root: str | os.PathLike[str], *, bin_name: str, prompt: str | None, site_packages: str
) -> dict[str, str]:
    """File name → script text for the environment at ``root``.

    ``site_packages`` is the purelib folder relative to the scripts folder (``activate_this.py``
    adds it to ``sys.path``).
    """
    rendered: dict[str, str] = {}
    for filename, (template, quote) in ACTIVATORS.items():
        values = {
            "__VIRTUAL_ENV__": quote(os.fspath(root)),
            "__VIRTUAL_PROMPT__": quote(prompt or ""),
            "__BIN_NAME__": quote(bin_name),
            "__PATH_SEP__": quote(os.pathsep),
            "__SITE_PACKAGES__": quote(site_packages),
        }
        text = _template(template)
        for token, value in values.items():
            if token in text:
                text = text.replace(token, value)
        # cmd.exe reads batch files by CRLF lines (labels and `goto` misbehave on LF), as uv
        # writes them
        rendered[filename] = text.replace("\n", "\r\n") if filename.endswith(".bat") else text
    return rendered
