"""``ferry cache dir|clean|prune|verify`` as a user runs them (a subprocess, real exit codes)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from ferry.cache.store import Cache

SRC = Path(__file__).resolve().parents[2] / "src"


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FERRY_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH")]))
    env["NO_COLOR"] = "1"
    env.update(extra)
    return env


def ferry(*args: str | Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ferry", *map(str, args)],
        capture_output=True,
        text=True,
        env=_env(**env),
        timeout=60,
    )


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "cache"


def populate(root: Path) -> Cache:
    cache = Cache.from_options(root)
    stored = cache.store_file("a-1.0-py3-none-any.whl", [b"wheel" * 1000])
    cache.record_name("a", "1.0", stored.path.name, stored.sha256)
    with cache.temp_dir() as work:
        (work / "a.py").write_text("x = 1\n")
        cache.persist_archive(stored.sha256, work)
    return cache


def test_dir_prints_the_root_on_stdout(root: Path, tmp_path: Path) -> None:
    result = ferry("--cache-dir", root, "cache", "dir")
    assert (result.returncode, result.stdout, result.stderr) == (0, f"{root}\n", "")
    by_env = ferry("cache", "dir", FERRY_CACHE_DIR=str(tmp_path / "env"))
    assert by_env.stdout == f"{tmp_path / 'env'}\n"
    default = ferry("cache", "dir", XDG_CACHE_HOME=str(tmp_path / "xdg"))
    assert default.stdout == f"{tmp_path / 'xdg' / 'ferry'}\n"


def test_clean_everything(root: Path) -> None:
    populate(root)
    result = ferry("--cache-dir", root, "cache", "clean")
    assert result.returncode == 0 and result.stdout == ""
    assert result.stderr == f"Clearing cache at: {root}\nRemoved 4 files (5.2KiB)\n"
    assert not (root / "files-v1").exists()


def test_clean_packages(root: Path) -> None:
    populate(root)
    result = ferry("--cache-dir", root, "cache", "clean", "nosuch", "A")
    assert result.returncode == 0
    assert result.stderr.splitlines() == [
        "No cache entries found for nosuch",
        "Removed 4 files (5.2KiB)",
    ]
    missing = ferry("--cache-dir", root, "cache", "clean", "a")
    assert missing.stderr == "No cache entries found for a\n"


def test_prune(root: Path) -> None:
    populate(root)
    result = ferry("--cache-dir", root, "cache", "prune")
    assert result.returncode == 0
    assert result.stderr == f"Pruning cache at: {root}\nNo unused entries found\n"


def test_verify_and_repair(root: Path) -> None:
    cache = populate(root)
    ok = ferry("--cache-dir", root, "cache", "verify")
    assert ok.returncode == 0
    assert ok.stderr == f"Checked 3 entries in {root}\nNo damaged entries found\n"

    [stored] = (cache.root / "files-v1").rglob("*.whl")
    stored.write_bytes(b"bit rot")
    damaged = ferry("--cache-dir", root, "cache", "verify")
    assert damaged.returncode == 1
    assert f"warning: damaged: `{stored}`: content does not match its sha256" in damaged.stderr
    assert "error: Found 1 damaged cache entry\n" in damaged.stderr
    assert "hint: run `ferry cache verify --repair`" in damaged.stderr
    assert "Traceback" not in damaged.stderr

    repaired = ferry("--cache-dir", root, "cache", "verify", "--repair")
    assert repaired.returncode == 0, repaired.stderr
    assert "Removed 1 damaged entry" in repaired.stderr
    assert not stored.exists()
    assert ferry("--cache-dir", root, "cache", "verify").returncode == 0


def test_unwritable_cache_dir(tmp_path: Path) -> None:
    """G2: exit 2, the path and a hint, no traceback."""
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = ferry("--cache-dir", blocker / "cache", "cache", "clean")
    assert result.returncode == 2
    assert result.stderr == (
        f"error: Cache directory `{blocker / 'cache'}` is not writable: Not a directory\n"
        "hint: pass `--no-cache` to use a temporary cache, or choose another directory with "
        "`--cache-dir`\n"
    )


def test_no_cache_uses_a_temporary_root(root: Path) -> None:
    result = ferry("--cache-dir", root, "--no-cache", "cache", "dir")
    assert result.returncode == 0
    printed = Path(result.stdout.strip())
    assert printed != root and re.match(r"ferry-cache-", printed.name)
    assert not printed.exists()  # removed when the command ends


@pytest.fixture
def busy_cache(root: Path) -> Iterator[Path]:
    Cache.from_options(root)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path; from ferry.cache.store import Cache\n"
            "with Cache(Path(sys.argv[1])).shared():\n"
            "    print('ready', flush=True); sys.stdin.read()",
            str(root),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=_env(),
    )
    assert holder.stdout is not None and holder.stdin is not None
    assert holder.stdout.readline() == b"ready\n"
    yield root
    holder.stdin.close()
    holder.stdout.close()
    holder.wait(timeout=10)


def test_clean_waits_for_a_running_command(busy_cache: Path) -> None:
    """E3: the lock message, then a timeout error with its hint; exit 2."""
    lock = busy_cache / ".lock"
    result = ferry("--cache-dir", busy_cache, "cache", "clean", FERRY_LOCK_TIMEOUT="0.3")
    assert result.returncode == 2
    assert result.stderr == (
        f"warning: waiting for lock on `cache` ({lock})… is another ferry process running?\n"
        f"error: Timed out after 0.3s waiting for lock on `cache` ({lock})\n"
        "hint: another ferry process holds it: let it finish, or set `FERRY_LOCK_TIMEOUT` "
        "(seconds) to wait longer\n"
    )
