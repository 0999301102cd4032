"""IndexSource: memoisation, background prefetching and error handling over a fake index client."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from packaging.utils import NormalizedName, canonicalize_name
from test_resolve_semantics import make_target

from ferry.model.dist import FileRef
from ferry.model.errors import NetworkError, ResolutionError, UserError
from ferry.model.pep440_version import Version
from ferry.model.pep508_requirements import Requirement
from ferry.resolve.algorithm import resolve
from ferry.resolve.options import ResolverOptions
from ferry.resolve.provider_index import IndexSource
from ferry.resolve.source import CoreMetadata, DirectDist


class FakeClient:
    """An index of wheels; every call is counted, and optionally slow or failing."""

    def __init__(self, packages: dict[str, dict[str, list[str]]], delay: float = 0.0) -> None:
        self.packages = packages
        self.delay = delay
        self.lock = threading.Lock()
        self.page_calls: list[str] = []
        self.meta_calls: list[str] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.fail_pages: dict[str, int] = {}

    def _enter(self) -> None:
        with self.lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def _leave(self) -> None:
        with self.lock:
            self.in_flight -= 1

    def project_files(self, name: str) -> list[FileRef]:
        self._enter()
        try:
            time.sleep(self.delay)
            with self.lock:
                self.page_calls.append(name)
                if self.fail_pages.get(name, 0) > 0:
                    self.fail_pages[name] -= 1
                    raise NetworkError(f"page of {name} failed")
            return [FileRef(f"{name.replace('-', '_')}-{v}-py3-none-any.whl",
                            f"https://example.invalid/{name}-{v}.whl")
                    for v in self.packages.get(name, {})]
        finally:
            self._leave()

    def fetch_metadata(self, file: FileRef) -> bytes:
        self._enter()
        try:
            time.sleep(self.delay)
            with self.lock:
                self.meta_calls.append(file.filename)
            name, version = file.filename.split("-")[:2]
            requires = self.packages[canonicalize_name(name)][version]
            lines = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}"]
            lines += [f"Requires-Dist: {r}" for r in requires]
            return ("\n".join(lines) + "\n").encode()
        finally:
            self._leave()


def n(name: str) -> NormalizedName:
    return canonicalize_name(name)


def test_pages_and_metadata_are_fetched_once() -> None:
    client = FakeClient({"a": {"1.0": ["b"]}, "b": {"1.0": []}})
    with IndexSource(client, max_workers=0) as source:
        assert source.files(n("a")) == source.files(n("a"))
        file = source.files(n("a"))[0]
        meta = source.metadata(file)
        assert meta == source.metadata(file)
        assert [str(r) for r in meta.requires_dist] == ["b"]
        source.prefetch(n("b"), lambda files: files[0])  # no pool: a no-op
    assert client.page_calls == ["a"]
    assert client.meta_calls == ["a-1.0-py3-none-any.whl"]


def test_prefetch_warms_page_and_picked_metadata_in_the_background() -> None:
    client = FakeClient({"a": {"1.0": [], "2.0": []}})
    with IndexSource(client, max_workers=2) as source:
        source.prefetch(n("a"), lambda files: files[-1])
        source.prefetch(n("a"), lambda files: files[0])  # already on its way: ignored
        deadline = time.monotonic() + 5
        while len(client.meta_calls) < 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        files = source.files(n("a"))
        assert source.metadata(files[-1]).version.public == "2.0"
    assert client.page_calls == ["a"]
    assert client.meta_calls == ["a-2.0-py3-none-any.whl"]


def test_a_failed_prefetch_is_retried_when_really_needed() -> None:
    client = FakeClient({"a": {"1.0": []}})
    client.fail_pages["a"] = 1
    with IndexSource(client, max_workers=1) as source:
        source.prefetch(n("a"), lambda files: None)
        deadline = time.monotonic() + 5
        while not client.page_calls and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.05)
        assert [f.filename for f in source.files(n("a"))] == ["a-1.0-py3-none-any.whl"]
    assert client.page_calls == ["a", "a"]


def test_errors_reach_the_resolver_when_the_answer_is_needed() -> None:
    client = FakeClient({"a": {"1.0": []}})
    client.fail_pages["a"] = 5
    with IndexSource(client, max_workers=0) as source, pytest.raises(NetworkError):
        source.files(n("a"))


def test_metadata_callable_may_return_parsed_metadata_and_direct_needs_a_reader() -> None:
    client = FakeClient({"a": {"1.0": []}})
    built = CoreMetadata(n("a"), Version("1.0"))
    source = IndexSource(client, metadata=lambda file: built, max_workers=0,
                         locations=["https://user:secret@example.invalid/simple"])
    assert source.metadata(source.files(n("a"))[0]) is built
    assert source.locations() == ["https://user:****@example.invalid/simple"]
    with pytest.raises(UserError, match="direct reference"):
        source.direct(n("a"), "file:///x")
    reader = IndexSource(client, direct=lambda name, url: DirectDist(url, built), max_workers=0)
    assert reader.direct(n("a"), "file:///x").metadata is built


def test_resolution_over_a_slow_index_runs_fetches_in_parallel() -> None:
    deps = [f"dep{i}" for i in range(6)]
    packages: dict[str, dict[str, list[str]]] = {"app": {"1.0": deps}}
    packages.update({d: {"1.0": [], "0.9": []} for d in deps})
    client = FakeClient(packages, delay=0.05)
    with ThreadPoolExecutor(8) as pool:
        source = IndexSource(client, executor=pool)
        result = resolve([Requirement("app")], [], source, make_target(), ResolverOptions())
    assert {str(d.name): str(d.version) for d in result.dists} == {
        "app": "1.0", **{d: "1.0" for d in deps}}
    assert client.max_in_flight > 1
    assert sorted(client.page_calls) == sorted(["app", *deps])  # each page exactly once
    assert len(client.meta_calls) == len(set(client.meta_calls)) == 7  # and each file once


def test_not_found_names_the_redacted_locations() -> None:
    client = FakeClient({})
    source = IndexSource(client, max_workers=0,
                         locations=["https://token@example.invalid/simple", "/srv/wheels"])
    with pytest.raises(ResolutionError) as info:
        resolve([Requirement("ghost")], [], source, make_target(), ResolverOptions())
    cause: Any = info.value.causes[0]
    assert "searched: https://****@example.invalid/simple, /srv/wheels" in cause
