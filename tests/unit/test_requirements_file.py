"""requirements.txt parsing: what pip and uv accept, and errors that point at the text."""

from __future__ import annotations

from pathlib import Path

import pytest

from ferry.model.errors import ParseError
from ferry.project.requirements_file import (
    UnreadableInclude,
    parse_requirements_file,
    parse_requirements_text,
)
from ferry.project.requirements_hashes import check_hash_mode
from ferry.project.requirements_model import RequirementsFile, SourceLocation

SHA_A = "a" * 64
SHA_B = "b" * 64


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def names(file: RequirementsFile) -> list[str]:
    return [str(r.requirement) for r in file.requirements]


def test_comments_blank_lines_continuations_and_env_vars(tmp_path: Path) -> None:
    req = write(tmp_path / "r.txt", (
        "# a comment\n"
        "\n"
        "requests>=2 # trailing comment\n"
        "flask \\\n"
        "  >=3.0 \\\n"
        "  ; python_version >= '3.8'\n"
        "pkg==${PKG_VERSION}\n"
        "keep==1.0  # ${NOT_EXPANDED_IN_COMMENT}\n"
        "url-pkg @ https://example.invalid/${MISSING_VAR}/x.whl#frag\n"
    ))
    parsed = parse_requirements_file(req, environ={"PKG_VERSION": "1.2"})
    assert names(parsed) == [
        "requests>=2",
        'flask>=3.0; python_version >= "3.8"',
        "pkg==1.2",
        "keep==1.0",
        "url-pkg @ https://example.invalid/${MISSING_VAR}/x.whl#frag",
    ]
    assert [r.location for r in parsed.requirements][:3] == [
        SourceLocation(str(req), 3), SourceLocation(str(req), 4), SourceLocation(str(req), 7)]
    assert parsed.files == (str(req),)


def test_nested_requirement_and_constraint_files_are_relative_to_their_includer(
    tmp_path: Path,
) -> None:
    top = write(tmp_path / "requirements.txt", "-r sub/base.txt\n-c constraints.txt\napp\n")
    write(tmp_path / "sub" / "base.txt", "--requirement=more.txt\nbase-lib\n")
    write(tmp_path / "sub" / "more.txt", "more-lib\n")
    write(tmp_path / "constraints.txt", "-r pinned.txt\nbase-lib<2\n")
    write(tmp_path / "pinned.txt", "more-lib==1.0\n")
    parsed = parse_requirements_file(top)
    assert names(parsed) == ["more-lib", "base-lib", "app"]
    assert [str(c.requirement) for c in parsed.constraints] == ["more-lib==1.0", "base-lib<2"]
    assert len(parsed.files) == 5


def test_recursive_includes_are_refused(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "-r b.txt\n")
    write(tmp_path / "b.txt", "x\n-r a.txt\n")
    with pytest.raises(ParseError, match="includes itself") as info:
        parse_requirements_file(tmp_path / "a.txt")
    assert info.value.line == 2
    assert info.value.path == str(tmp_path / "b.txt")


def test_missing_included_file_in_uvs_words(tmp_path: Path) -> None:
    """uv 0.13.8: the including file, the byte offset of the ``-r`` line, what failed (exit 2)."""
    write(tmp_path / "r.txt", "ok\n-r nope.txt\n")
    with pytest.raises(UnreadableInclude) as info:
        parse_requirements_file(tmp_path / "r.txt")
    assert info.value.message == (
        f"Error parsing included file in `{tmp_path / 'r.txt'}` at position 3\n"
        f"  cause: failed to read from file `{tmp_path / 'nope.txt'}`: No such file or "
        "directory (os error 2)")
    assert info.value.exit_code == 2


def test_editables_paths_and_vcs_urls(tmp_path: Path) -> None:
    parsed = parse_requirements_text(
        "-e ./pkg[dev,Test_X]\n"
        "--editable=git+https://example.invalid/repo.git@main#egg=My_Pkg[cli]\n",
        base_dir=tmp_path,
    )
    local, vcs = parsed.editables
    assert local.editable and local.url == (tmp_path / "pkg").as_uri()
    assert local.name is None and local.extras == {"dev", "test-x"}
    assert vcs.url == "git+https://example.invalid/repo.git@main#egg=My_Pkg[cli]"
    assert vcs.name == "my-pkg" and vcs.extras == {"cli"}
    assert parsed.requirements == ()


def test_index_options(tmp_path: Path) -> None:
    parsed = parse_requirements_text(
        "-i https://first.invalid/simple\n"
        "--index-url https://second.invalid/simple\n"
        "--extra-index-url=https://extra.invalid/simple\n"
        "--extra-index-url https://extra2.invalid/simple\n"
        "-f ./wheels\n"
        "--find-links https://links.invalid/\n"
        "--no-index --pre --prefer-binary\n"
        "--trusted-host example.invalid\n"
        "--no-binary :all:\n"
        "--only-binary Foo_Bar,baz\n"
        "--use-feature=truststore\n",
        base_dir=tmp_path,
    )
    o = parsed.options
    assert o.index_url == "https://second.invalid/simple"
    assert o.extra_index_urls == ("https://extra.invalid/simple", "https://extra2.invalid/simple")
    assert o.find_links == (str(tmp_path / "wheels"), "https://links.invalid/")
    assert o.no_index and o.pre and o.prefer_binary and not o.require_hashes
    assert o.trusted_hosts == ("example.invalid",)
    assert o.no_binary == {":all:"}
    assert o.only_binary == {"foo-bar", "baz"}
    reset = parse_requirements_text("--only-binary :all:\n--only-binary :none:\n--no-binary x\n")
    assert reset.options.only_binary == frozenset()
    assert reset.options.no_binary == {"x"}


def test_hashes_on_continued_lines(tmp_path: Path) -> None:
    parsed = parse_requirements_text(
        f"pkg==1.0 \\\n    --hash=sha256:{SHA_A} \\\n    --hash sha256:{SHA_B.upper()}\n"
        f"other==2 --hash=sha512:{'c' * 128}\n"
    )
    pkg, other = parsed.requirements
    assert pkg.hashes == (f"sha256:{SHA_A}", f"sha256:{SHA_B}")
    assert pkg.allowed_hashes() == {"sha256": frozenset({SHA_A, SHA_B})}
    assert other.hashes == (f"sha512:{'c' * 128}",)
    assert not parsed.hash_checking  # uv: hashes alone are verified; --require-hashes requires


def test_direct_references_and_bare_paths(tmp_path: Path) -> None:
    parsed = parse_requirements_text(
        "local @ ./src/local\n"
        "remote[extra] @ https://example.invalid/remote-1.0.tar.gz ; sys_platform == 'linux'\n"
        "./dist/Wheel_Pkg-2.0-py3-none-any.whl\n"
        "./some/dir[feat] ; python_version > '3'\n"
        "https://example.invalid/files/sdist_pkg-1.5.tar.gz\n"
        "archive-3.0.zip\n"
        "cfg -C key=value\n",
        base_dir=tmp_path,
    )
    local, remote, wheel, directory, sdist, archive, cfg = parsed.requirements
    assert local.url == (tmp_path / "src" / "local").as_uri()
    assert str(local.as_requirement()) == f"local @ {(tmp_path / 'src' / 'local').as_uri()}"
    assert remote.name == "remote" and remote.extras == {"extra"}
    assert remote.url == "https://example.invalid/remote-1.0.tar.gz"
    assert wheel.requirement is None and wheel.name == "wheel-pkg"
    assert wheel.url == (tmp_path / "dist" / "Wheel_Pkg-2.0-py3-none-any.whl").as_uri()
    assert str(wheel.as_requirement()).startswith("wheel-pkg @ file://")
    assert directory.name is None and directory.as_requirement() is None
    assert directory.extras == {"feat"} and str(directory.marker) == 'python_version > "3"'
    assert sdist.name == "sdist-pkg"
    assert archive.name == "archive" and archive.url == (tmp_path / "archive-3.0.zip").as_uri()
    assert cfg.config_settings == (("key", "value"),)


def test_malformed_requirement_shows_packaging_message_and_column(tmp_path: Path) -> None:
    req = write(tmp_path / "r.txt", "ok\nfoo bar\n")
    with pytest.raises(ParseError) as info:
        parse_requirements_file(req)
    err = info.value
    assert "Invalid requirement `foo bar`: Expected semicolon" in err.message
    assert (err.path, err.line, err.column, err.source_line) == (str(req), 2, 5, "foo bar")


def test_error_columns_map_through_continuations() -> None:
    with pytest.raises(ParseError) as info:
        parse_requirements_text("good\nbad>=1 \\\n  ; python_version <\n", path="r.txt")
    err = info.value
    assert err.line == 3
    assert err.source_line == "  ; python_version <"
    assert err.column == len("  ; python_version <") + 1  # just past the dangling operator


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("--frobnicate\n", "Unknown option `--frobnicate`"),
        ("pkg --index-url x\n", "`--index-url` cannot follow a requirement"),
        ("--hash=sha256:abc\n", "`--hash` must follow a requirement"),
        ("--index-url\n", "`--index-url` needs a value"),
        ("pkg -C novalue\n", "expects KEY=VALUE"),
        ("pkg --hash nocolon\n", "expects ALGORITHM:DIGEST"),
        (f"pkg==1 --hash=md5:{'a' * 32}\n", "`md5` is too weak"),
        (f"pkg==1 --hash=blake3:{'a' * 64}\n", "Unsupported hash algorithm `blake3`"),
        ("pkg==1 --hash=sha256:abc\n", "not a valid sha256 digest"),
        ("-r https://example.invalid/r.txt\n", "Remote requirements files are not supported"),
        ("pkg --hash 'unterminated\n", "Cannot split options"),
    ],
)
def test_option_errors(text: str, message: str) -> None:
    with pytest.raises(ParseError, match=message) as info:
        parse_requirements_text(text, path="r.txt")
    assert info.value.line == 1 and info.value.path == "r.txt"


def test_remote_includes_use_the_given_reader() -> None:
    pages = {"https://example.invalid/base/r.txt": "-r other.txt\nfirst\n",
             "https://example.invalid/base/other.txt": "second\n"}
    parsed = parse_requirements_text("-r https://example.invalid/base/r.txt\n",
                                     read_url=pages.__getitem__)
    assert names(parsed) == ["second", "first"]


def test_constraint_files_refuse_editables_and_unnamed(tmp_path: Path) -> None:
    with pytest.raises(ParseError, match="Editable requirements are not allowed as constraints"):
        parse_requirements_text("-e ./x\n", constraint=True)
    with pytest.raises(ParseError, match="Unnamed requirements are not allowed as constraints"):
        parse_requirements_text("./some/dir\n", constraint=True)
    parsed = parse_requirements_text("pkg<2\n./dist/pkg-1.0-py3-none-any.whl\n", constraint=True)
    assert [c.name for c in parsed.constraints] == ["pkg", "pkg"]


# --- hash-checking mode (RELIABILITY A6) ---------------------------------------------------------


def test_require_hashes_refuses_unpinned_requirements() -> None:
    with pytest.raises(ParseError) as info:
        parse_requirements_text(
            f"--require-hashes\nok==1 --hash=sha256:{SHA_A}\npkg>=1 --hash=sha256:{SHA_B}\n",
            path="r.txt")
    err = info.value
    assert err.message == ("In `--require-hashes` mode, all requirements must have their "
                           "versions pinned with `==`, but found: `pkg>=1`")
    assert (err.line, err.column) == (3, 1)
    assert err.hint is not None
    # uv 0.13: without --require-hashes an unpinned hashed line is accepted (hash not checked)
    parse_requirements_text(f"ok==1 --hash=sha256:{SHA_A}\npkg>=1 --hash=sha256:{SHA_B}\n")


def test_require_hashes_refuses_missing_hashes_and_editables() -> None:
    with pytest.raises(ParseError, match="is editable") as info:
        parse_requirements_text("--require-hashes\na==1 --hash=sha256:" + SHA_A + "\nb==2\n"
                                "-e ./src\n", path="r.txt")
    assert info.value.line == 4  # the editable is reported first...
    assert info.value.causes == ["r.txt:3: hashes are required, but `b==2` has none"]


def test_require_hashes_from_the_command_line_and_constraint_hashes() -> None:
    parsed = parse_requirements_text("a==1\n")
    check_hash_mode(parsed)  # no hashes anywhere: not in hash-checking mode
    with pytest.raises(ParseError, match="hashes are required"):
        check_hash_mode(parsed, require_hashes=True)
    assert not parsed.hash_checking


def test_hashes_given_by_a_constraint_count(tmp_path: Path) -> None:
    write(tmp_path / "c.txt", f"a==1 --hash=sha256:{SHA_A}\n")
    req = write(tmp_path / "r.txt", "-c c.txt\n--require-hashes\na==1\n")
    parsed = parse_requirements_file(req)
    assert parsed.options.require_hashes
    assert parsed.constraints[0].hashes == (f"sha256:{SHA_A}",)


def test_errors_never_show_url_passwords() -> None:
    text = ("--index-url https://user:tok3n@example.invalid/simple\n"
            "bad @ https://me:pw@x.invalid/a b\n")
    with pytest.raises(ParseError) as info:
        parse_requirements_text(text, path="r.txt")
    err = info.value
    shown = f"{err.message} {err.source_line}"
    assert "pw@" not in shown and "me:****@" in shown
    assert err.line == 2
    assert err.source_line == "bad @ https://me:****@x.invalid/a b"
    assert err.column is not None and err.source_line[err.column - 1] == "b"
