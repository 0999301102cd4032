"""``ferry add --index/--default-index`` in a project that already declares indexes, side by
side with the real uv 0.13.8 (skipped without uv): the same ``pyproject.toml`` and ``uv.lock``.

Two loopback indexes hold different versions of ``pkg`` (declared ``a``: 1.0.0, new ``b``:
2.0.0), so the lock shows which one the package came from. uv runs without ``--no-config``:
that flag also makes uv ignore ``[tool.uv]`` in ``pyproject.toml`` — the declared indexes —
and so locks from the new index alone (what a review once took for uv's behaviour).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.e2e.seedkit import uv_executable
from tests.support.index import LocalIndex
from tests.support.runner import Result, Runner
from tests.support.server import IndexServer

HEAD = ('[project]\nname = "demo"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n'
        "dependencies = []\n")


def _entry(name: str | None, url: str, extra: str = "") -> str:
    named = f'name = "{name}"\n' if name else ""
    return f"\n[[tool.uv.index]]\n{named}url = \"{url}\"\n{extra}"


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    root = tmp_path_factory.mktemp("indexes")
    declared, new = LocalIndex(root / "a"), LocalIndex(root / "b")
    for index, version in ((declared, "1.0.0"), (new, "2.0.0")):
        index.add_wheel("pkg", version)
        index.add_wheel("other", version)
    with IndexServer(declared) as a, IndexServer(new) as b:
        yield a.simple_url, b.simple_url


def _uv(root: Path, *args: str) -> Result:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("UV_", "VIRTUAL_ENV"))}
    env.update(UV_CACHE_DIR=str(root.parent / "uv-cache"), UV_PYTHON_DOWNLOADS="never",
               HOME=str(root.parent / "home"), XDG_CONFIG_HOME=str(root.parent / "xdg"))
    done = subprocess.run([uv_executable(), *args, "--python", sys.executable], cwd=root,
                          env=env, capture_output=True, text=True, check=False, timeout=120)
    return Result(done.returncode, done.stdout, done.stderr)


def _cases(a: str, b: str) -> dict[str, tuple[str, list[str]]]:
    """name -> (the declarations after [project], the add arguments)."""
    ruff = "\n[tool.ruff]\nx = 1\n"
    return {
        "default-index-unnamed": (_entry("decl", a), ["pkg", "--default-index", b]),
        "default-index-named": (_entry("decl", a), ["pkg", "--default-index", f"new={b}"]),
        "index-named": (_entry("decl", a), ["pkg", "--index", f"new={b}"]),
        "index-named-before-another-table": (_entry("decl", a) + ruff,
                                             ["pkg", "--index", f"new={b}"]),
        "index-already-first": (_entry("decl", a) + _entry("decl2", b),
                                ["pkg", "--index", f"decl={a}"]),
        "split-array-named": (_entry("decl", a) + ruff + _entry("decl2", b),
                              ["pkg", "--index", f"new={b}"]),
        "split-array-unnamed": (_entry("decl", a) + ruff + _entry("decl2", a + "x/"),
                                ["pkg", "--index", b]),
        "split-array-default": (_entry(None, a) + ruff + _entry("d", a + "x/", "default = true\n"),
                                ["pkg", "--default-index", f"new={b}"]),
        "two-indexes": (_entry("decl", a) + _entry("decl2", b),
                        ["pkg", "--index", f"n={b}", "--index", f"m={a}"]),
        "existing-split-sources": (_entry("n", b) + '\n[tool.uv.sources]\npkg = { index = "n" }\n'
                                   + _entry("decl", a), ["other", "--index", f"m={a}"]),
        "comments": ("\n# the indexes" + _entry("decl", a).replace('"\n', '"  # first\n', 1)
                     + "\n# lint" + ruff, ["pkg", "--index", f"new={b}"]),
        "dev-group": (_entry("decl", a), ["pkg", "--index", f"new={b}", "--dev"]),
        "path-source": (_entry("decl", a) + ruff, ["{local}"]),
    }


CASES = list(_cases("a", "b"))


@pytest.mark.parametrize("case", CASES)
def test_the_same_files_as_uv(
    run: Runner, tmp_path: Path, servers: tuple[str, str], case: str
) -> None:
    uv_executable()
    declarations, args = _cases(*servers)[case]
    local = tmp_path / "local"
    local.mkdir()
    (local / "pyproject.toml").write_text('[project]\nname = "loc"\nversion = "1.0"\n')
    args = [arg.replace("{local}", str(local)) for arg in args]
    roots = []
    for side in ("ours", "theirs"):
        root = tmp_path / side
        root.mkdir()
        (root / "pyproject.toml").write_text(HEAD + declarations, encoding="utf-8")
        roots.append(root)
    mine = run("add", *args, "--no-sync", "--python", sys.executable, cwd=roots[0])
    done = _uv(roots[1], "add", *args, "--no-sync")
    assert (mine.code, done.code) == (0, 0), mine.stderr + done.stderr
    ours, theirs = (root / "pyproject.toml" for root in roots)
    assert ours.read_text() == theirs.read_text()
    assert (roots[0] / "uv.lock").read_text() == (roots[1] / "uv.lock").read_text()


def test_the_new_index_is_kept_when_the_array_is_split(
    run: Runner, tmp_path: Path, servers: tuple[str, str]
) -> None:
    """tomlkit cannot edit ``[[tool.uv.index]]`` entries another table splits: ferry dropped the
    new index and locked ``pkg`` from the declared one."""
    a, b = servers
    root = tmp_path / "p"
    root.mkdir()
    (root / "pyproject.toml").write_text(
        HEAD + _entry("decl", a) + "\n[tool.ruff]\nx = 1\n" + _entry("decl2", a + "x/"))
    done = run("add", "pkg", "--index", b, "--no-sync", "--python", sys.executable, cwd=root)
    assert done.code == 0, done.stderr
    text = (root / "pyproject.toml").read_text()
    assert text.index(f'url = "{b}"') < text.index(f'url = "{a}"') < text.index("[tool.ruff]")
    assert '"pkg>=2.0.0"' in text
    assert f'source = {{ registry = "{b}" }}' in (root / "uv.lock").read_text()
