"""IndexClient.project_files: strategies (D1, D6, D7), negotiation, the page cache, offline modes,
exclude-newer, find-links and thread safety."""

from __future__ import annotations

import json
import logging
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from test_index_support import Recorder, build_wheel, html_response, make_cache

from ferry.cache.store import Cache
from ferry.index.client import IndexClient, IndexConfig, page_cache_key
from ferry.index.default import default_index_url, index_urls
from ferry.index.errors import AuthenticationError
from ferry.index.http import HttpClient
from ferry.index.pages import ACCEPT, INDEX_BUCKET
from ferry.model.errors import OfflineError, UsageError, UserError

PRIVATE = "https://private.example/simple"
PUBLIC = "https://public.example/simple"
SECRET = "pa55w0rd-xyz"


@pytest.fixture(autouse=True)
def _no_user_netrc(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("NETRC", str(tmp_path / "no-netrc"))


@pytest.fixture
def cache(tmp_path: Path) -> Cache:
    return make_cache(tmp_path)


def page(*filenames: str, **attrs: str) -> str:
    extra = "".join(f' data-{k.replace("_", "-")}="{v}"' for k, v in attrs.items())
    links = "".join(f'<a href="../../files/{f}"{extra}>{f}</a>\n' for f in filenames)
    return f"<!DOCTYPE html><html><body>{links}</body></html>"


def make_client(recorder: Recorder, cache: Cache, *indexes: str, **config: object) -> IndexClient:
    http = HttpClient(recorder.transport(), backoff=0, offline=bool(config.get("offline")))
    return IndexClient(IndexConfig(index_urls=indexes, **config), cache, http)  # type: ignore[arg-type]


def test_404_on_the_first_index_falls_through_to_the_next(cache: Cache) -> None:
    recorder = Recorder({f"{PUBLIC}/demo/": html_response(page("demo-1.0-py3-none-any.whl"))})
    client = make_client(recorder, cache, PRIVATE, PUBLIC)
    (ref,) = client.project_files("Demo")
    assert ref.filename == "demo-1.0-py3-none-any.whl"
    assert ref.index_url == PUBLIC
    assert ref.url == "https://public.example/files/demo-1.0-py3-none-any.whl"
    assert recorder.urls() == [f"{PRIVATE}/demo/", f"{PUBLIC}/demo/"]


def test_a_project_on_no_index_has_no_files(cache: Cache) -> None:
    recorder = Recorder({f"{PUBLIC}/other/": httpx.Response(410)})
    assert make_client(recorder, cache, PRIVATE, PUBLIC).project_files("nothing") == []


def _confusion_routes() -> Recorder:
    return Recorder(
        {
            f"{PRIVATE}/internal/": html_response(page("internal-1.0-py3-none-any.whl")),
            f"{PUBLIC}/internal/": html_response(page("internal-99.0-py3-none-any.whl")),
        }
    )


def test_first_index_never_consults_later_indexes_for_a_known_project(cache: Cache) -> None:
    recorder = _confusion_routes()
    files = make_client(recorder, cache, PRIVATE, PUBLIC).project_files("internal")
    assert [f.filename for f in files] == ["internal-1.0-py3-none-any.whl"]
    assert recorder.urls() == [f"{PRIVATE}/internal/"]


def test_unsafe_best_match_merges_every_index(cache: Cache) -> None:
    recorder = _confusion_routes()
    client = make_client(recorder, cache, PRIVATE, PUBLIC, strategy="unsafe-best-match")
    files = client.project_files("internal")
    assert [(f.filename, f.index_url) for f in files] == [
        ("internal-1.0-py3-none-any.whl", PRIVATE),
        ("internal-99.0-py3-none-any.whl", PUBLIC),
    ]


@pytest.mark.parametrize("status", [401, 403])
def test_401_stops_without_falling_back_to_later_indexes(cache: Cache, status: int) -> None:
    recorder = Recorder(
        {
            f"{PRIVATE}/internal/": httpx.Response(status),
            f"{PUBLIC}/internal/": html_response(page("internal-99.0-py3-none-any.whl")),
        }
    )
    with pytest.raises(AuthenticationError) as caught:
        make_client(recorder, cache, PRIVATE, PUBLIC).project_files("internal")
    assert recorder.urls() == [f"{PRIVATE}/internal/"]
    assert caught.value.hint is not None and "credentials" in caught.value.hint
    assert "private.example/simple/internal/" in caught.value.message


def test_json_is_asked_for_but_html_is_parsed_when_served(cache: Cache) -> None:
    recorder = Recorder({f"{PUBLIC}/demo/": html_response(page("demo-1.0.tar.gz"))})
    (ref,) = make_client(recorder, cache, PUBLIC).project_files("demo")
    assert ref.filename == "demo-1.0.tar.gz"
    accept = recorder.requests[0].headers["accept"]
    assert accept == ACCEPT
    assert accept.startswith("application/vnd.pypi.simple.v1+json")


def test_a_json_answer_is_parsed_as_json(cache: Cache) -> None:
    body = {
        "meta": {"api-version": "1.1"},
        "name": "demo",
        "files": [
            {
                "filename": "demo-2.0-py3-none-any.whl",
                "url": "https://files.example/demo-2.0-py3-none-any.whl",
                "hashes": {"sha256": "c" * 64},
                "size": 10,
            }
        ],
    }
    response = httpx.Response(
        200,
        content=json.dumps(body).encode(),
        headers={"content-type": "application/vnd.pypi.simple.v1+json"},
    )
    recorder = Recorder({f"{PUBLIC}/demo/": response})
    (ref,) = make_client(recorder, cache, PUBLIC).project_files("demo")
    assert (ref.sha256, ref.size) == ("c" * 64, 10)


def test_files_of_other_projects_on_a_page_are_ignored(cache: Cache) -> None:
    recorder = Recorder(
        {f"{PUBLIC}/demo/": html_response(page("demo-1.0.tar.gz", "evil-9.0.tar.gz", "x.exe"))}
    )
    files = make_client(recorder, cache, PUBLIC).project_files("demo")
    assert [f.filename for f in files] == ["demo-1.0.tar.gz"]


def test_a_page_is_fetched_once_per_process(cache: Cache) -> None:
    recorder = Recorder({f"{PUBLIC}/demo/": html_response(page("demo-1.0.tar.gz"))})
    client = make_client(recorder, cache, PUBLIC)
    assert client.project_files("demo") == client.project_files("DEMO")
    assert len(recorder.requests) == 1


def test_concurrent_callers_share_one_fetch(cache: Cache) -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        time.sleep(0.05)
        return html_response(page("demo-1.0.tar.gz"))

    recorder = Recorder({f"{PUBLIC}/demo/": slow})
    client = make_client(recorder, cache, PUBLIC)
    results: list[int] = []
    threads = [
        threading.Thread(target=lambda: results.append(len(client.project_files("demo"))))
        for _ in range(12)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [1] * 12
    assert len(recorder.requests) == 1


def test_etag_revalidation_reuses_the_cached_page_on_304(cache: Cache) -> None:
    recorder = Recorder({f"{PUBLIC}/demo/": html_response(page("demo-1.0.tar.gz"), etag='"v1"')})
    first = make_client(recorder, cache, PUBLIC).project_files("demo")
    recorder.routes[f"{PUBLIC}/demo/"] = httpx.Response(304)
    second = make_client(recorder, cache, PUBLIC).project_files("demo")  # a new "process"
    assert second == first
    assert recorder.requests[1].headers["if-none-match"] == '"v1"'


def test_last_modified_is_sent_back_as_if_modified_since(cache: Cache) -> None:
    stamp = "Tue, 02 Jan 2024 03:04:05 GMT"
    recorder = Recorder(
        {f"{PUBLIC}/demo/": html_response(page("demo-1.0.tar.gz"), **{"last-modified": stamp})}
    )
    make_client(recorder, cache, PUBLIC).project_files("demo")
    recorder.routes[f"{PUBLIC}/demo/"] = html_response(page("demo-2.0.tar.gz"))
    files = make_client(recorder, cache, PUBLIC).project_files("demo")
    assert recorder.requests[1].headers["if-modified-since"] == stamp
    assert [f.filename for f in files] == ["demo-2.0.tar.gz"]  # a 200 replaces the copy


def test_a_page_without_validators_is_fetched_again_by_a_new_process(cache: Cache) -> None:
    recorder = Recorder({f"{PUBLIC}/demo/": html_response(page("demo-1.0.tar.gz"))})
    make_client(recorder, cache, PUBLIC).project_files("demo")
    recorder.routes[f"{PUBLIC}/demo/"] = html_response(page("demo-1.0.tar.gz", "demo-2.0.tar.gz"))
    files = make_client(recorder, cache, PUBLIC).project_files("demo")
    assert len(files) == 2
    second = recorder.requests[1]
    assert "if-none-match" not in second.headers
    assert "if-modified-since" not in second.headers


@pytest.mark.parametrize("mode", ["offline", "prefer_offline"])
def test_offline_modes_use_the_cached_page_without_any_request(cache: Cache, mode: str) -> None:
    recorder = Recorder(
        {
            f"{PRIVATE}/demo/": httpx.Response(404),
            f"{PUBLIC}/demo/": html_response(page("demo-1.0.tar.gz"), etag='"x"'),
        }
    )
    online = make_client(recorder, cache, PRIVATE, PUBLIC).project_files("demo")
    before = len(recorder.requests)
    files = make_client(recorder, cache, PRIVATE, PUBLIC, **{mode: True}).project_files("demo")
    assert files == online  # the cached 404 on PRIVATE is honoured too
    assert len(recorder.requests) == before


def test_offline_without_a_cached_page_is_an_error(cache: Cache) -> None:
    recorder = Recorder()
    index = f"https://u:{SECRET}@private.example/simple"
    client = make_client(recorder, cache, index, offline=True)
    with pytest.raises(OfflineError) as caught:
        client.project_files("demo")
    assert "`https://u:****@private.example/simple/demo/`" in caught.value.message
    assert caught.value.hint is not None and "--offline" in caught.value.hint
    assert recorder.requests == []


def test_a_damaged_cached_page_is_fetched_again(cache: Cache) -> None:
    cache.write_json(INDEX_BUCKET, page_cache_key(PUBLIC, "demo"), {"status": 200, "files": 3})  # type: ignore[arg-type]
    recorder = Recorder({f"{PUBLIC}/demo/": html_response(page("demo-1.0.tar.gz"))})
    with make_client(recorder, cache, PUBLIC, prefer_offline=True) as client:
        assert [f.filename for f in client.project_files("demo")] == ["demo-1.0.tar.gz"]
    assert len(recorder.requests) == 1


def test_prefer_offline_fetches_what_the_cache_lacks(cache: Cache) -> None:
    recorder = Recorder({f"{PUBLIC}/demo/": html_response(page("demo-1.0.tar.gz"))})
    files = make_client(recorder, cache, PUBLIC, prefer_offline=True).project_files("demo")
    assert len(files) == 1 and len(recorder.requests) == 1


def test_exclude_newer_drops_later_uploads(cache: Cache, caplog: pytest.LogCaptureFixture) -> None:
    body = (
        '<a href="demo-1.0.tar.gz" data-upload-time="2024-01-01T00:00:00Z">a</a>'
        '<a href="demo-2.0.tar.gz" data-upload-time="2024-06-01T00:00:00.5Z">b</a>'
        '<a href="demo-3.0.tar.gz">undated</a>'
    )
    recorder = Recorder({f"{PUBLIC}/demo/": html_response(body)})
    client = make_client(recorder, cache, PUBLIC, exclude_newer=datetime(2024, 3, 1, tzinfo=UTC))
    with caplog.at_level(logging.DEBUG, logger="ferry.index"):
        files = client.project_files("demo")
    assert [f.filename for f in files] == ["demo-1.0.tar.gz", "demo-3.0.tar.gz"]
    assert "Excluding demo-2.0.tar.gz" in caplog.text
    assert "have no upload time" in caplog.text


def test_exclude_newer_without_time_zone_is_utc(cache: Cache) -> None:
    body = '<a href="demo-1.0.tar.gz" data-upload-time="2024-01-01T10:00:00+00:00">a</a>'
    recorder = Recorder({f"{PUBLIC}/demo/": html_response(body)})
    assert (
        make_client(recorder, cache, PUBLIC, exclude_newer=datetime(2024, 1, 1, 10)).project_files(
            "demo"
        )
        == []
    )
    recorder2 = Recorder({f"{PUBLIC}/demo/": html_response(body)})
    assert (
        len(
            make_client(
                recorder2,
                make_cache(cache.root.parent / "2"),
                PUBLIC,
                exclude_newer=datetime(2024, 1, 1, 10, 0, 1),
            ).project_files("demo")
        )
        == 1
    )


def test_find_links_directory_is_always_added(cache: Cache, tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    build_wheel(wheels, "demo", "3.0")
    build_wheel(wheels, "other", "1.0")
    (wheels / "notes.txt").write_text("not an archive")
    recorder = Recorder({f"{PUBLIC}/demo/": html_response(page("demo-1.0.tar.gz"))})
    client = make_client(recorder, cache, PUBLIC, find_links=(str(wheels),))
    files = client.project_files("demo")
    assert [f.filename for f in files] == ["demo-1.0.tar.gz", "demo-3.0-py3-none-any.whl"]
    local = files[1]
    assert local.url == (wheels / "demo-3.0-py3-none-any.whl").resolve().as_uri()
    assert local.size == (wheels / "demo-3.0-py3-none-any.whl").stat().st_size
    no_index = make_client(Recorder(), cache, PUBLIC, find_links=(str(wheels),), no_index=True)
    assert [f.filename for f in no_index.project_files("other")] == ["other-1.0-py3-none-any.whl"]


def test_find_links_html_page(cache: Cache) -> None:
    url = "https://links.example/wheels.html"
    recorder = Recorder({url: html_response(page("demo-1.0-py3-none-any.whl", "other-2.0.tar.gz"))})
    client = make_client(recorder, cache, find_links=(url,), no_index=True)
    (ref,) = client.project_files("demo")
    assert ref.url == "https://links.example/files/demo-1.0-py3-none-any.whl"
    assert client.project_files("other")[0].filename == "other-2.0.tar.gz"
    assert recorder.urls() == [url]  # read once for every project


def test_missing_find_links_directory_is_a_user_error(cache: Cache, tmp_path: Path) -> None:
    client = make_client(Recorder(), cache, find_links=(str(tmp_path / "nope"),))
    with pytest.raises(UserError, match="does not exist"):
        client.project_files("demo")


def test_index_credentials_never_reach_file_urls_or_the_cache(cache: Cache) -> None:
    index = f"https://user:{SECRET}@private.example/simple"
    recorder = Recorder({f"{PRIVATE}/demo/": html_response(page("demo-1.0.tar.gz"))})
    (ref,) = make_client(recorder, cache, index).project_files("demo")
    assert SECRET not in ref.url and SECRET not in (ref.index_url or "")
    assert recorder.requests[0].headers["authorization"].startswith("Basic ")
    for path in cache.root.rglob("*"):
        if path.is_file():
            assert SECRET not in path.read_text(errors="replace"), path


def test_page_cache_key_ends_with_the_project_and_differs_per_index() -> None:
    a = page_cache_key(f"https://u:{SECRET}@private.example/simple", "demo")  # type: ignore[arg-type]
    b = page_cache_key(PUBLIC, "demo")  # type: ignore[arg-type]
    assert a.endswith("/demo") and b.endswith("/demo") and a != b
    assert SECRET not in a
    assert a == page_cache_key(PRIVATE, "demo")  # type: ignore[arg-type]


def test_unknown_strategy_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="`random`") as caught:
        IndexConfig(strategy="random")  # type: ignore[arg-type]
    assert caught.value.hint is not None and "unsafe-best-match" in caught.value.hint


def test_index_urls_precedence(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FERRY_INDEX_URL", raising=False)
    monkeypatch.delenv("FERRY_EXTRA_INDEX_URL", raising=False)
    assert index_urls() == (default_index_url(),)
    monkeypatch.setenv("FERRY_INDEX_URL", PRIVATE)
    monkeypatch.setenv("FERRY_EXTRA_INDEX_URL", f"{PUBLIC} {PRIVATE}")
    assert index_urls() == (PUBLIC, PRIVATE)  # extra indexes first, the default last (as uv)
    assert index_urls("https://cli.example/simple", ["https://x.example/simple"]) == (
        "https://x.example/simple",
        "https://cli.example/simple",
    )
    config = IndexConfig.from_options(no_index=True, find_links=["/tmp/w"])
    assert (config.index_urls, config.find_links) == ((), ("/tmp/w",))


def test_default_index_url_comes_from_pip() -> None:
    from pip._internal.models.index import PyPI

    assert default_index_url() == PyPI.simple_url


def test_a_local_file_index_works_offline(cache: Cache, tmp_path: Path) -> None:
    root = tmp_path / "index"
    (root / "simple" / "demo").mkdir(parents=True)
    (root / "files").mkdir()
    wheel = build_wheel(root / "files", "demo", "1.0")
    (root / "simple" / "demo" / "index.html").write_text(page(wheel.name))
    index = (root / "simple").as_uri()
    with make_client(Recorder(), cache, index, offline=True) as client:
        (ref,) = client.project_files("demo")
        assert ref.url == wheel.as_uri()
        assert client.download(ref).path.read_bytes() == wheel.read_bytes()
        assert client.fetch_metadata(ref).startswith(b"Metadata-Version")
        assert client.project_files("absent") == []
