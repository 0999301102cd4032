"""``install.stream.prepare_and_execute``: link each distribution as soon as it is ready.

What must hold: everything planned ends up installed (results in plan order); links start
while preparation still runs; any failure (preparing, linking) or an interrupt rolls back what
this run installed, leaving the environment as it was; plans that remove something keep the old
order (prepare everything, then change the environment).
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from packaging.utils import canonicalize_name
from tests.unit.test_perf_install import scheme_in

from ferry.cache.store import Cache, CachedFile
from ferry.dist.prepare import PreparedDist, Preparer, PrepareStats
from ferry.fs.link import Linker, LinkMode
from ferry.install.plan import make_plan
from ferry.install.stream import prepare_and_execute
from ferry.model.dist import FileRef, Hashes, PinnedDist
from ferry.model.errors import NetworkError
from ferry.model.pep440_version import Version
from ferry.model.scheme import Scheme
from ferry.wheel import iter_installed

MakeWheel = Callable[..., Path]
PYTHON = Path("/opt/py/bin/python3")


class Served:
    def __init__(self, cache: Cache, wheels: dict[str, Path], fail: str | None = None) -> None:
        self.cache = cache
        self.wheels = wheels
        self.fail = fail

    def download(self, file: FileRef) -> CachedFile:
        if file.filename == self.fail:
            raise NetworkError(f"cannot fetch {file.filename}")
        data = self.wheels[file.filename].read_bytes()
        return self.cache.store_file(file.filename, [data], expected=file.hashes or None)


def _setup(
    make_wheel: MakeWheel, tmp_path: Path, names: Sequence[str], version: str = "1.0"
) -> tuple[Cache, dict[str, Path], list[PinnedDist]]:
    cache = Cache(tmp_path / "cache")
    wheels: dict[str, Path] = {}
    pins = []
    for name in names:
        files = {f"{name}/__init__.py": f"V = {version!r}\n", f"{name}/m.py": "x = 1\n"}
        wheel = make_wheel(name, version, files=files, directory=tmp_path / f"w{version}")
        wheels[wheel.name] = wheel
        sha = hashlib.sha256(wheel.read_bytes()).hexdigest()
        file = FileRef(wheel.name, f"https://example.invalid/{wheel.name}", Hashes.of(sha256=sha))
        pins.append(PinnedDist(canonicalize_name(name), Version(version), file))
    return cache, wheels, pins


def _installed(scheme: Scheme) -> dict[str, str]:
    return {d.name: str(d.version) for d in iter_installed([scheme.purelib])}


def _run(plan_pins: list[PinnedDist], scheme: Scheme, preparer: object) -> tuple[
    object, PrepareStats, float
]:
    plan = make_plan(plan_pins, iter_installed([scheme.purelib]))
    return prepare_and_execute(
        plan,
        preparer,  # type: ignore[arg-type]
        scheme=scheme,
        python_executable=PYTHON,
        linker=Linker(LinkMode.COPY),
    )


def test_everything_is_installed_and_links_start_before_preparing_ends(
    make_wheel: MakeWheel, tmp_path: Path
) -> None:
    cache, wheels, pins = _setup(make_wheel, tmp_path, ["a", "b", "c", "d"])
    scheme = scheme_in(tmp_path / "env")
    real = Preparer(cache, Served(cache, wheels))
    seen_installed: list[set[str]] = []

    class Watching:
        """Hands results over one by one and records what was linked meanwhile."""

        def prepare(
            self,
            pins: Sequence[PinnedDist],
            on_done: Callable[[PreparedDist], None] | None = None,
        ) -> tuple[list[PreparedDist], PrepareStats]:
            prepared, stats = real.prepare(pins)
            assert on_done is not None
            for item in prepared:
                on_done(item)
                for _ in range(200):  # the link of an earlier one lands meanwhile
                    if item.pin.name in _installed(scheme):
                        break
                    threading.Event().wait(0.01)
                seen_installed.append(set(_installed(scheme)))
            return prepared, stats

    result, stats, _ = _run(pins, scheme, Watching())
    assert _installed(scheme) == {"a": "1.0", "b": "1.0", "c": "1.0", "d": "1.0"}
    assert [p.name for p in result.installed] == ["a", "b", "c", "d"]  # type: ignore[attr-defined]
    assert stats.downloaded == 4
    assert "a" in seen_installed[0]  # linked before the rest was handed over


def test_a_failed_download_rolls_back_what_was_linked(
    make_wheel: MakeWheel, tmp_path: Path
) -> None:
    cache, wheels, pins = _setup(make_wheel, tmp_path, ["a", "b", "c", "d", "e"])
    scheme = scheme_in(tmp_path / "env")
    scheme.purelib.mkdir(parents=True)
    broken = pins[4].file.filename  # type: ignore[union-attr]
    preparer = Preparer(cache, Served(cache, wheels, fail=broken), concurrency=1)
    with pytest.raises(NetworkError, match="cannot fetch"):
        _run(pins, scheme, preparer)
    assert _installed(scheme) == {}
    assert [p.name for p in scheme.purelib.iterdir()] in ([], [".ferry.lock"])


def test_a_failed_link_stops_and_rolls_back(
    make_wheel: MakeWheel, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache, wheels, pins = _setup(make_wheel, tmp_path, ["a", "b", "c"])
    scheme = scheme_in(tmp_path / "env")
    from ferry.install import execute

    real_install = execute.install_unpacked  # type: ignore[attr-defined]

    def failing(archive: Path, *args: object, **kwargs: object) -> object:
        if "b-1.0.dist-info" in {p.name for p in archive.iterdir()}:
            raise OSError("disk trouble")
        return real_install(archive, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(execute, "install_unpacked", failing)
    with pytest.raises(OSError, match="disk trouble"):
        _run(pins, scheme, Preparer(cache, Served(cache, wheels)))
    assert _installed(scheme) == {}


def test_an_interrupt_while_preparing_rolls_back(make_wheel: MakeWheel, tmp_path: Path) -> None:
    cache, wheels, pins = _setup(make_wheel, tmp_path, ["a", "b"])
    scheme = scheme_in(tmp_path / "env")
    real = Preparer(cache, Served(cache, wheels))

    class Interrupted:
        def prepare(
            self,
            pins: Sequence[PinnedDist],
            on_done: Callable[[PreparedDist], None] | None = None,
        ) -> tuple[list[PreparedDist], PrepareStats]:
            prepared, _ = real.prepare(pins[:1])
            assert on_done is not None
            on_done(prepared[0])
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        _run(pins, scheme, Interrupted())
    assert _installed(scheme) == {}


def test_a_plan_that_removes_prepares_everything_first(
    make_wheel: MakeWheel, tmp_path: Path
) -> None:
    cache, wheels, old = _setup(make_wheel, tmp_path, ["a", "b"], "1.0")
    scheme = scheme_in(tmp_path / "env")
    _run(old, scheme, Preparer(cache, Served(cache, wheels)))
    _, new_wheels, new = _setup(make_wheel, tmp_path, ["a", "b"], "2.0")
    wheels.update(new_wheels)
    real = Preparer(cache, Served(cache, wheels))
    during: list[dict[str, str]] = []

    class Recording:
        def prepare(
            self,
            pins: Sequence[PinnedDist],
            on_done: Callable[[PreparedDist], None] | None = None,
        ) -> tuple[list[PreparedDist], PrepareStats]:
            assert on_done is None  # nothing is linked while preparing
            during.append(_installed(scheme))
            return real.prepare(pins)

    _run(new, scheme, Recording())
    assert during == [{"a": "1.0", "b": "1.0"}]  # the old versions stay until all is ready
    assert _installed(scheme) == {"a": "2.0", "b": "2.0"}
