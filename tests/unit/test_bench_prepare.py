"""Building a workload's mirror: pin, download once, remember what cannot be had, reuse.

One test runs the real uv and pip against a ``file://`` index built in tmp_path; the others
replace them with fakes to pin down the bookkeeping (what is downloaded when, what is retried).
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from bench import mirror as mirror_module
from bench.mirror import SEED_PACKAGES, Mirror, TargetPython, prepare_workload
from bench.upstream import Pin, Upstream, UpstreamError
from tests.support.index import LocalIndex
from tests.support.sdists import make_sdist
from tests.support.wheels import make_wheel

TARGET = TargetPython(Path(sys.executable), f"{sys.version_info[0]}.{sys.version_info[1]}")
UPSTREAM = Upstream("file:///nowhere/simple/")
SEED = "pip==9.0\nsetuptools==8.0\nwheel==7.0\n"


def _workload(tmp_path: Path, dependencies: Sequence[str]) -> Path:
    workload = tmp_path / "demo"
    workload.mkdir(exist_ok=True)
    deps = ", ".join(f'"{d}"' for d in dependencies)
    (workload / "pyproject.toml").write_text(
        f'[project]\nname = "demo"\nversion = "0"\nrequires-python = ">=3.11"\n'
        f"dependencies = [{deps}]\n"
    )
    return workload


class FakeUpstream:
    """Stands in for ``uv pip compile`` and ``pip download``; records every call."""

    def __init__(self, target_pins: str, universal_pins: str, fetchable: set[tuple[str, Any]],
                 sdists: frozenset[str] = frozenset(), seed_pins: str = SEED):
        self.pins = {False: target_pins, True: universal_pins}
        self.seed_pins = seed_pins  # what compiling the seed packages gives
        self.fetchable = fetchable | {(p, None) for p in seed_pins.split()}
        self.sdists = sdists  # requirements whose release has an sdist
        self.compiles: list[bool | str] = []  # universal or not; "seed" for the seed packages
        self.constraints: list[str] = []  # the constraints file's text, per seed compile
        self.downloads: list[tuple[tuple[str, ...], str, str | None]] = []
        self.sdist_requests: list[str] = []

    def fetch_sdists(self, upstream: Upstream, pins: Sequence[Pin], dest: Path) -> list[Pin]:
        self.sdist_requests += [p.requirement() for p in pins]
        for pin in pins:
            if pin.requirement() in self.sdists:
                make_sdist(dest, pin.name, pin.version)
        return [p for p in pins if p.requirement() not in self.sdists]

    def compile_pins(self, uv: str, workload_dir: Path, *, universal: bool = False,
                     source: str = "pyproject.toml", constraints: Path | None = None,
                     **_: Any) -> str:
        if source != "pyproject.toml":
            assert constraints is not None and not universal
            assert (workload_dir / source).read_text().split() == list(SEED_PACKAGES)
            self.compiles.append("seed")
            self.constraints.append(constraints.read_text())
            return self.seed_pins
        self.compiles.append(universal)
        return self.pins[universal]

    def download_wheels(self, python: str, requirements: Sequence[str], dest: Path, *,
                        python_version: str, upstream: Upstream, platform: str | None = None
                        ) -> None:
        self.downloads.append((tuple(requirements), python_version, platform))
        if any((r, platform) not in self.fetchable for r in requirements):
            raise UpstreamError("no matching distribution")
        for requirement in requirements:
            name, version = requirement.split("==")
            make_wheel(dest, name, version)


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Callable[..., FakeUpstream]:
    def install(*args: Any) -> FakeUpstream:
        upstream = FakeUpstream(*args)
        monkeypatch.setattr(mirror_module, "compile_pins", upstream.compile_pins)
        monkeypatch.setattr(mirror_module, "download_wheels", upstream.download_wheels)
        monkeypatch.setattr(mirror_module, "fetch_sdists", upstream.fetch_sdists)
        monkeypatch.setattr(mirror_module, "uv_executable", lambda: "uv")
        return upstream

    return install


def test_downloads_once_and_remembers_what_no_platform_has(
    tmp_path: Path, fake: Callable[..., FakeUpstream]
) -> None:
    upstream = fake(
        "a==1.0\nb==2.0\n",
        "a==1.0\nb==2.0\nwin==3.0 ; sys_platform == 'win32'\nghost==4.0 ; sys_platform == 'x'\n",
        {("a==1.0", None), ("b==2.0", None), ("win==3.0", "win_amd64")},
        frozenset({"a==1.0", "ghost==4.0"}),
    )
    mirror = Mirror(tmp_path / "mirror")
    workload = _workload(tmp_path, ["a"])
    prepared = prepare_workload(mirror, workload, TARGET, upstream=lambda: UPSTREAM)

    assert [p.requirement() for p in prepared.pins] == ["a==1.0", "b==2.0"]
    assert prepared.unavailable == ("ghost==4.0",)
    assert prepared.requirements.read_text().splitlines()[1:] == ["a==1.0", "b==2.0"]
    assert upstream.downloads[0] == (("a==1.0", "b==2.0", "pip==9.0", "setuptools==8.0",
                                      "wheel==7.0"), TARGET.version, None)
    assert upstream.downloads[1] == (("win==3.0", "ghost==4.0"), TARGET.version, None)
    tried_ghost = [d for d in upstream.downloads[2:] if d[0] == ("ghost==4.0",)]
    assert [platform for _, _, platform in tried_ghost][-2:] == ["win_amd64",
                                                                  "macosx_11_0_arm64"]
    pages = sorted(p.parent.name for p in mirror.simple.glob("*/index.html"))
    assert pages == ["a", "b", "pip", "setuptools", "wheel", "win"]
    # sdists only for releases with a mirrored wheel (ghost has none: never asked for)
    assert upstream.sdist_requests == ["a==1.0", "b==2.0", "win==3.0"]
    assert "a-1.0.tar.gz" in (mirror.simple / "a" / "index.html").read_text()

    # A second run asks nobody anything: pins, files, what has no wheel or sdist are kept.
    upstream.compiles.clear()
    upstream.downloads.clear()
    upstream.sdist_requests.clear()
    again = prepare_workload(mirror, workload, TARGET, upstream=lambda: UPSTREAM)
    assert (upstream.compiles, upstream.downloads, upstream.sdist_requests) == ([], [], [])
    assert again.unavailable == ("ghost==4.0",)


def test_a_changed_pyproject_is_pinned_again(
    tmp_path: Path, fake: Callable[..., FakeUpstream]
) -> None:
    upstream = fake("a==1.0\n", "a==1.0\n", {("a==1.0", None)})
    mirror = Mirror(tmp_path / "mirror")
    prepare_workload(mirror, _workload(tmp_path, ["a"]), TARGET, upstream=lambda: UPSTREAM)
    assert upstream.compiles == [False, True, "seed"]
    prepare_workload(mirror, _workload(tmp_path, ["a>=1"]), TARGET, upstream=lambda: UPSTREAM)
    assert upstream.compiles == [False, True, "seed", False, True]  # the seed pins are kept
    prepare_workload(mirror, _workload(tmp_path, ["a>=1"]), TARGET, refresh=True,
                     upstream=lambda: UPSTREAM)
    assert upstream.compiles[5:] == [False, True, "seed"]


def test_a_pin_pip_cannot_download_is_an_error(
    tmp_path: Path, fake: Callable[..., FakeUpstream]
) -> None:
    fake("a==1.0\n", "a==1.0\n", set())
    with pytest.raises(UpstreamError, match="no matching distribution"):
        prepare_workload(Mirror(tmp_path / "m"), _workload(tmp_path, ["a"]), TARGET,
                         upstream=lambda: UPSTREAM)


def _uv() -> str | None:
    beside = Path(sys.executable).parent / "uv"
    return str(beside) if beside.is_file() else shutil.which("uv")


@pytest.mark.skipif(_uv() is None, reason="uv is not installed")
def test_real_uv_and_pip_build_a_mirror_from_a_file_index(tmp_path: Path) -> None:
    index = LocalIndex(tmp_path / "index", json_pages=False, core_metadata=False)
    index.add_wheel("foo", "1.0", requires=["bar>=1", "winonly; sys_platform == 'win32'"])
    index.add_wheel("bar", "1.0")
    index.add_wheel("bar", "2.0", requires_python=">=3.11")
    index.add_wheel("winonly", "1.0")
    index.add_sdist("foo", "1.0", requires_python=">=3.8")
    index.add_sdist("bar", "1.0")  # not the pinned release: not mirrored
    # The seed packages; the workload pins the older setuptools, which the seed pins keep.
    index.add_wheel("pip", "25.0")
    index.add_wheel("setuptools", "70.0")
    index.add_wheel("setuptools", "80.0")
    index.add_wheel("wheel", "0.46.0", requires=["packaging>=24"])
    index.add_wheel("packaging", "25.0")
    mirror = Mirror(tmp_path / "mirror")
    prepared = prepare_workload(mirror, _workload(tmp_path, ["foo", "setuptools<80"]), TARGET,
                                upstream=lambda: Upstream(index.file_url))
    assert [p.requirement() for p in prepared.pins] == ["bar==2.0", "foo==1.0",
                                                        "setuptools==70.0"]
    assert [p.requirement() for p in prepared.seed] == [
        "packaging==25.0", "pip==25.0", "setuptools==70.0", "wheel==0.46.0"]
    assert {p.name for p in prepared.universal} == {"bar", "foo", "setuptools", "winonly"}
    assert sorted(p.name for p in mirror.files.iterdir() if not p.name.startswith(".")) == [
        "bar-2.0-py3-none-any.whl", "foo-1.0-py3-none-any.whl", "foo-1.0.tar.gz",
        "packaging-25.0-py3-none-any.whl", "pip-25.0-py3-none-any.whl",
        "setuptools-70.0-py3-none-any.whl", "wheel-0.46.0-py3-none-any.whl",
        "winonly-1.0-py3-none-any.whl",
    ]
    page = (mirror.simple / "bar" / "index.html").read_text()
    assert 'data-requires-python="&gt;=3.11"' in page
    page = (mirror.simple / "foo" / "index.html").read_text()
    assert '>foo-1.0.tar.gz</a>' in page and 'data-requires-python="&gt;=3.8"' in page
    assert prepared.unavailable == ()


def test_seed_packages_are_pinned_once_within_the_workloads_pins(
    tmp_path: Path, fake: Callable[..., FakeUpstream]
) -> None:
    upstream = fake("a==1.0\n", "a==1.0\n", {("a==1.0", None)})
    mirror = Mirror(tmp_path / "mirror")
    prepared = prepare_workload(mirror, _workload(tmp_path, ["a"]), TARGET,
                                upstream=lambda: UPSTREAM)
    assert [p.requirement() for p in prepared.seed] == SEED.split()
    assert upstream.constraints == [prepared.requirements.read_text()]
    # A changed workload is pinned again; the seed pins are kept: no compile, no download.
    upstream.compiles.clear()
    upstream.downloads.clear()
    again = prepare_workload(mirror, _workload(tmp_path, ["a>=1"]), TARGET,
                             upstream=lambda: UPSTREAM)
    assert again.seed == prepared.seed
    assert (upstream.compiles, upstream.downloads) == ([False, True], [])


def test_kept_seed_pins_contradicting_the_workload_are_pinned_again(
    tmp_path: Path, fake: Callable[..., FakeUpstream]
) -> None:
    upstream = fake("a==1.0\n", "a==1.0\n", {("a==1.0", None)})
    mirror = Mirror(tmp_path / "mirror")
    prepare_workload(mirror, _workload(tmp_path, ["a"]), TARGET, upstream=lambda: UPSTREAM)
    # Now the workload pins setuptools itself, another version than the kept seed pin.
    upstream = fake("a==1.0\nsetuptools==5.0\n", "a==1.0\nsetuptools==5.0\n",
                    {("a==1.0", None), ("setuptools==5.0", None)}, frozenset(),
                    "pip==9.0\nsetuptools==5.0\nwheel==7.0\n")
    prepared = prepare_workload(mirror, _workload(tmp_path, ["a", "setuptools"]), TARGET,
                                upstream=lambda: UPSTREAM)
    assert upstream.compiles == [False, True, "seed"]
    assert "setuptools==5.0" in upstream.constraints[0].split()
    assert [p.requirement() for p in prepared.seed] == [
        "pip==9.0", "setuptools==5.0", "wheel==7.0"]
    assert upstream.downloads == [(("setuptools==5.0",), TARGET.version, None)]
