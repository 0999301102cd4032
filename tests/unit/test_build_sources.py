"""Source trees and sdists before any backend runs: safe unpacking, build-system, hashes, static
metadata (dist/source_archive.py, source_tree.py, source_metadata.py)."""

from __future__ import annotations

import io
import os
import tarfile
import zipfile
from pathlib import Path

import pytest
from tests.support.sdists import make_sdist, write_targz

from ferry.dist.source_archive import unpack_sdist
from ferry.dist.source_metadata import check_identity, pkg_info_metadata, pyproject_metadata
from ferry.dist.source_tree import (
    LEGACY_BACKEND,
    read_build_system,
    read_pyproject,
    tree_hash,
)
from ferry.model.errors import BuildError, ParseError


def _tar(path: Path, members: list[tarfile.TarInfo | tuple[str, bytes]]) -> Path:
    """A tar.gz with exactly these members (TarInfo for links and special files)."""
    with tarfile.open(path, "w:gz") as tar:
        for member in members:
            if isinstance(member, tarfile.TarInfo):
                tar.addfile(member)
            else:
                name, data = member
                info = tarfile.TarInfo(name)
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    return path


def _link(name: str, target: str, kind: bytes = tarfile.SYMTYPE) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = target
    return info


# -- unpacking ---------------------------------------------------------------------------------


def test_unpack_returns_the_project_folder(tmp_path: Path) -> None:
    sdist = make_sdist(tmp_path, "Demo.Pkg", "1.0", files={"demo_pkg/__init__.py": "X = 1\n"})
    dest = tmp_path / "out"
    dest.mkdir()
    project = unpack_sdist(sdist, dest)
    assert project == dest / "demo_pkg-1.0"
    assert (project / "src/demo_pkg/__init__.py").read_text() == "X = 1\n"
    assert (project / "pyproject.toml").is_file()


def test_unpack_keeps_the_executable_bit(tmp_path: Path) -> None:
    info = tarfile.TarInfo("x-1.0/run.sh")
    info.size, info.mode = 3, 0o755
    path = tmp_path / "x-1.0.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        tar.addfile(info, io.BytesIO(b"#!\n"))
        plain = tarfile.TarInfo("x-1.0/data.txt")
        plain.size, plain.mode = 1, 0o600
        tar.addfile(plain, io.BytesIO(b"d"))
    project = unpack_sdist(path, _empty(tmp_path / "out"))
    assert os.access(project / "run.sh", os.X_OK)
    assert (project / "data.txt").stat().st_mode & 0o777 == 0o644


def _empty(path: Path) -> Path:
    path.mkdir(parents=True)
    return path


@pytest.mark.parametrize(
    ("member", "words"),
    [
        ("x-1.0/../../evil.py", "outside its folder"),
        ("/etc/evil.py", "outside its folder"),
        ("x-1.0/a/../../../evil.py", "outside its folder"),
    ],
)
def test_members_escaping_the_folder_are_refused(tmp_path: Path, member: str, words: str) -> None:
    path = _tar(tmp_path / "x-1.0.tar.gz", [("x-1.0/PKG-INFO", b""), (member, b"boom")])
    dest = _empty(tmp_path / "deep" / "out")
    with pytest.raises(BuildError, match=words) as caught:
        unpack_sdist(path, dest)
    assert "x-1.0.tar.gz" in caught.value.message
    assert not list((tmp_path / "deep").rglob("evil.py"))
    assert not list(tmp_path.rglob("evil.py"))


def test_a_symlink_leaving_the_folder_is_refused(tmp_path: Path) -> None:
    path = _tar(
        tmp_path / "x-1.0.tar.gz",
        [("x-1.0/PKG-INFO", b""), _link("x-1.0/escape", "../../../"), ("x-1.0/escape/f", b"")],
    )
    with pytest.raises(BuildError, match=r"the link `x-1\.0/escape` points at"):
        unpack_sdist(path, _empty(tmp_path / "out"))
    assert not (tmp_path / "f").exists()


def test_an_absolute_symlink_is_refused(tmp_path: Path) -> None:
    path = _tar(tmp_path / "x-1.0.tar.gz", [_link("x-1.0/passwd", "/etc/passwd")])
    with pytest.raises(BuildError, match="outside its folder"):
        unpack_sdist(path, _empty(tmp_path / "out"))


def test_a_symlink_inside_the_folder_is_kept(tmp_path: Path) -> None:
    path = _tar(
        tmp_path / "x-1.0.tar.gz",
        [("x-1.0/real.txt", b"r"), _link("x-1.0/alias.txt", "real.txt")],
    )
    project = unpack_sdist(path, _empty(tmp_path / "out"))
    assert (project / "alias.txt").read_text() == "r"


def test_hard_links_become_copies_and_must_name_a_member(tmp_path: Path) -> None:
    good = _tar(
        tmp_path / "x-1.0.tar.gz",
        [("x-1.0/real.txt", b"r"), _link("x-1.0/copy.txt", "x-1.0/real.txt", tarfile.LNKTYPE)],
    )
    project = unpack_sdist(good, _empty(tmp_path / "out"))
    assert (project / "copy.txt").read_text() == "r"
    bad = _tar(tmp_path / "y-1.0.tar.gz", [_link("y-1.0/copy", "/etc/passwd", tarfile.LNKTYPE)])
    with pytest.raises(BuildError, match="hard link"):
        unpack_sdist(bad, _empty(tmp_path / "out2"))


def test_device_files_are_refused(tmp_path: Path) -> None:
    device = tarfile.TarInfo("x-1.0/dev")
    device.type = tarfile.CHRTYPE
    path = _tar(tmp_path / "x-1.0.tar.gz", [device])
    with pytest.raises(BuildError, match="special file"):
        unpack_sdist(path, _empty(tmp_path / "out"))


def test_the_top_folder_must_match_the_filename(tmp_path: Path) -> None:
    path = write_targz(tmp_path / "x-1.0.tar.gz", [("other-2.0/PKG-INFO", b"")])
    with pytest.raises(BuildError, match=r"holds the folder `other-2.0/`.*expected `x-1.0/`"):
        unpack_sdist(path, _empty(tmp_path / "out"))


def test_the_top_folder_comparison_is_lenient_on_spelling(tmp_path: Path) -> None:
    # Old sdists keep the project's own spelling in the folder: Foo_Bar-1.0/ in foo_bar-1.0.tar.gz.
    path = write_targz(tmp_path / "foo_bar-1.0.tar.gz", [("Foo-Bar-1.0/PKG-INFO", b"")])
    assert unpack_sdist(path, _empty(tmp_path / "out")).name == "Foo-Bar-1.0"


def test_dot_slash_names_and_a_root_entry_are_fine(tmp_path: Path) -> None:
    root = tarfile.TarInfo("./")
    root.type = tarfile.DIRTYPE
    path = _tar(tmp_path / "x-1.0.tar.gz", [root, ("./x-1.0/PKG-INFO", b"m")])
    assert (unpack_sdist(path, _empty(tmp_path / "out")) / "PKG-INFO").read_bytes() == b"m"


def test_more_than_one_top_folder_is_refused(tmp_path: Path) -> None:
    path = write_targz(tmp_path / "x-1.0.tar.gz", [("x-1.0/a", b""), ("y-1.0/b", b"")])
    with pytest.raises(BuildError, match="more than one top-level entry"):
        unpack_sdist(path, _empty(tmp_path / "out"))


def test_a_file_at_the_top_is_refused(tmp_path: Path) -> None:
    path = write_targz(tmp_path / "x-1.0.tar.gz", [("setup.py", b"")])
    with pytest.raises(BuildError, match="not inside a top folder"):
        unpack_sdist(path, _empty(tmp_path / "out"))


def test_zip_sdists_unpack_with_the_same_rules(tmp_path: Path) -> None:
    good = tmp_path / "z-1.0.zip"
    with zipfile.ZipFile(good, "w") as zf:
        zf.writestr("z-1.0/PKG-INFO", "Name: z\n")
    assert (unpack_sdist(good, _empty(tmp_path / "a")) / "PKG-INFO").is_file()
    bad = tmp_path / "w-1.0.zip"
    with zipfile.ZipFile(bad, "w") as zf:
        zf.writestr("w-1.0/../../evil", "x")
    with pytest.raises(BuildError, match="outside its folder"):
        unpack_sdist(bad, _empty(tmp_path / "b"))


def test_a_damaged_archive_is_a_build_error(tmp_path: Path) -> None:
    path = tmp_path / "x-1.0.tar.gz"
    path.write_bytes(b"\x1f\x8b not really gzip")
    with pytest.raises(BuildError, match="not a readable archive"):
        unpack_sdist(path, _empty(tmp_path / "out"))


# -- build-system ------------------------------------------------------------------------------


def _project(tmp_path: Path, pyproject: str | None, setup_py: bool = False) -> Path:
    root = tmp_path / "proj"
    root.mkdir(exist_ok=True)
    if pyproject is not None:
        (root / "pyproject.toml").write_text(pyproject)
    if setup_py:
        (root / "setup.py").write_text("from setuptools import setup\nsetup()\n")
    return root


def test_build_system_is_read_from_pyproject(tmp_path: Path) -> None:
    root = _project(
        tmp_path,
        '[build-system]\nrequires = ["flit_core>=3"]\nbuild-backend = "flit_core.buildapi"\n'
        'backend-path = ["."]\n',
    )
    system = read_build_system(root, "proj")
    assert system.requires == ("flit_core>=3",)
    assert system.backend == "flit_core.buildapi"
    assert system.backend_path == (".",)
    assert not system.legacy


def test_no_build_system_falls_back_to_setuptools_legacy(tmp_path: Path) -> None:
    system = read_build_system(_project(tmp_path, None, setup_py=True), "proj")
    assert system.backend == LEGACY_BACKEND
    assert system.requires == ("setuptools>=40.8.0",)
    assert system.legacy
    # A pyproject.toml without [build-system] (only tool settings) too.
    system = read_build_system(_project(tmp_path, "[tool.black]\n"), "proj")
    assert system.backend == LEGACY_BACKEND


def test_build_system_without_backend_keeps_its_requires(tmp_path: Path) -> None:
    root = _project(tmp_path, '[build-system]\nrequires = ["setuptools>=64", "cython"]\n')
    system = read_build_system(root, "proj")
    assert (system.backend, system.requires) == (LEGACY_BACKEND, ("setuptools>=64", "cython"))


def test_a_tree_that_is_no_python_project_is_refused(tmp_path: Path) -> None:
    with pytest.raises(BuildError, match="does not appear to be a Python project"):
        read_build_system(_project(tmp_path, None), "proj")


@pytest.mark.parametrize(
    ("pyproject", "words"),
    [
        ('[build-system]\nbuild-backend = "x"\n', "has no `requires` key"),
        ('[build-system]\nrequires = "setuptools"\n', "not a list of strings"),
        ('[build-system]\nrequires = ["not a req!"]\n', "invalid requirement"),
        ('[build-system]\nrequires = []\nbackend-path = ["../elsewhere"]\n', "outside the project"),
        ('[build-system]\nrequires = []\nbackend-path = ["/abs"]\n', "is absolute"),
        ("[build-system\n", "not valid TOML"),
    ],
)
def test_bad_build_system_tables_are_parse_errors(
    tmp_path: Path, pyproject: str, words: str
) -> None:
    with pytest.raises(ParseError, match=words) as caught:
        read_build_system(_project(tmp_path, pyproject), "proj")
    assert caught.value.path is not None and caught.value.path.endswith("pyproject.toml")


# -- tree hash ---------------------------------------------------------------------------------


def test_tree_hash_follows_sources_and_ignores_build_output(tmp_path: Path) -> None:
    root = _project(tmp_path, "[project]\nname='p'\nversion='1'\n")
    (root / "src" / "p").mkdir(parents=True)
    (root / "src" / "p" / "__init__.py").write_text("A = 1\n")
    first = tree_hash(root)
    assert tree_hash(root) == first
    for noise in (".git/HEAD", "build/lib/p.py", "dist/p-1.whl", "src/p/__pycache__/x.pyc",
                  "p.egg-info/PKG-INFO", ".venv/pyvenv.cfg", "env2/pyvenv.cfg",
                  ".ferry/environment.lock", "uv.lock"):
        (root / noise).parent.mkdir(parents=True, exist_ok=True)
        (root / noise).write_text("noise")
    assert tree_hash(root) == first
    (root / "src" / "p" / "__init__.py").write_text("A = 2\n")
    assert tree_hash(root) != first


def test_tree_hash_sees_nested_build_folders_and_modes(tmp_path: Path) -> None:
    root = _project(tmp_path, "")
    (root / "pkg" / "build").mkdir(parents=True)
    base = tree_hash(root)
    (root / "pkg" / "build" / "x.py").write_text("")  # a subpackage called build is source
    with_nested = tree_hash(root)
    assert with_nested != base
    (root / "pkg" / "build" / "x.py").chmod(0o755)
    assert tree_hash(root) != with_nested


def test_tree_hash_does_not_depend_on_location(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    for root in (a, b):
        (root / "m").mkdir(parents=True)
        (root / "m" / "f.py").write_text("same\n")
    assert tree_hash(a) == tree_hash(b)


# -- static metadata ---------------------------------------------------------------------------


def test_pyproject_metadata_when_nothing_relevant_is_dynamic(tmp_path: Path) -> None:
    root = _project(
        tmp_path,
        '[project]\nname = "Demo"\nversion = "1.0"\ndescription = "A  demo"\n'
        'requires-python = ">=3.8"\ndependencies = ["idna>=2; python_version >= \'3\'"]\n'
        'dynamic = ["readme"]\n'
        '[project.optional-dependencies]\n'
        'Fast_Extra = ["ujson", "orjson; sys_platform == \'linux\'"]\n',
    )
    data = pyproject_metadata(read_pyproject(root), "pyproject.toml")
    assert data is not None
    assert data.decode().splitlines() == [
        "Metadata-Version: 2.1",
        "Name: Demo",
        "Version: 1.0",
        "Summary: A demo",
        "Requires-Python: >=3.8",
        'Requires-Dist: idna>=2; python_version >= "3"',
        "Provides-Extra: fast-extra",
        'Requires-Dist: ujson; extra == "fast-extra"',
        'Requires-Dist: orjson; (sys_platform == "linux") and extra == "fast-extra"',
    ]


@pytest.mark.parametrize("field", ["version", "dependencies", "optional-dependencies"])
def test_pyproject_metadata_gives_way_to_the_backend_when_dynamic(
    tmp_path: Path, field: str
) -> None:
    version = "" if field == "version" else 'version = "1"\n'
    root = _project(tmp_path, f'[project]\nname = "d"\n{version}dynamic = ["{field}"]\n')
    assert pyproject_metadata(read_pyproject(root), "pyproject.toml") is None


def test_pyproject_metadata_rejects_invalid_requirements(tmp_path: Path) -> None:
    root = _project(tmp_path, '[project]\nname = "d"\nversion = "1"\ndependencies = ["??"]\n')
    with pytest.raises(ParseError, match="Invalid requirement `\\?\\?`"):
        pyproject_metadata(read_pyproject(root), "pyproject.toml")


def test_pkg_info_is_static_from_metadata_2_2_without_dynamic_fields(tmp_path: Path) -> None:
    root = _project(tmp_path, None)
    (root / "PKG-INFO").write_text("Metadata-Version: 2.2\nName: d\nVersion: 1\nDynamic: Summary\n")
    assert pkg_info_metadata(root) is not None
    (root / "PKG-INFO").write_text(
        "Metadata-Version: 2.2\nName: d\nVersion: 1\nDynamic: Requires-Dist\n"
    )
    assert pkg_info_metadata(root) is None
    (root / "PKG-INFO").write_text("Metadata-Version: 2.1\nName: d\nVersion: 1\n")
    assert pkg_info_metadata(root) is None


def test_check_identity_names_what_disagrees() -> None:
    data = b"Metadata-Version: 2.1\nName: other\nVersion: 2.0\n"
    check_identity(data, "x==1.0", "PKG-INFO", "Other", "2.0")
    with pytest.raises(BuildError, match="names the project `other`, not `x`"):
        check_identity(data, "x==1.0", "PKG-INFO", "x", None)
    with pytest.raises(BuildError, match=r"says version `2\.0`, not `1\.0`"):
        check_identity(data, "x==1.0", "PKG-INFO", None, "1.0")
