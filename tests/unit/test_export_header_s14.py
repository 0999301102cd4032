"""The command line an export's header repeats leaves out what uv's leaves out: `-q`/`--quiet`,
`-v`/`--verbose`, `-U`/`--upgrade` and `-P`/`--upgrade-package` with its value (`-qq` stays, as
in uv), so a quiet export writes the same file as a plain one."""

from __future__ import annotations

from ferry.cli.export import _header_args


def test_quiet_verbose_and_upgrades_are_left_out() -> None:
    assert _header_args(["-q", "--no-hashes", "-v", "--quiet", "--verbose"]) == ["--no-hashes"]
    assert _header_args(["-U", "--upgrade", "-P", "six", "--upgrade-package", "idna",
                         "--upgrade-package=rich", "-Pcertifi", "--frozen"]) == ["--frozen"]


def test_other_spellings_stay() -> None:
    assert _header_args(["-qq", "--extra", "cli", "-o", "out.txt"]) == [
        "-qq", "--extra", "cli", "-o", "out.txt"]
