"""What a warm network command does not load: ``socket`` (an ``http://`` index is spoken over
``_socket``; the wrapper builds enums at import, ~1.7 ms) and the compiler's AST classes (a
process's first ``compile()`` builds every ``_ast`` node class, ~1 ms; typing calls it for each
string-annotated ``NamedTuple`` field)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.support.index import IndexServer
from tests.support.runner import compile_ferry, ferry_env

# `python -m ferry`, recording compile() calls and the modules loaded at the end.
_DRIVER = """
import atexit, builtins, json, runpy, sys
out, args = sys.argv[1], sys.argv[2:]
compiled = []
real_compile = builtins.compile
def compile(source, *rest, **kw):
    compiled.append(repr(source)[:80])
    return real_compile(source, *rest, **kw)
builtins.compile = compile
def dump():
    with open(out, "w") as handle:
        json.dump({"modules": sorted(sys.modules), "compiled": compiled}, handle)
atexit.register(dump)
sys.argv = ["ferry", *args]
runpy.run_module("ferry", run_name="__main__")
"""


def _run(args: list[str], cwd: Path, env: dict[str, str | None]) -> dict[str, list[str]]:
    compile_ferry()  # else compiling the sources is what calls compile()
    out = cwd / "report.json"
    done = subprocess.run([sys.executable, "-c", _DRIVER, str(out), *args], cwd=cwd,
                          env=ferry_env(env), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    report: dict[str, list[str]] = json.loads(out.read_text())
    return report


def test_a_pip_install_over_http_loads_no_socket_wrapper(
    tmp_path: Path, index_server: IndexServer
) -> None:
    index_server.index.add_wheel("alpha", "1.0", requires=["beta>=2"])
    index_server.index.add_wheel("beta", "2.0")
    venv = tmp_path / "env"
    env: dict[str, str | None] = {"FERRY_CACHE_DIR": str(tmp_path / "cache")}
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    args = ["pip", "install", "--python", str(venv / "bin" / "python"), "alpha",
            "--index-url", index_server.simple_url]
    report = _run(args, tmp_path, env)
    assert list(venv.glob("lib/python*/site-packages/beta-2.0.dist-info"))
    assert "ferry.index.wire" in report["modules"]  # it did go over HTTP ...
    assert "socket" not in report["modules"]  # ... without the wrapper
    assert "packaging.version" not in report["modules"]  # ferry.model.pep440_version instead
    assert report["compiled"] == []  # no NamedTuple of string annotations, no compile()
    assert "datetime" not in report["modules"]  # no cut-off asked for, no upload times given
