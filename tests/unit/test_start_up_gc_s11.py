"""Start-up runs no garbage collection: ~220 modules' objects, all long-lived, used to be
traversed by ~35 collections (~4.5 ms of a warm lock or install)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.support.runner import ferry_env

# Runs the entry point as `python -m ferry` does and counts the collections that started.
_DRIVER = """
import atexit, gc, runpy, sys
started = []
gc.callbacks.append(lambda phase, info: phase == "start" and started.append(info["generation"]))
atexit.register(lambda: print("collections", len(started), "threshold", gc.get_threshold()[0]))
sys.argv = ["ferry", *sys.argv[1:]]
runpy.run_module("ferry", run_name="__main__")
"""


def test_the_full_command_line_starts_without_a_collection(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-c", _DRIVER, "--help"], cwd=tmp_path,
                          env=ferry_env({}), capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "collections 0 threshold 50000" in done.stdout  # the full command line imported
