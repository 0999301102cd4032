"""The fast header reader for WHEEL/METADATA must agree with the email parser it stands in for."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ferry.wheel._contents import _simple_fields, parse_headers, read_fields

NAMES = ("Name", "Version", "Tag", "Wheel-Version", "Root-Is-Purelib", "Author", "X")


def _agree(data: bytes) -> None:
    fast = _simple_fields(data)
    if fast is None:
        return
    slow = parse_headers(data)
    for name in NAMES:
        assert fast.get(name) == slow.get(name), (data, name)
        assert fast.get_all(name) == slow.get_all(name), (data, name)


@pytest.mark.parametrize(
    "data",
    [
        b"Wheel-Version: 1.0\nGenerator: x\nRoot-Is-Purelib: true\nTag: py3-none-any\nTag: cp311\n",
        b"Metadata-Version: 2.1\nName: caf\xc3\xa9\nVersion: 1.0\nAuthor: J\xfcrgen\n\nbody: x\n",
        b"Name: a\nX: folded\n  more\n\tand tab\nVersion: 2\n",
        b"Name:\nVersion:1\nname: second\n",
        b"Name: no newline at end",
        b"\nName: after a blank line\n",
        b"",
    ],
)
def test_known_shapes_agree(data: bytes) -> None:
    _agree(data)
    fields = read_fields(data)
    slow = parse_headers(data)
    assert [fields.get(n) for n in NAMES] == [slow.get(n) for n in NAMES]


def test_unusual_input_goes_to_the_email_parser() -> None:
    for data in (b"Name: a\r\nVersion: 1\r\n", b"From someone\nName: a\n", b" lead\nName: a\n",
                 b"Bad Name: x\n", b":x\n"):
        assert _simple_fields(data) is None


_LINE = st.one_of(
    st.builds(
        lambda name, value: name + b":" + value,
        st.sampled_from([n.encode() for n in NAMES] + [b"name", b"TAG"]),
        st.binary(max_size=12),
    ),
    st.builds(lambda ws, value: ws + value, st.sampled_from([b" ", b"\t"]), st.binary(max_size=8)),
    st.binary(max_size=10),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_LINE, max_size=8), st.sampled_from([b"", b"\n", b"\n\nbody"]))
def test_random_header_blocks_agree(lines: list[bytes], tail: bytes) -> None:
    _agree(b"\n".join(lines) + tail)


_RECORD_TEXT = st.text(alphabet="ab,= \n\t.é1", max_size=60)


@settings(max_examples=300, deadline=None)
@given(_RECORD_TEXT)
def test_record_rows_without_quotes_are_what_csv_reads(text: str) -> None:
    from ferry.wheel.record import _csv_rows, _rows

    assert list(_rows(text)) == list(_csv_rows(text))
