"""The linker: each mode, the fallback chain, one warning, and real errors staying errors."""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from ferry.fs import link as link_module
from ferry.fs.link import Linker, LinkMode, copy_file, fallback_message, link_mode_from_env
from ferry.model.errors import FilesystemError, UserError


@pytest.fixture(autouse=True)
def _no_env_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FERRY_LINK_MODE", raising=False)


@pytest.fixture
def sources(tmp_path: Path) -> list[Path]:
    cache = tmp_path / "cache"
    cache.mkdir()
    paths = []
    for i in range(20):
        path = cache / f"f{i}.py"
        path.write_text(f"value = {i}\n")
        paths.append(path)
    (cache / "f0.py").chmod(0o755)
    return paths


def _oserror(code: int) -> OSError:
    return OSError(code, os.strerror(code))


def _raising(code: int) -> Callable[..., None]:
    def fail(*_args: object, **_kwargs: object) -> None:
        raise _oserror(code)

    return fail


class Warnings:
    def __init__(self) -> None:
        self.messages: list[str] = []
        self._lock = threading.Lock()

    def __call__(self, message: str) -> None:
        with self._lock:
            self.messages.append(message)


def test_copy_is_independent_and_keeps_mode(tmp_path: Path, sources: list[Path]) -> None:
    dst = tmp_path / "venv" / "lib" / "f0.py"
    Linker(LinkMode.COPY).link(sources[0], dst)
    assert dst.read_text() == "value = 0\n"
    assert dst.stat().st_ino != sources[0].stat().st_ino
    assert dst.stat().st_mode & 0o777 == 0o755


def test_hardlink_shares_the_inode(tmp_path: Path, sources: list[Path]) -> None:
    dst = tmp_path / "venv" / "f1.py"
    Linker(LinkMode.HARDLINK).link(sources[1], dst)
    assert dst.stat().st_ino == sources[1].stat().st_ino


def test_symlink_points_at_the_absolute_source(
    tmp_path: Path, sources: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    dst = tmp_path / "venv" / "f2.py"
    Linker(LinkMode.SYMLINK).link(Path("cache/f2.py"), dst)
    assert dst.is_symlink()
    assert Path(os.readlink(dst)) == sources[2]
    assert dst.read_text() == "value = 2\n"


def test_existing_destination_is_replaced(tmp_path: Path, sources: list[Path]) -> None:
    dst = tmp_path / "venv" / "f3.py"
    dst.parent.mkdir()
    dst.write_text("old")
    for mode in LinkMode:
        Linker(mode).link(sources[3], dst)
        assert dst.read_text() == "value = 3\n", mode
    assert sorted(p.name for p in dst.parent.iterdir()) == ["f3.py"]


def test_default_chain_uses_a_link_without_warning(tmp_path: Path, sources: list[Path]) -> None:
    """On this machine clone may or may not work; either way no copy and no warning."""
    warnings = Warnings()
    linker = Linker(on_fallback=warnings)
    dst = tmp_path / "venv" / "f4.py"
    linker.link(sources[4], dst)
    assert linker.mode in (LinkMode.CLONE, LinkMode.HARDLINK)
    if linker.mode is LinkMode.HARDLINK:
        assert dst.stat().st_ino == sources[4].stat().st_ino
    assert warnings.messages == []


def test_cross_device_hardlink_falls_back_to_copy_once(
    tmp_path: Path, sources: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """G1: EXDEV → copy; one warning for the whole (threaded) install; no hardlink retried."""
    attempts = []

    def exdev(src: object, dst: object) -> None:
        attempts.append(src)
        raise _oserror(errno.EXDEV)

    monkeypatch.setattr(os, "link", exdev)
    warnings = Warnings()
    linker = Linker(LinkMode.HARDLINK, on_fallback=warnings)
    target = tmp_path / "venv"
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda src: linker.link(src, target / src.name), sources))
    for src in sources:
        assert (target / src.name).read_text() == src.read_text()
        assert (target / src.name).stat().st_ino != src.stat().st_ino
    assert warnings.messages == [fallback_message(LinkMode.HARDLINK)]
    assert warnings.messages[0] == (
        "Failed to hardlink files; falling back to full copy. This may lead to degraded "
        "performance. If the cache and target directories are on different filesystems, "
        "hardlinking may not be supported. If this is intentional, set "
        "`FERRY_LINK_MODE=copy` to suppress this warning."
    )
    assert len(attempts) <= 8  # at most one failed attempt per thread, then copies only
    assert linker.mode is LinkMode.COPY


def test_failures_after_fallback_are_real_errors(
    tmp_path: Path, sources: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(os, "link", _raising(errno.EXDEV))
    monkeypatch.setattr(shutil, "copyfile", _raising(errno.ENOSPC))
    dst = tmp_path / "venv" / "f5.py"
    with pytest.raises(FilesystemError) as caught:
        Linker(LinkMode.HARDLINK).link(sources[5], dst)
    assert "No space left on device" in caught.value.message
    assert str(dst) in caught.value.message and str(sources[5]) in caught.value.message
    assert list(dst.parent.iterdir()) == []  # no temporary copy left behind


def test_other_hardlink_errors_do_not_fall_back(
    tmp_path: Path, sources: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(os, "link", _raising(errno.EIO))
    warnings = Warnings()
    with pytest.raises(FilesystemError, match="Failed to hardlink"):
        Linker(LinkMode.HARDLINK, on_fallback=warnings).link(sources[6], tmp_path / "v" / "x")
    assert warnings.messages == []


def test_too_many_links_copies_that_file_only(
    tmp_path: Path, sources: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    real_link = os.link

    def emlink_for_f7(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        if Path(src).name == "f7.py":
            raise _oserror(errno.EMLINK)
        real_link(src, dst)

    monkeypatch.setattr(os, "link", emlink_for_f7)
    warnings = Warnings()
    linker = Linker(LinkMode.HARDLINK, on_fallback=warnings)
    linker.link(sources[7], tmp_path / "v" / "f7.py")
    linker.link(sources[8], tmp_path / "v" / "f8.py")
    assert (tmp_path / "v" / "f7.py").stat().st_ino != sources[7].stat().st_ino
    assert (tmp_path / "v" / "f8.py").stat().st_ino == sources[8].stat().st_ino
    assert warnings.messages == []


def test_unsupported_clone_is_tried_once(
    tmp_path: Path, sources: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    if not hasattr(fcntl, "ioctl") or os.uname().sysname != "Linux":
        pytest.skip("FICLONE is Linux-only")
    calls = []

    def no_clone(fd: int, request: int, arg: int) -> None:
        calls.append(request)
        raise _oserror(errno.EOPNOTSUPP)

    monkeypatch.setattr(fcntl, "ioctl", no_clone)
    warnings = Warnings()
    auto = Linker(on_fallback=warnings)
    for src in sources[:5]:
        auto.link(src, tmp_path / "auto" / src.name)
    assert calls == [link_module.FICLONE]
    assert auto.mode is LinkMode.HARDLINK
    assert warnings.messages == []  # clone → hardlink is silent
    assert sorted(p.name for p in (tmp_path / "auto").iterdir()) == [s.name for s in sources[:5]]

    explicit = Linker(LinkMode.CLONE, on_fallback=warnings)
    for src in sources[:3]:
        explicit.link(src, tmp_path / "explicit" / src.name)
        assert (tmp_path / "explicit" / src.name).stat().st_ino != src.stat().st_ino
    assert warnings.messages == [fallback_message(LinkMode.CLONE)]
    assert warnings.messages[0].startswith("Failed to clone files; falling back to full copy.")


def test_mode_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert link_mode_from_env() is None
    monkeypatch.setenv("FERRY_LINK_MODE", "Copy")
    assert link_mode_from_env() is LinkMode.COPY
    assert Linker().mode is LinkMode.COPY
    monkeypatch.setenv("FERRY_LINK_MODE", "reflink")
    with pytest.raises(UserError) as caught:
        Linker()
    assert caught.value.message == "Invalid `FERRY_LINK_MODE` value `reflink`"
    assert caught.value.hint == "use one of `clone`, `hardlink`, `copy`, `symlink`"


def test_copy_file_helper(tmp_path: Path, sources: list[Path]) -> None:
    dst = tmp_path / "copy.py"
    dst.write_text("stale")
    copy_file(sources[0], dst)
    assert dst.read_text() == "value = 0\n"
    assert dst.stat().st_mode & 0o777 == 0o755
    with pytest.raises(FilesystemError, match="Failed to copy"):
        copy_file(tmp_path / "missing", tmp_path / "x")
