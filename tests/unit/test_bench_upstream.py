"""Where the mirror comes from: pip's configured index, uv's pins, the download fallbacks."""

from __future__ import annotations

from pathlib import Path

import pytest
from bench.mirror import (
    WORKLOADS_DIR,
    Mirror,
    _fallbacks,
    find_target_python,
    prepare_workload,
)
from bench.upstream import Pin, Upstream, UpstreamError, parse_pins, parse_pip_config

PIP_CONFIG_LIST = """\
:env:.cert='/etc/ssl/certs/ca.crt'
global.extra-index-url='file:///a/simple file:///b/simple'
global.index-url='https://global.invalid/simple'
download.index-url="https://download.invalid/simple"
"""


def test_parse_pip_config() -> None:
    items = parse_pip_config(PIP_CONFIG_LIST + "garbage line\n")
    assert items[":env:.cert"] == "/etc/ssl/certs/ca.crt"
    assert items["download.index-url"] == "https://download.invalid/simple"
    assert len(items) == 4


def test_index_precedence_is_pips() -> None:
    items = parse_pip_config(PIP_CONFIG_LIST)
    assert Upstream.from_pip_config(items) == Upstream(
        "https://download.invalid/simple", "/etc/ssl/certs/ca.crt")
    items[":env:.index-url"] = "https://env.invalid/simple"
    assert Upstream.from_pip_config(items).index_url == "https://env.invalid/simple"
    del items[":env:.index-url"], items["download.index-url"]
    assert Upstream.from_pip_config(items).index_url == "https://global.invalid/simple"


def test_without_configuration_the_index_is_pips_default() -> None:
    from pip._internal.models.index import PyPI

    assert Upstream.from_pip_config({}) == Upstream(PyPI.simple_url, None)


def test_parse_pins_keeps_markers_and_refuses_ranges() -> None:
    text = (
        "# comment\n--index-url http://x\nFoo_Bar==1.0\n"
        "colorama==0.4.6 ; sys_platform == 'win32'\n"
    )
    assert parse_pins(text) == [
        Pin("foo-bar", "1.0"), Pin("colorama", "0.4.6", 'sys_platform == "win32"'),
    ]
    with pytest.raises(UpstreamError, match="not an exact pin"):
        parse_pins("foo>=1\n")
    with pytest.raises(UpstreamError, match="unexpected line"):
        parse_pins("foo==\n")


def test_fallbacks_try_later_pythons_then_other_platforms() -> None:
    assert _fallbacks("3.12") == [
        (None, "3.12"), (None, "3.13"), (None, "3.14"),
        ("win_amd64", "3.12"), ("macosx_11_0_arm64", "3.12"),
    ]


def test_target_python_is_the_base_interpreter() -> None:
    import sys

    target = find_target_python(sys.executable)
    assert target.version == f"{sys.version_info[0]}.{sys.version_info[1]}"
    assert target.executable.exists()
    with pytest.raises(UpstreamError, match="cannot run"):
        find_target_python("/nonexistent/python")


@pytest.mark.network
def test_tiny_workload_mirror_from_the_real_index(tmp_path: Path) -> None:
    mirror = Mirror(tmp_path / "mirror")
    prepared = prepare_workload(mirror, WORKLOADS_DIR / "tiny", find_target_python())
    assert "requests" in {p.name for p in prepared.pins}
    held = {f.name.split("-")[0].lower() for f in mirror.files.glob("*.whl")}
    assert {p.name.replace("-", "_") for p in prepared.pins} <= held
    assert (mirror.simple / "requests" / "index.html").is_file()
    assert prepared.unavailable == ()
