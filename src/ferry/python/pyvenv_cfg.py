"""Reading and writing ``pyvenv.cfg``, the file that makes a directory a virtual environment.

Kept apart from ``venv.py`` because introspection needs ``home`` too, and ``venv.py`` imports the
interpreter module. The reader is lenient: the stdlib writes ``version`` (and quotes ``prompt``),
uv and virtualenv write ``version_info``; both are ``key = value`` lines.
"""

from __future__ import annotations

# ruff: noqa: PTH112, PTH118, PTH119, PTH120
# os.path, not pathlib: this module is on ``ferry venv``'s lean path.
import os

from ferry.model.errors import FilesystemError, UserError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path

CFG_NAME = "pyvenv.cfg"


def parse_pyvenv_cfg(text: str) -> dict[str, str]:
    """``key = value`` lines into a dict (keys lower-cased, values stripped); others ignored."""
    values: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        key = key.strip()
        if sep and key and not key.startswith(("#", ";")):
            values[key.lower()] = value.strip()
    return values


def read_pyvenv_cfg(path: Path | str) -> dict[str, str]:
    """The settings of the environment at ``path`` (its root, or the ``pyvenv.cfg`` itself).

    ``version_info`` is filled from the stdlib's ``version`` key when missing, so callers can
    rely on one name.
    """
    given = os.fspath(path)
    is_cfg = os.path.basename(given) == CFG_NAME and not os.path.isdir(given)
    cfg = given if is_cfg else os.path.join(given, CFG_NAME)
    try:
        with open(cfg, encoding="utf-8", errors="replace") as handle:
            text = handle.read()
    except FileNotFoundError as error:
        raise UserError(
            f"`{os.path.dirname(cfg)}` is not a virtual environment: it has no {CFG_NAME}",
            hint="Create one with `ferry venv`.",
        ) from error
    except OSError as error:
        raise FilesystemError(f"Cannot read `{cfg}`: {error.strerror or error}") from error
    values = parse_pyvenv_cfg(text)
    if "version_info" not in values and "version" in values:
        values["version_info"] = values["version"]
    return values


def format_pyvenv_cfg(values: dict[str, str]) -> str:
    """``key = value`` lines in the order given, as uv writes them."""
    return "".join(f"{key} = {value}\n" for key, value in values.items())
