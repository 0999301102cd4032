"""The install's staging directory (``Transaction.staging``): new directories are made in a
hidden directory carrying ``FS_TOPDIR_FL`` and renamed into place, so ext4 places them apart
from the block group a removed environment just freed. Nothing of it may show: no flag on what
was installed, no leftover, the same rollback, shared directories kept as they are."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from ferry.fs.link import Linker, LinkMode
from ferry.model.errors import FilesystemError
from ferry.model.scheme import Scheme
from ferry.wheel import _transaction, install_unpacked, unpack_wheel
from ferry.wheel._transaction import TEMP_PREFIX, Transaction

MakeWheel = Callable[..., Path]
PYTHON = Path("/opt/py/bin/python3")
_TOPDIR = 0x00020000

if sys.platform.startswith("linux"):
    from tests.unit.test_cold_install_placement import _flags
else:  # no such flags: the staging directory is never made

    def _flags(path: Path) -> int | None:
        return None


def _scheme(root: Path) -> Scheme:
    lib = root / "lib/python3.12/site-packages"
    lib.mkdir(parents=True)
    return Scheme(purelib=lib, platlib=lib, scripts=root / "bin", data=root,
                  headers=root / "include/site/python3.12/demo")


def _install(make_wheel: MakeWheel, tmp_path: Path, scheme: Scheme, linker: object = None,
             **files: str) -> Path:
    wheel = make_wheel("demo", "1.0", files=files or {"demo/sub/deep/m.py": "x = 1\n"},
                       directory=tmp_path / "wheels")
    archive = tmp_path / "archives" / wheel.name
    unpack_wheel(wheel, archive)
    dist = install_unpacked(archive, scheme, python_executable=PYTHON,
                            linker=linker or Linker(LinkMode.HARDLINK))  # type: ignore[arg-type]
    return dist.dist_info


class _FullDisk(Linker):
    """Hardlinks, until the second file: the disk is full."""

    def __init__(self) -> None:
        super().__init__(LinkMode.HARDLINK)
        self.count = 0

    def link(self, src: str | Path, dst: str | Path) -> None:
        self.count += 1
        if self.count == 2:
            raise OSError(28, "No space left on device")
        super().link(src, dst)


def _leftovers(site: Path) -> list[str]:
    return [p.name for p in site.iterdir() if p.name.startswith(TEMP_PREFIX)]


def test_installed_directories_carry_no_flag_and_nothing_is_left(
    make_wheel: MakeWheel, tmp_path: Path
) -> None:
    scheme = _scheme(tmp_path / "env")
    dist_info = _install(make_wheel, tmp_path, scheme)
    site = scheme.purelib
    assert (site / "demo/sub/deep/m.py").read_text() == "x = 1\n"
    assert (dist_info / "RECORD").is_file()
    assert _leftovers(site) == []
    for directory in (site / "demo", site / "demo/sub", dist_info):
        flags = _flags(directory)
        assert flags is None or not flags & _TOPDIR, directory


def test_the_staging_directory_is_spread_where_the_filesystem_allows(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    tx = Transaction(site, spread=True)
    tx.make_dirs(os.fspath(site / "pkg" / "inner"))
    staging = tx.staging()
    if staging is None:  # tmpfs and friends: directories are made in place, as before
        assert (site / "pkg" / "inner").is_dir()
        assert _leftovers(site) == []
        return
    assert Path(staging).parent == site and Path(staging).name.startswith(TEMP_PREFIX)
    flags = _flags(Path(staging))
    assert flags is not None and flags & _TOPDIR
    assert (site / "pkg" / "inner").is_dir()
    assert tx.in_new_dir(os.fspath(site / "pkg")) and tx.in_new_dir(os.fspath(site / "pkg/inner"))
    tx.commit()
    assert _leftovers(site) == []


def test_a_failed_install_leaves_neither_staging_nor_staged_directories(
    make_wheel: MakeWheel, tmp_path: Path
) -> None:
    scheme = _scheme(tmp_path / "env")

    with pytest.raises(FilesystemError, match="No space left"):
        _install(make_wheel, tmp_path, scheme, _FullDisk(),
                 **{"demo/a.py": "", "demo/b/c.py": "", "other/d.py": ""})
    assert sorted(p.name for p in scheme.purelib.iterdir()) == []


def test_an_existing_shared_directory_is_used_not_replaced(
    make_wheel: MakeWheel, tmp_path: Path
) -> None:
    scheme = _scheme(tmp_path / "env")
    shared = scheme.purelib / "demo"
    shared.mkdir()
    (shared / "theirs.py").write_text("kept\n")
    inode = shared.stat().st_ino
    _install(make_wheel, tmp_path, scheme, **{"demo/ours/m.py": ""})
    assert shared.stat().st_ino == inode
    assert (shared / "theirs.py").read_text() == "kept\n"
    assert (shared / "ours/m.py").is_file()
    assert _leftovers(scheme.purelib) == []


def test_a_refused_flag_means_directories_made_in_place(
    make_wheel: MakeWheel, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_transaction, "set_topdir", lambda path: False)
    monkeypatch.setattr(_transaction, "_UNSPREAD", set())
    scheme = _scheme(tmp_path / "env")
    made: list[str] = []
    real_mkdir = os.mkdir

    def mkdir(path: str, *args: object, **kwargs: object) -> None:
        made.append(os.fspath(path))
        real_mkdir(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "mkdir", mkdir)
    _install(make_wheel, tmp_path, scheme)
    site = os.fspath(scheme.purelib)
    assert os.path.join(site, "demo") in made
    assert os.path.isdir(os.path.join(site, "demo", "sub", "deep"))
    assert _leftovers(scheme.purelib) == []
    # refused once for this site directory: not tried again
    assert site in _transaction._UNSPREAD
    made.clear()
    tx = Transaction(scheme.purelib, spread=True)
    assert tx.staging() is None
    assert not any(TEMP_PREFIX in path for path in made)


def test_threads_making_the_same_directory_both_succeed_and_one_owns_it(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    target = os.fspath(site / "namespace" / "part")
    transactions = [Transaction(site, spread=True) for _ in range(8)]
    start = threading.Barrier(len(transactions))
    errors: list[BaseException] = []

    def make(tx: Transaction) -> None:
        try:
            start.wait()
            tx.make_dirs(target)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=make, args=(tx,)) for tx in transactions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert os.path.isdir(target)
    owners = [tx for tx in transactions if tx.in_new_dir(os.fspath(site / "namespace"))]
    assert len(owners) == 1
    for tx in transactions:
        tx.commit()
    assert _leftovers(site) == []


def test_a_file_in_the_way_is_still_an_error(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "pkg").write_text("a file\n")
    tx = Transaction(site, spread=True)
    with pytest.raises(FilesystemError, match="a file is in the way"):
        tx.make_dirs(os.fspath(site / "pkg" / "inner"))
    tx.rollback()
    assert sorted(p.name for p in site.iterdir()) == ["pkg"]


def test_a_killed_install_leaves_a_staging_directory_that_leftover_removal_takes(
    make_wheel: MakeWheel, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """RELIABILITY F4: nothing runs after SIGKILL; the staging directory (with a staged
    directory and a half-made dist-info in it) is hidden, never listed as installed, and the
    next install's leftover removal deletes it."""
    from ferry.wheel import iter_installed
    from ferry.wheel._transaction import remove_leftovers

    scheme = _scheme(tmp_path / "env")
    killed = Transaction(scheme.purelib, spread=True)
    killed.make_dirs(os.fspath(scheme.purelib / "pkg" / "sub"))
    staging = killed.staging()
    if staging is None:
        pytest.skip("this filesystem has no FS_TOPDIR_FL: no staging directory")
    Path(staging, "1").mkdir()  # made, not yet renamed into place
    half = Path(staging, "demo-1.0.dist-info")
    half.mkdir()
    (half / "METADATA").write_text("Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n")
    assert [d.name for d in iter_installed([scheme.purelib])] == []
    removed = remove_leftovers(scheme.purelib)
    assert [p.name for p in removed] == [Path(staging).name]
    assert _leftovers(scheme.purelib) == []
    _install(make_wheel, tmp_path, scheme)
    assert [d.name for d in iter_installed([scheme.purelib])] == ["demo"]


def _staging_mkdirs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    made: list[str] = []
    real = _transaction._new_staging

    def counting(site_dir: Path) -> str | None:
        path = real(site_dir)
        if path is not None:
            made.append(path)
        return path

    monkeypatch.setattr(_transaction, "_new_staging", counting)
    return made


def test_installs_of_one_run_share_one_staging_directory(
    make_wheel: MakeWheel, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Inside ``shared_staging`` (what an install run opens), every package's new directories
    go through one staging directory, made once and removed when the run ends: not one per
    package (each costs a ``mkdir``, a flag and an ``rmdir``)."""
    scheme = _scheme(tmp_path / "env")
    made = _staging_mkdirs(monkeypatch)
    names = ("one", "two", "three")
    with _transaction.shared_staging():
        for name in names:
            wheel = make_wheel(name, "1.0", files={f"{name}/sub/m.py": "x = 1\n"},
                               directory=tmp_path / "wheels")
            archive = tmp_path / "archives" / wheel.name
            unpack_wheel(wheel, archive)
            install_unpacked(archive, scheme, python_executable=PYTHON,
                             linker=Linker(LinkMode.HARDLINK))
        assert len(made) <= 1  # none where the filesystem has no FS_TOPDIR_FL
        assert all(Path(p).is_dir() for p in made)  # kept for the run's next install
    assert _leftovers(scheme.purelib) == []
    for name in names:
        assert (scheme.purelib / name / "sub/m.py").is_file()
        assert (scheme.purelib / f"{name}-1.0.dist-info" / "RECORD").is_file()


def test_a_failed_install_in_a_shared_run_leaves_nothing_and_spares_the_others(
    make_wheel: MakeWheel, tmp_path: Path
) -> None:
    scheme = _scheme(tmp_path / "env")

    with _transaction.shared_staging():
        good = make_wheel("good", "1.0", files={"good/m.py": ""}, directory=tmp_path / "w")
        unpack_wheel(good, tmp_path / "a" / good.name)
        install_unpacked(tmp_path / "a" / good.name, scheme, python_executable=PYTHON,
                         linker=Linker(LinkMode.HARDLINK))
        bad = make_wheel("bad", "1.0", files={"bad/a.py": "", "bad/b/c.py": ""},
                         directory=tmp_path / "w")
        unpack_wheel(bad, tmp_path / "a" / bad.name)
        with pytest.raises(FilesystemError, match="No space left"):
            install_unpacked(tmp_path / "a" / bad.name, scheme, python_executable=PYTHON,
                             linker=_FullDisk())
    assert sorted(p.name for p in scheme.purelib.iterdir()) == ["good", "good-1.0.dist-info"]


def test_nested_scopes_remove_the_staging_directory_once_the_outer_one_ends(
    tmp_path: Path
) -> None:
    site = tmp_path / "site"
    site.mkdir()
    with _transaction.shared_staging():
        with _transaction.shared_staging():
            tx = Transaction(site, spread=True)
            tx.make_dirs(os.fspath(site / "pkg"))
            staging = tx.staging()
            tx.commit()
        if staging is None:
            pytest.skip("this filesystem has no FS_TOPDIR_FL: no staging directory")
        assert Path(staging).is_dir()
    assert _leftovers(site) == [] and (site / "pkg").is_dir()
