"""The pure parts of the harness (negotiation, ranges, fault plans, output filters) and the
conftest fixtures (isolation, run, snapshots, interpreters)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.support.envs import EnvSnapshot, find_python
from tests.support.faults import Fault, FaultSet
from tests.support.http_util import HTML_V1, JSON_V1, choose_page_type, parse_range
from tests.support.runner import Runner, filter_output


@pytest.mark.parametrize(
    ("accept", "json_available", "expected"),
    [
        (None, True, "text/html"),
        ("*/*", True, JSON_V1),
        (f"{JSON_V1}, {HTML_V1};q=0.1, text/html;q=0.01", True, JSON_V1),
        (f"{JSON_V1}, {HTML_V1};q=0.1, text/html;q=0.01", False, HTML_V1),
        (f"{JSON_V1};q=0.5, text/html", True, "text/html"),
        ("text/html", True, "text/html"),
        ("application/json", True, "text/html"),  # nothing acceptable: PEP 503 default
        (f"{JSON_V1};q=bogus", True, "text/html"),
    ],
)
def test_choose_page_type(accept: str | None, json_available: bool, expected: str) -> None:
    assert choose_page_type(accept, json_available=json_available) == expected


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("bytes=0-9", (0, 9)),
        ("bytes=5-", (5, 99)),
        ("bytes=90-200", (90, 99)),
        ("bytes=-10", (90, 99)),
        ("bytes=-500", (0, 99)),
        ("bytes=100-", "unsatisfiable"),
        ("bytes=-0", "unsatisfiable"),
        ("bytes=9-3", None),
        ("bytes=0-1,5-6", None),
        ("items=0-1", None),
        ("bytes=-", None),
    ],
)
def test_parse_range(header: str | None, expected: object) -> None:
    assert parse_range(header, 100) == expected


def test_fault_plan_order_and_counting() -> None:
    faults = FaultSet()
    delay = faults.add(Fault("delay", "/files/*", seconds=0.5))
    truncate = faults.add(Fault("truncate", "/files/*", times=1, at_bytes=3))
    fail = faults.add(Fault("fail", "/files/b*", times=1, status=503))
    plan = faults.plan("/files/b.whl")
    assert (plan.replace, plan.body, plan.delay_before) == (fail, None, 0.5)
    assert (fail.hits, truncate.hits, delay.hits) == (1, 0, 1)  # truncate unused: not counted
    plan = faults.plan("/files/b.whl")
    assert (plan.replace, plan.body) == (None, truncate)
    plan = faults.plan("/files/b.whl")
    assert (plan.replace, plan.body, delay.hits) == (None, None, 3)
    assert faults.plan("/simple/").delay_before == 0


def test_filter_output(tmp_path: Path) -> None:
    text = (
        f"Installed 3 packages in 12ms into {tmp_path}/venv\n"
        f"Downloaded 3.1MiB (512 KiB/s) from http://127.0.0.1:40123/simple/ in 1.20s\n"
        f"cache: {tmp_path / 'cache'}/files-v1 python3.12 v1.2.3s\n"
    )
    assert filter_output(text, {"[TMP]": tmp_path, "[CACHE]": tmp_path / "cache"}) == (
        "Installed 3 packages in [TIME] into [TMP]/venv\n"
        "Downloaded [SIZE] ([SIZE]/s) from http://[SERVER]/simple/ in [TIME]\n"
        "cache: [CACHE]/files-v1 python3.12 v1.2.3s\n"
    )


def test_filter_output_fixture(tmp_path: Path, filter_output: Callable[[str], str]) -> None:
    text = f"{tmp_path}/cache/x {tmp_path}/y took 3ms"
    assert filter_output(text) == "[CACHE]/x [TMP]/y took [TIME]"


def test_isolated_env_scrubs_configuration(
    isolated_env: Path, tmp_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert os.environ["HOME"] == str(isolated_env)
    assert os.environ["FERRY_CACHE_DIR"] == str(tmp_cache)
    assert os.environ["PIP_CONFIG_FILE"] == os.devnull
    leaked = [k for k in os.environ if k.startswith(("UV_", "XDG_")) or k == "VIRTUAL_ENV"]
    assert leaked == []
    assert [k for k in os.environ if k.startswith("PIP_")] == ["PIP_CONFIG_FILE"]


def test_run_executes_ferry_in_a_subprocess(run: Runner, tmp_path: Path) -> None:
    result = run("--version")
    assert result.code == 0, result.stderr
    assert "ferry" in result.stdout.lower()
    code, stdout, stderr = run("--no-such-option")
    assert code == 2 and stdout == "" and "no-such-option" in stderr
    probe = run("--version", env={"FERRY_CACHE_DIR": None})
    assert probe.code == 0
    assert run.default_cwd == tmp_path


def test_env_snapshot_sees_every_change(
    bare_venv: Path, env_snapshot: Callable[[Path], EnvSnapshot]
) -> None:
    site = next(bare_venv.glob("lib/python*/site-packages"))
    info = site / "demo-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: Demo\nVersion: 1.0\n")
    (site / "demo.py").write_text("x = 1\n")
    before = env_snapshot(bare_venv)
    assert before["dists"] == {"demo": "1.0"}
    assert "bin/python" in before["files"] and before["files"]["bin/python"].startswith("-> ")
    (site / "__pycache__").mkdir(exist_ok=True)
    (site / "__pycache__" / "demo.cpython-311.pyc").write_bytes(b"ignored")
    assert env_snapshot(bare_venv) == before
    (site / "demo.py").write_text("x = 2\n")
    after = env_snapshot(bare_venv)
    assert after["files"] != before["files"]
    (site / "demo.py").write_text("x = 1\n")
    (site / "leftover").mkdir()
    assert env_snapshot(bare_venv)["files"].keys() - before["files"].keys() == {
        f"{site.relative_to(bare_venv).as_posix()}/leftover"
    }


def test_python_exe_finds_or_skips(python_exe: Callable[[str], Path]) -> None:
    here = f"{sys.version_info.major}.{sys.version_info.minor}"
    found = find_python(here)
    if found is None:
        pytest.skip(f"no interpreter for {here} in pyenv or on PATH")
    assert python_exe(here) == found
    with pytest.raises(ValueError, match="not a Python version"):
        find_python("three")
    assert find_python("2.99") is None
    with pytest.raises(pytest.skip.Exception, match=r"Python 2\.99 is not installed"):
        python_exe("2.99")
