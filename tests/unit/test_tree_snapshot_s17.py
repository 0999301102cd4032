"""The description of a tree and its restoration (``ferry.fs.tree_snapshot``)."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path
from types import SimpleNamespace

import pytest

from ferry.commands.sync_replay import _lines
from ferry.fs.tree_snapshot import Unrestorable, capture, restore, sources


def _source(tmp_path: Path) -> Path:
    archive = tmp_path / "cache" / "archive"
    (archive / "pkg").mkdir(parents=True)
    (archive / "pkg" / "__init__.py").write_text("x = 1\n")
    (archive / "pkg" / "data.bin").write_bytes(b"\0" * 100)
    return archive


def _env(tmp_path: Path, archive: Path, *, copy: bool = False) -> Path:
    env = tmp_path / "env"
    site = env / "lib" / "site-packages"
    (site / "pkg").mkdir(parents=True)
    for name in ("__init__.py", "data.bin"):
        if copy:
            shutil.copy2(archive / "pkg" / name, site / "pkg" / name)
        else:
            os.link(archive / "pkg" / name, site / "pkg" / name)
    (env / "bin").mkdir()
    launcher = env / "bin" / "tool"
    launcher.write_text("#!/env/bin/python\n")
    launcher.chmod(0o755)
    (env / "bin" / "python").symlink_to("/usr/bin/python3")
    (env / "lib64").symlink_to("lib")
    (env / "pyvenv.cfg").write_text("home = /usr/bin\n")
    return env


def _shape(root: Path) -> dict[str, tuple[str, int, bytes | str]]:
    found: dict[str, tuple[str, int, bytes | str]] = {}
    for path in sorted(root.rglob("*")):
        info = path.lstat()
        key = path.relative_to(root).as_posix()
        if stat.S_ISLNK(info.st_mode):
            found[key] = ("link", 0, os.readlink(path))
        elif stat.S_ISDIR(info.st_mode):
            found[key] = ("dir", stat.S_IMODE(info.st_mode), "")
        else:
            found[key] = ("file", stat.S_IMODE(info.st_mode), path.read_bytes())
    return found


def test_linked_files_are_linked_again_and_written_ones_written(tmp_path: Path) -> None:
    archive = _source(tmp_path)
    env = _env(tmp_path, archive)
    snapshot = capture(str(env), [str(archive)], max_written=10_000)
    assert snapshot is not None
    assert len(snapshot[3]) == 2 and not snapshot[4]  # both payload files: links
    assert {name for name, _, _ in snapshot[5]} == {"bin/tool", "pyvenv.cfg"}
    assert sorted(sources(snapshot) or []) == sorted(
        str(archive / "pkg" / n) for n in ("__init__.py", "data.bin"))
    before = _shape(env)
    shutil.rmtree(env)
    restore(snapshot, str(env))
    assert _shape(env) == before
    assert (env / "lib" / "site-packages" / "pkg" / "data.bin").stat().st_nlink == 2


def test_copies_are_recognised_by_path_bytes_and_mode(tmp_path: Path) -> None:
    archive = _source(tmp_path)
    env = _env(tmp_path, archive, copy=True)
    snapshot = capture(str(env), [str(archive)], max_written=10_000)
    assert snapshot is not None and len(snapshot[4]) == 2 and not snapshot[3]
    before = _shape(env)
    shutil.rmtree(env)
    restore(snapshot, str(env))
    assert _shape(env) == before
    assert (env / "lib" / "site-packages" / "pkg" / "data.bin").stat().st_nlink == 1


def test_a_tree_too_big_to_write_is_not_described(tmp_path: Path) -> None:
    archive = _source(tmp_path)
    env = _env(tmp_path, archive)
    (env / "big").write_bytes(b"x" * 5000)
    assert capture(str(env), [str(archive)], max_written=1000) is None
    os.mkfifo(env / "pipe")
    assert capture(str(env), [str(archive)], max_written=100_000) is None


def test_a_missing_source_leaves_nothing_behind(tmp_path: Path) -> None:
    archive = _source(tmp_path)
    env = _env(tmp_path, archive)
    snapshot = capture(str(env), [str(archive)], max_written=10_000)
    assert snapshot is not None
    shutil.rmtree(env)
    (archive / "pkg" / "data.bin").unlink()
    with pytest.raises(Unrestorable):
        restore(snapshot, str(env))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache"]


def test_a_target_that_appeared_is_left_alone(tmp_path: Path) -> None:
    archive = _source(tmp_path)
    env = _env(tmp_path, archive)
    snapshot = capture(str(env), [str(archive)], max_written=10_000)
    assert snapshot is not None
    shutil.rmtree(env)
    env.mkdir()
    (env / "mine").write_text("kept")
    with pytest.raises(Unrestorable):
        restore(snapshot, str(env))
    assert [p.name for p in env.iterdir()] == ["mine"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache", "env"]


def test_an_interruption_leaves_nothing_behind(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    archive = _source(tmp_path)
    env = _env(tmp_path, archive)
    snapshot = capture(str(env), [str(archive)], max_written=10_000)
    assert snapshot is not None
    shutil.rmtree(env)

    def interrupted(*_: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "symlink", interrupted)
    with pytest.raises(KeyboardInterrupt):
        restore(snapshot, str(env))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache"]


def test_sources_refuses_what_it_cannot_read() -> None:
    assert sources(None) is None
    assert sources((99, (), (), (), (), ())) is None
    assert sources((1, (), (), (("a",),), (), ())) is None


def _result(**changes: object) -> SimpleNamespace:
    pin = SimpleNamespace(name="beta", version="2.0", direct_url=None)
    values: dict[str, object] = dict(
        warnings=[], diagnostics=[], lock_diagnostics=[], lock_notes=[], yanked={},
        dry_run_requested=False, audited=None, resolved=3, dry_run=False, notes=["Using X"],
        prepare_stats=SimpleNamespace(built=0, other_files=0),
        execution=SimpleNamespace(removed=[], installed=[pin]),
    )
    values.update(changes)
    return SimpleNamespace(**values)


def test_only_a_plain_sync_from_the_cache_is_remembered() -> None:
    assert _lines(_result()) == (("Using X",), 3, ("beta==2.0",))
    editable = SimpleNamespace(name="proj", version="0.1", direct_url="file:///p")
    for changed in (
        {"warnings": ["w"]}, {"lock_diagnostics": ["d"]}, {"yanked": {"beta": "why"}},
        {"prepare_stats": SimpleNamespace(built=1, other_files=0)},
        {"execution": SimpleNamespace(removed=[], installed=[editable])},
        {"execution": SimpleNamespace(removed=[object()], installed=[editable])},
        {"audited": 2}, {"resolved": None},
    ):
        assert _lines(_result(**changed)) is None, changed
