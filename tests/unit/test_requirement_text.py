"""The fast requirement parser must agree with packaging's ``Requirement`` on every input:
equal parts when both accept, and packaging's own error when packaging refuses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from packaging.requirements import InvalidRequirement, Requirement

from ferry.model.pep508_requirements import InvalidRequirement as FerryInvalidRequirement
from ferry.model.requirement_text import _plain, requirement_from_text, shallow_copy

CORPUS = [
    "requests",
    "requests>=2.0",
    "requests >= 2.0 , < 3",
    "requests (>=2.0,<3)",
    "requests ( >= 2.0 )",
    "requests[socks]>=2.0",
    "requests [ socks , security ] >=2.0",
    "requests[]",
    "requests[] >=1",
    "fastapi-cli[standard]>=0.0.8; extra == 'standard'",
    "uvicorn[standard]>=0.12.0; extra == \"all\"",
    'numpy>=1.21; python_version < "3.12" and sys_platform != "win32"',
    'typing-extensions>=4.6.0,!=4.7.0',
    "zope.interface~=5.0",
    "foo==1.0.*",
    "foo!=1.0.*",
    "foo==1.0+local",
    "foo===weird",
    "foo ===weird",
    "foo>=1.0.*",
    "foo>=1.0+local",
    "foo ==1.0 ;",
    "foo;",
    "foo ; ",
    "foo[,]",
    "foo[a,]",
    "foo[a b]",
    "foo-",
    "foo.",
    "_foo",
    "foo>=1.0 <2",
    "foo>=1.0,,<2",
    "foo>=1.0,",
    "foo 1.0",
    "foo (>=1.0",
    "foo >=1.0)",
    "foo (>=1.0) ; python_version >= '3'",
    "foo@ https://example.invalid/foo-1.0.tar.gz",
    "foo @ https://example.invalid/foo-1.0.tar.gz ; python_version >= '3'",
    "foo @ file:///tmp/x;python_version>'3'",
    "foo\n",
    "foo>=1\t",
    "\tfoo >= 1",
    "foo; extra == 'Some_Extra'",
    "foo; extra == 'a' or extra == 'b'",
    "foo; python_version >= '3' and",
    "foo; bogus_var == '1'",
    "foo~=1",
    "foo<=1.0a1",
    "foo>1.0.post1.dev2",
    "foo (==1.0) ; (python_version<'3.8' or os_name=='nt') and extra=='x'",
    "Foo_Bar.baz-Qux>=1",
    "foo>=1.0;python_version<'3'",
    "foo>= 1.0",
    "foo >=v1.0",
    "foo==1.0-1",
    "foo==\u0661",  # a digit, but not an ASCII one
]


def _parts(requirement: Requirement) -> tuple[object, ...]:
    marker = requirement.marker
    return (
        requirement.name,
        requirement.url,
        requirement.extras,
        str(requirement.specifier),
        requirement.specifier,
        str(marker) if marker is not None else None,
        repr(marker._markers) if marker is not None else None,
        str(requirement),
        requirement,
    )


def _agree(text: str) -> None:
    try:
        slow = Requirement(text)
    except InvalidRequirement as refused:
        assert _plain(text) is None, f"the fast path accepted {text!r}: {refused}"
        with pytest.raises(FerryInvalidRequirement) as raised:
            requirement_from_text(text)
        assert str(raised.value) == str(refused)
        return
    fast = requirement_from_text(text)
    assert _parts(fast) == _parts(slow), text


@pytest.mark.parametrize("text", CORPUS)
def test_agrees_with_packaging_on_the_corpus(text: str) -> None:
    _agree(text)


def test_the_plain_form_takes_the_fast_path() -> None:
    for text in ("requests>=2", "a[b]; extra == 'c'", "x (>=1,<2) ; python_version<'3.9'"):
        assert _plain(text) is not None, text


def test_recorded_metadata_lines_agree() -> None:
    """Real ``Requires-Dist`` lines of the bench workloads (collected once into tests/data)."""
    recorded = Path(__file__).parents[1] / "data" / "requires_dist_lines.json"
    lines = json.loads(recorded.read_text())
    assert len(lines) > 300
    for text in lines:
        _agree(text)


_names = st.sampled_from(["a", "foo", "Foo_Bar", "zope.interface", "x-y", "a1", "foo-", "-x"])
_ws = st.sampled_from(["", " ", "\t", "  ", "\n"])
_ops = st.sampled_from(["==", ">=", "<=", "~=", "!=", "<", ">", "===", "=", "=>", ""])
_versions = st.sampled_from(["1", "1.0", "1.0.*", "2.0a1", "1.0+local", "v1", "1.0.post1", "x", ""])
_markers = st.sampled_from([
    "", "python_version < '3.11'", "extra == 'Std'", "sys_platform == \"win32\" and extra=='a'",
    "python_version", "os_name == 'nt' or", "(python_version>='3')",
])


@st.composite
def _texts(draw: st.DrawFn) -> str:
    text = draw(_ws) + draw(_names) + draw(_ws)
    if draw(st.booleans()):
        extras = draw(st.lists(st.sampled_from(["a", "b_c", "", " d "]), max_size=3))
        text += "[" + ",".join(extras) + "]" + draw(_ws)
    items = [draw(_ws) + draw(_ops) + draw(_ws) + draw(_versions) + draw(_ws)
             for _ in range(draw(st.integers(0, 3)))]
    spec = ",".join(items)
    text += f"({spec})" if draw(st.booleans()) and spec else spec
    if draw(st.booleans()):
        text += draw(_ws) + ";" + draw(_ws) + draw(_markers) + draw(_ws)
    return text


@settings(max_examples=1500, deadline=None)
@given(_texts())
def test_agrees_with_packaging_on_generated_strings(text: str) -> None:
    _agree(text)


def test_shallow_copy_has_equal_parts_and_its_own_extras() -> None:
    original = Requirement("foo[a]>=1; python_version < '3.11'")
    copy = shallow_copy(original)
    copy.marker = None
    assert str(copy) == "foo[a]>=1"
    assert original.marker is not None
    copy.extras.add("b")
    assert original.extras == {"a"}
