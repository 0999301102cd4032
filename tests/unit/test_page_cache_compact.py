"""The index-v1 page cache: compact rows, and reuse of the parsed rows when a server without
validators sends the same bytes again (no parse, no rewrite)."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from test_index_support import Recorder, html_response, make_cache

from ferry.cache.store import Cache
from ferry.index import pages
from ferry.index.client import IndexClient, IndexConfig, page_cache_key
from ferry.index.http import HttpClient
from ferry.index.page_rows import body_digest, files_from_rows, rows_from_files
from ferry.index.pages import INDEX_BUCKET, file_to_json
from ferry.model.dist import FileRef, Hashes

INDEX = "https://public.example/simple"
PAGE_URL = f"{INDEX}/demo/"


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cache:
    monkeypatch.setenv("NETRC", str(tmp_path / "no-netrc"))  # no user credentials
    return make_cache(tmp_path)


def page(*filenames: str) -> str:
    links = "".join(
        f'<a href="../../files/{f}#sha256={"ab" * 32}" data-requires-python="&gt;=3.9">{f}</a>\n'
        for f in filenames
    )
    return f"<!DOCTYPE html><html><body>{links}</body></html>"


def client(recorder: Recorder, cache: Cache, **config: object) -> IndexClient:
    http = HttpClient(recorder.transport(), backoff=0)
    return IndexClient(IndexConfig(index_urls=(INDEX,), **config), cache, http)  # type: ignore[arg-type]


def files_of(recorder: Recorder, cache: Cache, **config: object) -> list[FileRef]:
    """One "process": a client that is closed afterwards, so its cache entries are written."""
    with client(recorder, cache, **config) as one:
        return one.project_files("demo")


def entry(cache: Cache) -> dict[str, object]:
    value = cache.read_json(INDEX_BUCKET, page_cache_key(INDEX, "demo"))
    assert isinstance(value, dict)
    return value


def count_parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    parsed: list[str] = []
    real = pages.parse_page

    def counting(content: bytes, content_type: str | None, page_url: str,
                 index_url: str | None = None) -> list[FileRef]:
        parsed.append(page_url)
        return real(content, content_type, page_url, index_url)

    monkeypatch.setattr(pages, "parse_page", counting)
    return parsed


def test_rows_round_trip_every_field() -> None:
    files = [
        FileRef("demo-1.0-py3-none-any.whl", "https://h/demo-1.0-py3-none-any.whl",
                Hashes.of(sha256="aa" * 32, md5="bb" * 16), ">=3.9", "broken",
                "2024-01-02T03:04:05Z", 1234, Hashes.of(sha256="cc" * 32), "https://h/simple"),
        FileRef("demo-1.0.tar.gz", "https://h/demo-1.0.tar.gz", index_url="https://h/simple"),
        FileRef("demo-0.9.tar.gz", "https://h/demo-0.9.tar.gz", yanked="", metadata=Hashes(),
                index_url="https://h/simple"),
    ]
    rows = json.loads(json.dumps(rows_from_files(files)))
    assert files_from_rows(rows, "https://h/simple") == files


def test_a_damaged_row_is_an_error() -> None:
    with pytest.raises((TypeError, ValueError)):
        files_from_rows([[None, "u", [], None, None, None, None, None]], None)
    with pytest.raises((TypeError, ValueError)):
        files_from_rows([["only", "three", []]], None)


def test_same_bytes_without_validators_reuse_the_rows(
    cache: Cache, monkeypatch: pytest.MonkeyPatch
) -> None:
    parsed = count_parses(monkeypatch)
    recorder = Recorder({PAGE_URL: html_response(page("demo-1.0.tar.gz", "demo-2.0.tar.gz"))})
    first = files_of(recorder, cache)
    stored = entry(cache)
    assert "rows" in stored and "files" not in stored
    assert stored["digest"] == body_digest(
        PAGE_URL, "text/html", page("demo-1.0.tar.gz", "demo-2.0.tar.gz").encode())
    second = files_of(recorder, cache)  # a new "process"
    assert second == first
    assert len(recorder.requests) == 2  # asked again: there are no validators
    assert parsed == [PAGE_URL]  # but parsed once
    assert entry(cache) == stored  # and not rewritten (same fetch time)


def test_changed_bytes_are_parsed_and_stored(
    cache: Cache, monkeypatch: pytest.MonkeyPatch
) -> None:
    parsed = count_parses(monkeypatch)
    recorder = Recorder({PAGE_URL: html_response(page("demo-1.0.tar.gz"))})
    files_of(recorder, cache)
    recorder.routes[PAGE_URL] = html_response(page("demo-1.0.tar.gz", "demo-2.0.tar.gz"))
    files = files_of(recorder, cache)
    assert [f.filename for f in files] == ["demo-1.0.tar.gz", "demo-2.0.tar.gz"]
    assert len(parsed) == 2
    assert len(entry(cache)["rows"]) == 2  # type: ignore[arg-type]


def test_damaged_rows_with_the_same_digest_are_parsed_again(
    cache: Cache, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorder = Recorder({PAGE_URL: html_response(page("demo-1.0.tar.gz"))})
    first = files_of(recorder, cache)
    damaged = {**entry(cache), "rows": [["demo-1.0.tar.gz"]]}
    cache.write_json(INDEX_BUCKET, page_cache_key(INDEX, "demo"), damaged)
    parsed = count_parses(monkeypatch)
    assert files_of(recorder, cache) == first
    assert parsed == [PAGE_URL]
    assert "rows" in entry(cache) and entry(cache) != damaged


def test_an_older_entry_with_file_objects_still_serves_a_304(cache: Cache) -> None:
    ref = FileRef("demo-1.0.tar.gz", "https://public.example/files/demo-1.0.tar.gz",
                  Hashes.of(sha256="ab" * 32), ">=3.9", index_url=INDEX)
    cache.write_json(INDEX_BUCKET, page_cache_key(INDEX, "demo"), {
        "url": PAGE_URL, "status": 200, "etag": '"v1"', "last_modified": None,
        "fetched_at": 0, "files": [file_to_json(ref)],
    })
    recorder = Recorder({PAGE_URL: httpx.Response(304)})
    assert files_of(recorder, cache) == [ref]
    assert recorder.requests[0].headers["if-none-match"] == '"v1"'


@pytest.mark.parametrize("mode", ["offline", "prefer_offline"])
def test_offline_modes_read_the_rows(cache: Cache, mode: str) -> None:
    recorder = Recorder({PAGE_URL: html_response(page("demo-1.0.tar.gz"))})
    first = files_of(recorder, cache)
    recorder.routes.clear()
    assert files_of(recorder, cache, **{mode: True}) == first
    assert len(recorder.requests) == 1
