"""Running ferry as the user does (``python -m ferry …`` in a subprocess), and reading its output.

A subprocess is the honest test of exit codes, stdout/stderr separation and "no traceback"; an
in-process runner can be added beside it later for speed. ``filter_output`` turns the parts of
the output that change between runs (temporary paths, timings, sizes, the server's port) into
placeholders, so snapshot assertions compare only what matters.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

__all__ = ["REPO_ROOT", "Result", "Runner", "ferry_env", "filter_output", "run_ferry"]

REPO_ROOT = Path(__file__).resolve().parents[2]
_SRC = REPO_ROOT / "src"

_TIME = re.compile(r"(?<![\w.])(?:\d+m )?\d+(?:\.\d+)?(?:ms|µs|us|s)\b")
_SIZE = re.compile(r"(?<![\w.])\d+(?:\.\d+)?\s?(?:B|KiB|MiB|GiB|TiB|kB|KB|MB|GB)\b")
_SERVER = re.compile(r"127\.0\.0\.1:\d+")


class Result(NamedTuple):
    code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def _ferry_is_this_checkout() -> bool:
    spec = importlib.util.find_spec("ferry")
    origin = spec.origin if spec is not None else None
    return origin is not None and Path(origin).resolve().is_relative_to(_SRC)


def ferry_env(env: Mapping[str, str | None] | None = None) -> dict[str, str]:
    """The current environment plus ``env`` (a None value removes a variable).

    When the interpreter would not import this checkout's ferry (not installed editable), its
    ``src`` is put on PYTHONPATH, so the subprocess always runs the code under test.
    """
    merged = dict(os.environ)
    if not _ferry_is_this_checkout():
        merged["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(_SRC), merged.get("PYTHONPATH", "")) if p
        )
    for key, value in (env or {}).items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged


def compile_ferry() -> None:
    """Write the bytecode of every ferry module and its code bundle, as any run after the first
    finds them: tests of start-up work measure that run, not the one that compiles the sources
    (a fresh clone's, or one after an edit under PYTHONDONTWRITEBYTECODE)."""
    import ferry

    root = str(Path(ferry.__file__).parent)
    env = ferry_env({"PYTHONDONTWRITEBYTECODE": None})
    subprocess.run([sys.executable, "-m", "compileall", "-q", root], check=True, env=env,
                   timeout=120)
    subprocess.run([sys.executable, "-c", "import sys; from ferry._code_bundle import collect, "
                    "write; write(sys.argv[1], collect(sys.argv[1]))", root],
                   check=True, env=env, timeout=120)


def run_ferry(
    args: Sequence[str | os.PathLike[str]],
    *,
    cwd: Path | str,
    env: Mapping[str, str | None] | None = None,
    input: str | None = None,
    timeout: float = 120,
) -> Result:
    proc = subprocess.run(
        [sys.executable, "-m", "ferry", *(os.fspath(a) for a in args)],
        cwd=cwd,
        env=ferry_env(env),
        input=input,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)


class Runner:
    """``run("pip", "install", "x")`` → ``Result(code, stdout, stderr)``; cwd defaults to
    ``default_cwd`` (never the repository, whose pyproject.toml ferry would otherwise discover)."""

    def __init__(self, default_cwd: Path) -> None:
        self.default_cwd = default_cwd

    def __call__(
        self,
        *args: str | os.PathLike[str],
        cwd: Path | str | None = None,
        env: Mapping[str, str | None] | None = None,
        input: str | None = None,
        timeout: float = 120,
    ) -> Result:
        return run_ferry(
            args, cwd=cwd or self.default_cwd, env=env, input=input, timeout=timeout
        )


def filter_output(text: str, paths: Mapping[str, Path | str] | None = None) -> str:
    """Replace volatile parts: each path (and its resolved form) by its placeholder, e.g.
    ``{"[TMP]": tmp_path}``; timings (``in 12ms``) by ``[TIME]``; sizes by ``[SIZE]``;
    ``127.0.0.1:<port>`` by ``[SERVER]``. Longer paths are replaced first."""
    pairs: list[tuple[str, str]] = []
    for placeholder, path in (paths or {}).items():
        for form in {str(path), str(Path(path).resolve())}:
            pairs.append((form, placeholder))
    for form, placeholder in sorted(pairs, key=lambda p: len(p[0]), reverse=True):
        text = text.replace(form, placeholder)
    text = _SERVER.sub("[SERVER]", text)
    text = _SIZE.sub("[SIZE]", text)
    return _TIME.sub("[TIME]", text)
