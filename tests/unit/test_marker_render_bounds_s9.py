"""Python bounds print as uv prints them: ``Requires-Python: >=3.9.0`` becomes ``'3.9'`` in
``uv.lock`` and ``pip compile --universal`` (s9 pip-compile review item 2)."""

from __future__ import annotations

import pytest

from ferry.resolve.marker_expr import parse_marker, render


@pytest.mark.parametrize(("given", "printed"), [
    ("python_full_version >= '3.9.0'", "python_full_version >= '3.9'"),
    ("python_full_version < '3.10.0' and sys_platform == 'linux'",
     "python_full_version < '3.10' and sys_platform == 'linux'"),
    ("python_full_version >= '3.8.1'", "python_full_version >= '3.8.1'"),
])
def test_trailing_zero_segments_are_dropped(given: str, printed: str) -> None:
    assert render(parse_marker(given)) == printed
