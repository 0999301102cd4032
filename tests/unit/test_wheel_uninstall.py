"""uninstall: exactly RECORD, bytecode too, nothing outside the scheme, and reversible."""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from tests.support.wheels import make_wheel

from ferry.fs.link import Linker, LinkMode
from ferry.model.errors import FilesystemError
from ferry.model.scheme import Scheme
from ferry.wheel import (
    InstalledDist,
    UninstallError,
    install_unpacked,
    iter_installed,
    remove_leftovers,
    uninstall,
    unpack_wheel,
)

MakeWheel = Callable[..., Path]


def make_scheme(root: Path) -> Scheme:
    lib = root / "lib/python3.12/site-packages"
    return Scheme(lib, lib, root / "bin", root, root / "include/site/python3.12/demo")


def state(root: Path) -> dict[str, bytes]:
    if not root.exists():
        return {}
    return {
        p.relative_to(root).as_posix(): (p.read_bytes() if p.is_file() else b"<dir>")
        for p in sorted(root.rglob("*"))
    }


def install_demo(tmp_path: Path, scheme: Scheme, name: str = "demo") -> InstalledDist:
    wheel = make_wheel(
        tmp_path / "wheels", name, "1.0",
        files={f"{name}/__init__.py": "", f"{name}/sub/deep/mod.py": "x = 1\n"},
        data_files={f"data/share/{name}/doc.txt": "d", f"scripts/{name}-tool": "#!python\n"},
        entry_points={"console_scripts": {f"{name}-cli": f"{name}:main"}},
    )
    archive = tmp_path / "archives" / name
    unpack_wheel(wheel, archive)
    return install_unpacked(archive, scheme, python_executable=Path("/usr/bin/python3"),
                            linker=Linker(LinkMode.COPY))


def fake_pyc(source: Path, tag: str) -> Path:
    pyc = source.parent / "__pycache__" / f"{source.stem}.{tag}.pyc"
    pyc.parent.mkdir(exist_ok=True)
    pyc.write_bytes(b"\0")
    return pyc


def test_uninstall_restores_the_environment_before_install(tmp_path: Path) -> None:
    env = tmp_path / "env"
    scheme = make_scheme(env)
    keep = install_demo(tmp_path, scheme, "keep")
    before = state(env)
    dist = install_demo(tmp_path, scheme)
    pycs = [fake_pyc(scheme.purelib / "demo/sub/deep/mod.py", t)
            for t in ("cpython-312", "cpython-311.opt-1")]
    result = uninstall(dist, scheme)
    assert result.state == "committed"
    assert state(env) == before
    assert not any(p.exists() for p in pycs)
    assert dist.dist_info in result.removed and scheme.scripts / "demo-cli" in result.removed
    assert iter_installed([scheme.purelib]) == [keep]
    assert not [p for p in scheme.purelib.iterdir() if p.name.startswith(".ferry-")]


def test_shared_directories_and_foreign_files_survive(tmp_path: Path) -> None:
    scheme = make_scheme(tmp_path / "env")
    dist = install_demo(tmp_path, scheme)
    stranger = scheme.purelib / "demo/sub/user_notes.txt"
    stranger.write_text("mine")
    other_pyc = fake_pyc(scheme.purelib / "demo/sub/other.py", "cpython-312")
    uninstall(dist, scheme)
    assert stranger.read_text() == "mine"
    assert other_pyc.exists()
    assert not (scheme.purelib / "demo/sub/deep").exists()
    assert not (scheme.purelib / "demo/__init__.py").exists()


def test_stash_then_rollback_brings_everything_back(tmp_path: Path) -> None:
    env = tmp_path / "env"
    scheme = make_scheme(env)
    dist = install_demo(tmp_path, scheme)
    before = state(env)
    result = uninstall(dist, scheme, stash=True)
    assert result.state == "pending"
    assert not dist.dist_info.exists() and not (scheme.scripts / "demo-cli").exists()
    assert iter_installed([scheme.purelib]) == []
    result.rollback()
    assert state(env) == before
    assert result.state == "rolled back"
    result.commit()  # no effect after a rollback
    assert state(env) == before


def test_stash_then_commit_removes_for_good(tmp_path: Path) -> None:
    env = tmp_path / "env"
    scheme = make_scheme(env)
    dist = install_demo(tmp_path, scheme)
    result = uninstall(dist, scheme, stash=True)
    result.commit()
    assert iter_installed([scheme.purelib]) == []
    assert not (scheme.purelib / "demo").exists()
    assert not [p for p in scheme.purelib.iterdir() if p.name.startswith(".ferry-")]


def test_record_entries_outside_the_environment_are_left_alone(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """RELIABILITY B10 (uv ``uninstall_record_path_traversal``)."""
    env = tmp_path / "env"
    scheme = make_scheme(env)
    dist = install_demo(tmp_path, scheme)
    outside = tmp_path / "outside.txt"
    outside.write_text("I should not be deleted")
    absolute = tmp_path / "absolute.txt"
    absolute.write_text("nor I")
    escape = os.path.relpath(outside, scheme.purelib)
    with (dist.dist_info / "RECORD").open("a") as record:
        record.write(f"{escape},,0\n{absolute},,0\n")
    with caplog.at_level(logging.WARNING, logger="ferry.wheel"):
        result = uninstall(dist, scheme)
    assert outside.read_text() == "I should not be deleted"
    assert absolute.read_text() == "nor I"
    assert set(result.skipped) == {escape, str(absolute)}
    assert "escape the environment" in caplog.text and escape in caplog.text
    assert not (scheme.purelib / "demo").exists()


def test_record_entry_through_a_symlinked_directory_is_left_alone(tmp_path: Path) -> None:
    scheme = make_scheme(tmp_path / "env")
    dist = install_demo(tmp_path, scheme)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "precious.py").write_text("keep")
    (scheme.purelib / "link").symlink_to(elsewhere)
    with (dist.dist_info / "RECORD").open("a") as record:
        record.write("link/precious.py,,4\n")
    result = uninstall(dist, scheme)
    assert (elsewhere / "precious.py").read_text() == "keep"
    assert "link/precious.py" in result.skipped


@pytest.mark.parametrize("fail_at", [0, 1, 4])
def test_permission_error_mid_uninstall_restores_everything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fail_at: int
) -> None:
    """RELIABILITY G6: EACCES on a file → rollback, environment unchanged, the file is named."""
    env = tmp_path / "env"
    scheme = make_scheme(env)
    dist = install_demo(tmp_path, scheme)
    before = state(env)
    import ferry.wheel._transaction as transaction

    real_move = transaction._move
    moved: list[Path] = []
    failed: list[Path] = []

    def move(src: Path, dst: Path) -> None:
        if ".ferry-stash-" not in str(src):  # into the stash (not a restore)
            if len(moved) == fail_at:
                failed.append(src)
                raise PermissionError(errno.EACCES, "Permission denied", str(src))
            moved.append(src)
        real_move(src, dst)

    monkeypatch.setattr(transaction, "_move", move)
    with pytest.raises(FilesystemError, match="Permission denied") as caught:
        uninstall(dist, scheme)
    assert f"`{failed[0]}`" in str(caught.value)
    assert caught.value.hint
    monkeypatch.setattr(transaction, "_move", real_move)
    assert state(env) == before
    assert [d.name for d in iter_installed([scheme.purelib])] == ["demo"]


@contextlib.contextmanager
def undeletable(path: Path) -> Iterator[None]:
    """Make ``path`` impossible to move away: a read-only directory, or for root (who ignores
    permissions) the immutable attribute. Skips the test where neither can be had."""
    if os.geteuid() != 0:
        path.parent.chmod(0o555)
        try:
            yield
        finally:
            path.parent.chmod(0o755)
        return
    chattr = shutil.which("chattr")
    if chattr is None or subprocess.run([chattr, "+i", str(path)], capture_output=True,
                                        check=False).returncode != 0:
        pytest.skip("cannot make a file immutable here")
    try:
        yield
    finally:
        subprocess.run([chattr, "-i", str(path)], check=True)


def test_real_permission_error_is_rolled_back(tmp_path: Path) -> None:
    """G6 with a real operating-system refusal instead of an injected one."""
    env = tmp_path / "env"
    scheme = make_scheme(env)
    dist = install_demo(tmp_path, scheme)
    before = state(env)
    stuck = scheme.purelib / "demo/sub/deep/mod.py"
    with undeletable(stuck), pytest.raises(FilesystemError) as caught:
        uninstall(dist, scheme)
    assert f"`{stuck}`" in str(caught.value)
    assert state(env) == before
    assert [d.name for d in iter_installed([scheme.purelib])] == ["demo"]


def test_missing_record_and_egg_info_are_refused(tmp_path: Path) -> None:
    scheme = make_scheme(tmp_path / "env")
    dist = install_demo(tmp_path, scheme)
    (dist.dist_info / "RECORD").unlink()
    with pytest.raises(UninstallError, match="RECORD` is missing") as caught:
        uninstall(dist, scheme)
    assert caught.value.hint and "reinstall" in caught.value.hint
    egg = scheme.purelib / "old-1.0-py3.12.egg-info"
    egg.write_text("Metadata-Version: 1.1\nName: old\nVersion: 1.0\n")
    (egg_dist,) = [d for d in iter_installed([scheme.purelib]) if d.name == "old"]
    with pytest.raises(UninstallError, match="setuptools"):
        uninstall(egg_dist, scheme)
    assert egg.exists()


def test_leftovers_of_a_killed_run_are_removed(tmp_path: Path) -> None:
    scheme = make_scheme(tmp_path / "env")
    dist = install_demo(tmp_path, scheme)
    (scheme.purelib / ".ferry-stash-abc/0").mkdir(parents=True)
    (scheme.purelib / ".ferry-tmp-demo-2.0.dist-info-123").mkdir()
    (scheme.purelib / ".ferry-tmp-demo-2.0.dist-info-123/METADATA").write_text("Name: demo\n")
    assert iter_installed([scheme.purelib]) == [dist]
    removed = remove_leftovers(scheme.purelib)
    assert sorted(p.name for p in removed) == [
        ".ferry-stash-abc", ".ferry-tmp-demo-2.0.dist-info-123"
    ]
    assert sorted(p.name for p in scheme.purelib.iterdir()) == ["demo", "demo-1.0.dist-info"]


def test_failed_upgrade_restores_the_old_version(tmp_path: Path) -> None:
    """RELIABILITY F5: uninstall 1.0 into the stash, 2.0 fails half-way, 1.0 comes back."""
    env = tmp_path / "env"
    scheme = make_scheme(env)
    old = install_demo(tmp_path, scheme)
    before = state(env)
    new_wheel = make_wheel(
        tmp_path / "wheels2", "demo", "2.0",
        files={"demo/__init__.py": "V = 2\n", "demo/new_module.py": "", "demo/z.py": ""},
    )
    archive = tmp_path / "archives" / "demo-2.0"
    unpack_wheel(new_wheel, archive)

    class BreaksAfterTwo:
        def __init__(self) -> None:
            self.count = 0

        def link(self, src: Path, dst: Path) -> None:
            self.count += 1
            if self.count > 2:
                raise OSError(errno.EIO, "Input/output error", str(dst))
            Linker(LinkMode.COPY).link(src, dst)

    pending = uninstall(old, scheme, stash=True)
    with pytest.raises(FilesystemError, match="Input/output error"):
        install_unpacked(archive, scheme, python_executable=Path("/usr/bin/python3"),
                         linker=BreaksAfterTwo())
    pending.rollback()
    assert state(env) == before
    assert iter_installed([scheme.purelib]) == [old]

    # and the same upgrade with a working linker goes through, leaving no trace of 1.0
    pending = uninstall(old, scheme, stash=True)
    new = install_unpacked(archive, scheme, python_executable=Path("/usr/bin/python3"),
                           linker=Linker(LinkMode.COPY))
    pending.commit()
    assert iter_installed([scheme.purelib]) == [new]
    assert not (scheme.scripts / "demo-cli").exists()
    assert (scheme.purelib / "demo/__init__.py").read_text() == "V = 2\n"
    assert not [p for p in scheme.purelib.iterdir() if p.name.startswith(".ferry-")]
