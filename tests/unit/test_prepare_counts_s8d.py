"""The counts behind `Prepared N packages (…)`: what the command downloaded in all (s8 F5), and
which built wheels this command built rather than reused (s8 F11)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from tests.support.sdists import make_sdist

from ferry.cache.store import Cache
from ferry.dist.build import SourceBuilder
from ferry.dist.prepare import PrepareStats, command_downloads, settle_downloads
from ferry.index.downloads import DownloadStats
from ferry.python.environment import PythonEnvironment
from ferry.python.interpreter import introspect


class NoInstaller:
    def install(self, requirements: Sequence[str], environment: PythonEnvironment) -> None:
        raise AssertionError(f"nothing to install, asked for {requirements}")


class Client:
    def __init__(self, stats: DownloadStats | None) -> None:
        self._stats = stats

    @property
    def stats(self) -> DownloadStats | None:
        return self._stats


class Lazy:
    """Like ``LazySourceBuilder``: unknown names would make the real builder."""

    def __init__(self, files: int, size: int) -> None:
        self.totals = (files, size)

    def command_downloads(self) -> tuple[int, int]:
        return self.totals

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"`{name}` must not be asked of a lazy builder")


def test_the_wheel_an_earlier_command_built_is_not_built_now(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "cache")
    interpreter = introspect(Path(sys.executable), cache)
    sdist = make_sdist(tmp_path / "sdists", "pkg", "1.0")
    first = SourceBuilder(cache, NoInstaller())
    wheel = first.build_wheel(sdist, interpreter, expected_name="pkg", expected_version="1.0")
    assert first.built_now(wheel)
    later = SourceBuilder(cache, NoInstaller())  # the next command, same cache
    again = later.build_wheel(sdist, interpreter, expected_name="pkg", expected_version="1.0")
    assert again == wheel
    assert not later.built_now(again)
    assert first.built_now(wheel)


def test_every_download_of_the_command_is_counted() -> None:
    stats = PrepareStats(downloaded=2, downloaded_bytes=300, built=1)
    client = Client(DownloadStats(from_cache=4, downloaded=3, bytes_downloaded=350))
    settle_downloads(stats, client, Lazy(files=4, size=1000))
    # 3 by the client (2 wheels counted as downloaded, 1 sdist), 4 into build environments
    assert (stats.downloaded, stats.other_files, stats.downloaded_bytes) == (2, 5, 1350)
    settle_downloads(stats, client, Lazy(files=4, size=1000))  # idempotent
    assert (stats.other_files, stats.downloaded_bytes) == (5, 1350)


def test_a_client_never_made_downloaded_nothing() -> None:
    assert command_downloads(Client(None), None) == (0, 0)
    assert command_downloads(Client(None), Lazy(0, 0)) == (0, 0)


def test_without_counters_the_per_distribution_counts_stay() -> None:
    class Plain:
        def download(self, file: object) -> None:
            raise AssertionError

    stats = PrepareStats(downloaded=1, downloaded_bytes=10)
    assert command_downloads(Plain(), None) is None
    settle_downloads(stats, Plain(), None)
    assert (stats.downloaded, stats.other_files, stats.downloaded_bytes) == (1, 0, 10)


@pytest.mark.parametrize(
    ("flags", "text"),
    [
        ({"no_install_project": True}, "the project not installed"),
        ({"no_install_workspace": True}, "no workspace member installed"),
        ({"no_editable": True, "extras": ("a",)}, "extras a; not editable"),
    ],
)
def test_describe_names_the_layering_flags(flags: dict[str, Any], text: str) -> None:
    from ferry.commands.sync_state import SyncedSelection

    assert SyncedSelection(**flags).describe() == text


def test_run_takes_the_layering_flags_of_its_own_request() -> None:
    from ferry.commands.sync_state import SyncedSelection

    recorded = SyncedSelection(extras=("a",), groups=("g",), no_install_project=True,
                               no_install_workspace=True, no_editable=True)
    wanted = SyncedSelection(no_editable=True)
    assert recorded.with_layering_of(wanted) == SyncedSelection(
        extras=("a",), groups=("g",), no_editable=True
    )
