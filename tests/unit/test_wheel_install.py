"""install_unpacked: placement, RECORD, generated files, and all-or-nothing behaviour."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from tests.support.wheels import make_wheel

from ferry.fs.link import Linker, LinkMode
from ferry.model.errors import FilesystemError, InvalidWheelError
from ferry.model.scheme import Scheme
from ferry.wheel import InstalledDist, install_unpacked, iter_installed, unpack_wheel

MakeWheel = Callable[..., Path]
PYTHON = Path("/opt/py/bin/python3")


def make_scheme(root: Path, *, split: bool = False) -> Scheme:
    lib = root / "lib/python3.12/site-packages"
    return Scheme(
        purelib=lib,
        platlib=root / "lib64/python3.12/site-packages" if split else lib,
        scripts=root / "bin",
        data=root,
        headers=root / "include/site/python3.12/demo",
    )


def unpacked(wheel: Path, tmp_path: Path) -> Path:
    dest = tmp_path / "archives" / wheel.name
    unpack_wheel(wheel, dest)
    return dest


def files_under(root: Path) -> dict[str, bytes]:
    if not root.exists():
        return {}
    return {
        p.relative_to(root).as_posix(): (p.read_bytes() if p.is_file() else b"<dir>")
        for p in sorted(root.rglob("*"))
    }


def read_record(dist_info: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO((dist_info / "RECORD").read_text())))


def check_record(dist_info: Path, site: Path, env_root: Path) -> None:
    """Every RECORD row hashes right, and every installed file is in RECORD."""
    rows = read_record(dist_info)
    listed = set()
    for path, digest, size in rows:
        target = (site / path).resolve()
        listed.add(target)
        if path.endswith("/RECORD"):
            assert (digest, size) == ("", "")
            continue
        algo, _, value = digest.partition("=")
        data = target.read_bytes()
        raw = hashlib.new(algo, data).digest()
        assert value == base64.urlsafe_b64encode(raw).rstrip(b"=").decode(), path
        assert int(size) == len(data)
    installed = {p.resolve() for p in env_root.rglob("*") if p.is_file()}
    assert installed == listed


def install(archive: Path, scheme: Scheme, **kw: Any) -> InstalledDist:
    return install_unpacked(
        archive, scheme, python_executable=PYTHON, linker=Linker(LinkMode.HARDLINK), **kw
    )


def test_files_land_in_their_scheme_dirs(make_wheel: MakeWheel, tmp_path: Path) -> None:
    wheel = make_wheel(
        "demo", "1.0",
        files={"demo/__init__.py": "X = 1\n", "demo/sub/data.json": "{}"},
        data_files={
            "purelib/extra_pure.py": "", "platlib/extra_plat.py": "", "data/share/demo.txt": "d",
            "headers/demo.h": "#define X", "scripts/plain.sh": "#!/bin/sh\necho hi\n",
        },
    )
    env = tmp_path / "env"
    scheme = make_scheme(env, split=True)
    dist = install(unpacked(wheel, tmp_path), scheme, requested=True)
    site = scheme.purelib
    assert (site / "demo/__init__.py").read_text() == "X = 1\n"
    assert (site / "demo/sub/data.json").is_file()
    assert (scheme.purelib / "extra_pure.py").is_file()
    assert (scheme.platlib / "extra_plat.py").is_file()
    assert (env / "share/demo.txt").read_text() == "d"
    assert (scheme.headers / "demo.h").is_file()
    assert os.access(scheme.scripts / "plain.sh", os.X_OK)
    assert dist.dist_info == site / "demo-1.0.dist-info"
    assert (dist.dist_info / "INSTALLER").read_text() == "ferry\n"
    assert (dist.dist_info / "REQUESTED").is_file()
    assert not (dist.dist_info / "direct_url.json").exists()
    check_record(dist.dist_info, site, env)
    assert [d.name for d in iter_installed([site])] == ["demo"]


def test_platlib_wheel_goes_to_platlib(make_wheel: MakeWheel, tmp_path: Path) -> None:
    wheel = make_wheel("native", "1.0", tag="cp312-cp312-linux_x86_64")
    scheme = make_scheme(tmp_path / "env", split=True)
    dist = install(unpacked(wheel, tmp_path), scheme)
    assert (scheme.platlib / "native/__init__.py").is_file()
    assert dist.site_dir == scheme.platlib
    assert not scheme.purelib.exists()
    check_record(dist.dist_info, scheme.platlib, tmp_path / "env")


def test_generated_files_and_direct_url(make_wheel: MakeWheel, tmp_path: Path) -> None:
    wheel = make_wheel("demo", "1.0")
    scheme = make_scheme(tmp_path / "env")
    direct = {"url": "file:///src/demo", "dir_info": {"editable": True}}
    dist = install(unpacked(wheel, tmp_path), scheme, installer="uv", direct_url=direct)
    info = dist.dist_info
    assert (info / "INSTALLER").read_text() == "uv\n"
    assert json.loads((info / "direct_url.json").read_text()) == direct
    assert not (info / "REQUESTED").exists()
    assert dist.editable and dist.installer == "uv"


def test_python_shebang_is_rewritten_into_a_new_file(
    make_wheel: MakeWheel, tmp_path: Path
) -> None:
    wheel = make_wheel("demo", "1.0", data_files={"scripts/tool": "#!python -u\nprint('t')\n"})
    archive = unpacked(wheel, tmp_path)
    source = archive / "demo-1.0.data/scripts/tool"
    before = source.read_bytes()
    scheme = make_scheme(tmp_path / "env")
    install(archive, scheme)
    installed = scheme.scripts / "tool"
    assert installed.read_bytes() == b"#!/opt/py/bin/python3\nprint('t')\n"
    assert os.access(installed, os.X_OK)
    assert source.read_bytes() == before
    assert installed.stat().st_ino != source.stat().st_ino


def test_launchers_and_long_interpreter_paths(make_wheel: MakeWheel, tmp_path: Path) -> None:
    wheel = make_wheel(
        "demo", "1.0",
        entry_points={"console_scripts": {"demo-cli": "demo.cli:main"},
                      "gui_scripts": {"demo-gui": "demo:gui"}},
    )
    scheme = make_scheme(tmp_path / "env")
    python = Path("/opt/with space") / ("x" * 130) / "python"
    install_unpacked(unpacked(wheel, tmp_path), scheme, python_executable=python,
                     linker=Linker(LinkMode.COPY))
    cli = (scheme.scripts / "demo-cli").read_text()
    assert cli.startswith("#!/bin/sh\n'''exec' '/opt/with space/")
    assert "from demo.cli import main" in cli and "sys.exit(main())" in cli
    assert "from demo import gui" in (scheme.scripts / "demo-gui").read_text()
    assert os.access(scheme.scripts / "demo-gui", os.X_OK)


def test_mutable_files_never_share_an_inode_with_the_archive(
    make_wheel: MakeWheel, tmp_path: Path
) -> None:
    wheel = make_wheel("demo", "1.0", extra_members=[("demo-1.0.dist-info/INSTALLER", b"pip\n")])
    archive = unpacked(wheel, tmp_path)
    scheme = make_scheme(tmp_path / "env")
    dist = install(archive, scheme)
    info = dist.dist_info
    for name in ("RECORD", "INSTALLER"):
        assert (info / name).stat().st_ino != (archive / "demo-1.0.dist-info" / name).stat().st_ino
    assert (archive / "demo-1.0.dist-info/INSTALLER").read_text() == "pip\n"
    assert (info / "INSTALLER").read_text() == "ferry\n"
    # payload files are hardlinks (that is the point of the cache)
    assert (scheme.purelib / "demo/__init__.py").stat().st_ino == (
        archive / "demo/__init__.py"
    ).stat().st_ino


def test_bad_record_hash_warns_by_default(
    make_wheel: MakeWheel, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    wheel = make_wheel("demo", "1.0", bad_record_hash_for="demo/__init__.py")
    scheme = make_scheme(tmp_path / "env")
    with caplog.at_level(logging.WARNING, logger="ferry.wheel"):
        dist = install(unpacked(wheel, tmp_path), scheme)
    assert "hash of `demo/__init__.py` didn't match RECORD" in caplog.text
    check_record(dist.dist_info, scheme.purelib, tmp_path / "env")


def test_bad_record_hash_is_fatal_when_strict(make_wheel: MakeWheel, tmp_path: Path) -> None:
    wheel = make_wheel("demo", "1.0", bad_record_hash_for="demo/__init__.py")
    env = tmp_path / "env"
    with pytest.raises(InvalidWheelError, match=r"hash of `demo/__init__\.py` didn.t match RECORD"):
        install(unpacked(wheel, tmp_path), make_scheme(env), strict_record=True)
    assert files_under(env) == {}


def test_record_gaps_are_repaired(
    make_wheel: MakeWheel, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    wheel = make_wheel(
        "demo", "1.0",
        files={"demo/__init__.py": "", "demo/unlisted.py": "u"},
        record_overrides={"demo/unlisted.py": None, "demo/ghost.py": ""},
    )
    env = tmp_path / "env"
    scheme = make_scheme(env)
    with caplog.at_level(logging.WARNING, logger="ferry.wheel"):
        dist = install(unpacked(wheel, tmp_path), scheme, strict_record=True)
    assert "`demo/unlisted.py` is not listed in RECORD" in caplog.text
    assert "`demo/ghost.py`, which the wheel does not contain" in caplog.text
    paths = [row[0] for row in read_record(dist.dist_info)]
    assert "demo/unlisted.py" in paths and "demo/ghost.py" not in paths
    check_record(dist.dist_info, scheme.purelib, env)


class FailingLinker:
    """Links ``allowed`` files, then fails like a full disk would."""

    def __init__(self, allowed: int, error: BaseException | None = None) -> None:
        self.allowed = allowed
        self.error = error or OSError(28, "No space left on device")
        self.inner = Linker(LinkMode.HARDLINK)

    def link(self, src: Path, dst: Path) -> None:
        if self.allowed == 0:
            raise self.error
        self.allowed -= 1
        self.inner.link(src, dst)


def _busy_env(tmp_path: Path) -> tuple[Scheme, Path]:
    """An environment with another distribution and a file the new wheel will overwrite."""
    env = tmp_path / "env"
    scheme = make_scheme(env)
    other = make_wheel(tmp_path / "w", "other", "1.0")
    install(unpacked(other, tmp_path), scheme)
    (scheme.purelib / "demo").mkdir(parents=True)
    (scheme.purelib / "demo/__init__.py").write_text("old content\n")
    scheme.scripts.mkdir(exist_ok=True)
    (scheme.scripts / "demo-cli").write_text("old launcher\n")
    return scheme, env


@pytest.mark.parametrize("allowed", [0, 1, 3, 5])
def test_failure_after_k_files_rolls_back_everything(
    make_wheel: MakeWheel, tmp_path: Path, allowed: int
) -> None:
    """RELIABILITY F3 (and G5: the error names the path and says why)."""
    wheel = make_wheel(
        "demo", "1.0",
        files={"demo/__init__.py": "new\n", "demo/a/b/c.py": "", "demo/d.py": ""},
        data_files={"data/share/demo/x": "x", "scripts/s": "#!python\n"},
        entry_points={"console_scripts": {"demo-cli": "demo:main"}},
    )
    archive = unpacked(wheel, tmp_path)
    scheme, env = _busy_env(tmp_path)
    before = files_under(env)
    with pytest.raises(FilesystemError, match="No space left on device") as caught:
        install_unpacked(archive, scheme, python_executable=PYTHON,
                         linker=FailingLinker(allowed))
    assert str(tmp_path) in str(caught.value)
    assert files_under(env) == before
    assert [d.name for d in iter_installed([scheme.purelib])] == ["other"]


def test_interrupt_during_dist_info_rolls_back(make_wheel: MakeWheel, tmp_path: Path) -> None:
    wheel = make_wheel("demo", "1.0", files={"demo/__init__.py": "new\n"})
    archive = unpacked(wheel, tmp_path)
    scheme, env = _busy_env(tmp_path)
    before = files_under(env)
    # one payload file, then the first .dist-info file is interrupted
    linker = FailingLinker(1, KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):
        install_unpacked(archive, scheme, python_executable=PYTHON, linker=linker)
    assert files_under(env) == before


def test_reinstall_replaces_files_and_dist_info(make_wheel: MakeWheel, tmp_path: Path) -> None:
    scheme = make_scheme(tmp_path / "env")
    first = make_wheel("demo", "1.0", files={"demo/__init__.py": "1"},
                       directory=tmp_path / "w1")
    install(unpacked(first, tmp_path / "a1"), scheme, requested=True)
    second = make_wheel("demo", "1.0", files={"demo/__init__.py": "2"},
                        directory=tmp_path / "w2")
    dist = install(unpacked(second, tmp_path / "a2"), scheme)
    assert (scheme.purelib / "demo/__init__.py").read_text() == "2"
    assert not (dist.dist_info / "REQUESTED").exists()
    assert not [p for p in scheme.purelib.iterdir() if p.name.startswith(".ferry-")]
    check_record(dist.dist_info, scheme.purelib, tmp_path / "env")


def test_directory_in_the_way_is_an_error(make_wheel: MakeWheel, tmp_path: Path) -> None:
    wheel = make_wheel("demo", "1.0", files={"demo/__init__.py": "", "demo/x": ""})
    scheme = make_scheme(tmp_path / "env")
    (scheme.purelib / "demo/x").mkdir(parents=True)
    before = files_under(tmp_path / "env")
    with pytest.raises(FilesystemError, match="directory"):
        install(unpacked(wheel, tmp_path), scheme)
    assert files_under(tmp_path / "env") == before


def test_cache_manifest_is_not_installed(make_wheel: MakeWheel, tmp_path: Path) -> None:
    archive = unpacked(make_wheel("demo", "1.0"), tmp_path)
    (archive / ".ferry-manifest.json").write_text("{}")
    scheme = make_scheme(tmp_path / "env")
    install(archive, scheme)
    assert not (scheme.purelib / ".ferry-manifest.json").exists()


def test_tampered_archive_tree_is_refused(make_wheel: MakeWheel, tmp_path: Path) -> None:
    archive = unpacked(make_wheel("demo", "1.0"), tmp_path)
    (archive / "demo-1.0.data/evil").mkdir(parents=True)
    (archive / "demo-1.0.data/evil/f").write_text("x")
    with pytest.raises(InvalidWheelError, match=r"unknown `\.data` scheme"):
        install(archive, make_scheme(tmp_path / "env"))
    assert not (tmp_path / "env").exists()
    (archive / "demo-1.0.data/evil/f").unlink()
    (archive / "demo-1.0.data/evil").rmdir()
    (archive / "demo/link").symlink_to("/etc/passwd")
    with pytest.raises(InvalidWheelError, match="symbolic link"):
        install(archive, make_scheme(tmp_path / "env"))
    assert not (tmp_path / "env").exists()


KILLER = """
import os, signal, sys
from pathlib import Path
from ferry.fs.link import Linker, LinkMode
from ferry.model.scheme import Scheme
from ferry.wheel import install_unpacked

archive, lib, bin_, root, allowed = sys.argv[1:6]
inner = Linker(LinkMode.COPY)
count = 0

class DiesAfter:
    def link(self, src, dst):
        global count
        if count == int(allowed):
            os.kill(os.getpid(), signal.SIGKILL)
        count += 1
        inner.link(src, dst)

scheme = Scheme(Path(lib), Path(lib), Path(bin_), Path(root), Path(root) / "include")
install_unpacked(Path(archive), scheme, python_executable=Path("/p"), linker=DiesAfter())
"""


@pytest.mark.parametrize("allowed", [1, 4])
def test_killed_install_is_not_listed_and_is_repaired(
    make_wheel: MakeWheel, tmp_path: Path, allowed: int
) -> None:
    """RELIABILITY F4: SIGKILL after k files (no rollback possible)."""
    import signal
    import subprocess
    import sys

    from ferry.wheel import remove_leftovers

    wheel = make_wheel("demo", "1.0", files={"demo/__init__.py": "", "demo/a.py": "",
                                             "demo/b.py": ""})
    archive = unpacked(wheel, tmp_path)
    env = tmp_path / "env"
    scheme = make_scheme(env)
    done = subprocess.run(
        [sys.executable, "-c", KILLER, str(archive), str(scheme.purelib), str(scheme.scripts),
         str(env), str(allowed)],
        capture_output=True, text=True, check=False,
    )
    assert done.returncode == -signal.SIGKILL, done.stderr
    assert (scheme.purelib / "demo/__init__.py").exists()  # it did get part-way
    assert iter_installed([scheme.purelib]) == []
    remove_leftovers(scheme.purelib)
    assert not [p for p in scheme.purelib.iterdir() if p.name.startswith(".")]
    dist = install(archive, scheme)
    assert iter_installed([scheme.purelib]) == [dist]
    check_record(dist.dist_info, scheme.purelib, env)
