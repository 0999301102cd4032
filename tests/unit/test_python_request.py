"""Parsing ``--python`` / FERRY_PYTHON / ``.python-version`` requests, and matching them."""

from __future__ import annotations

from pathlib import Path

import pytest

from ferry.model.errors import ParseError, UserError
from ferry.model.pep440_specifiers import SpecifierSet
from ferry.model.pep440_version import Version
from ferry.model.scheme import Scheme
from ferry.python.discovery import read_python_version_file, requested_python
from ferry.python.interpreter import Interpreter
from ferry.python.request import PythonRequest, RequestKind


def fake_interpreter(
    version: str, implementation: str = "cpython", gil_disabled: bool = False
) -> Interpreter:
    scheme = Scheme(Path("p"), Path("p"), Path("s"), Path("d"), Path("h"))
    return Interpreter(
        executable=Path("/x/python"),
        sys_executable=Path("/x/python"),
        version=Version(version),
        implementation=implementation,
        markers={},
        tags=(),
        scheme=scheme,
        venv_layout=scheme,
        prefix=Path("/x"),
        base_prefix=Path("/x"),
        base_executable=Path("/x/python"),
        is_venv=False,
        pointer_size=64,
        gil_disabled=gil_disabled,
    )


@pytest.mark.parametrize(
    ("text", "kind", "implementation", "parts", "specifier", "free_threaded"),
    [
        ("3", RequestKind.VERSION, None, (3,), None, False),
        ("3.12", RequestKind.VERSION, None, (3, 12), None, False),
        ("3.12.1", RequestKind.VERSION, None, (3, 12, 1), None, False),
        ("312", RequestKind.VERSION, None, (3, 12), None, False),
        ("38", RequestKind.VERSION, None, (3, 8), None, False),
        ("3.13t", RequestKind.VERSION, None, (3, 13), None, True),
        (">=3.11,<3.13", RequestKind.VERSION, None, (), ">=3.11,<3.13", False),
        ("==3.12.*", RequestKind.VERSION, None, (), "==3.12.*", False),
        ("cpython3.12", RequestKind.VERSION, "cpython", (3, 12), None, False),
        ("cpython@3.12", RequestKind.VERSION, "cpython", (3, 12), None, False),
        ("cp312", RequestKind.VERSION, "cpython", (3, 12), None, False),
        ("CPython", RequestKind.VERSION, "cpython", (), None, False),
        ("pypy3", RequestKind.VERSION, "pypy", (3,), None, False),
        ("pypy3.10", RequestKind.VERSION, "pypy", (3, 10), None, False),
        ("pypy>=3.9", RequestKind.VERSION, "pypy", (), ">=3.9", False),
        ("", RequestKind.ANY, None, (), None, False),
        ("any", RequestKind.ANY, None, (), None, False),
    ],
)
def test_version_requests(
    text: str,
    kind: RequestKind,
    implementation: str | None,
    parts: tuple[int, ...],
    specifier: str | None,
    free_threaded: bool,
) -> None:
    request = PythonRequest.parse(text)
    assert request.kind is kind
    assert request.implementation == implementation
    assert request.parts == parts
    assert request.specifier == (SpecifierSet(specifier) if specifier else None)
    assert request.free_threaded is free_threaded


@pytest.mark.parametrize(
    "text", ["/usr/bin/python3", "./venv/bin/python", "../py", "~/x/python", ".venv"]
)
def test_path_requests(text: str) -> None:
    request = PythonRequest.parse(text)
    assert request.kind is RequestKind.PATH
    assert request.path == Path(text).expanduser()


@pytest.mark.parametrize("text", ["python3.12", "python", "python3", "my-python"])
def test_executable_name_requests(text: str) -> None:
    request = PythonRequest.parse(text)
    assert request.kind is RequestKind.NAME
    assert request.name == text


@pytest.mark.parametrize("text", [">=3.x", "py thon", "3.12 !", "<<3"])
def test_invalid_requests_are_user_errors(text: str) -> None:
    with pytest.raises(UserError) as caught:
        PythonRequest.parse(text)
    assert text.strip() in caught.value.message


@pytest.mark.parametrize(
    ("text", "version", "implementation", "gil_disabled", "expected"),
    [
        ("3", "3.12.1", "cpython", False, True),
        ("3.12", "3.12.1", "cpython", False, True),
        ("3.12", "3.11.7", "cpython", False, False),
        ("3.12.1", "3.12.1", "cpython", False, True),
        ("3.12.1", "3.12.2", "cpython", False, False),
        (">=3.11,<3.13", "3.12.1", "cpython", False, True),
        (">=3.11,<3.13", "3.13.0", "cpython", False, False),
        (">=3.12", "3.13.0rc1", "cpython", False, True),
        (">=3.13", "3.13.0rc1", "cpython", False, False),  # PEP 440: rc1 < 3.13
        ("cpython3.12", "3.12.1", "pypy", False, False),
        ("pypy3", "3.10.14", "pypy", False, True),
        ("3.13", "3.13.0", "cpython", True, False),
        ("3.13t", "3.13.0", "cpython", True, True),
        ("3.13t", "3.13.0", "cpython", False, False),
        ("any", "3.8.18", "cpython", False, True),
    ],
)
def test_satisfied_by(
    text: str, version: str, implementation: str, gil_disabled: bool, expected: bool
) -> None:
    interpreter = fake_interpreter(version, implementation, gil_disabled)
    assert PythonRequest.parse(text).satisfied_by(interpreter) is expected


def test_describe() -> None:
    assert str(PythonRequest.parse("3.12")) == "Python 3.12"
    assert str(PythonRequest.parse("pypy3.10")) == "PyPy 3.10"
    assert str(PythonRequest.parse(">=3.11")) == "Python >=3.11"
    assert str(PythonRequest.parse("python3.12")) == "the executable `python3.12`"


def test_python_version_file_skips_comments(tmp_path: Path) -> None:
    file = tmp_path / ".python-version"
    file.write_text("# pinned\n\n3.11\n3.12\n")
    assert read_python_version_file(file).parts == (3, 11)


def test_python_version_file_with_garbage_names_the_line(tmp_path: Path) -> None:
    file = tmp_path / ".python-version"
    file.write_text("# pinned\n>=3.x\n")
    with pytest.raises(ParseError) as caught:
        read_python_version_file(file)
    assert caught.value.line == 2
    assert caught.value.path == str(file)


def test_empty_python_version_file(tmp_path: Path) -> None:
    file = tmp_path / ".python-version"
    file.write_text("\n# nothing\n")
    with pytest.raises(ParseError):
        read_python_version_file(file)


def test_request_sources_in_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FERRY_PYTHON", raising=False)
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    if not any((d / ".python-version").exists() for d in tmp_path.parents):
        assert requested_python(None, nested) == (None, None)
    (tmp_path / ".python-version").write_text("3.9\n")
    request, source = requested_python(None, nested)
    assert request is not None and request.parts == (3, 9)
    assert source == str(tmp_path / ".python-version")
    monkeypatch.setenv("FERRY_PYTHON", "3.10")
    request, source = requested_python(None, nested)
    assert request is not None and request.parts == (3, 10) and source == "FERRY_PYTHON"
    explicit = PythonRequest.parse("3.11")
    assert requested_python(explicit, nested) == (explicit, None)
