"""The interpreter query stays cheap: on Linux it imports none of the modules that made it slow,
and it runs as an imported module (compiled once per interpreter), not as a script."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ferry.python import interpreter
from ferry.python.interpreter_cache import SCRIPT

HEAVY = ("json", "re", "platform", "subprocess", "typing", "ctypes")


@pytest.mark.skipif(sys.platform != "linux", reason="the lean path is Linux's")
def test_the_query_imports_none_of_the_heavy_modules() -> None:
    probe = (
        f"import sys; sys.path.append({str(Path(SCRIPT).parent)!r}); import _introspect_script;"
        "import io, contextlib; out = io.StringIO();\n"
        "with contextlib.redirect_stdout(out): _introspect_script.main()\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-I", "-c", probe], capture_output=True, text=True,
                          check=True)
    # io/contextlib are the probe's own; contextlib imports none of HEAVY
    assert done.stdout.strip() == "[]", done.stdout


def test_the_query_runs_the_script_as_a_module_and_answers_json() -> None:
    code = interpreter._query_code()
    assert "_introspect_script.main()" in code and "sys.path.append(" in code
    done = subprocess.run([sys.executable, "-I", "-c", code], capture_output=True, check=True)
    answer = json.loads(done.stdout)
    assert answer["sys_executable"] == sys.executable
    assert answer["markers"]["python_full_version"] == sys.version.split()[0]


def test_the_lean_markers_are_platforms_own() -> None:
    """On this interpreter, the markers read from os.uname()/sys.version are platform's."""
    import platform

    code = interpreter._query_code()
    done = subprocess.run([sys.executable, "-I", "-c", code], capture_output=True, check=True)
    markers = json.loads(done.stdout)["markers"]
    assert markers["platform_system"] == platform.system()
    assert markers["platform_machine"] == platform.machine()
    assert markers["platform_release"] == platform.release()
    assert markers["platform_version"] == platform.version()
    assert markers["python_full_version"] == platform.python_version()
    assert markers["platform_python_implementation"] == platform.python_implementation()
    assert markers["python_version"] == ".".join(platform.python_version_tuple()[:2])
