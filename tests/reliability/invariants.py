"""The seven invariants of RELIABILITY.md, checked after every failure test.

``Guard`` is created *before* the failing command runs (it snapshots the environment and the
files that must not change), then ``guard.failed(result, ...)`` asserts:

1. the exit code of the documented mapping (1 input, 2 surroundings, 130 interrupted);
2. the message names the file / URL / package (``mentions``), with a ``hint:`` when asked;
3. no Python traceback (unless the test ran with ``-v`` / FERRY_DEBUG);
4. no secret in stdout, stderr or any file of the environment, the cache, or the watched files;
5. the environment is unchanged (installed dists and file hashes, ``__pycache__`` ignored);
6. ``ferry cache verify`` passes (exit 0): no partial or damaged entry is visible;

and ``guard.recovered(result)`` checks invariant 7 on the re-run after the cause was fixed:
exit 0 with no manual cleanup in between.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.envs import EnvSnapshot, snapshot_env
from tests.support.runner import Result, Runner

EXIT_INPUT = 1
EXIT_SURROUNDINGS = 2
EXIT_INTERRUPTED = 130

__all__ = [
    "EXIT_INPUT",
    "EXIT_INTERRUPTED",
    "EXIT_SURROUNDINGS",
    "Guard",
    "files_containing",
]


def files_containing(roots: Iterable[Path], needle: bytes) -> list[Path]:
    """Every regular file under ``roots`` (files or directories) whose bytes contain ``needle``."""
    hits: list[Path] = []
    for root in roots:
        if root.is_file():
            candidates: Iterable[Path] = [root]
        elif root.is_dir():
            candidates = (
                Path(d) / name for d, _dirs, names in os.walk(root) for name in names
            )
        else:
            continue
        for path in candidates:
            if path.is_symlink() or not path.is_file():
                continue
            try:
                if needle in path.read_bytes():
                    hits.append(path)
            except OSError:
                continue
    return hits


@dataclass
class Guard:
    """Snapshot now, judge after the failure; see the module docstring."""

    run: Runner
    cache: Path
    venv: Path | None = None
    watched: Sequence[Path] = ()
    secrets: Sequence[str] = ()
    scan: Sequence[Path] = ()
    """More places (files or directories) that must not contain a secret."""
    before: EnvSnapshot | None = None
    watched_before: dict[Path, bytes | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.before = snapshot_env(self.venv) if self.venv is not None else None
        self.watched_before = {p: _read(p) for p in self.watched}

    # -- invariants 1-6 ---------------------------------------------------------------------------

    def failed(
        self,
        result: Result,
        *,
        code: int,
        mentions: Sequence[str] = (),
        hint: bool | str = False,
        verbose: bool = False,
        env_unchanged: bool = True,
    ) -> None:
        output = result.output
        context = f"\n--- stdout ---\n{result.stdout}\n--- stderr ---\n{result.stderr}"
        # 1. documented exit code
        assert result.code == code, f"exit code {result.code}, expected {code}{context}"
        # 2. the message names what failed, and gives a hint when one exists
        if code != EXIT_INTERRUPTED:
            assert "error:" in result.stderr, f"no `error:` line{context}"
        for needle in mentions:
            assert needle in output, f"{needle!r} not named in the output{context}"
        if hint:
            assert "hint:" in result.stderr, f"no `hint:` line{context}"
            if isinstance(hint, str):
                assert hint in result.stderr, f"hint does not mention {hint!r}{context}"
        # 3. no traceback unless asked for
        if not verbose:
            assert "Traceback" not in output, f"traceback shown{context}"
        self.no_secrets(result)
        # 5. environment unchanged
        if self.venv is not None and env_unchanged:
            self.assert_env_unchanged()
        for path, data in self.watched_before.items():
            assert _read(path) == data, f"`{path}` changed"
        # 6. the cache is consistent
        self.assert_cache_consistent()

    def no_secrets(self, *results: Result) -> None:
        """4. no secret in any output, nor in the environment, the cache or the watched files."""
        places = [self.cache, *self.watched, *self.scan]
        if self.venv is not None:
            places.append(self.venv)
        for secret in self.secrets:
            for result in results:
                assert secret not in result.output, f"secret {secret!r} printed:\n{result.output}"
            leaked = files_containing(places, secret.encode())
            assert not leaked, f"secret {secret!r} written to {leaked}"

    def assert_env_unchanged(self) -> None:
        assert self.venv is not None and self.before is not None
        after = snapshot_env(self.venv)
        assert after["dists"] == self.before["dists"], "installed distributions changed"
        added = sorted(set(after["files"]) - set(self.before["files"]))
        removed = sorted(set(self.before["files"]) - set(after["files"]))
        changed = sorted(
            p for p in set(after["files"]) & set(self.before["files"])
            if after["files"][p] != self.before["files"][p]
        )
        assert not (added or removed or changed), (
            f"environment changed: added {added}, removed {removed}, changed {changed}"
        )

    def assert_cache_consistent(self) -> None:
        if not self.cache.exists():
            return
        verify = self.run("cache", "verify", env={"FERRY_CACHE_DIR": str(self.cache)})
        assert verify.code == 0, f"`ferry cache verify` failed:\n{verify.output}"
        assert "Traceback" not in verify.output

    # -- invariant 7 ------------------------------------------------------------------------------

    def recovered(self, result: Result) -> None:
        """The re-run after fixing the cause succeeds, with no manual cleanup in between."""
        assert result.code == 0, f"re-run failed ({result.code}):\n{result.output}"
        assert "Traceback" not in result.output
        self.no_secrets(result)
        self.assert_cache_consistent()


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
