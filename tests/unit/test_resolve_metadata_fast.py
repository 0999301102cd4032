"""``CoreMetadata.from_bytes`` reads plain header lines itself and gives what ``parse_email`` gives.

The fast reader must agree with ``packaging.metadata.parse_email`` on every field resolution
uses, and hand anything unusual (folded or repeated fields, carriage returns, bad UTF-8, lines
that are not headers) to ``parse_email`` instead of guessing.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from packaging.metadata import parse_email

from ferry.resolve.source import CoreMetadata, MetadataError, _header_fields

FIELDS = ("name", "version", "requires_python", "requires_dist", "provides_extra")

PLAIN = b"""Metadata-Version: 2.1
Name: Foo.Bar
Version: 1.0.post1
Summary: something
Requires-Python: >=3.9
Requires-Dist: idna>=2.5
Requires-Dist: pysocks!=1.5.7,>=1.5.6; extra == "socks"
requires-dist:  chardet ; python_version < '3.10'
Provides-Extra: socks
Provides-Extra: Use_Chardet
Description-Content-Type: text/markdown
Classifier: A
 folded classifier line

# Foo

Name: not-a-header
Requires-Dist: not-a-dependency
"""


def agree(data: bytes) -> None:
    fast = _header_fields(data)
    assert fast is not None
    raw, _ = parse_email(data)
    for field in FIELDS:
        assert fast.get(field) == raw.get(field), field  # type: ignore[misc]


def test_a_plain_file_is_read_as_parse_email_reads_it() -> None:
    agree(PLAIN)
    meta = CoreMetadata.from_bytes(PLAIN)
    assert meta.name == "foo-bar"
    assert [str(r) for r in meta.requires_dist] == [
        "idna>=2.5", 'pysocks!=1.5.7,>=1.5.6; extra == "socks"',
        'chardet; python_version < "3.10"']
    assert meta.extras_in_order == ("socks", "use-chardet")


@pytest.mark.parametrize(
    "data",
    [
        b"Name: a\nVersion: 1\nRequires-Dist: b\n  ; python_version < '3'\n",  # folded
        b"Name: a\nName: b\nVersion: 1\n",  # repeated single field
        b"Name: a\r\nVersion: 1\r\n",  # carriage returns
        b"Name: \xff\nVersion: 1\n",  # not UTF-8
        b"Name: a\nnot a header\nVersion: 1\n",  # a line that is no header
    ],
)
def test_unusual_files_are_left_to_parse_email(data: bytes) -> None:
    assert _header_fields(data) is None


def test_a_repeated_name_is_still_an_error() -> None:
    with pytest.raises(MetadataError, match="lacks a Name"):
        CoreMetadata.from_bytes(b"Name: a\nName: b\nVersion: 1\n")


_values = st.text(alphabet=st.sampled_from("abc019 .=<>;'\"-_[]éß"), max_size=12)
_lines = st.lists(
    st.tuples(st.sampled_from(["Name", "Version", "Requires-Python", "Requires-Dist",
                               "requires-dist", "Provides-Extra", "Summary", "Keywords"]),
              _values),
    max_size=8,
)


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(_lines, st.text(max_size=20))
def test_generated_headers_agree_with_parse_email(lines: list[tuple[str, str]], body: str) -> None:
    text = "".join(f"{key}: {value}\n" for key, value in lines) + "\n" + body
    data = text.encode("utf-8")
    fast = _header_fields(data)
    if fast is None:
        return
    raw, _ = parse_email(data)
    for field in FIELDS:
        assert fast.get(field) == raw.get(field), (field, text)  # type: ignore[misc]
