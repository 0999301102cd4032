"""RELIABILITY F3/F5 in-process: a Ctrl-C at a chosen instant of an upgrade (review s8 F-F3).

The CLI's own SIGINT handler (``cli.process._on_interrupt``, its watchdog kept from starting so
it cannot end the test process) is installed, and ``signal.raise_signal`` fires at one exact
step: in the middle of stashing the old version, while the new one links (from a link worker,
so the main thread is waiting), during the commit, during the rollback. Whatever the instant,
the environment ends with exactly one version, whole, and no stash left.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from packaging.utils import canonicalize_name
from tests.reliability.test_e_concurrency import verify_records
from tests.unit.test_perf_install import scheme_in

from ferry.cli import process
from ferry.fs.link import Linker, LinkMode
from ferry.install import execute
from ferry.install.execute import execute_plan, refresh_plan
from ferry.install.plan import make_plan
from ferry.model import interrupt
from ferry.model.dist import FileRef, PinnedDist
from ferry.model.errors import FilesystemError
from ferry.model.interrupt import interruptible, uninterruptible
from ferry.model.pep440_version import Version
from ferry.model.scheme import Scheme
from ferry.wheel import _transaction, iter_installed, uninstall, unpack_wheel
from ferry.wheel.uninstall import UninstallResult

MakeWheel = Callable[..., Path]
FILES = 40


@pytest.fixture
def ctrl_c(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[], None]]:
    """The CLI's handler on SIGINT; yields the function that presses Ctrl-C."""
    monkeypatch.setattr(process, "_watchdog_started", True)
    previous = signal.signal(signal.SIGINT, process._on_interrupt)
    try:
        yield lambda: signal.raise_signal(signal.SIGINT)
    finally:
        signal.signal(signal.SIGINT, previous)
        assert not interrupt._main.pending, "an interrupt was held and never raised"
        assert not interrupt._main.deferring
        assert not interrupt.in_critical_section()


def test_held_inside_raised_at_the_end(ctrl_c: Callable[[], None]) -> None:
    steps: list[str] = []
    with pytest.raises(KeyboardInterrupt), uninterruptible() as hold:
        ctrl_c()
        steps.append("after the first")
        with uninterruptible() as inner:
            ctrl_c()  # a second one is held too
            assert not inner.will_raise  # the outer block raises it
            steps.append("nested")
        assert hold.will_raise
        steps.append("end of the block")
    assert steps == ["after the first", "nested", "end of the block"]
    with pytest.raises(KeyboardInterrupt):
        ctrl_c()  # outside any hold: at once


def test_a_window_raises_what_was_held_and_what_comes(ctrl_c: Callable[[], None]) -> None:
    reached: list[str] = []
    with pytest.raises(KeyboardInterrupt), uninterruptible():
        ctrl_c()
        with interruptible():
            reached.append("window")  # never: the held one lands as the window opens
    assert reached == []
    with pytest.raises(KeyboardInterrupt), uninterruptible(), interruptible():
        ctrl_c()
        reached.append("after ^C in the window")
    assert reached == []
    with uninterruptible():
        with interruptible():
            pass
        ctrl_c()  # held again after the window closed...
        reached.append("held")
        with pytest.raises(KeyboardInterrupt), interruptible():  # ...raised by the next window
            pass
    assert reached == ["held"]


def test_another_error_in_flight_becomes_the_interrupt(ctrl_c: Callable[[], None]) -> None:
    with pytest.raises(KeyboardInterrupt) as raised, uninterruptible():
        ctrl_c()
        raise OSError("disk full")
    assert isinstance(raised.value.__cause__, OSError)


def test_worker_threads_never_hold(ctrl_c: Callable[[], None]) -> None:
    seen: list[bool] = []

    def work() -> None:
        with uninterruptible():
            seen.append(interrupt.in_critical_section())

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert seen == [True]
    assert not interrupt._main.deferring


# --- an upgrade demo 1.0 -> 2.0 in a scheme, interrupted at one step -------------------------


def _archive(make_wheel: MakeWheel, tmp_path: Path, version: str) -> Path:
    files = {f"demo/m{i}.py": f"# {version} {i}\n" for i in range(FILES)}
    if version == "2.0":
        files["demo/only_in_two.py"] = "x = 2\n"
    wheel = make_wheel("demo", version, files=files, directory=tmp_path / f"w{version}")
    archive = tmp_path / "archives" / version
    unpack_wheel(wheel, archive)
    return archive


def _pin(version: str) -> PinnedDist:
    name = f"demo-{version}-py3-none-any.whl"
    return PinnedDist(canonicalize_name("demo"), Version(version),
                      FileRef(name, f"https://example.invalid/{name}"))


class Upgrade:
    def __init__(self, make_wheel: MakeWheel, tmp_path: Path) -> None:
        self.scheme = scheme_in(tmp_path / "env")
        self.archives = {v: _archive(make_wheel, tmp_path, v) for v in ("1.0", "2.0")}
        self.env = tmp_path / "env"
        self.install("1.0")

    def install(self, version: str) -> Any:
        plan = make_plan([_pin(version)], iter_installed([self.scheme.purelib]))
        return execute_plan(plan, {canonicalize_name("demo"): self.archives[version]},
                            scheme=self.scheme, python_executable=Path("/usr/bin/python3"),
                            linker=Linker(LinkMode.COPY))

    def version(self) -> str:
        """The one version installed, checked whole: RECORD matches every file, no file
        without a RECORD line, no stash or temporary directory left."""
        found = verify_records(self.env)
        assert list(found) == ["demo"], found
        site = self.scheme.purelib
        record = (site / f"demo-{found['demo']}.dist-info" / "RECORD").read_text()
        listed = {line.split(",")[0] for line in record.splitlines() if line.startswith("demo/")}
        present = {p.relative_to(site).as_posix() for p in (site / "demo").rglob("*.py")}
        assert present == listed, present ^ listed
        return found["demo"]


@pytest.fixture
def upgrade(make_wheel: MakeWheel, tmp_path: Path) -> Upgrade:
    return Upgrade(make_wheel, tmp_path)


def _press_after_put(
    monkeypatch: pytest.MonkeyPatch, ctrl_c: Callable[[], None], at: int
) -> list[int]:
    """Ctrl-C right after the ``at``-th rename into a stash, before it is recorded (the
    reviewer's lost-file instant); returns the counter of renames, to reset."""
    real = _transaction.Stash.put
    puts = [0]

    def put(self: _transaction.Stash, path: Path) -> None:
        real(self, path)
        puts[0] += 1
        if puts[0] == at + 1:
            ctrl_c()

    monkeypatch.setattr(_transaction.Stash, "put", put)
    return puts


@pytest.mark.parametrize("at", [0, 1, 7, FILES])
def test_ctrl_c_while_stashing_the_old_version(
    upgrade: Upgrade, ctrl_c: Callable[[], None], monkeypatch: pytest.MonkeyPatch, at: int,
) -> None:
    _press_after_put(monkeypatch, ctrl_c, at)
    with pytest.raises(KeyboardInterrupt):
        upgrade.install("2.0")
    assert upgrade.version() == "1.0"


def test_ctrl_c_while_the_new_version_links(
    upgrade: Upgrade, ctrl_c: Callable[[], None], monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = execute.install_pin

    def install_pin(*args: Any, **kwargs: Any) -> Any:
        ctrl_c()  # from the link worker: the main thread is waiting for it
        return real(*args, **kwargs)  # and the link still completes: it must be undone

    monkeypatch.setattr(execute, "install_pin", install_pin)
    with pytest.raises(KeyboardInterrupt):
        upgrade.install("2.0")
    assert upgrade.version() == "1.0"


def test_ctrl_c_during_the_commit_lands_after_it(
    upgrade: Upgrade, ctrl_c: Callable[[], None], monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = UninstallResult.commit

    def commit(self: UninstallResult) -> None:
        ctrl_c()
        real(self)

    monkeypatch.setattr(UninstallResult, "commit", commit)
    with pytest.raises(KeyboardInterrupt):
        upgrade.install("2.0")
    assert upgrade.version() == "2.0"


def test_ctrl_c_twice_the_rollback_runs_to_its_end(
    upgrade: Upgrade, ctrl_c: Callable[[], None], monkeypatch: pytest.MonkeyPatch,
) -> None:
    real_pin, real_restore = execute.install_pin, _transaction.Stash.restore

    def install_pin(*args: Any, **kwargs: Any) -> Any:
        ctrl_c()
        return real_pin(*args, **kwargs)

    def restore(self: _transaction.Stash) -> list[Path]:
        ctrl_c()  # the second Ctrl-C, as the old version is being put back
        return real_restore(self)

    monkeypatch.setattr(execute, "install_pin", install_pin)
    monkeypatch.setattr(_transaction.Stash, "restore", restore)
    with pytest.raises(KeyboardInterrupt):
        upgrade.install("2.0")
    assert upgrade.version() == "1.0"


def test_uninstall_alone_interrupted_changes_nothing_or_everything(
    upgrade: Upgrade, ctrl_c: Callable[[], None], monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A caller without a hold of its own (``pip uninstall``'s loop) never gets a pending
    result it cannot roll back: with ``stash=True`` nothing changed, without it all is gone."""
    puts = _press_after_put(monkeypatch, ctrl_c, 3)
    (dist,) = iter_installed([upgrade.scheme.purelib])
    with pytest.raises(KeyboardInterrupt):
        uninstall(dist, upgrade.scheme, stash=True)
    assert upgrade.version() == "1.0"
    puts[0] = 0
    with pytest.raises(KeyboardInterrupt):
        uninstall(dist, upgrade.scheme)
    assert verify_records(upgrade.env) == {}
    assert not (upgrade.scheme.purelib / "demo").exists()


# --- RELIABILITY E7: the plan made before the lock, brought up to date under it --------------


def test_refresh_plan_sees_a_replaced_version_with_the_same_counts(upgrade: Upgrade) -> None:
    """Review F-E7: another process replaced demo 1.0 by 2.0 between planning and the lock;
    the stale plan (remove demo-1.0, one removal, one install) must not come back unchanged."""
    scheme: Scheme = upgrade.scheme
    stale = make_plan([_pin("3.0")], iter_installed([scheme.purelib]))
    assert [d.version for d in stale.remove] == [Version("1.0")]  # type: ignore[attr-defined]
    upgrade.install("2.0")  # the other process
    fresh = refresh_plan(stale, iter_installed([scheme.purelib]))
    assert fresh is not stale
    assert [d.version for d in fresh.remove] == [Version("2.0")]  # type: ignore[attr-defined]
    assert [p.version for p in fresh.install] == [Version("3.0")]
    assert refresh_plan(fresh, iter_installed([scheme.purelib])) is fresh  # nothing changed


def test_refresh_plan_drops_what_another_process_did(upgrade: Upgrade) -> None:
    """The reviewer's e7b: both processes planned 1.0 -> 2.0; the second, under the lock, finds
    2.0 installed by the first and has nothing left to do."""
    stale = make_plan([_pin("2.0")], iter_installed([upgrade.scheme.purelib]))
    upgrade.install("2.0")
    fresh = refresh_plan(stale, iter_installed([upgrade.scheme.purelib]))
    assert fresh.is_empty, fresh


def test_refresh_plan_keeps_a_reinstall(upgrade: Upgrade) -> None:
    installed = iter_installed([upgrade.scheme.purelib])
    plan = make_plan([_pin("1.0")], installed, reinstall=True)
    assert plan.remove and plan.install
    assert refresh_plan(plan, iter_installed([upgrade.scheme.purelib])) is plan


# --- how ferry prints (review nits) ----------------------------------------------------------


@pytest.fixture
def ferry_logger() -> Iterator[logging.Logger]:
    logger = logging.getLogger("ferry")
    saved = (logger.handlers[:], logger.level, logger.propagate)
    yield logger
    logger.handlers[:], logger.level, logger.propagate = saved


def test_log_warnings_and_errors_look_like_uv(
    capsys: pytest.CaptureFixture[str], ferry_logger: logging.Logger
) -> None:
    process.configure_logging(0)
    try:
        log = logging.getLogger("ferry.test")
        log.warning("The RECORD of %s is inaccurate", "pkg-1.0")
        log.error("Could not restore `x`")
        log.debug("hidden at verbosity 0")
        process.configure_logging(1, color=True)
        log.debug("why a download")
        log.warning("coloured")
    finally:
        process.configure_logging(0)  # (the fixture puts the test run's own back)
    assert capsys.readouterr().err.splitlines() == [
        "warning: The RECORD of pkg-1.0 is inaccurate",
        "error: Could not restore `x`",
        "DEBUG why a download",
        "\x1b[33;1mwarning\x1b[0m: coloured",
    ]


def test_interrupted_is_said_once(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(process, "_interrupt_said", False)
    process._say_interrupted()  # run_guarded
    process._say_interrupted()  # the watchdog, ending a process whose exit was held
    assert capsys.readouterr().err == "error: interrupted\n"


def test_the_link_wait_is_an_event_set_by_the_last_future_or_the_first_failure() -> None:
    """The wait for the link workers holds no future's lock (a Ctrl-C landing inside
    ``concurrent.futures.wait``'s acquisition loop left one held, and the upgrade hung)."""
    from concurrent.futures import ThreadPoolExecutor

    from ferry.install.execute import _settled_when_done_or_failed

    gates = [threading.Event() for _ in range(3)]

    def work(index: int) -> int:
        gates[index].wait(5)
        if index == 1:
            raise OSError("link failed")
        return index

    with ThreadPoolExecutor(3) as pool:
        futures = [pool.submit(work, i) for i in range(3)]
        settled = _settled_when_done_or_failed(futures)
        gates[0].set()
        assert not settled.wait(0.2)  # one of three done, none failed
        gates[1].set()
        assert settled.wait(5)  # the failure settles it, the third still running
        assert not futures[2].done()
        gates[2].set()
    with ThreadPoolExecutor(2) as pool:
        futures = [pool.submit(lambda: 1), pool.submit(lambda: 2)]
        assert _settled_when_done_or_failed(futures).wait(5)


def test_an_error_overtaken_by_a_held_ctrl_c_is_still_said(
    ctrl_c: Callable[[], None], caplog: pytest.LogCaptureFixture
) -> None:
    """The Ctrl-C wins (exit 130), but a failure inside the held block — a rollback that could
    not restore a file — is logged, not lost behind "interrupted"."""
    with (caplog.at_level(logging.ERROR), pytest.raises(KeyboardInterrupt) as caught,
          interrupt.uninterruptible()):
        ctrl_c()
        raise FilesystemError("Failed to restore `demo`: 1 file(s) remain in the stash")
    assert isinstance(caught.value.__cause__, FilesystemError)
    assert "Failed to restore `demo`" in caplog.text


@pytest.mark.parametrize("at", [0, 7, FILES])
def test_ctrl_c_while_pip_uninstall_stashes_puts_everything_back(
    upgrade: Upgrade, ctrl_c: Callable[[], None], monkeypatch: pytest.MonkeyPatch, at: int,
) -> None:
    from ferry.commands.pip_uninstall import remove_all

    _press_after_put(monkeypatch, ctrl_c, at)
    with pytest.raises(KeyboardInterrupt):
        remove_all(list(iter_installed([upgrade.scheme.purelib])), upgrade.scheme)
    assert upgrade.version() == "1.0"  # whole, no stash left


def test_pip_uninstall_without_ctrl_c_removes_everything(upgrade: Upgrade) -> None:
    from ferry.commands.pip_uninstall import remove_all

    remove_all(list(iter_installed([upgrade.scheme.purelib])), upgrade.scheme)
    assert verify_records(upgrade.env) == {}
