"""Start-up trims of session 11: each fast path must mean exactly what the slow one means."""

from __future__ import annotations

import configparser
import random

import pytest
from packaging.tags import parse_tag

from ferry.model import pep508_markers
from ferry.model.pep508_markers import Marker
from ferry.model.wheel_name import expand_tag
from ferry.wheel.scripts import EntryPointError, _simple_sections, parse_entry_points

_PIECES = (
    "[console_scripts]", "[gui_scripts]", "[a.b]", "x = m:f", "y=m.n:g [extra]", "x = other:f",
    "# c", "; c", "", "  ", "k =", "k= v = w", "[x] ", "\t[y]", "key with space = v", "=v",
    "nokey", "  cont", "[DEFAULT]", "[]", "[a]b]", "x : y", "x = a # b",
)


def _configparser_sections(text: str) -> dict[str, dict[str, str]]:
    parser = configparser.ConfigParser(delimiters=("=",), interpolation=None, strict=False)
    parser.optionxform = str  # type: ignore[assignment, method-assign]
    parser.read_string(text)
    return {name: dict(parser.items(name)) for name in parser.sections()}


def test_simple_entry_points_read_as_configparser_reads_them() -> None:
    rng = random.Random(11)
    accepted = 0
    for _ in range(5000):
        text = "\n".join(rng.choice(_PIECES) for _ in range(rng.randint(0, 7)))
        fast = _simple_sections(text)
        if fast is None:
            continue
        accepted += 1
        assert fast == _configparser_sections(text), text
    assert accepted > 500  # the fast reader is the one that ran, most of the time


@pytest.mark.parametrize("text", ["[console_scripts]\n  cont\n", "x = m:f\n", "[DEFAULT]\na=b\n"])
def test_anything_else_goes_to_configparser(text: str) -> None:
    assert _simple_sections(text) is None


def test_unparsable_entry_points_still_refused_in_configparser_words() -> None:
    with pytest.raises(EntryPointError, match="cannot be parsed"):
        parse_entry_points("x = m:f\n")  # no section header


def test_console_scripts_from_the_fast_reader() -> None:
    scripts = parse_entry_points("[console_scripts]\nfoo = pkg.cli:main\n# c\n[gui_scripts]\n"
                                 "bar=pkg.gui:run\n[other]\nx = y:z\n")
    assert [(s.name, s.module, s.attr, s.section) for s in scripts] == [
        ("foo", "pkg.cli", "main", "console"), ("bar", "pkg.gui", "run", "gui")]


@pytest.mark.parametrize("tag", [
    "py3-none-any", "py2.py3-none-any", "cp3-abi3.none-win_amd64",
    "CP311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64",
])
def test_expand_tag_is_packagings_parse_tag(tag: str) -> None:
    assert expand_tag(tag) == {str(t) for t in parse_tag(tag)}


@pytest.mark.parametrize("tag", ["py3-none", "a-b-c-d", ""])
def test_expand_tag_refuses_what_packaging_refuses(tag: str) -> None:
    with pytest.raises(ValueError):
        parse_tag(tag)
    with pytest.raises(ValueError):
        expand_tag(tag)


def test_a_complete_environment_never_asks_the_running_interpreter(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    env = {"implementation_name": "cpython", "implementation_version": "3.8.10", "os_name": "nt",
           "platform_machine": "AMD64", "platform_release": "10", "platform_system": "Windows",
           "platform_version": "10.0", "python_full_version": "3.8.10",
           "platform_python_implementation": "CPython", "python_version": "3.8",
           "sys_platform": "win32"}

    def refuse() -> dict[str, str]:
        raise AssertionError("the running interpreter was asked")

    monkeypatch.setattr(pep508_markers, "_default_environment", refuse)
    assert Marker('sys_platform == "win32" and python_version < "3.9"').evaluate(env)
    assert not Marker('os_name == "posix"').evaluate(env)
    partial = {k: v for k, v in env.items() if k != "os_name"}
    with pytest.raises(AssertionError, match="asked"):
        Marker('os_name == "nt"').evaluate(partial)


def test_record_digests_are_urlsafe_base64_without_padding() -> None:
    import base64
    import os

    from ferry.wheel._digests import record_encoding
    from ferry.wheel.record import urlsafe_digest

    for size in range(70):
        raw = os.urandom(size)
        assert urlsafe_digest(raw) == base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
    raw = b"\xfb\xff" * 16  # both characters base64 spells differently when URL-safe
    assert record_encoding(raw.hex()) == base64.urlsafe_b64encode(raw)[:43].decode()
    assert "-" in urlsafe_digest(raw) and "_" in urlsafe_digest(raw)


def test_the_complete_environment_names_every_default_variable() -> None:
    # the shortcut in Marker.evaluate is only right while these are the same names
    assert pep508_markers._default_environment().keys() == pep508_markers._MARKER_VARIABLES
