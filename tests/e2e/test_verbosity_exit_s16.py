"""Global verbosity flags and a few exit codes, side by side with the real uv 0.13.8.

What uv does, observed (and what ferry now does):

- ``-q`` hides status lines and warnings, and also what uv prints on stdout through its
  ordinary printer (``cache dir``, ``version``, ``pip show``); listings (``pip list``/``freeze``,
  ``version --output-format json``) and ``pip check``'s findings stay. ``-qq`` (``-q -q``,
  ``--quiet --quiet``) hides those too, and every error — but not the results uv writes outside
  its printer (``export``, ``tree``, ``pip compile``), nor its parser's errors, exit codes
  unchanged.
- ``-q`` with ``-v`` on one level of the command line is a usage error (exit 2, naming the
  first typed); on different levels (``-q lock -v``) both hold: debug lines, quiet output.
- ``remove`` of a name the table lacks exits 2.
- ``--locked``/``--frozen`` (``lock``: ``--check``/``--locked``) with ``--upgrade`` are refused
  as the parser refuses them (exit 2, even under ``-qq``, before any warning); with
  ``--upgrade-package`` they are not.
- the ``[tool.uv] dev-dependencies`` warning comes from uv's settings discovery, so every
  command whose arguments parse says it (``pip``, ``cache``, ``init``, ``run --script``…), and
  ``--help`` or a usage error does not.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.parity5.parity5_kit import run_uv, seed_index, shape
from tests.support.index import IndexServer
from tests.support.runner import Result, Runner

DEV_WARNING = "warning: The `tool.uv.dev-dependencies` field"


@pytest.fixture
def server(index_server: IndexServer) -> IndexServer:
    seed_index(index_server)
    return index_server


def project(root: Path, server: IndexServer, *, dev: bool = False) -> Path:
    root.mkdir(parents=True)
    text = ('[project]\nname = "demo"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n'
            'dependencies = ["beta"]\n\n')
    if dev:
        text += '[tool.uv]\ndev-dependencies = ["gamma"]\n\n'
    text += f'[[tool.uv.index]]\nurl = "{server.simple_url}"\ndefault = true\n'
    (root / "pyproject.toml").write_text(text, encoding="utf-8")
    (root / "s.py").write_text("# /// script\n# dependencies = []\n# ///\nprint(1)\n",
                               encoding="utf-8")
    return root


def twins(tmp_path: Path, server: IndexServer, run: Runner, *, dev: bool = False,
          sync: bool = False) -> tuple[Path, Path]:
    """The same project for each tool, locked (and synced) by each."""
    ours = project(tmp_path / "ferry", server, dev=dev)
    theirs = project(tmp_path / "uv", server, dev=dev)
    step = ["sync", "-q"] if sync else ["lock", "-q"]
    assert run(*step, cwd=ours).code == 0
    assert run_uv(step, theirs, tmp_path).code == 0
    return ours, theirs


def both(run: Runner, tmp_path: Path, ours: Path, theirs: Path,
         args: list[str]) -> tuple[Result, Result]:
    return run(*args, cwd=ours), run_uv(args, theirs, tmp_path)


def same(mine: Result, uvs: Result, ours: Path, theirs: Path) -> None:
    """Exit code, stdout and stderr alike once paths, timings and tool names are set aside."""
    assert mine.code == uvs.code, (mine.stderr, uvs.stderr)
    assert shape(mine.stdout, {"[P]": ours}) == shape(uvs.stdout, {"[P]": theirs})
    assert shape(mine.stderr, {"[P]": ours}) == shape(uvs.stderr, {"[P]": theirs})


LEVELS = [[], ["-q"], ["-qq"], ["-q", "-q"], ["--quiet", "--quiet"]]
PYTHON = ["--python", ".venv/bin/python"]  # never the test interpreter's own environment
COMMANDS = [
    ["pip", "list", *PYTHON],
    ["pip", "freeze", *PYTHON],
    ["pip", "show", "beta", *PYTHON],
    ["version"],
    ["version", "--short"],
    ["version", "--output-format", "json"],
    ["export", "--no-hashes"],
    ["tree"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_what_each_quiet_level_prints(
    run: Runner, tmp_path: Path, server: IndexServer, command: list[str]
) -> None:
    ours, theirs = twins(tmp_path, server, run, sync=True)
    for level in LEVELS:
        mine, uvs = both(run, tmp_path, ours, theirs, [*level, *command])
        same(mine, uvs, ours, theirs)
        if level:
            assert mine.stderr == "", level
        silent = len(level) > 1 or level == ["-qq"]
        if command[0] in ("export", "tree"):  # results: printed whatever the level
            assert mine.stdout, level
        elif (command[0] == "pip" and command[1] != "show") or "json" in command:
            assert bool(mine.stdout) is not silent, level
        else:
            assert bool(mine.stdout) is not bool(level), level


def test_cache_dir_and_pip_check_by_level(run: Runner, tmp_path: Path, server: IndexServer) -> None:
    """``cache dir`` goes with ``-q``; ``pip check``'s findings (stderr) stay under ``-q``."""
    ours, theirs = twins(tmp_path, server, run, sync=True)
    for tool_dir, runner in ((ours, lambda a: run(*a, cwd=ours)),
                             (theirs, lambda a: run_uv(a, theirs, tmp_path))):
        assert runner(["pip", "uninstall", "alpha", "-q", *PYTHON]).code == 0, tool_dir
    for level in ([], ["-q"], ["-qq"]):
        mine, uvs = both(run, tmp_path, ours, theirs, [*level, "cache", "dir"])
        assert (mine.code, bool(mine.stdout)) == (uvs.code, bool(uvs.stdout)) == (0, not level)
        mine, uvs = both(run, tmp_path, ours, theirs, [*level, "pip", "check", *PYTHON])
        assert mine.code == uvs.code == 1
        assert mine.stdout == uvs.stdout == ""
        findings = [line for line in uvs.stderr.splitlines() if not line.startswith("Checked")]
        assert [line for line in mine.stderr.splitlines()
                if not line.startswith("Checked")] == findings
        assert ("requires `alpha`" in mine.stderr) is (level != ["-qq"])


@pytest.mark.parametrize("args", [
    ["-q", "-v", "lock"], ["lock", "-q", "-v"], ["-v", "-q", "lock"], ["-qv", "lock"],
    ["--quiet", "--verbose", "lock"], ["-qq", "-vv", "lock"], ["lock", "-v", "--quiet"],
    ["-q", "-q", "-v", "pip", "list"], ["pip", "list", "-q", "-v"],
], ids=" ".join)
def test_quiet_with_verbose_on_one_level_is_a_usage_error(
    run: Runner, tmp_path: Path, server: IndexServer, args: list[str]
) -> None:
    ours, theirs = twins(tmp_path, server, run)
    mine, uvs = both(run, tmp_path, ours, theirs, args)
    assert mine.code == uvs.code == 2
    assert mine.stderr.splitlines()[0] == uvs.stderr.splitlines()[0]
    assert mine.stderr.startswith("error: the argument '--")


@pytest.mark.parametrize("args", [["-q", "lock", "-v"], ["-v", "lock", "-qq"]], ids=" ".join)
def test_on_different_levels_both_hold(
    run: Runner, tmp_path: Path, server: IndexServer, args: list[str]
) -> None:
    ours, theirs = twins(tmp_path, server, run)
    mine, uvs = both(run, tmp_path, ours, theirs, args)
    assert mine.code == uvs.code == 0
    for result in (mine, uvs):
        lines = result.stderr.splitlines()
        assert lines and all(line.startswith(("DEBUG", " ", "TRACE")) for line in lines)


@pytest.mark.parametrize("args", [
    ["remove", "nothere"], ["remove", "--dev", "nothere"], ["remove", "--group", "g", "x"],
    ["remove", "--optional", "x", "nothere"], ["remove", "gamma"],
], ids=" ".join)
def test_remove_of_a_missing_dependency_exits_2(
    run: Runner, tmp_path: Path, server: IndexServer, args: list[str]
) -> None:
    ours, theirs = twins(tmp_path, server, run, dev=True)
    for level in ([], ["-qq"]):
        mine, uvs = both(run, tmp_path, ours, theirs, [*level, *args])
        assert mine.code == uvs.code == 2
        # uv puts a blank line before its hint; ferry's errors never have one
        assert [line for line in shape(mine.stderr).splitlines() if line] == [
            line for line in shape(uvs.stderr).splitlines() if line]
        assert (mine.stderr == "") is bool(level)


CONFLICTS = [
    ["lock", "--locked", "-U"], ["lock", "-U", "--locked"], ["lock", "--check", "--upgrade"],
    ["lock", "--locked", "--check", "-U"], ["sync", "--locked", "-U"],
    ["sync", "-U", "--frozen"], ["export", "--frozen", "--upgrade"], ["tree", "-U", "--locked"],
    ["run", "--locked", "-U", "python", "-c", "pass"], ["add", "--frozen", "-U", "gamma"],
    ["-qq", "lock", "--locked", "-U"], ["sync", "--no-dev", "--only-dev"],
    ["remove", "--dev", "--script", "s.py", "alpha"],
    ["add", "--script", "s.py", "--group", "g", "alpha"],
]


@pytest.mark.parametrize("args", CONFLICTS, ids=" ".join)
def test_upgrade_beside_a_lock_mode_is_the_parsers_error(
    run: Runner, tmp_path: Path, server: IndexServer, args: list[str]
) -> None:
    """Refused first (no dev-dependencies warning before it), even under ``-qq``."""
    ours, theirs = twins(tmp_path, server, run, dev=True)
    mine, uvs = both(run, tmp_path, ours, theirs, args)
    assert mine.code == uvs.code == 2
    first = uvs.stderr.splitlines()[0]
    assert first.startswith("error: the argument '")
    # then clap's usage line and pointer to --help (s17). Not compared: here uv's usage line
    # lists the arguments its environment variables gave too (UV_PYTHON, UV_CACHE_DIR)
    said, usage, more = mine.stderr.split("\n\n")
    assert said == first
    assert usage.startswith(f"Usage: ferry {args[1] if args[0] == '-qq' else args[0]}")
    assert more == "For more information, try '--help'.\n"


@pytest.mark.parametrize("args", [
    ["lock", "--frozen", "-U"], ["lock", "--check-exists", "--upgrade"],
    ["lock", "--locked", "-P", "alpha"], ["export", "--frozen", "-P", "alpha", "--no-hashes"],
], ids=" ".join)
def test_what_the_parser_lets_through(
    run: Runner, tmp_path: Path, server: IndexServer, args: list[str]
) -> None:
    ours, theirs = twins(tmp_path, server, run)
    mine, uvs = both(run, tmp_path, ours, theirs, args)
    assert mine.code == uvs.code == 0, (mine.stderr, uvs.stderr)


WARNED = [
    ["pip", "list", *PYTHON],
    ["pip", "install", "gamma", *PYTHON],
    ["cache", "dir"],
    ["init", "sub"],
    ["venv", "other-venv", "--link-mode", "copy"],  # plain `venv` takes its own fast path
    ["run", "--no-project", "python", "-c", "pass"],
    ["run", "--script", "s.py"],
    ["lock", "--script", "s.py"],
    ["lock"],
]
NOT_WARNED = [["lock", "--help"], ["cache", "dir", "--bogus"], ["-q", "pip", "list", *PYTHON],
              ["lock", "-q", "-v"]]


@pytest.mark.parametrize("args", WARNED + NOT_WARNED, ids=" ".join)
def test_the_dev_dependencies_warning_on_every_parsed_command(
    run: Runner, tmp_path: Path, server: IndexServer, args: list[str]
) -> None:
    ours, theirs = twins(tmp_path, server, run, dev=True, sync=True)
    mine, uvs = both(run, tmp_path, ours, theirs, args)
    assert mine.code == uvs.code, (mine.stderr, uvs.stderr)
    warned = [line for line in mine.stderr.splitlines() if line.startswith(DEV_WARNING)]
    assert warned == [line for line in uvs.stderr.splitlines() if line.startswith(DEV_WARNING)]
    assert len(warned) == (args in WARNED)
    if warned:
        assert mine.stderr.startswith(DEV_WARNING)  # first, as uv says it


def test_the_warning_names_the_project_of_project_option(
    run: Runner, tmp_path: Path, server: IndexServer
) -> None:
    """From outside any project, ``--project`` names the one whose settings are read."""
    twins(tmp_path, server, run, dev=True)
    mine = run("lock", "--script", "ferry/s.py", "--project", "ferry", cwd=tmp_path)
    uvs = run_uv(["lock", "--script", "uv/s.py", "--project", "uv"], tmp_path, tmp_path)
    assert mine.code == uvs.code == 0, (mine.stderr, uvs.stderr)
    assert [line for line in mine.stderr.splitlines() if line.startswith(DEV_WARNING)] == [
        line.replace("`uv/", "`ferry/") for line in uvs.stderr.splitlines()
        if line.startswith(DEV_WARNING)]
    assert "`ferry/pyproject.toml`" in mine.stderr
