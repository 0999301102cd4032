"""Prefetching follows unconditional dependencies down the tree, and nothing else.

One level of look-ahead leaves a deep tree's lower levels to be fetched one by one on the
resolver's thread; the engine's picker therefore announces, from the worker pool, the marker-free
dependencies of each prefetched file. Tests here count requests: a marker-conditional or extra
dependency must never be fetched by the pool, and no request may happen after ``close``.
"""

from __future__ import annotations

import time

from test_resolve_provider_index import FakeClient, n
from test_resolve_semantics import make_target

from ferry.model.pep508_requirements import Requirement
from ferry.resolve.algorithm import resolve
from ferry.resolve.engine import Engine
from ferry.resolve.nodes import reqs_from
from ferry.resolve.options import ResolverOptions
from ferry.resolve.provider_index import IndexSource

PACKAGES: dict[str, dict[str, list[str]]] = {
    "app": {"1.0": ["mid>=1"]},
    "mid": {"1.0": ["leaf[fast]", "winonly; sys_platform == 'win32'",
                    "plugin; extra == 'plugins'"], "2.0": ["leaf", "nope; python_version < '3'"]},
    "leaf": {"1.0": ["nope; extra == 'fast'"]},
    "winonly": {"1.0": []}, "plugin": {"1.0": []}, "nope": {"1.0": []},
}


def wait_for(predicate: object, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not predicate() and time.monotonic() < deadline:  # type: ignore[operator]
        time.sleep(0.005)


def test_the_pool_fetches_a_second_level_page_before_the_resolver_asks() -> None:
    client = FakeClient(PACKAGES)
    with IndexSource(client, max_workers=4) as source:
        engine = Engine(source, make_target(), ResolverOptions(), [Requirement("app")], [])
        engine.announce(reqs_from(Requirement("app")))  # the resolver asks nothing itself
        wait_for(lambda: "leaf-1.0-py3-none-any.whl" in client.meta_calls)
        time.sleep(0.05)  # let any (wrong) follow-up of leaf's metadata happen
    assert sorted(client.page_calls) == ["app", "leaf", "mid"]
    # mid's newest release is the guess; leaf comes from it, unconditionally required
    assert sorted(client.meta_calls) == ["app-1.0-py3-none-any.whl", "leaf-1.0-py3-none-any.whl",
                                         "mid-2.0-py3-none-any.whl"]


def test_marker_and_extra_dependencies_are_left_to_the_resolver() -> None:
    mid = ["leaf", "winonly; sys_platform == 'win32'", "plugin; extra == 'plugins'"]
    client = FakeClient({**PACKAGES, "app": {"1.0": ["mid==1.0"]}, "mid": {"1.0": mid}})
    with IndexSource(client, max_workers=4) as source:
        result = resolve([Requirement("app")], [], source, make_target(), ResolverOptions())
    assert {str(d.name) for d in result.dists} == {"app", "mid", "leaf"}
    # every page once, none for winonly (false marker) nor plugin (an extra nobody asked for)
    assert sorted(client.page_calls) == ["app", "leaf", "mid"]
    assert len(client.meta_calls) == len(set(client.meta_calls))


def test_nothing_is_prefetched_after_the_source_is_closed() -> None:
    client = FakeClient(PACKAGES)
    source = IndexSource(client, max_workers=2)
    engine = Engine(source, make_target(), ResolverOptions(), [Requirement("app")], [])
    source.close()
    engine.announce(reqs_from(Requirement("app")))
    time.sleep(0.05)
    assert client.page_calls == [] and client.meta_calls == []


def test_no_deps_does_not_follow_dependencies() -> None:
    client = FakeClient(PACKAGES)
    with IndexSource(client, max_workers=2) as source:
        engine = Engine(source, make_target(), ResolverOptions(no_deps=True),
                        [Requirement("mid")], [])
        engine.announce(reqs_from(Requirement("mid")))
        wait_for(lambda: bool(client.meta_calls))
        time.sleep(0.05)
    assert client.page_calls == [n("mid")]
