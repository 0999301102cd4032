"""ferry's PEP 508 markers and requirements must read, print, compare and evaluate exactly as
packaging's (the version installed, 26.x); errors must be packaging's own messages. Generated
and hand-picked cases. Also: the warm command modules must not import packaging's heavy parts."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from packaging import markers as pm
from packaging import requirements as pr

from ferry.model import pep508_markers as fm
from ferry.model import pep508_requirements as fr

SETTINGS = settings(max_examples=700, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

VARIABLES = ["python_version", "python_full_version", "os_name", "os.name", "sys_platform",
             "sys.platform", "platform_release", "platform_system", "platform_version",
             "platform.version", "platform_machine", "platform.machine",
             "platform_python_implementation", "platform.python_implementation",
             "python_implementation", "implementation_name", "implementation_version", "extra",
             "extras", "dependency_groups"]
VALUES = ["3.8", "3.11", "3.11.7", "3.12.0b1", "3", "3.*", "2.7", "linux", "win32", "Windows",
          "Linux", "cpython", "CPython", "posix", "nt", "x86_64", "Foo_Bar", "foo-bar", "a.b",
          "3.8 3.9", "", "5.10.0-1-amd64", "1.0+local", "x'y", "abc"]
OPS = ["==", "!=", "<", "<=", ">", ">=", "~=", "===", "in", "not in"]
WS = ["", " ", " ", "  ", "\t"]


@st.composite
def atoms(draw: Any) -> str:
    var = draw(st.sampled_from(VARIABLES))
    value = draw(st.sampled_from(VALUES))
    quote = "'" if '"' in value or ("'" not in value and draw(st.booleans())) else '"'
    quoted = f"{quote}{value}{quote}"
    op = draw(st.sampled_from(OPS))
    left, right = (var, quoted) if draw(st.integers(0, 3)) else (quoted, var)
    if op in ("in", "not in"):
        gap = draw(st.sampled_from([" ", " ", "\t"]))
        return f"{left}{gap}{op}{gap}{right}"
    return f"{left}{draw(st.sampled_from(WS))}{op}{draw(st.sampled_from(WS))}{right}"


@st.composite
def marker_texts(draw: Any, depth: int = 2) -> str:
    parts = [draw(atoms()) if depth == 0 or draw(st.integers(0, 2)) else
             "(" + draw(st.sampled_from(WS)) + draw(marker_texts(depth - 1))
             + draw(st.sampled_from(WS)) + ")"
             for _ in range(draw(st.integers(1, 3)))]
    text = parts[0]
    for part in parts[1:]:
        text += f" {draw(st.sampled_from(['and', 'or']))} {part}"
    return text


@st.composite
def broken(draw: Any, texts: Any) -> str:
    """Valid text with one character inserted, deleted or replaced."""
    text = draw(texts)
    at = draw(st.integers(0, len(text)))
    char = draw(st.sampled_from([*"()'\"=<>!~;,[]@ \t\\\nxa.9", "and", "or", "not"]))
    how = draw(st.sampled_from(["insert", "delete", "replace"]))
    if how == "insert":
        return text[:at] + char + text[at:]
    if how == "delete":
        return text[:at] + text[at + 1:]
    return text[:at] + char + text[at + 1:]


ENVIRONMENTS: list[dict[str, Any]] = [
    {},
    {"python_version": "3.8", "python_full_version": "3.8.10", "sys_platform": "win32",
     "os_name": "nt", "platform_system": "Windows", "extra": "Foo.Bar"},
    {"python_version": "3.12", "python_full_version": "3.12.0b1", "platform_release": "5.10.0-1",
     "implementation_version": "3.12.0b1", "extra": None},
    {"python_full_version": "3.11.7+", "platform_machine": "x86_64", "extra": "foo-bar"},
    {"python_version": "3.11", "platform_release": "abc", "extra": ""},
    {"extras": {"Foo_Bar", "x"}, "dependency_groups": frozenset({"A.B"}), "extra": "X"},
]

HAND_MARKERS = [
    'python_version < "3.12"', "python_version<'3.12'", 'python_version >= "3.8" and '
    'python_version < "3.12" or sys_platform == "win32"', '(os_name == "nt" or os_name == '
    '"posix") and extra == "Foo_Bar"', '"3.8" < python_version', "'linux' in sys_platform",
    "'win' not in sys_platform", '"Foo" in extras', '"a_b" in dependency_groups',
    'extra == "A.B"', '"X_y" == extra', 'python_version in "3.8 3.9"', "os.name == 'nt'",
    "python_implementation == 'CPython'", '((python_version > "3"))', '(python_version > "3")',
    'python_version > "3" and (sys_platform == "linux" and (os_name == "posix"))',
    'python_version == "3.*"', 'python_full_version ~= "3.11.0"', 'platform_release >= "5.4"',
    'platform_release > "abc"', 'platform_version ~= "abc"', 'python_version === "3.11"',
    'python_version=="3.11"or os_name=="nt"', '"3.11"==python_version', "extra == 'x\\'y'",
    'python_version == "a\\u0041"', "python_version == 'a\tb'", "os_name == os_name",
    '"a" == "b"', "extra == '__main__'", 'implementation_version >= "3.12.0b1"',
    'sys_platform == "linux" and', "python_version", "(python_version == '3'",
    "python_version = '3'", "python_version notin '3'", "python_version not  in '3 4'",
    "python_versionx == '3'", "", "  ", "and", "python_version == \"3\" ;",
    "python_version == 'x\"y'", 'python_version == "3" and or os_name == "nt"',
]


def _marker_outcome(make: Any, text: str) -> tuple[str, Any]:
    try:
        return "ok", make(text)
    except ValueError as exc:
        return "error", str(exc)


def _evaluation(marker: Any, environment: dict[str, Any], context: str) -> tuple[str, Any]:
    try:
        return "ok", marker.evaluate(environment, context)
    except (ValueError, KeyError, TypeError) as exc:
        return type(exc).__name__, str(exc)


def _check_marker(text: str) -> None:
    kind, theirs = _marker_outcome(pm.Marker, text)
    mine_kind, mine = _marker_outcome(fm.Marker, text)
    assert mine_kind == kind, (text, mine)
    if kind != "ok":
        assert mine == theirs
        return
    assert str(mine) == str(theirs) and repr(mine) == repr(theirs)
    assert repr(mine._markers) == repr(theirs._markers)
    assert mine == theirs
    if _marker_outcome(pm.Marker, str(theirs))[0] == "ok":  # packaging may not read its output
        assert mine == fm.Marker(str(theirs)) and hash(mine) == hash(fm.Marker(str(mine)))
    for environment in ENVIRONMENTS:
        for context in ("metadata", "lock_file", "requirement"):
            assert _evaluation(mine, environment, context) == \
                   _evaluation(theirs, environment, context), (text, environment, context)
    assert _evaluation(mine, None, "metadata") == _evaluation(theirs, None, "metadata")  # type: ignore[arg-type]


@pytest.mark.parametrize("text", HAND_MARKERS)
def test_hand_picked_markers_agree(text: str) -> None:
    _check_marker(text)


@SETTINGS
@given(marker_texts())
def test_generated_markers_agree(text: str) -> None:
    _check_marker(text)


@SETTINGS
@given(broken(marker_texts()))
def test_broken_markers_fail_alike(text: str) -> None:
    _check_marker(text)


def test_combining_markers_formats_like_packaging() -> None:
    a, b = 'python_version < "3.12" or os_name == "nt"', 'extra == "x"'
    assert str(fm.Marker(a) & fm.Marker(b)) == str(pm.Marker(a) & pm.Marker(b))
    assert str(fm.Marker(a) | fm.Marker(b)) == str(pm.Marker(a) | pm.Marker(b))
    assert fm.default_environment() == pm.default_environment()


NAMES = ["requests", "Foo_Bar", "zope.interface", "a", "A1-b_c.D", "foo-", "_foo", "9x"]
EXTRAS = ["", "[]", "[socks]", "[ a , B_c ]", "[a,b.c,D-e]", "[a b]", "[,]", "[a,]", "[ x ]"]
SPECS = ["", ">=2.0", " >= 2.0 , < 3", "(>=1.0,<2)", "( >= 1.0 )", "==1.0.*", "===weird",
         "~=1.4.5", "!=1.0+local", ">=1.0 <2", ">=1.0,,<2", ">=1.0,", "1.0", "(>=1.0",
         ">=1.0.*", ">=1.0+local", "==V1.0RC1", ">=\t1", "== 1.0.0"]
URLS = ["https://example.invalid/foo-1.0.tar.gz", "file:///tmp/x", "git+https://h/r@v1#egg=x",
        "https://h/x;python_version>'3'"]


@st.composite
def requirement_texts(draw: Any) -> str:
    text = draw(st.sampled_from(["", "", " ", "\t"])) + draw(st.sampled_from(NAMES))
    text += draw(st.sampled_from(WS)) + draw(st.sampled_from(EXTRAS))
    if draw(st.integers(0, 4)) == 0:
        text += draw(st.sampled_from(WS)) + "@" + draw(st.sampled_from(WS)) \
            + draw(st.sampled_from(URLS))
        if draw(st.booleans()):
            text += draw(st.sampled_from([" ", "\t", ""])) + ";" + draw(st.sampled_from(WS)) \
                + draw(marker_texts(1))
    else:
        text += draw(st.sampled_from(WS)) + draw(st.sampled_from(SPECS))
        if draw(st.booleans()):
            text += draw(st.sampled_from(WS)) + ";" + draw(st.sampled_from(WS)) \
                + draw(marker_texts(1))
    return text + draw(st.sampled_from(["", "", " ", "\t", "\n"]))


HAND_REQUIREMENTS = [
    "requests", "requests[socks]>=2.0", "requests [ socks , security ] >=2.0",
    "fastapi-cli[standard]>=0.0.8; extra == 'standard'", "foo @ file:///tmp/x;python_version>'3'",
    "foo @ https://example.invalid/foo.whl ; python_version >= '3'", "foo@https://x",
    "foo @ https://x ", "foo @ https://x ;", "foo @", "foo ==1.0 ;", "foo;", "foo[a b]",
    'numpy>=1.21; python_version < "3.12" and sys_platform != "win32"', "foo>=1\t", "\tfoo >= 1",
    "foo; extra == 'Some_Extra'", "foo\n", "Foo_Bar[X_Y]==1.0.0", "foo (>=1.0) ; os_name=='nt'",
    "foo>=1.0,<2;python_version<'3.12'", "foo===1.0", "foo ~= 1.4", "é", "foo>=1.0é", "",
]


def _requirement_outcome(make: Any, text: str) -> tuple[str, Any]:
    try:
        return "ok", make(text)
    except ValueError as exc:
        return "error", str(exc)


def _check_requirement(text: str) -> None:
    kind, theirs = _requirement_outcome(pr.Requirement, text)
    mine_kind, mine = _requirement_outcome(fr.Requirement, text)
    assert mine_kind == kind, (text, mine)
    if kind != "ok":
        assert mine == theirs
        return
    assert (mine.name, mine.url, mine.extras) == (theirs.name, theirs.url, theirs.extras)
    assert [str(s) for s in mine.specifier] == [str(s) for s in theirs.specifier]
    assert str(mine.marker) == str(theirs.marker)
    if mine.marker is not None:
        assert repr(mine.marker._markers) == repr(theirs.marker._markers)
    assert (str(mine), repr(mine)) == (str(theirs), repr(theirs))
    assert mine == theirs
    if _requirement_outcome(pr.Requirement, str(theirs))[0] == "ok":
        assert mine == fr.Requirement(str(theirs))
        assert hash(mine) == hash(fr.Requirement(str(mine)))
    converted = fr.from_packaging(theirs)
    assert (str(converted), converted.extras) == (str(theirs), theirs.extras)


@pytest.mark.parametrize("text", HAND_REQUIREMENTS)
def test_hand_picked_requirements_agree(text: str) -> None:
    _check_requirement(text)


@SETTINGS
@given(requirement_texts())
def test_generated_requirements_agree(text: str) -> None:
    _check_requirement(text)


@SETTINGS
@given(broken(requirement_texts()))
def test_broken_requirements_fail_alike(text: str) -> None:
    _check_requirement(text)


def test_equality_normalises_like_packaging() -> None:
    texts = ["Foo_Bar[X]>=1.0", "foo-bar[x]>=1", "foo.bar[X] >=1.0.0", "foo-bar>=1", "foo-bar",
             "foo-bar; extra == 'A_B'", "foo-bar; extra == 'a-b'"]
    for left in texts:
        for right in texts:
            same = pr.Requirement(left) == pr.Requirement(right)
            assert (fr.Requirement(left) == fr.Requirement(right)) == same, (left, right)
            if same:
                assert hash(fr.Requirement(left)) == hash(fr.Requirement(right))


FORBIDDEN = ["packaging.utils", "packaging.tags", "packaging.specifiers",
             "packaging.requirements", "packaging.markers", "packaging._parser",
             "packaging._tokenizer"]


@pytest.mark.parametrize("module", ["ferry.commands.lock", "ferry.cli.lean",
                                    "ferry.commands.sync", "ferry.commands.pip_install"])
def test_warm_command_modules_leave_packagings_parsers_alone(module: str) -> None:
    script = (f"import sys, {module}\n"
              f"print(sorted(m for m in {FORBIDDEN!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]", f"{module} imports {out.strip()}"
