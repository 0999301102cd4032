"""What a build backend produced: checked before anyone uses it, and put where it was asked.

A backend is third-party code; its wheel may name another project or version, or carry tags the
target interpreter cannot install. :func:`check_built_wheel` turns that into a
:class:`BuildError` naming the source. ``ferry build`` writes into a user's folder, where a
failed build must leave nothing behind: the backend writes into a hidden scratch folder
(:func:`scratch_in`) and the result is renamed into place (:func:`move_into`).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ferry.model.errors import BuildError, InvalidWheelError
from ferry.python.interpreter import Interpreter
from ferry.wheel.validate import validate_wheel


def check_built_wheel(
    wheel: Path,
    label: str,
    name: str | None,
    version: str | None,
    interpreter: Interpreter | None,
) -> None:
    """Refuse a wheel that is invalid, is not ``name``/``version``, or ``interpreter`` cannot
    install."""
    try:
        info = validate_wheel(wheel, name, version)
    except InvalidWheelError as error:
        raise BuildError(
            f"Failed to build `{label}`: the backend produced an unusable wheel "
            f"`{wheel.name}`: {error.message}",
            causes=error.causes,
            hint="the source distribution's filename and its content may disagree",
        ) from error
    if interpreter is not None and not {str(t) for t in info.tags} & set(interpreter.tags):
        raise BuildError(
            f"Failed to build `{label}`: the backend produced `{wheel.name}`, which "
            f"{interpreter.describe()} cannot install",
        )


@contextmanager
def scratch_in(out_dir: Path) -> Iterator[Path]:
    """A hidden folder inside ``out_dir``: a failed build leaves ``out_dir`` as it was."""
    out_dir.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".ferry-build-", dir=out_dir))
    try:
        yield scratch
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def move_into(path: Path, out_dir: Path) -> Path:
    """``path`` renamed into ``out_dir`` under its own name."""
    final = out_dir / path.name
    path.replace(final)
    return final
