"""A3/A4: broken, truncated, incomplete, duplicated and too-new locks are refused clearly."""

from __future__ import annotations

from pathlib import Path

import pytest

from ferry.model.errors import ParseError, UserError
from ferry.project.lockfile import UnsupportedLockVersionError, parse_lock, read_lock

GOLDEN = Path(__file__).resolve().parents[1] / "data" / "lockfiles"
SIMPLE = (GOLDEN / "simple" / "uv.lock").read_text(encoding="utf-8")


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "uv.lock"
    path.write_text(text, encoding="utf-8")
    return path


def test_garbage_names_file_line_and_column(tmp_path: Path) -> None:
    path = _write(tmp_path, 'version = 1\nrequires-python = ">=3.11"\nthis is not toml\n')
    with pytest.raises(ParseError) as info:
        read_lock(path)
    err = info.value
    assert "Failed to parse `" in err.message and "uv.lock`" in err.message
    assert err.path == str(path)
    assert err.line == 3
    assert err.column is not None and err.column > 1
    assert err.source_line == "this is not toml"


def test_binary_garbage(tmp_path: Path) -> None:
    path = tmp_path / "uv.lock"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    with pytest.raises(ParseError, match="Failed to parse"):
        read_lock(path)


@pytest.mark.parametrize("fraction", [0.1, 0.33, 0.5, 0.77, 0.95])
def test_truncated_lock_is_a_parse_error(fraction: float) -> None:
    cut = SIMPLE[: int(len(SIMPLE) * fraction)]
    with pytest.raises(ParseError, match=r"Failed to parse `uv\.lock`"):
        parse_lock(cut)


def test_truncated_mid_value_points_at_the_end() -> None:
    cut = SIMPLE[: SIMPLE.index('hash = "sha256:632f') + 12]
    with pytest.raises(ParseError) as info:
        parse_lock(cut)
    assert info.value.line == cut.count("\n") + 1


@pytest.mark.parametrize(
    ("remove", "key_path"),
    [
        ('requires-python = ">=3.11"\n', "requires-python"),
        ("version = 1\n", "version"),
        ('source = { virtual = "." }\n', "package[5].source"),
        ('name = "gamma"\n', "package[4].name"),
    ],
)
def test_missing_required_key_names_the_key_path(remove: str, key_path: str) -> None:
    assert remove in SIMPLE
    with pytest.raises(ParseError) as info:
        parse_lock(SIMPLE.replace(remove, "", 1))
    assert f"`{key_path}`" in info.value.message


def test_wrong_type_names_the_key_path() -> None:
    text = SIMPLE.replace("size = 1026", 'size = "big"', 1)
    with pytest.raises(ParseError, match=r"`package\[0\]\.sdist\.size`: expected an integer"):
        parse_lock(text)


def test_duplicate_package_entries() -> None:
    start = SIMPLE.index('[[package]]\nname = "gamma"')
    end = SIMPLE.index("[[package]]", start + 1)
    text = SIMPLE + "\n" + SIMPLE[start:end].rstrip("\n") + "\n"
    with pytest.raises(ParseError, match=r"duplicate package `gamma==1.0.0`"):
        parse_lock(text)


def test_duplicate_toml_key_is_a_syntax_error() -> None:
    text = SIMPLE.replace('name = "gamma"\n', 'name = "gamma"\nname = "gamma"\n', 1)
    with pytest.raises(ParseError) as info:
        parse_lock(text)
    assert info.value.line is not None


def test_dependency_on_a_package_not_in_the_lock() -> None:
    text = SIMPLE.replace('    { name = "gamma" },\n]', '    { name = "nope" },\n]', 1)
    with pytest.raises(ParseError, match="dependency `nope` does not match any locked package"):
        parse_lock(text)


def test_ambiguous_dependency_without_version() -> None:
    text = SIMPLE.replace(
        '{ name = "alpha", version = "1.0.0", source = { registry = "http://127.0.0.1:38461/simple"'
        " }, marker",
        '{ name = "alpha", marker',
        1,
    )
    with pytest.raises(ParseError, match="ambiguous"):
        parse_lock(text)


@pytest.mark.parametrize("version", [2, 7])
def test_newer_schema_version_is_refused(version: int) -> None:
    text = SIMPLE.replace("version = 1\n", f"version = {version}\n", 1)
    with pytest.raises(UnsupportedLockVersionError) as info:
        parse_lock(text)
    assert str(info.value) == f"unsupported lockfile version {version} (max 1); upgrade ferry"
    assert isinstance(info.value, UserError) and not isinstance(info.value, ParseError)
    assert info.value.exit_code == 1


def test_newer_version_is_refused_even_if_the_rest_is_unknown() -> None:
    with pytest.raises(UnsupportedLockVersionError):
        parse_lock('version = 2\n[[lockfile-v2-entry]]\nwhatever = "new"\n')


def test_newer_revision_with_unknown_keys_is_read() -> None:
    text = SIMPLE.replace("revision = 5\n", "revision = 9\n", 1).replace(
        'name = "gamma"\n', 'name = "gamma"\nfuture-key = "x"\n', 1
    )
    lock = parse_lock(text)
    assert lock.revision == 9
    assert lock.find("gamma")[0].version == "1.0.0"


def test_missing_file_is_a_filesystem_error(tmp_path: Path) -> None:
    from ferry.model.errors import FilesystemError

    with pytest.raises(FilesystemError, match=r"uv\.lock"):
        read_lock(tmp_path / "uv.lock")
