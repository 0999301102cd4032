"""ferry renders POSIX launchers itself; they must stay byte-for-byte what ``installer`` writes."""

from __future__ import annotations

import pytest
from installer.scripts import Script

from ferry.wheel.scripts import parse_entry_points, render_launcher


@pytest.mark.parametrize(
    "executable",
    ["/venv/bin/python", "/path with space/bin/python", "/" + "x" * 200 + "/bin/python"],
)
@pytest.mark.parametrize(
    "text",
    [
        "[console_scripts]\nrun = pkg.mod:Main.start\n",
        "[gui_scripts]\nwin = app:main [extra]\n",
        "[console_scripts]\nplain = tool:cli\n",
    ],
)
def test_posix_launchers_match_installer(executable: str, text: str) -> None:
    (script,) = parse_entry_points(text)
    expected = Script(script.name, script.module, script.attr, section=script.section)
    assert render_launcher(script, executable) == expected.generate(executable, "posix")
