"""``ferry._regex_cache.compile_pattern``: the same pattern objects as ``re.compile``, from engine
code remembered between runs where it can be, and nothing remembered that it cannot trust."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from tests.support.ferry_copy import copy_env, copy_ferry

from ferry import _regex_cache
from ferry._regex_cache import compile_pattern

# Patterns of the kinds ferry compiles: groups, named groups, flags set inline and as arguments,
# look-arounds, alternations, classes, repetitions, anchors.
PATTERNS: list[tuple[str, int, list[str]]] = [
    (r"[ \t]*(?P<name>[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)[ \t]*(\[(?P<x>[^\]]*)\])?",
     0, ["  requests[socks] ", "a", "-bad", ""]),
    (r"[a-z0-9]|[a-z0-9][a-z0-9._-]*[a-z0-9]", re.IGNORECASE | re.ASCII, ["Foo.Bar", "x-", "K"]),
    (r"(?i)^(py|cp|pp)(\d)(\d*)$", 0, ["CP311", "py3", "graalpy"]),
    (r"(?:^|(?<=\s))-", 0, ["a -b", "-c", "d-e"]),
    (r"\$\{(?P<name>[A-Z0-9_]+)\}", 0, ["x${HOME}y", "${bad-name}"]),
    (r"""\s*("(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_-]+)\s*(\.|=|$)""", re.MULTILINE,
     ['"a.b" = 1', "key.sub", "'q'"]),
    (r"^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|z|[+-]\d{2}:\d{2})?$", 0,
     ["2024-01-02T03:04:05Z", "2024-01-02 03:04:05.123+01:00", "2024-1-2"]),
    (r"\b(?:or|and)\b", 0, ["a or b", "android", "x and y"]),
    (r"é+\w*", re.UNICODE, ["ééa", "e"]),
]


def _same(mine: re.Pattern[str], theirs: re.Pattern[str], samples: list[str]) -> None:
    assert (mine.pattern, mine.flags, mine.groups, dict(mine.groupindex)) == (
        theirs.pattern, theirs.flags, theirs.groups, dict(theirs.groupindex))
    for text in samples:
        ours, reference = mine.match(text), theirs.match(text)
        assert (ours and (ours.span(), ours.groups(), ours.groupdict())) == (
            reference and (reference.span(), reference.groups(), reference.groupdict()))
        assert [m.span() for m in mine.finditer(text)] == [m.span() for m in theirs.finditer(text)]


@pytest.mark.parametrize(("pattern", "flags", "samples"), PATTERNS)
def test_fresh_and_remembered_patterns_behave_as_re_compiles_them(
    pattern: str, flags: int, samples: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_regex_cache._Table, "known", {})
    monkeypatch.setattr(_regex_cache._Table, "added", {})
    monkeypatch.setattr(_regex_cache.sys, "dont_write_bytecode", True)  # no exit function
    reference = re.compile(pattern, flags)
    fresh = compile_pattern(pattern, flags)
    _same(fresh, reference, samples)
    parts = _regex_cache._Table.added[(pattern, int(flags))]
    monkeypatch.setattr(_regex_cache._Table, "known", {(pattern, int(flags)): parts})

    def refuse(*args: object) -> None:
        raise AssertionError("a remembered pattern was parsed again")

    monkeypatch.setattr(_regex_cache, "_compile", refuse)
    _same(compile_pattern(pattern, flags), reference, samples)


def test_bad_patterns_and_damaged_parts_are_re_s_business(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_regex_cache.sys, "dont_write_bytecode", True)
    with pytest.raises(re.error, match="missing \\)"):
        compile_pattern(r"(unclosed")
    monkeypatch.setattr(_regex_cache._Table, "known",
                        {("ab+", 0): (32, [1, 2, 3], 0, {}, (None,))})  # code the engine refuses
    assert compile_pattern("ab+").fullmatch("abbb")


_RUN = "from ferry._regex_cache import compile_pattern; print(compile_pattern({!r}).pattern)"


def _run(root: Path, pattern: str, *args: str, write: bool = True) -> str:
    done = subprocess.run([sys.executable, *args, "-c", _RUN.format(pattern)], cwd=root,
                          env=copy_env(root, write=write), capture_output=True, text=True,
                          check=True)
    assert done.stderr == ""
    return done.stdout.strip()


def test_a_run_remembers_what_it_compiled_for_the_next(tmp_path: Path) -> None:
    root = copy_ferry(tmp_path / "site")
    table = root / "ferry" / "__pycache__" / f"regex.{sys.implementation.cache_tag}.bin"
    assert _run(root, "x[0-9]+y", write=False) == "x[0-9]+y"
    assert _run(root, "x[0-9]+y", "-B") == "x[0-9]+y"
    assert not table.exists()  # where Python writes no bytecode, nothing is written
    _run(root, "x[0-9]+y")
    _run(root, "(?P<q>z)")
    remembered = _regex_cache.read(str(table))
    assert {("x[0-9]+y", 0), ("(?P<q>z)", 0)} <= set(remembered)  # merged, not replaced
    before = table.read_bytes()
    _run(root, "x[0-9]+y")  # known: nothing to write
    assert table.read_bytes() == before


def test_a_damaged_or_foreign_table_is_ignored(tmp_path: Path) -> None:
    table = tmp_path / "regex.bin"
    for data in (b"", b"fr01", b"fr01garbage", b"xxxx" + b"\x00" * 20):
        table.write_bytes(data)
        assert _regex_cache.read(str(table)) == {}
    import marshal

    table.write_bytes(b"fr01" + marshal.dumps((("2.7.18", 1), {("a", 0): ()})))
    assert _regex_cache.read(str(table)) == {}
