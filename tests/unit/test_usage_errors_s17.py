"""Command-line errors in uv 0.13.8's words (``ferry.cli.usage_errors``, ``clap_usage``).

Each expected text is what uv 0.13.8 printed for the same command line (run in an empty
directory, no ``UV_*`` variables set: clap lists arguments that came from the environment in
its usage line too), with ``uv`` renamed ``ferry``. Run in-process through ``main``: the errors
all come before any command runs."""

from __future__ import annotations

import pytest

from ferry.cli.clap_usage import jaro, similar, smart_usage
from ferry.cli.main import main
from ferry.cli.usage_errors import scan, view_of

MORE = "\n\nFor more information, try '--help'.\n"

CASES: list[tuple[str, str]] = [
    ("sync --bogus", "error: unexpected argument '--bogus' found\n\nUsage: ferry sync [OPTIONS]"),
    ("venv --bogus", "error: unexpected argument '--bogus' found\n\n"
     "  tip: to pass '--bogus' as a value, use '-- --bogus'\n\n"
     "Usage: ferry venv [OPTIONS] [PATH]"),
    ("sync --frozen --no-dev --bogus",
     "error: unexpected argument '--bogus' found\n\nUsage: ferry sync --frozen --no-dev"),
    ("sync -v --bogus", "error: unexpected argument '--bogus' found\n\n"
     "Usage: ferry sync --verbose..."),
    ("-v sync --bogus", "error: unexpected argument '--bogus' found\n\n"
     "Usage: ferry sync [OPTIONS]"),
    ("sync -p 3.12 --bogus", "error: unexpected argument '--bogus' found\n\n"
     "Usage: ferry sync --python <PYTHON>"),
    ("sync --frozen -Z", "error: unexpected argument '-Z' found\n\nUsage: ferry sync [OPTIONS]"),
    ("venv --sed", "error: unexpected argument '--sed' found\n\n"
     "  tip: a similar argument exists: '--seed'\n\nUsage: ferry venv --seed [PATH]"),
    ("sync --hel", "error: unexpected argument '--hel' found\n\n"
     "  tip: a similar argument exists: '--help'\n\nUsage: ferry sync --help"),
    ("--offlin sync", "error: unexpected argument '--offlin' found\n\n"
     "  tip: a similar argument exists: '--offline'\n\nUsage: ferry --offline <COMMAND>"),
    ("remove a --bogus", "error: unexpected argument '--bogus' found\n\n"
     "  tip: to pass '--bogus' as a value, use '-- --bogus'\n\nUsage: ferry remove <PACKAGES>..."),
    ("lock --locked --bogus", "error: unexpected argument '--bogus' found\n\n"
     "Usage: ferry lock [OPTIONS]"),  # uv hides lock's --locked
    ("pip compile --constraint x --bogus", "error: unexpected argument '--bogus' found\n\n"
     "  tip: to pass '--bogus' as a value, use '-- --bogus'\n\n"
     "Usage: ferry pip compile --constraints <CONSTRAINTS> <SRC_FILE|--group <GROUP>>"),
    ("snyc", "error: unrecognized subcommand 'snyc'\n\n"
     "  tip: a similar subcommand exists: 'sync'\n\nUsage: ferry [OPTIONS] <COMMAND>"),
    ("pip instal", "error: unrecognized subcommand 'instal'\n\n"
     "  tip: some similar subcommands exist: 'list', 'uninstall', 'install'\n\n"
     "Usage: ferry pip [OPTIONS] <COMMAND>"),
    ("cache bogus", "error: unrecognized subcommand 'bogus'\n\n"
     "Usage: ferry cache [OPTIONS] <COMMAND>"),
    ("sync --python", "error: a value is required for '--python <PYTHON>' but none was supplied"),
    ("pip install -e",
     "error: a value is required for '--editable <EDITABLE>' but none was supplied"),
    ("sync --link-mode", "error: a value is required for '--link-mode <LINK_MODE>' but none was "
     "supplied\n  [possible values: clone, copy, hardlink, symlink]"),
    ("sync --link-mode=cop", "error: invalid value 'cop' for '--link-mode <LINK_MODE>'\n"
     "  [possible values: clone, copy, hardlink, symlink]\n\n"
     "  tip: a similar value exists: 'copy'"),
    ("--color x sync", "error: invalid value 'x' for '--color <COLOR_CHOICE>'\n"
     "  [possible values: auto, always, never]"),
    ("tree -d x",
     "error: invalid value 'x' for '--depth <DEPTH>': invalid digit found in string"),
    ("sync --frozen=x", "error: unexpected value 'x' for '--frozen' found; no more were "
     "expected\n\nUsage: ferry sync --frozen"),
    ("venv a b", "error: unexpected argument 'b' found\n\nUsage: ferry venv [OPTIONS] [PATH]"),
    ("lock --frozen x", "error: unexpected argument 'x' found\n\nUsage: ferry lock [OPTIONS]"),
    ("remove --frozen -p 3 --no-sync", "error: the following required arguments were not "
     "provided:\n  <PACKAGES>...\n\n"
     "Usage: ferry remove --frozen --python <PYTHON> --no-sync <PACKAGES>..."),
    ("add --frozen", "error: the following required arguments were not provided:\n"
     "  <PACKAGES|--requirements <REQUIREMENTS>>\n\n"
     "Usage: ferry add --frozen <PACKAGES|--requirements <REQUIREMENTS>>"),
    ("pip uninstall", "error: the following required arguments were not provided:\n"
     "  <PACKAGE|--requirements <REQUIREMENTS>>\n\n"
     "Usage: ferry pip uninstall <PACKAGE|--requirements <REQUIREMENTS>>"),
    ("pip sync", "error: the following required arguments were not provided:\n"
     "  <SRC_FILE>...\n\nUsage: ferry pip sync <SRC_FILE>..."),
    ("sync --no-dev --frozen --locked", "error: the argument '--frozen' cannot be used with "
     "'--locked'\n\nUsage: ferry sync --no-dev --frozen"),
    ("lock --frozen --locked", "error: the argument '--frozen' cannot be used with '--locked'"
     "\n\nUsage: ferry lock [OPTIONS]"),
    ("sync -U --locked", "error: the argument '--upgrade' cannot be used with '--locked'\n\n"
     "Usage: ferry sync --upgrade"),
    ("sync --only-dev --no-dev --all-groups", "error: the argument '--only-dev' cannot be used "
     "with:\n  --no-dev\n  --all-groups\n\nUsage: ferry sync --only-dev"),
    ("remove --script s.py --group g x", "error: the argument '--script <SCRIPT>' cannot be "
     "used with '--group <GROUP>'\n\nUsage: ferry remove --script <SCRIPT> <PACKAGES>..."),
    ("sync -q -v", "error: the argument '--quiet...' cannot be used with '--verbose...'\n\n"
     "Usage: ferry sync --quiet..."),
    ("pip -q -v list", "error: the argument '--quiet...' cannot be used with '--verbose...'\n\n"
     "Usage: ferry pip --quiet... <COMMAND>"),
]


@pytest.mark.parametrize(("argv", "expected"), CASES, ids=[c[0] for c in CASES])
def test_uvs_words(argv: str, expected: str, capsys: pytest.CaptureFixture[str],
                   monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    monkeypatch.chdir(str(tmp_path))
    for name in ("FERRY_CACHE_DIR", "FERRY_COMPILE_BYTECODE", "VIRTUAL_ENV"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(SystemExit) as done:
        main(argv.split())
    assert done.value.code == 2
    assert capsys.readouterr().err == expected + MORE


def test_said_under_qq(capsys: pytest.CaptureFixture[str]) -> None:
    """clap's errors are said whatever the verbosity (uv -qq prints them too)."""
    with pytest.raises(SystemExit):
        main(["-qq", "sync", "--bogus"])
    assert capsys.readouterr().err.startswith("error: unexpected argument '--bogus' found\n")


def test_a_bare_group_shows_its_help(capsys: pytest.CaptureFixture[str]) -> None:
    """``ferry pip`` prints its help (exit 2), as ``uv pip`` does; ``ferry pip -q`` is clap's
    "requires a subcommand"."""
    with pytest.raises(SystemExit) as done:
        main(["pip"])
    assert done.value.code == 2
    shown = capsys.readouterr()
    assert "Commands:" in shown.out + shown.err
    with pytest.raises(SystemExit):
        main(["pip", "-q"])
    err = capsys.readouterr().err
    assert err.startswith("error: 'ferry pip' requires a subcommand but one was not provided\n"
                          "  [subcommands: compile, sync, install, uninstall, ")
    assert err.endswith("\n\nUsage: ferry pip [OPTIONS] <COMMAND>" + MORE)


def test_jaro_matches_strsim() -> None:
    """Values the ``strsim`` crate gives (clap suggests above 0.7)."""
    assert jaro("", "") == 1.0
    assert jaro("a", "") == 0.0
    assert jaro("martha", "marhta") == pytest.approx(0.944444, abs=1e-6)
    assert jaro("x", "explicit") == pytest.approx(0.708333, abs=1e-6)
    assert jaro("dixon", "dicksonx") == pytest.approx(0.766667, abs=1e-6)


def test_similar_orders_least_similar_first() -> None:
    assert similar("instal", ["compile", "sync", "install", "uninstall", "list"]) == [
        "list", "uninstall", "install"]
    assert similar("zzz", ["sync", "lock"]) == []


def test_scan_reads_a_level_as_clap() -> None:
    """Options with their values, clustered shorts, positionals; stops at the unknown."""
    sync = view_of(["sync"])
    read = scan(sync, ["-p", "3.12", "--frozen", "--extra", "a", "--bogus", "--no-dev"])
    assert [a.shown() for a in read.used] == ["--python <PYTHON>", "--frozen", "--extra <EXTRA>"]
    assert read.stop == 5
    assert scan(sync, ["--frozen", "extra"]).extra == "extra"
    venv = view_of(["venv"])
    assert smart_usage(venv, scan(venv, ["--seed", "here"]).used) == "ferry venv --seed <PATH>"
