"""The runner: its command line, and a whole (tiny) benchmark on a hermetic loopback mirror."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from bench.mirror import PreparedWorkload, find_target_python
from bench.run import parse_args, run_scenarios
from bench.scenarios import SCENARIOS
from bench.server import MirrorServer
from bench.simple_index import scan_files, write_simple_index
from bench.tools import Pip, Uv
from bench.upstream import Pin


def test_defaults_and_lists() -> None:
    args = parse_args([])
    assert (args.workload, args.rounds, args.tools) == ("web", 3, ["ferry", "uv", "pip"])
    assert args.scenarios == list(SCENARIOS)
    args = parse_args(["--workload", "tiny", "--tools", "uv, pip", "--scenario", "venv"])
    assert (args.workload, args.tools, args.scenarios) == ("tiny", ["uv", "pip"], ["venv"])


@pytest.mark.parametrize(
    "argv", [["--tools", "uv,hatch"], ["--scenario", "nope"], ["--rounds", "0"],
             ["--workload", "huge"], ["--tools", ","]],
)
def test_bad_arguments_are_refused(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        parse_args(argv)
    assert exc.value.code == 2
    assert "error:" in capsys.readouterr().err


def _uv() -> str | None:
    beside = Path(sys.executable).parent / "uv"
    return str(beside) if beside.is_file() else shutil.which("uv")


@pytest.mark.skipif(_uv() is None, reason="uv is not installed")
def test_uv_and_pip_measured_side_by_side(tmp_path: Path, make_wheel: Callable[..., Path]
                                          ) -> None:
    root = tmp_path / "mirror"
    make_wheel("a", "1.0", requires=["b"], directory=root / "files")
    make_wheel("b", "1.0", directory=root / "files")
    write_simple_index(scan_files(root / "files"), root / "simple")
    workload = tmp_path / "demo"
    workload.mkdir()
    (workload / "pyproject.toml").write_text(
        '[project]\nname = "demo"\nversion = "0"\nrequires-python = ">=3.11"\n'
        'dependencies = ["a"]\n'
    )
    (workload / "pins.txt").write_text("a==1.0\nb==1.0\n")
    prepared = PreparedWorkload("demo", workload, workload / "pins.txt",
                                (Pin("a", "1.0"), Pin("b", "1.0")), (), ())
    scenarios = [SCENARIOS[n] for n in ("venv", "pip-install-cold", "lock-cold")]
    work = tmp_path / "work"
    with MirrorServer(root) as server:
        outcomes = run_scenarios(
            scenarios, [Uv(_uv()), Pip()], prepared, find_target_python(sys.executable), server,
            work, rounds=1, timeout=120, keep=False, missing=frozenset({"pdm"}),
        )
        assert server.requests > 0
    status = {(o.scenario, o.tool): o.status for o in outcomes}
    errors = "\n".join(o.error for o in outcomes)
    assert status == {
        ("venv", "uv"): "ok", ("venv", "pip"): "ok", ("venv", "pdm"): "missing",
        ("pip-install-cold", "uv"): "ok", ("pip-install-cold", "pip"): "ok",
        ("pip-install-cold", "pdm"): "missing",
        ("lock-cold", "uv"): "ok", ("lock-cold", "pip"): "n/a", ("lock-cold", "pdm"): "missing",
    }, errors
    assert not list(work.iterdir())  # each scenario's directory is removed after it
