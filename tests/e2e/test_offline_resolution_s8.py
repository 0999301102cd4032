"""`--offline` resolves from what the cache holds, in every resolving command (review finding F6,
seed report uv#8860).

The cache holds tool 0.6.9 and an index page that also lists 0.7.2, whose metadata was never
fetched. uv 0.13.8 treats a version whose metadata is unavailable offline as unavailable and
moves on (`uv add --offline tool` locks 0.6.9); ferry used to stop at 0.7.2 with "The metadata
of `tool-0.7.2-…whl` is not in the cache" in `lock`, `add` and `pip compile`. None of these may
send a single request to the index.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.e2e.seedkit import installed, ok, write_project

LINUX = "cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64"
MAC = "cp312-cp312-macosx_11_0_arm64"


@pytest.fixture
def warm(run, index_server, tmp_path: Path) -> str:  # type: ignore[no-untyped-def]
    """The cache holds tool 0.6.9 (and helper 1.0, its dependency) and tool's page lists
    0.7.2 as well; the log of the index server is then cleared."""
    index = index_server.index
    index.add_wheel("helper", "1.0")
    index.add_wheel("tool", "0.6.9", requires=["helper"])
    index.add_wheel("tool", "0.7.2", requires=["helper"])
    index.add_wheel("other", "1.0")  # listed, never fetched
    index.add_sdist("srconly", "1.0")
    index.add_sdist("srconly", "2.0")
    for tag in (LINUX, MAC):  # a lock reads the first by name, pip install caches the other
        index.add_wheel("native", "1.0", tag=tag)
    venv = tmp_path / "first"
    ok(run("venv", str(venv), "-p", "3.12"))
    ok(run("pip", "install", "--python", str(venv), "-i", index_server.simple_url,
           "tool==0.6.9", "srconly==1.0", "native"))
    assert installed(venv) == {"tool": "0.6.9", "helper": "1.0", "srconly": "1.0",
                               "native": "1.0"}
    index_server.clear_log()
    return str(index_server.simple_url)


def _project(root: Path, url: str, dependencies: list[str]) -> Path:
    write_project(root, "proj", dependencies, requires_python=">=3.9",
                  extra=f'\n[[tool.uv.index]]\nurl = "{url}"\ndefault = true\n')
    (root / ".python-version").write_text("3.12\n", encoding="utf-8")
    return root


def _locked(root: Path) -> str:
    return (root / "uv.lock").read_text(encoding="utf-8")


def test_lock_offline_takes_the_cached_version(
    warm: str, run, index_server, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    root = _project(tmp_path / "proj", warm, ["tool"])
    ok(run("lock", "--offline", cwd=root))
    assert 'name = "tool"\nversion = "0.6.9"' in _locked(root)
    assert 'name = "helper"\nversion = "1.0"' in _locked(root)
    assert index_server.requests == []


def test_lock_offline_reads_the_cached_file_of_a_version(
    warm: str, run, index_server, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    """An sdist-only project whose 1.0 was built (2.0 is listed, never fetched), and a binary
    one whose Linux wheel is cached while the lock would read the macOS wheel's metadata."""
    root = _project(tmp_path / "proj", warm, ["srconly", "native"])
    ok(run("lock", "--offline", cwd=root))
    lock = _locked(root)
    assert 'name = "srconly"\nversion = "1.0"' in lock
    assert 'name = "native"\nversion = "1.0"' in lock
    assert "macosx_11_0_arm64" in lock and "manylinux_2_17_x86_64" in lock
    assert index_server.requests == []


def test_add_offline_takes_the_cached_version(
    warm: str, run, index_server, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    root = _project(tmp_path / "proj", warm, [])
    ok(run("add", "--offline", "tool", cwd=root))
    assert '"tool>=0.6.9"' in (root / "pyproject.toml").read_text(encoding="utf-8")
    assert 'name = "tool"\nversion = "0.6.9"' in _locked(root)
    assert installed(root / ".venv") == {"tool": "0.6.9", "helper": "1.0"}
    assert index_server.requests == []


@pytest.mark.parametrize("universal", [False, True], ids=["target", "universal"])
def test_pip_compile_offline_takes_the_cached_version(
    warm: str, run, index_server, tmp_path: Path, universal: bool  # type: ignore[no-untyped-def]
) -> None:
    (tmp_path / "r.in").write_text("tool\n", encoding="utf-8")
    args = ["pip", "compile", "--offline", "-p", "3.12", "-i", warm, "r.in"]
    result = ok(run(*args, *(["--universal"] if universal else [])))
    assert "tool==0.6.9" in result.stdout
    assert "helper==1.0" in result.stdout
    assert index_server.requests == []


def test_pip_install_offline_takes_the_cached_version(
    warm: str, run, index_server, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    venv = tmp_path / "session"
    ok(run("venv", str(venv), "-p", "3.12"))
    ok(run("pip", "install", "--offline", "--python", str(venv), "-i", warm, "tool"))
    assert installed(venv) == {"tool": "0.6.9", "helper": "1.0"}
    assert index_server.requests == []


def test_offline_explains_a_version_the_cache_lacks(
    warm: str, run, index_server, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    (tmp_path / "r.in").write_text("tool>=0.7\n", encoding="utf-8")
    result = run("pip", "compile", "--offline", "-p", "3.12", "-i", warm, "r.in")
    assert result.code == 1, result.output
    assert "tool==0.7.2" in result.stderr
    assert "not in the cache" in result.stderr and "--offline" in result.stderr
    assert "Traceback" not in result.stderr
    assert index_server.requests == []


def test_lock_offline_explains_a_package_with_nothing_cached(
    warm: str, run, index_server, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    root = _project(tmp_path / "proj", warm, ["tool", "other"])
    result = run("lock", "--offline", cwd=root)
    assert result.code == 1, result.output
    assert "other" in result.stderr and "--offline" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (root / "uv.lock").exists()
    assert index_server.requests == []


def test_without_offline_the_newest_release_is_still_locked(
    warm: str, run, index_server, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    root = _project(tmp_path / "proj", warm, ["tool"])
    ok(run("lock", cwd=root))
    assert 'name = "tool"\nversion = "0.7.2"' in _locked(root)
