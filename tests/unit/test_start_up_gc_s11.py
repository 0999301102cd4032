"""Start-up work that must not come back: garbage collections over ~220 modules' long-lived
objects (~35 of them, ~4.5 ms of a warm lock or install), and regexes only rare inputs need."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.support.runner import compile_ferry, ferry_env

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
    compile_ferry()  # compiling sources allocates enough by itself to start a collection
    done = subprocess.run([sys.executable, "-c", _DRIVER, "--help"], cwd=tmp_path,
                          env=ferry_env({}), capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "collections 0 threshold 50000" in done.stdout  # the full command line imported


# Patterns only a rare input needs, compiled on first use (ferry.model.lazy_regex): importing
# their modules must not compile them (~1 ms a warm pip install, lock or pip compile).
_IMPORT_COMPILES = """
import re, sys
seen = []
compile_once = re._compile
def record(pattern, flags):
    seen.append(pattern)
    return compile_once(pattern, flags)
re._compile = record
import ferry.commands.compile_target, ferry.model.exclude_newer
import ferry.project.requirements_lines, ferry.python.request
print("\\n".join(map(str, seen)))
"""


def test_rare_patterns_are_not_compiled_at_import() -> None:
    from ferry.commands import compile_target
    from ferry.model import exclude_newer
    from ferry.project import requirements_lines
    from ferry.python import request

    lazy = [exclude_newer._ISO, exclude_newer._FRIENDLY_PART, exclude_newer._DATE,
            request._VERSION, request._NODOT, request._IMPLEMENTATION, request._EXECUTABLE,
            compile_target._MANYLINUX, requirements_lines._USERINFO]
    done = subprocess.run([sys.executable, "-c", _IMPORT_COMPILES], env=ferry_env({}),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    compiled = set(done.stdout.splitlines())
    assert [get().pattern for get in lazy if get().pattern in compiled] == []
    assert compiled  # the recorder saw the eager ones


def test_a_lazy_pattern_is_compiled_once() -> None:
    from ferry.model.lazy_regex import lazy_pattern

    get = lazy_pattern(r"a+b", 2)  # re.IGNORECASE
    assert get() is get() and get().flags & 2 and get().fullmatch("AAb")
