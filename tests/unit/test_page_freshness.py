"""Index pages the server declares fresh (``Cache-Control: max-age``) are reused without a
request until their time is up, as uv and pip do; ``--refresh`` asks anyway."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest
from test_index_support import Recorder, html_response, make_cache

from ferry.cache.store import Cache
from ferry.index.client import IndexClient, IndexConfig, page_cache_key
from ferry.index.http import HttpClient
from ferry.index.pages import INDEX_BUCKET
from ferry.model.refresh import Refresh

INDEX = "https://public.example/simple"
PAGE_URL = f"{INDEX}/demo/"
BODY = '<a href="../../files/demo-1.0.tar.gz#sha256=' + "ab" * 32 + '">demo-1.0.tar.gz</a>'


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cache:
    monkeypatch.setenv("NETRC", str(tmp_path / "no-netrc"))
    return make_cache(tmp_path)


def files_of(recorder: Recorder, cache: Cache, **config: object) -> list[str]:
    """One "process": a new client over the same cache."""
    http = HttpClient(recorder.transport(), backoff=0)
    client = IndexClient(IndexConfig(index_urls=(INDEX,), **config), cache, http)  # type: ignore[arg-type]
    with client:  # a process closes its client: its cache entries are written by then
        return [f.filename for f in client.project_files("demo")]


def served(**headers: str) -> Recorder:
    return Recorder({PAGE_URL: html_response(BODY, **headers)})


def age_entry(cache: Cache, seconds: float) -> None:
    key = page_cache_key(INDEX, "demo")
    value = cache.read_json(INDEX_BUCKET, key)
    assert isinstance(value, dict)
    value["fetched_at"] -= seconds
    cache.write_json(INDEX_BUCKET, key, value)


def test_a_fresh_page_is_used_without_a_request(cache: Cache) -> None:
    recorder = served(**{"cache-control": "max-age=600, public", "etag": '"v1"'})
    assert files_of(recorder, cache) == ["demo-1.0.tar.gz"]
    assert files_of(recorder, cache) == ["demo-1.0.tar.gz"]
    assert len(recorder.requests) == 1


def test_a_stale_page_is_revalidated_and_a_304_restarts_its_freshness(cache: Cache) -> None:
    recorder = served(**{"cache-control": "max-age=600", "etag": '"v1"'})
    files_of(recorder, cache)
    age_entry(cache, 601)
    recorder.routes[PAGE_URL] = httpx.Response(304, headers={"cache-control": "max-age=600"})
    assert files_of(recorder, cache) == ["demo-1.0.tar.gz"]
    assert recorder.requests[1].headers["if-none-match"] == '"v1"'
    assert files_of(recorder, cache) == ["demo-1.0.tar.gz"]  # fresh again: no third request
    assert len(recorder.requests) == 2


def test_the_age_header_counts_against_max_age(cache: Cache) -> None:
    recorder = served(**{"cache-control": "max-age=600", "age": "590"})
    files_of(recorder, cache)
    age_entry(cache, 11)
    files_of(recorder, cache)
    assert len(recorder.requests) == 2


@pytest.mark.parametrize("policy", ["max-age=0", "no-cache, max-age=600", "no-store",
                                    "max-age=soon", ""])
def test_no_usable_max_age_means_asking_every_time(cache: Cache, policy: str) -> None:
    recorder = served(**{"cache-control": policy})
    files_of(recorder, cache)
    files_of(recorder, cache)
    assert len(recorder.requests) == 2


def test_refresh_asks_even_when_fresh(cache: Cache) -> None:
    recorder = served(**{"cache-control": "max-age=600", "etag": '"v1"'})
    files_of(recorder, cache)
    files_of(recorder, cache, refresh=Refresh.from_options(True, ()))
    assert len(recorder.requests) == 2


def test_a_fetch_time_in_the_future_is_stale(cache: Cache) -> None:
    recorder = served(**{"cache-control": "max-age=600"})
    files_of(recorder, cache)
    age_entry(cache, -3600 - time.time() % 1)
    files_of(recorder, cache)
    assert len(recorder.requests) == 2


def test_upgrades_revalidate_pages_only() -> None:
    base = Refresh()
    assert base.with_upgrades(False, ()) is base
    one = base.with_upgrades(False, ["Typing_Extensions"])
    assert one.revalidates_page("typing-extensions") and not one.revalidates_page("idna")
    assert not one and not one.covers("typing-extensions")  # nothing else is re-checked
    assert base.with_upgrades(True, ()).revalidates_page("anything")
    refreshing = Refresh.from_options(False, ["idna"])
    assert refreshing.with_upgrades(False, ["six"]).covers("idna")


def test_a_fresh_page_is_asked_again_when_its_package_may_upgrade(cache: Cache) -> None:
    recorder = served(**{"cache-control": "max-age=600"})
    files_of(recorder, cache)
    files_of(recorder, cache, refresh=Refresh().with_upgrades(False, ["demo"]))
    files_of(recorder, cache, refresh=Refresh().with_upgrades(False, ["other"]))
    assert len(recorder.requests) == 2
