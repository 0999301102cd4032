"""The real uv the interop tests compare with: the one installed in the test environment.

Looked up beside ``sys.executable`` first, so a test run by ``.dev/bin/python`` (what CI does)
finds ``.dev/bin/uv`` without ``.dev/bin`` being on PATH; then on PATH. ``None`` makes the
tests that need it skip.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path


def find_uv() -> str | None:
    return shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
