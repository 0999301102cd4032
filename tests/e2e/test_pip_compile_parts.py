"""The pieces of ``pip compile`` in process: platforms, tags, the header, the output, overrides.

The platform table was measured against ``uv pip compile --python-platform`` (which marker values
make a requirement apply), so these tests pin uv's behaviour, not a guess.
"""

from __future__ import annotations

import pytest

from ferry.commands.compile_output import (
    Entry,
    OutputOptions,
    header_command,
    index_lines,
    render,
    sort_sources,
)
from ferry.commands.compile_resolve import apply_overrides
from ferry.commands.compile_target import compile_target, parse_platform, wheel_tags
from ferry.model.errors import UsageError
from ferry.model.pep440_version import Version
from ferry.model.pep508_markers import Marker
from ferry.model.pep508_requirements import Requirement

HOST = {
    "implementation_name": "cpython", "implementation_version": "3.11.7", "os_name": "posix",
    "platform_machine": "x86_64", "platform_python_implementation": "CPython",
    "platform_release": "6.1", "platform_system": "Linux", "platform_version": "#1 SMP",
    "python_full_version": "3.11.7", "python_version": "3.11", "sys_platform": "linux",
}


@pytest.mark.parametrize(
    ("name", "os_name", "sys_platform", "system", "machine"),
    [
        ("windows", "nt", "win32", "Windows", "AMD64"),
        ("x86_64-pc-windows-msvc", "nt", "win32", "Windows", "AMD64"),
        ("i686-pc-windows-msvc", "nt", "win32", "Windows", "x86"),
        ("aarch64-pc-windows-msvc", "nt", "win32", "Windows", "ARM64"),
        ("linux", "posix", "linux", "Linux", "x86_64"),
        ("aarch64-unknown-linux-gnu", "posix", "linux", "Linux", "aarch64"),
        ("x86_64-unknown-linux-musl", "posix", "linux", "Linux", "x86_64"),
        ("macos", "posix", "darwin", "Darwin", "arm64"),
        ("x86_64-apple-darwin", "posix", "darwin", "Darwin", "x86_64"),
        ("x86_64-manylinux2014", "posix", "linux", "Linux", "x86_64"),
    ],
)
def test_platform_markers_match_uv(
    name: str, os_name: str, sys_platform: str, system: str, machine: str
) -> None:
    markers = parse_platform(name).markers(HOST)
    assert (markers["os_name"], markers["sys_platform"], markers["platform_system"],
            markers["platform_machine"]) == (os_name, sys_platform, system, machine)
    assert markers["platform_release"] == markers["platform_version"] == ""
    assert markers["implementation_name"] == "cpython"


def test_linux_targets_are_manylinux_2_28_and_the_aliases_sit_beside_their_versions() -> None:
    tags = parse_platform("linux").platform_tags
    assert tags[0] == "manylinux_2_28_x86_64"
    assert tags.index("manylinux2014_x86_64") == tags.index("manylinux_2_17_x86_64") + 1
    assert tags[-3:] == ("manylinux_2_5_x86_64", "manylinux1_x86_64", "linux_x86_64")
    arm = parse_platform("aarch64-manylinux_2_17").platform_tags
    assert arm == ("manylinux_2_17_aarch64", "manylinux2014_aarch64", "linux_aarch64")


def test_other_platform_tags() -> None:
    assert parse_platform("windows").platform_tags == ("win_amd64",)
    assert parse_platform("i686-pc-windows-msvc").platform_tags == ("win32",)
    mac = parse_platform("macos").platform_tags
    assert mac[0] == "macosx_13_0_arm64"
    assert "macosx_11_0_universal2" in mac and "macosx_10_9_x86_64" not in mac
    musl = parse_platform("x86_64-unknown-linux-musl").platform_tags
    assert musl[0] == "musllinux_1_2_x86_64" and musl[-1] == "linux_x86_64"


def test_macos_deployment_target_moves_the_newest_tag(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MACOSX_DEPLOYMENT_TARGET", "14.0")
    assert parse_platform("x86_64-apple-darwin").platform_tags[0] == "macosx_14_0_x86_64"


def test_unknown_platform() -> None:
    with pytest.raises(UsageError, match="amiga"):
        parse_platform("amiga")


def test_wheel_tags_for_another_python() -> None:
    tags = wheel_tags(Version("3.12"), ["manylinux_2_17_x86_64"])
    assert tags[0] == "cp312-cp312-manylinux_2_17_x86_64"
    assert "cp312-abi3-manylinux_2_17_x86_64" in tags
    assert "cp311-abi3-manylinux_2_17_x86_64" in tags
    assert "cp311-cp311-manylinux_2_17_x86_64" not in tags
    assert tags[-1] == "py30-none-any"
    assert "py312-none-any" in tags and "py313-none-any" not in tags


def test_target_keeps_the_interpreter_tags_for_its_own_python() -> None:
    host_tags = ("cp311-cp311-linux_x86_64", "py3-none-any")
    same = compile_target(markers=HOST, tags=host_tags, implementation="cpython",
                          interpreter_version=Version("3.11.7"), python_version=Version("3.11"),
                          platform=None)
    assert tuple(same.tags) == host_tags
    other = compile_target(markers=HOST, tags=host_tags, implementation="cpython",
                           interpreter_version=Version("3.11.7"),
                           python_version=Version("3.12"), platform=None)
    assert other.tags[0] == "cp312-cp312-linux_x86_64"
    assert other.marker_environment()["python_full_version"] == "3.12.0"
    windows = compile_target(markers=HOST, tags=host_tags, implementation="cpython",
                             interpreter_version=Version("3.11.7"), python_version=None,
                             platform=parse_platform("windows"))
    assert windows.tags[0] == "cp311-cp311-win_amd64"
    assert Marker('sys_platform == "win32"').evaluate(windows.marker_environment())


def test_header_command_drops_what_uv_drops() -> None:
    argv = ["-q", "--cache-dir", "c", "pip", "compile", "-i", "https://u:p@h/simple",
            "--extra-index-url=https://x", "-f", "links", "-U", "-P", "a", "-Pb",
            "--upgrade-package=c", "--no-progress", "-v", "in.txt", "--python-version", "3.12"]
    assert header_command(argv) == (
        "ferry --cache-dir c pip compile in.txt --python-version 3.12"
    )
    assert header_command(["pip", "compile", "--index-url", "X", "-f", "L", "a.in"],
                          keep_index_url=True) == "ferry pip compile --index-url X a.in"


def test_sources_sort_as_uv_sorts_them() -> None:
    labels = ["demo (pyproject.toml:dev)", "-r b.in", "demo (pyproject.toml)",
              "--override o.txt", "-c c.txt", "-r a.in", "-r a.in"]
    assert sort_sources(labels) == ("-c c.txt", "--override o.txt", "-r a.in", "-r b.in",
                                    "demo (pyproject.toml)", "demo (pyproject.toml:dev)")


def test_render_split_line_and_hashes() -> None:
    entries = [
        Entry(name="b", version=Version("2"), requirement="b==2", sources=("-r r.in",),
              dependents=("a",), hashes=("sha256:11", "sha256:22")),
        Entry(name="a", version=Version("1"), requirement="a==1", marker="os_name == 'nt'",
              sources=("-r r.in",)),
    ]
    options = OutputOptions(command="ferry pip compile r.in",
                            index_lines=index_lines("https://u:secret@h/simple", [], ["f"],
                                                    emit_index_url=True,
                                                    emit_find_links=True))
    assert render(entries, options) == (
        "# This file was autogenerated by ferry via the following command:\n"
        "#    ferry pip compile r.in\n"
        "--index-url https://u:****@h/simple\n"
        "--find-links f\n"
        "\n"
        "a==1 ; os_name == 'nt'\n"
        "    # via -r r.in\n"
        "b==2 \\\n"
        "    --hash=sha256:11 \\\n"
        "    --hash=sha256:22\n"
        "    # via\n"
        "    #   -r r.in\n"
        "    #   a\n"
    )
    line = OutputOptions(header=False, annotation_style="line")
    assert render(entries, line) == (
        "a==1 ; os_name == 'nt'    # via -r r.in\n"
        "b==2 \\\n"
        "    --hash=sha256:11 \\\n"
        "    --hash=sha256:22\n"
        "    # via a, -r r.in\n"
    )
    assert render([], OutputOptions(header=False)) == ""


def test_overrides_replace_requirements_and_keep_their_extra() -> None:
    table = {"b": [Requirement("b>=2 ; python_version >= '3.8'")]}
    out = apply_overrides([Requirement("b<2"), Requirement("b<1 ; extra == 'x'"),
                           Requirement("c")], table)
    assert [str(r) for r in out] == [
        'b>=2; python_version >= "3.8"',
        'b>=2; python_version >= "3.8" and extra == "x"',
        "c",
    ]
