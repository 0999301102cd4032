"""Units behind the s8 pip-interface fixes: pip's versioned launcher for the target Python,
the Prepared line's count of local files, pip compile's index lines."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from packaging.utils import canonicalize_name
from tests.support.wheels import make_wheel

from ferry.commands.compile_inputs import CompileInputs
from ferry.commands.pip_compile import PipCompileRequest, _output_options
from ferry.dist.prepare import PreparedDist, PrepareStats, read_again, settle_downloads
from ferry.fs.link import Linker, LinkMode
from ferry.index.default import default_index_url
from ferry.index.downloads import DownloadStats
from ferry.model.dist import FileRef, Hashes, PinnedDist
from ferry.model.pep440_version import Version
from ferry.model.scheme import Scheme
from ferry.project.requirements_model import IndexOptions
from ferry.python.discovery import _key_spelling
from ferry.wheel.install import install_unpacked
from ferry.wheel.scripts import EntryPointScript, scheme_python_version, with_versioned_pip
from ferry.wheel.unpack import unpack_wheel


def _console(*names: str) -> list[EntryPointScript]:
    return [EntryPointScript(name, "pkg", name.replace(".", "_"), "console") for name in names]


def _names(scripts: list[EntryPointScript]) -> list[str]:
    return sorted(s.name for s in scripts)


@pytest.mark.parametrize(
    ("declared", "expected"),
    [
        # what uv 0.13.8 writes for a 3.12 target, whatever the distribution is called
        (("pip", "pip3"), ["pip", "pip3", "pip3.12"]),
        (("pip3.7",), []),
        (("pip3", "pip3.7"), ["pip3", "pip3.12"]),
        (("pip", "pip3.7"), ["pip"]),
        (("pip3.7", "pip4.1", "pip2.7", "pip3"), ["pip2.7", "pip3", "pip3.12", "pip4.1"]),
        (("pip", "pip-tool", "pip2"), ["pip", "pip-tool", "pip2"]),
    ],
)
def test_versioned_pip_launchers_follow_uv(declared: tuple[str, ...], expected: list[str]) -> None:
    assert _names(with_versioned_pip(_console(*declared), (3, 12))) == expected


def test_the_versioned_launcher_runs_what_pip3_runs() -> None:
    scripts = [*_console("pip3.7"), EntryPointScript("pip3", "pip.main", "cli", "console")]
    (added,) = [s for s in with_versioned_pip(scripts, (3, 8)) if s.name == "pip3.8"]
    assert (added.module, added.attr) == ("pip.main", "cli")


def test_gui_scripts_and_an_unknown_version_are_left_alone() -> None:
    gui = [EntryPointScript("pip3.7", "pkg", "main", "gui")]
    assert with_versioned_pip(gui, (3, 12)) == gui
    declared = _console("pip3", "pip3.7")
    assert with_versioned_pip(declared, None) == declared


def test_scheme_python_version(tmp_path: Path) -> None:
    python = tmp_path / "env" / "bin" / "python"
    assert scheme_python_version(Path("/x/lib/python3.12/site-packages"), python) == (3, 12)
    assert scheme_python_version(Path("/x/lib/python3.13t/site-packages"), python) == (3, 13)
    assert scheme_python_version(Path("/usr/local/lib/python3.11/dist-packages"), python) == (
        3, 11)
    assert scheme_python_version(Path("/x/lib/pypy3.10/site-packages"), python) == (3, 10)
    windows_like = tmp_path / "env" / "Lib" / "site-packages"
    assert scheme_python_version(windows_like, python) is None
    (tmp_path / "env").mkdir()
    (tmp_path / "env" / "pyvenv.cfg").write_text("home = /x\nversion_info = 3.9.18\n")
    assert scheme_python_version(windows_like, python) == (3, 9)


@pytest.mark.parametrize("minor", [8, 12])
def test_installing_pip_writes_pip3_minor_of_the_target(tmp_path: Path, minor: int) -> None:
    wheel = make_wheel(tmp_path / "wheels", "pip", "99.0", entry_points={
        "console_scripts": {"pip": "pip:main", "pip3": "pip:main", "pip3.11": "pip:main"}})
    archive = tmp_path / "archive"
    unpack_wheel(wheel, archive)
    root = tmp_path / "env"
    lib = root / f"lib/python3.{minor}/site-packages"
    scheme = Scheme(purelib=lib, platlib=lib, scripts=root / "bin", data=root,
                    headers=root / "include")
    installed = install_unpacked(archive, scheme, python_executable=root / "bin" / "python",
                                 linker=Linker(LinkMode.COPY))
    assert sorted(p.name for p in (root / "bin").iterdir()) == ["pip", "pip3", f"pip3.{minor}"]
    record = (installed.dist_info / "RECORD").read_text()
    assert f"../../../bin/pip3.{minor}," in record and "bin/pip3.11," not in record


# -- the Prepared line: a local file read twice counts once (s8 review, pip 7) ---------------


def _pin(url: str, *, direct: str | None, sha256: str | None = None) -> PinnedDist:
    hashes = Hashes.of(sha256=sha256) if sha256 else Hashes.of()
    file = FileRef(filename="pkg-1.0-py3-none-any.whl", url=url, hashes=hashes)
    return PinnedDist(canonicalize_name("pkg"), Version("1.0"), file=file, direct_url=direct)


def test_only_a_hashless_local_direct_reference_is_read_again() -> None:
    local = "file:///w/pkg-1.0-py3-none-any.whl"
    assert read_again(_pin(local, direct=local))
    assert not read_again(_pin(local, direct=local, sha256="a" * 64))  # found by its hash
    assert not read_again(_pin(local, direct=None))  # a find-links file: read once
    remote = "https://host.invalid/pkg-1.0-py3-none-any.whl"
    assert not read_again(_pin(remote, direct=remote))  # found again by its URL


class _Client:
    def __init__(self, stats: DownloadStats) -> None:
        self._stats = stats

    @property
    def stats(self) -> DownloadStats:  # found on the class, as command_downloads looks
        return self._stats


def test_a_local_wheel_read_for_metadata_and_install_is_one_download() -> None:
    local = "file:///w/pkg-1.0-py3-none-any.whl"
    stats = PrepareStats()
    stats.add(PreparedDist(_pin(local, direct=local), Path("/a"), False, 100, reread=True))
    client = _Client(DownloadStats(downloaded=2, bytes_downloaded=200))
    settle_downloads(stats, client, None)
    assert (stats.downloaded, stats.other_files, stats.downloaded_bytes) == (1, 0, 100)
    settle_downloads(stats, client, None)  # idempotent
    assert (stats.downloaded, stats.other_files, stats.downloaded_bytes) == (1, 0, 100)


def test_a_local_sdist_read_twice_is_one_other_file() -> None:
    local = "file:///w/pkg-1.0.tar.gz"
    stats = PrepareStats()
    stats.add(PreparedDist(_pin(local, direct=local), Path("/a"), False, 100, built=True,
                           reread=True))
    settle_downloads(stats, _Client(DownloadStats(downloaded=2, bytes_downloaded=200)), None)
    assert (stats.built, stats.downloaded, stats.other_files, stats.downloaded_bytes) == (
        1, 0, 1, 100)


# -- pip compile --emit-index-url writes the default index too (s8 review, pip 8) ------------


def _index_lines(monkeypatch: pytest.MonkeyPatch, **request: Any) -> tuple[str, ...]:
    for name in ("FERRY_INDEX_URL", "FERRY_EXTRA_INDEX_URL", "FERRY_FIND_LINKS"):
        monkeypatch.delenv(name, raising=False)
    options = IndexOptions(**request.pop("file_options", {}))
    return _output_options(PipCompileRequest(**request), CompileInputs(options=options)).index_lines


def test_emit_index_url_writes_the_default_index(monkeypatch: pytest.MonkeyPatch) -> None:
    default = default_index_url()
    assert _index_lines(monkeypatch, emit_index_url=True) == (f"--index-url {default}",)
    assert _index_lines(monkeypatch, emit_index_url=True, extra_index_url=("file:///x",)) == (
        f"--index-url {default}", "--extra-index-url file:///x")
    assert _index_lines(monkeypatch, emit_index_url=True, index_url="file:///i") == (
        "--index-url file:///i",)
    assert _index_lines(monkeypatch, emit_index_url=True,
                        file_options={"index_url": "file:///f"}) == ("--index-url file:///f",)
    assert _index_lines(monkeypatch) == ()


def test_emit_index_url_with_no_index_writes_none(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _index_lines(monkeypatch, emit_index_url=True, no_index=True,
                        extra_index_url=("file:///x",)) == ()
    assert _index_lines(monkeypatch, emit_index_url=True,
                        file_options={"no_index": True}) == ()


def test_emit_options_read_the_environment_as_the_resolution_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def lines() -> tuple[str, ...]:
        request = PipCompileRequest(emit_index_url=True, emit_find_links=True)
        return _output_options(request, CompileInputs()).index_lines

    monkeypatch.setenv("FERRY_EXTRA_INDEX_URL", "file:///e1 file:///e2")
    monkeypatch.setenv("FERRY_FIND_LINKS", "/links")
    assert lines() == (f"--index-url {default_index_url()}", "--extra-index-url file:///e1",
                       "--extra-index-url file:///e2", "--find-links /links")


# -- uv's key spelling of a Python request (s8 review, pip 10) -------------------------------


@pytest.mark.parametrize(
    ("name", "spelled"),
    [
        ("cpython-3.12.1-linux-x86_64-gnu", ("cpython@3.12.1", "CPython 3.12.1")),
        ("pypy-3.10-linux", ("pypy@3.10", "PyPy 3.10")),
        ("cpython-3.13+freethreaded-linux-x86_64-gnu", ("cpython@3.13t", "CPython 3.13t")),
        ("any-3.12-any", ("3.12", "Python 3.12")),
        ("3.12-linux", ("3.12", "Python 3.12")),
        ("python3.12", None),
        ("my-python", None),
        ("cpython", None),
    ],
)
def test_key_spelling(name: str, spelled: tuple[str, str] | None) -> None:
    assert _key_spelling(name) == spelled
