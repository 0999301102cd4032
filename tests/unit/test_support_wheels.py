"""The wheel and sdist factories: valid by default (real pip installs them), broken on request."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import os
import stat
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.support.envs import find_python, make_venv
from tests.support.sdists import FAILURE_MESSAGE
from tests.support.wheels import make_sdist, make_wheel, record_hash, wheel_filename
from tests.support.zipfiles import ZipMember, write_zip


def clean_pip_env() -> dict[str, str]:
    """No PIP_* from the machine (it has find-links and extra indexes configured)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "VIRTUAL_ENV"))}
    env["PIP_CONFIG_FILE"] = os.devnull
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def pip(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pip", *args], capture_output=True, text=True,
        env=clean_pip_env(), timeout=180, check=False,
    )


def record_rows(wheel: Path) -> dict[str, list[str]]:
    with zipfile.ZipFile(wheel) as zf:
        record = next(n for n in zf.namelist() if n.endswith(".dist-info/RECORD"))
        text = zf.read(record).decode()
    return {row[0]: row[1:] for row in csv.reader(io.StringIO(text))}


def test_default_wheel_is_valid_and_recorded(tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path, "Foo.Bar", "1.0", requires=["idna>=2"], requires_python=">=3.8",
                       extras={"Socks": ["pysocks; python_version >= '3'"]})
    assert wheel.name == "foo_bar-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as zf:
        assert zf.testzip() is None
        names = zf.namelist()
        assert names[-1] == "foo_bar-1.0.dist-info/RECORD"
        metadata = zf.read("foo_bar-1.0.dist-info/METADATA").decode()
        assert zf.read("foo_bar/__init__.py") == b'__version__ = "1.0"\n'
        assert "Tag: py3-none-any" in zf.read("foo_bar-1.0.dist-info/WHEEL").decode()
        contents = {n: zf.read(n) for n in names}
    assert "Metadata-Version: 2.1\nName: Foo.Bar\nVersion: 1.0\n" in metadata
    assert "Requires-Python: >=3.8\n" in metadata
    assert "Provides-Extra: socks\n" in metadata
    assert 'Requires-Dist: pysocks ; (python_version >= \'3\') and extra == "socks"' in metadata
    rows = record_rows(wheel)
    assert rows.pop("foo_bar-1.0.dist-info/RECORD") == ["", ""]
    assert set(rows) == set(names) - {"foo_bar-1.0.dist-info/RECORD"}
    for name, (digest, size) in rows.items():
        raw = hashlib.sha256(contents[name]).digest()
        assert digest == "sha256=" + base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
        assert int(size) == len(contents[name])


def test_wheels_and_sdists_are_byte_for_byte_deterministic(tmp_path: Path) -> None:
    kwargs = {"requires": ["b"], "entry_points": {"console_scripts": {"a": "a:main"}}}
    first = make_wheel(tmp_path / "1", "a", "1.0", **kwargs).read_bytes()  # type: ignore[arg-type]
    second = make_wheel(tmp_path / "2", "a", "1.0", **kwargs).read_bytes()  # type: ignore[arg-type]
    assert first == second
    assert (make_sdist(tmp_path / "1", "a", "1.0").read_bytes()
            == make_sdist(tmp_path / "2", "a", "1.0").read_bytes())


def test_filename_tag_and_build_tag(tmp_path: Path) -> None:
    tag = "cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64"
    wheel = make_wheel(tmp_path, "a", "1.0", tag=tag, build_tag="1")
    assert wheel.name == "a-1.0-1-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
    with zipfile.ZipFile(wheel) as zf:
        text = zf.read("a-1.0.dist-info/WHEEL").decode()
    assert "Root-Is-Purelib: false" in text and "Build: 1" in text
    assert "Tag: cp312-cp312-manylinux2014_x86_64" in text
    assert "Tag: cp312-cp312-manylinux_2_17_x86_64" in text
    assert wheel_filename("Zope.Interface", "01.0") == "zope_interface-1.0-py3-none-any.whl"


@pytest.fixture(scope="module")
def venv_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    venv = make_venv(tmp_path_factory.mktemp("venv") / "v", sys.executable)
    return venv / "bin" / "python"


def test_real_pip_installs_made_wheel_and_sdist(tmp_path: Path, venv_python: Path) -> None:
    links = tmp_path / "links"
    make_wheel(
        links, "hello-app", "1.0", requires=["hello-lib>=2"],
        files={"hello_app/__init__.py": "def main():\n    print('hello from app')\n"},
        entry_points={"console_scripts": {"hello-app": "hello_app:main"}},
        data_files={"scripts/hello-raw": b"#!python\nprint('raw script')\n",
                    "data/share/hello/x.txt": b"shared\n"},
    )
    make_sdist(links, "hello-lib", "2.0", files={"hello_lib/__init__.py": "VALUE = 42\n"})
    proc = pip("--python", str(venv_python), "install", "--no-index", "--find-links", str(links),
               "hello-app")
    assert proc.returncode == 0, proc.stderr
    bindir = venv_python.parent
    out = subprocess.run([str(bindir / "hello-app")], capture_output=True, text=True, check=True)
    assert out.stdout == "hello from app\n"
    out = subprocess.run([str(bindir / "hello-raw")], capture_output=True, text=True, check=True)
    assert out.stdout == "raw script\n"
    assert (bindir.parent / "share" / "hello" / "x.txt").read_bytes() == b"shared\n"
    value = subprocess.run([str(venv_python), "-c", "import hello_lib; print(hello_lib.VALUE)"],
                           capture_output=True, text=True, check=True)
    assert value.stdout == "42\n"


# -- broken wheels (RELIABILITY.md section B) -------------------------------------------------


def raw_central_names(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as zf:
        return [info.orig_filename for info in zf.infolist()]


@pytest.mark.parametrize(
    "name",
    ["../../evil.py", "/abs/evil", "C:\\evil", "\\\\server\\share\\x", "..\\evil", "pkg/../../x",
     "bad\nname", "nul\0name"],
)
def test_hostile_member_names_are_written_verbatim(tmp_path: Path, name: str) -> None:
    wheel = make_wheel(tmp_path, "a", "1.0", extra_members=[(name, b"evil")])
    assert name in raw_central_names(wheel)  # orig_filename: before zipfile cuts at NUL
    assert name.encode() in wheel.read_bytes()
    # Listed in RECORD with a correct hash, so the name is the wheel's only defect.
    assert record_rows(wheel)[name] == [record_hash(b"evil"), "4"]


def test_empty_member_name(tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path, "a", "1.0", extra_members=[ZipMember("", b"x")])
    assert "" in raw_central_names(wheel)


def test_symlink_member_has_unix_link_mode(tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path, "a", "1.0", symlink_member=("a/link", "/etc/passwd"))
    with zipfile.ZipFile(wheel) as zf:
        info = zf.getinfo("a/link")
        assert stat.S_ISLNK(info.external_attr >> 16)
        assert zf.read(info) == b"/etc/passwd"


def test_data_scheme_and_entry_point_traversal(tmp_path: Path) -> None:
    wheel = make_wheel(
        tmp_path, "a", "1.0",
        data_files={"unknownscheme/f": b"", "scripts/../../f": b""},
        entry_points={"console_scripts": {"../../outside": "a:main", "..": "a:main"}},
    )
    names = raw_central_names(wheel)
    assert "a-1.0.data/unknownscheme/f" in names and "a-1.0.data/scripts/../../f" in names
    with zipfile.ZipFile(wheel) as zf:
        eps = zf.read("a-1.0.dist-info/entry_points.txt").decode()
    assert "../../outside = a:main" in eps and ".. = a:main" in eps


def test_record_defects(tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path / "bad", "a", "1.0", bad_record_hash_for="a/__init__.py")
    digest = record_rows(wheel)["a/__init__.py"][0]
    assert digest != record_hash(b'__version__ = "1.0"\n')

    wheel = make_wheel(
        tmp_path / "over", "a", "1.0",
        record_overrides={"a/__init__.py": None, "a/missing.py": "sha256=abc,3",
                          "../../../outside.txt": ""},
    )
    rows = record_rows(wheel)
    assert "a/__init__.py" not in rows
    assert rows["a/missing.py"] == ["sha256=abc", "3"]
    assert rows["../../../outside.txt"] == ["", ""]

    wheel = make_wheel(tmp_path / "none", "a", "1.0", omit_record=True)
    assert not any(n.endswith("RECORD") for n in raw_central_names(wheel))


def test_zip_differentials(tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path / "dup", "a", "1.0", duplicate_member=("a/__init__.py", b"other"))
    assert raw_central_names(wheel).count("a/__init__.py") == 2

    wheel = make_wheel(tmp_path / "hdr", "a", "1.0", header_mismatch=("a/__init__.py", "a/x.py"))
    with zipfile.ZipFile(wheel) as zf, pytest.raises(zipfile.BadZipFile, match="differ"):
        zf.read("a/__init__.py")

    wheel = make_wheel(tmp_path / "trail", "a", "1.0", trailing_data=b"TRAILER")
    assert wheel.read_bytes().endswith(b"TRAILER")


def test_metadata_wheel_version_pycache_and_bomb(tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path, "a", "1.0", metadata_overrides={"Name": "b", "Version": "2.0"},
                       wheel_version="2.0", files={"__pycache__/x.pyc": b"\0"},
                       bomb_member=("a/bomb.bin", 20 * 1024 * 1024))
    assert wheel.name == "a-1.0-py3-none-any.whl"
    assert wheel.stat().st_size < 1024 * 1024
    with zipfile.ZipFile(wheel) as zf:
        metadata = zf.read("a-1.0.dist-info/METADATA").decode()
        assert "Wheel-Version: 2.0" in zf.read("a-1.0.dist-info/WHEEL").decode()
        assert zf.getinfo("a/bomb.bin").file_size == 20 * 1024 * 1024
        assert "__pycache__/x.pyc" in zf.namelist()
    assert "Name: b\nVersion: 2.0\n" in metadata
    assert record_rows(wheel)["a/bomb.bin"][1] == str(20 * 1024 * 1024)


def test_write_zip_round_trips_through_zipfile(tmp_path: Path) -> None:
    members = [ZipMember("x/é.txt", b"unicode"), ZipMember("y.bin", b"\0" * 1000, compress=False)]
    path = write_zip(tmp_path / "t.zip", members)
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None
        assert zf.read("x/é.txt") == b"unicode"
        assert zf.getinfo("y.bin").compress_type == zipfile.ZIP_STORED


# -- sdists --------------------------------------------------------------------------------------


def test_sdist_layout(tmp_path: Path) -> None:
    sdist = make_sdist(tmp_path, "My.Pkg", "1.0", requires=["b>=1"], requires_python=">=3.8",
                       extras={"fast": ["c"]}, build_requires=["setuptools"])
    assert sdist.name == "my_pkg-1.0.tar.gz"
    with tarfile.open(sdist) as tf:
        names = tf.getnames()
        pyproject = tf.extractfile("my_pkg-1.0/pyproject.toml").read().decode()  # type: ignore[union-attr]
        pkg_info = tf.extractfile("my_pkg-1.0/PKG-INFO").read().decode()  # type: ignore[union-attr]
        assert all(m.mtime == 946684800 for m in tf.getmembers())
    assert "my_pkg-1.0/_backend/ferry_test_backend.py" in names
    assert "my_pkg-1.0/src/my_pkg/__init__.py" in names
    assert 'backend-path = ["_backend"]' in pyproject and 'requires = ["setuptools"]' in pyproject
    assert '"fast" = ["c"]' in pyproject
    assert "Requires-Dist: b>=1" in pkg_info and "Requires-Python: >=3.8" in pkg_info


def _build(
    sdist: Path, python: Path, hook: str, tmp_path: Path
) -> subprocess.CompletedProcess[str]:
    """Call a backend hook the way a frontend does: in the source tree, with backend-path."""
    with tarfile.open(sdist) as tf:
        tf.extractall(tmp_path / "src", filter="data")
    tree = next((tmp_path / "src").iterdir())
    out = tmp_path / "out"
    out.mkdir()
    code = (
        "import sys; sys.path.insert(0, '_backend'); import ferry_test_backend as b; "
        f"print(b.{hook}({str(out)!r}))"
    )
    return subprocess.run([str(python), "-c", code], cwd=tree, capture_output=True, text=True,
                          check=False, timeout=60)


@pytest.mark.parametrize("version", ["3.8", "3.13"])
def test_inline_backend_runs_on_old_and_new_pythons(tmp_path: Path, version: str) -> None:
    python = find_python(version)
    if python is None:
        pytest.skip(f"Python {version} is not installed")
    sdist = make_sdist(tmp_path, "a", "1.0", entry_points={"console_scripts": {"a": "a:main"}})
    proc = _build(sdist, python, "build_wheel", tmp_path)
    assert proc.returncode == 0, proc.stderr
    wheel = tmp_path / "out" / proc.stdout.strip()
    with zipfile.ZipFile(wheel) as zf:
        assert zf.testzip() is None
        assert set(zf.namelist()) >= {"a/__init__.py", "a-1.0.dist-info/METADATA",
                                      "a-1.0.dist-info/entry_points.txt", "a-1.0.dist-info/RECORD"}


def test_inline_backend_editable_and_failing(tmp_path: Path) -> None:
    sdist = make_sdist(tmp_path / "ok", "a", "1.0")
    proc = _build(sdist, Path(sys.executable), "build_editable", tmp_path / "ok")
    assert proc.returncode == 0, proc.stderr
    with zipfile.ZipFile(tmp_path / "ok" / "out" / proc.stdout.strip()) as zf:
        pth = zf.read("_a_editable.pth").decode()
    assert pth.strip().endswith("/src")

    sdist = make_sdist(tmp_path / "bad", "a", "1.0", build_backend="failing")
    proc = _build(sdist, Path(sys.executable), "build_wheel", tmp_path / "bad")
    assert proc.returncode != 0 and FAILURE_MESSAGE in proc.stderr


def test_factory_fixtures_bind_tmp_path(
    make_wheel: Callable[..., Path], make_sdist: Callable[..., Path], tmp_path: Path
) -> None:
    assert make_wheel("a", "1.0").parent == tmp_path / "wheels"
    assert make_sdist("a", "1.0").parent == tmp_path / "sdists"
    assert make_wheel("a", "1.0", directory=tmp_path / "x").parent == tmp_path / "x"
