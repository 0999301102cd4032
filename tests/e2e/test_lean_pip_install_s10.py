"""``ferry pip install`` read by the lean parser (no click) does and prints exactly what the
full CLI does (FERRY_NO_FAST_PATH=1 forces the full one)."""

from __future__ import annotations

import re
from pathlib import Path

from tests.support.index import IndexServer
from tests.support.runner import Result, Runner

FULL = {"FERRY_NO_FAST_PATH": "1"}


def _timeless(result: Result) -> tuple[int, str, str]:
    return result.code, result.stdout, re.sub(r"in \d+(\.\d+)?m?s", "in T", result.stderr)


def test_install_is_the_same_either_way(
    tmp_path: Path, run: Runner, index_server: IndexServer
) -> None:
    index_server.index.add_wheel("alpha", "1.0", requires=["beta"])
    index_server.index.add_wheel("beta", "2.0")
    (tmp_path / "req.txt").write_text("alpha\n")
    for name in ("lean", "full"):
        assert run("venv", name, "-q").code == 0
    common = ("-r", "req.txt", "--index-url", index_server.simple_url)
    # Each its own empty cache, so both download (the lines name the cache and the env).
    lean = run("pip", "install", "-p", "lean", *common,
               env={"FERRY_CACHE_DIR": str(tmp_path / "c")})
    full = run("pip", "install", "-p", "full", *common,
               env={**FULL, "FERRY_CACHE_DIR": str(tmp_path / "c2")})
    assert lean.code == 0 and " + alpha==1.0\n + beta==2.0" in lean.stderr
    code, out, err = _timeless(full)
    assert _timeless(lean) == (code, out, err.replace("full", "lean").replace("c2)", "c)"))
    listed = run("pip", "list", "-p", "lean", "--format", "freeze")
    assert listed.stdout == "alpha==1.0\nbeta==2.0\n"


def test_errors_are_the_same_either_way(
    tmp_path: Path, run: Runner, index_server: IndexServer
) -> None:
    assert run("venv", "v", "-q").code == 0
    for args in (("nosuchpackage",), ("-r", "missing.txt"), ("bad[",), ()):
        lean = run("pip", "install", "-p", "v", "--index-url", index_server.simple_url, *args)
        full = run("pip", "install", "-p", "v", "--index-url", index_server.simple_url, *args,
                   env=FULL)
        assert _timeless(lean) == _timeless(full), args
        assert lean.code in (1, 2) and "Traceback" not in lean.stderr, args
