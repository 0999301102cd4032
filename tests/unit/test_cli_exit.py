"""ferry leaves without the interpreter's teardown (ferry.cli.fast._leave), yet keeps what an
ordinary exit guarantees: the exit status, flushed output, atexit handlers, and the wait for
a non-daemon thread still at work."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

DRIVER = """
import atexit, sys, threading, time
from pathlib import Path
marker = Path(sys.argv[1])
mode = sys.argv[2]
atexit.register(lambda: marker.with_suffix(".atexit").write_text("ran"))
if mode == "thread":
    def late() -> None:
        time.sleep(0.3)
        marker.with_suffix(".thread").write_text("done")
    threading.Thread(target=late).start()
sys.stdout.write("unflushed output without a newline")
sys.argv = ["ferry", *sys.argv[3:]]
from ferry.cli.fast import main
main()
"""


def drive(tmp_path: Path, mode: str, *args: str) -> tuple[subprocess.CompletedProcess[str], Path]:
    marker = tmp_path / "marker"
    done = subprocess.run([sys.executable, "-c", DRIVER, str(marker), mode, *args],
                          capture_output=True, text=True, timeout=60)
    return done, marker


@pytest.mark.parametrize(("args", "status"), [
    (("--version",), 0),
    (("lock", "--no-such-option"), 2),  # usage error
    (("pip", "list", "--python", "/no/such/python"), 2),  # no interpreter: uv exits 2 too
])
def test_status_output_and_atexit_survive(tmp_path: Path, args: tuple[str, ...],
                                          status: int) -> None:
    done, marker = drive(tmp_path, "plain", *args)
    assert done.returncode == status, done.stderr
    assert done.stdout.startswith("unflushed output without a newline")
    assert marker.with_suffix(".atexit").read_text() == "ran"


def test_a_running_thread_is_waited_for(tmp_path: Path) -> None:
    done, marker = drive(tmp_path, "thread", "--version")
    assert done.returncode == 0, done.stderr
    assert marker.with_suffix(".thread").read_text() == "done"
