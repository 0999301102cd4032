"""Faults injected into a real ``ferry`` subprocess, at the exact step a row names.

A test cannot time a ``kill -9`` to land "after 3 of 5 files are linked" from outside, so the
subprocess runs ferry's own ``main()`` after wrapping one internal function: the wrapper counts
calls and, at the chosen one, raises an ``OSError`` (``ENOSPC``, ``EIO``…) or sends itself
``SIGKILL`` or ``SIGINT``. Everything else is the real code path.

The fault is described by the JSON in ``FERRY_TEST_FAULT``::

    {"target": "link", "after": 2, "action": "kill"}

targets:

* ``link`` — ``Linker.link``: one file into the environment;
* ``copy`` — the copy a link falls back to;
* ``extract`` — one member unpacked into the cache;
* ``chunk`` — one chunk of a download written to the cache;
* ``write`` — an atomic write of ``ferry.fs.atomic`` (lockfile, pyproject.toml), faulted
  half-way through its data;
* ``venv`` — ``create_venv`` writing the activation scripts, half-way through the environment.

actions: ``kill`` (SIGKILL self), ``interrupt`` (SIGINT self), ``oserror`` (raise
``OSError(errno)``, ``"errno"`` given by name), ``error`` (raise ``RuntimeError``).
The wrapper fires on call number ``after + 1``.
"""

from __future__ import annotations

import errno
import functools
import json
import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ENV = "FERRY_TEST_FAULT"
REPO_ROOT = Path(__file__).resolve().parents[2]


def fault_env(target: str, after: int, action: str, **extra: Any) -> dict[str, str]:
    """The environment variable that arms one fault."""
    return {ENV: json.dumps({"target": target, "after": after, "action": action, **extra})}


def command(args: Sequence[str]) -> list[str]:
    """``python -c …`` that arms the fault from the environment, then runs ``ferry args``."""
    code = (
        f"import sys; sys.path.insert(0, {str(REPO_ROOT)!r}); "
        "import tests.reliability.inject as inject; inject.arm(); "
        f"from ferry.cli.main import main; main({list(args)!r})"
    )
    return [sys.executable, "-c", code]


class _Counter:
    def __init__(self, after: int, action: str, spec: dict[str, Any]) -> None:
        self.after = after
        self.action = action
        self.spec = spec
        self.calls = 0
        self.lock = threading.Lock()

    def tick(self, where: str) -> None:
        with self.lock:
            self.calls += 1
            fire = self.calls == self.after + 1
        if fire:
            self.fire(where)

    def fire(self, where: str) -> None:
        if self.action == "kill":
            os.kill(os.getpid(), signal.SIGKILL)
        if self.action == "interrupt":
            os.kill(os.getpid(), signal.SIGINT)
            # the handler raises KeyboardInterrupt in the main thread; give it the chance
            threading.Event().wait(5)
            return
        if self.action == "oserror":
            code = getattr(errno, self.spec.get("errno", "EIO"))
            raise OSError(code, os.strerror(code), where)
        if self.action == "error":
            raise RuntimeError(f"injected failure at {where}")
        raise ValueError(f"unknown fault action {self.action!r}")


def _wrap(owner: Any, name: str, counter: _Counter, where: Callable[..., str]) -> None:
    original = getattr(owner, name)

    @functools.wraps(original)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        counter.tick(where(*args, **kwargs))
        return original(*args, **kwargs)

    setattr(owner, name, wrapper)


def arm() -> None:
    raw = os.environ.get(ENV)
    if not raw:
        return
    spec = json.loads(raw)
    counter = _Counter(int(spec["after"]), spec["action"], spec)
    target = spec["target"]
    if target == "link":
        from ferry.fs import link

        _wrap(link.Linker, "link", counter, lambda self, src, dst: str(dst))
    elif target == "copy":
        from ferry.fs import link as link_module

        _wrap(link_module, "copy_file", counter, lambda src, dst: str(dst))
    elif target == "extract":
        from ferry.wheel import unpack

        _wrap(unpack, "_extract_member", counter, lambda zf, info, target, *a: str(target))
    elif target == "chunk":
        from ferry.cache import files

        original = files._write_chunks

        def chunks_then_fault(out: Any, tmp: Path, chunks: Any, *args: Any) -> int:
            def counted() -> Any:
                for chunk in chunks:
                    counter.tick(str(tmp))
                    yield chunk

            return original(out, tmp, counted(), *args)

        files._write_chunks = chunks_then_fault  # type: ignore[assignment]
    elif target == "write":
        from ferry.fs import atomic

        original_create = atomic._create

        class _HalfWriter:
            """Writes half of the first buffer to the temporary file, then faults."""

            def __init__(self, handle: Any, path: Path) -> None:
                self.handle = handle
                self.path = path

            def __enter__(self) -> _HalfWriter:
                return self

            def __exit__(self, *exc: object) -> None:
                self.handle.close()

            def write(self, data: bytes) -> int:
                self.handle.write(data[: len(data) // 2])
                self.handle.flush()
                counter.tick(str(self.path))
                return int(self.handle.write(data[len(data) // 2 :]))

            def __getattr__(self, name: str) -> Any:
                return getattr(self.handle, name)

        def create(path: Path) -> Any:
            return _HalfWriter(original_create(path), path)

        atomic._create = create  # type: ignore[assignment]
    elif target == "venv":
        from ferry.python import venv

        _wrap(venv, "render_activators", counter, lambda root, **kw: str(root))
    else:
        raise ValueError(f"unknown fault target {target!r}")
