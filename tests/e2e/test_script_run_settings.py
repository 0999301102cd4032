"""``ferry run script.py`` for a PEP 723 script WITHOUT a lock honours its block's ``[tool.uv]``
as uv does: sources (path, url, index), ``exclude-newer``, ``constraint-dependencies``,
``override-dependencies``, ``prerelease``, ``resolution`` and ``index-strategy``.

Each scenario is run by ferry (and, when uv is installed, by uv 0.13.8 on a twin of the script);
both must install the same versions. The environment is cached by the block and its settings:
a second run resolves nothing and asks the index nothing, an edit gives a new environment.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.support.index import IndexServer, LocalIndex
from tests.support.peers import find_uv
from tests.support.runner import Result, Runner
from tests.support.sdists import make_sdist
from tests.support.wheels import make_wheel

OLD, NEW = "2024-01-01T00:00:00Z", "2025-06-01T00:00:00Z"
NAMES = ("lib", "dep", "pinned", "pre", "split", "only_b", "extra", "wheelpath", "localpkg")
SHOW = (
    "import importlib.metadata as m\n"
    f"for name in {NAMES!r}:\n"
    "    try:\n"
    "        print(name, m.version(name))\n"
    "    except m.PackageNotFoundError:\n"
    "        pass\n"
)
UV = find_uv()


def block(url: str, dependencies: list[str], settings: str = "", body: str = SHOW) -> str:
    """A script whose block names ``url`` as its default index, plus ``settings`` (TOML)."""
    deps = ", ".join(f'"{d}"' for d in dependencies)
    lines = [
        "# /// script",
        '# requires-python = ">=3.8"',
        f"# dependencies = [{deps}]",
        "#",
        "# [[tool.uv.index]]",
        f'# url = "{url}"',
        "# default = true",
        *(f"# {line}" if line else "#" for line in settings.strip("\n").splitlines()),
        "# ///",
    ]
    return "\n".join(lines) + "\n" + body


def ok(result: Result) -> Result:
    assert result.code == 0, result.output
    return result


def versions(text: str) -> dict[str, str]:
    return dict(line.split() for line in text.splitlines())


@pytest.fixture
def server(index_server: IndexServer) -> IndexServer:
    index = index_server.index
    index.add_wheel("lib", "1.0", requires=["dep"], upload_time=OLD)
    index.add_wheel("lib", "2.0", requires=["dep"], upload_time=NEW)
    index.add_wheel("dep", "1.0", upload_time=OLD)
    index.add_wheel("dep", "2.0", upload_time=OLD)
    index.add_wheel("pinned", "1.0", requires=["dep<2"], upload_time=OLD)
    index.add_wheel("pre", "1.0", upload_time=OLD)
    index.add_wheel("pre", "2.0b1", upload_time=OLD)
    index.add_wheel("split", "3.0", upload_time=OLD)
    index.add_wheel("extra", "1.0", upload_time=OLD)
    return index_server


@pytest.fixture
def second(tmp_path: Path) -> Iterator[IndexServer]:
    """Another index: a lower ``split`` and a name the first one does not have."""
    index = LocalIndex(tmp_path / "second-index")
    index.add_wheel("split", "1.0", upload_time=OLD)
    index.add_wheel("only_b", "1.0", upload_time=OLD)
    with IndexServer(index) as running:
        yield running


# name -> (dependencies, [tool.uv] settings with {SECOND} for the second index, versions)
SCENARIOS: dict[str, tuple[list[str], str, dict[str, str]]] = {
    "exclude-newer hides the newer release": (
        ["lib"],
        '[tool.uv]\nexclude-newer = "2025-01-01T00:00:00Z"',
        {"lib": "1.0", "dep": "2.0"},
    ),
    "an override replaces a dependency's bound": (
        ["pinned"],
        '[tool.uv]\noverride-dependencies = ["dep==2.0"]',
        {"pinned": "1.0", "dep": "2.0"},
    ),
    "a constraint bounds a transitive dependency": (
        ["lib"],
        '[tool.uv]\nconstraint-dependencies = ["dep<2"]',
        {"lib": "2.0", "dep": "1.0"},
    ),
    "prerelease = allow": (["pre"], '[tool.uv]\nprerelease = "allow"', {"pre": "2.0b1"}),
    "resolution = lowest-direct": (
        ["lib", "dep"],
        '[tool.uv]\nresolution = "lowest-direct"',
        {"lib": "1.0", "dep": "1.0"},
    ),
    "index-strategy = unsafe-best-match": (
        ["split"],
        '[tool.uv]\nindex-strategy = "unsafe-best-match"\n\n[[tool.uv.index]]\nurl = "{SECOND}"',
        {"split": "3.0"},
    ),
    "index-strategy = unsafe-first-match": (
        ["split", "lib"],  # split from the first index that has one; lib only on the default
        '[tool.uv]\nindex-strategy = "unsafe-first-match"\n\n[[tool.uv.index]]\nurl = "{SECOND}"',
        {"split": "1.0", "lib": "2.0", "dep": "2.0"},
    ),
    "an index source on an explicit index": (
        ["only_b", "dep"],
        '[[tool.uv.index]]\nname = "bee"\nurl = "{SECOND}"\nexplicit = true\n\n'
        '[tool.uv.sources]\nonly_b = { index = "bee" }',
        {"only_b": "1.0", "dep": "2.0"},
    ),
    "a url source": (
        ["only_b"],
        '[tool.uv.sources]\nonly_b = { url = "{SECOND_FILES}only_b-1.0-py3-none-any.whl" }',
        {"only_b": "1.0"},
    ),
}


def _scenario_script(directory: Path, name: str, server: IndexServer, second: IndexServer) -> None:
    dependencies, settings, _ = SCENARIOS[name]
    settings = settings.replace("{SECOND}", second.simple_url).replace(
        "{SECOND_FILES}", second.url.rstrip("/") + "/files/"
    )
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "s.py").write_text(
        block(server.simple_url, dependencies, settings), encoding="utf-8"
    )


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_an_unlocked_script_run_honours_the_blocks_settings(
    run: Runner, server: IndexServer, second: IndexServer, tmp_path: Path, name: str
) -> None:
    _scenario_script(tmp_path, name, server, second)
    assert versions(ok(run("run", "s.py")).stdout) == SCENARIOS[name][2]
    assert not (tmp_path / "s.py.lock").exists()  # resolved in memory, as uv: nothing written


@pytest.mark.skipif(UV is None, reason="uv is not installed")
@pytest.mark.parametrize("name", list(SCENARIOS))
def test_uv_run_installs_the_same_versions(
    run: Runner, server: IndexServer, second: IndexServer, tmp_path: Path, name: str
) -> None:
    for tool in ("uv", "ferry"):
        _scenario_script(tmp_path / tool, name, server, second)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("UV_", "PIP_", "FERRY_", "VIRTUAL_ENV"))}
    env.update(UV_CACHE_DIR=str(tmp_path / "uv-cache"), UV_PYTHON=sys.executable,
               UV_PYTHON_DOWNLOADS="never", UV_NO_CONFIG="1")
    done = subprocess.run([str(UV), "run", "-q", "s.py"], cwd=tmp_path / "uv", env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    ferry = ok(run("run", "--python", sys.executable, "s.py", cwd=tmp_path / "ferry"))
    assert versions(ferry.stdout) == versions(done.stdout) == SCENARIOS[name][2]


def _local_sources(directory: Path, version: str) -> None:
    """A wheel and a source tree (built by its in-tree backend) beside the script."""
    make_wheel(directory / "wheels", "wheelpath", "1.5")
    sdist = make_sdist(directory / "sdists", "localpkg", version)
    with tarfile.open(sdist) as archive:
        archive.extractall(directory / "tree", filter="data")


PATH_SOURCES = (
    "[tool.uv.sources]\n"
    'wheelpath = { path = "wheels/wheelpath-1.5-py3-none-any.whl" }\n'
    'localpkg = { path = "tree/localpkg-0.7" }'
)


def test_path_sources_beside_the_script_and_a_changed_tree_gives_a_new_environment(
    run: Runner, server: IndexServer, tmp_path: Path
) -> None:
    _local_sources(tmp_path, "0.7")
    script = tmp_path / "s.py"
    script.write_text(block(server.simple_url, ["wheelpath", "localpkg"], PATH_SOURCES),
                      encoding="utf-8")
    assert versions(ok(run("run", "s.py")).stdout) == {"wheelpath": "1.5", "localpkg": "0.7"}
    # The tree's metadata changes (its pyproject.toml): the cached environment no longer
    # stands for the block, so the next run resolves and builds again.
    tree = tmp_path / "tree" / "localpkg-0.7"
    for name, old, new in (("pyproject.toml", '"0.7"', '"0.8"'),  # what the lock reads
                           ("PKG-INFO", "Version: 0.7", "Version: 0.8")):  # what it builds
        path = tree / name
        path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    assert versions(ok(run("run", "s.py")).stdout)["localpkg"] == "0.8"


def test_the_environment_is_keyed_by_the_block_and_reused_without_the_network(
    run: Runner, server: IndexServer, tmp_path: Path
) -> None:
    script = tmp_path / "s.py"
    plain = block(server.simple_url, ["lib"])
    script.write_text(plain, encoding="utf-8")
    first = ok(run("run", "s.py"))
    assert versions(first.stdout) == {"lib": "2.0", "dep": "2.0"}
    assert "Installed 2 packages" in first.stderr and "Resolved" not in first.stderr  # as uv
    # Nothing changed: no resolution, not one request, and it works offline.
    server.clear_log()
    again = ok(run("run", "s.py"))
    assert versions(again.stdout) == {"lib": "2.0", "dep": "2.0"}
    assert "Installed" not in again.stderr
    assert ok(run("run", "--offline", "s.py")).stdout == again.stdout
    assert server.requests == []
    # A setting of the block changes: a new environment, resolved with it.
    script.write_text(block(server.simple_url, ["lib"], '[tool.uv]\nconstraint-dependencies = '
                            '["dep<2"]'), encoding="utf-8")
    assert versions(ok(run("run", "s.py")).stdout) == {"lib": "2.0", "dep": "1.0"}
    # Back to the first block: its environment is still there, found without the index.
    server.clear_log()
    script.write_text(plain, encoding="utf-8")
    assert versions(ok(run("run", "s.py")).stdout) == {"lib": "2.0", "dep": "2.0"}
    assert server.requests == []
    # A new release does not change a cached environment; --upgrade resolves again.
    server.index.add_wheel("lib", "3.0", requires=["dep"], upload_time=NEW)
    assert versions(ok(run("run", "s.py")).stdout)["lib"] == "2.0"
    assert versions(ok(run("run", "--upgrade", "s.py")).stdout)["lib"] == "3.0"


def test_an_index_flag_is_part_of_the_key(
    run: Runner, server: IndexServer, second: IndexServer, tmp_path: Path
) -> None:
    # The block names no index; the flag chooses one, and another flag another environment.
    (tmp_path / "s.py").write_text(
        '# /// script\n# dependencies = ["split"]\n# ///\n' + SHOW, encoding="utf-8"
    )
    first = ok(run("run", "--index-url", server.simple_url, "s.py"))
    assert versions(first.stdout) == {"split": "3.0"}
    other = ok(run("run", "--index-url", second.simple_url, "s.py"))
    assert versions(other.stdout) == {"split": "1.0"}


def test_with_adds_packages_on_top_and_the_block_settings_still_hold(
    run: Runner, server: IndexServer, tmp_path: Path
) -> None:
    (tmp_path / "s.py").write_text(
        block(server.simple_url, ["lib"], '[tool.uv]\nexclude-newer = "2025-01-01T00:00:00Z"'),
        encoding="utf-8",
    )
    result = ok(run("run", "--with", "extra", "s.py"))
    assert versions(result.stdout) == {"lib": "1.0", "dep": "2.0", "extra": "1.0"}
    # The script's own environment is the same with or without --with.
    server.clear_log()
    assert versions(ok(run("run", "s.py")).stdout) == {"lib": "1.0", "dep": "2.0"}
    assert server.requests == []


def test_locked_and_frozen_need_a_lock_as_in_uv(
    run: Runner, server: IndexServer, tmp_path: Path
) -> None:
    (tmp_path / "s.py").write_text(block(server.simple_url, ["lib"]), encoding="utf-8")
    for flag in ("--locked", "--frozen"):
        result = run("run", flag, "s.py")
        assert result.code == 2, result.output  # a usage error in uv 0.13.8
        assert f"Unable to find lockfile for Python script, but `{flag}` was provided" in (
            result.stderr
        )
    assert server.requests == []


def test_the_exit_code_passes_through(run: Runner, server: IndexServer, tmp_path: Path) -> None:
    body = "import sys\nimport lib\nsys.exit(7)\n"
    (tmp_path / "s.py").write_text(
        block(server.simple_url, ["lib"], '[tool.uv]\nexclude-newer = "2025-01-01T00:00:00Z"',
              body=body),
        encoding="utf-8",
    )
    assert run("run", "s.py").code == 7


def test_a_script_without_a_block_runs_in_the_project(
    run: Runner, server: IndexServer, tmp_path: Path
) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "app"\nversion = "0"\nrequires-python = ">=3.8"\n'
        'dependencies = ["lib==1.0"]\n\n'
        f'[[tool.uv.index]]\nurl = "{server.simple_url}"\ndefault = true\n',
        encoding="utf-8",
    )
    (tmp_path / "x.py").write_text(SHOW, encoding="utf-8")
    result = ok(run("run", "x.py"))
    assert versions(result.stdout) == {"lib": "1.0", "dep": "2.0"}
    assert (tmp_path / "uv.lock").is_file() and (tmp_path / ".venv").is_dir()


@pytest.mark.parametrize(
    ("strategy", "expected"),
    [("first-index", "1.0"), ("unsafe-first-match", "1.0"), ("unsafe-best-match", "3.0")],
)
def test_a_project_lock_honours_index_strategy_too(
    run: Runner, server: IndexServer, second: IndexServer, tmp_path: Path,
    strategy: str, expected: str
) -> None:
    # The script's resolution is the project lock's: the setting is read there for both.
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "app"\nversion = "0"\nrequires-python = ">=3.8"\n'
        f'dependencies = ["split"]\n\n[tool.uv]\nindex-strategy = "{strategy}"\n\n'
        f'[[tool.uv.index]]\nurl = "{second.simple_url}"\n\n'
        f'[[tool.uv.index]]\nurl = "{server.simple_url}"\ndefault = true\n',
        encoding="utf-8",
    )
    ok(run("lock"))
    assert f'name = "split"\nversion = "{expected}"' in (tmp_path / "uv.lock").read_text()
