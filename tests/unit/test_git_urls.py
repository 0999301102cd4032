"""``ferry.model.git``: a git reference as requirement, source, lock entry and PEP 610 record."""

from __future__ import annotations

import pytest

from ferry.model.git import GitUrl, comparable_url, is_commit, url_from_pep610

COMMIT = "8a147df0bc0b9411816d239fd15a6146807d622d"


def test_requirement_urls_parse() -> None:
    url = GitUrl.parse("git+https://user:tok@host/org/repo.git@v1.2#egg=x&subdirectory=pkg/a")
    assert url == GitUrl("https://user:tok@host/org/repo.git", "rev", "v1.2", "pkg/a")
    assert url.requirement_url() == "git+https://user:tok@host/org/repo.git@v1.2#subdirectory=pkg/a"
    assert GitUrl.parse("git+file:///tmp/repo").reference is None
    assert GitUrl.parse(f"git+ssh://git@host/repo@{COMMIT}").commit == COMMIT
    with pytest.raises(ValueError):
        GitUrl.parse("https://host/repo")


def test_lock_spellings_drop_credentials_and_keep_the_reference_kind() -> None:
    source = GitUrl.from_source("https://user:tok@host/repo", tag="v1", subdirectory="sub")
    assert source.lock_requirement() == "https://host/repo?subdirectory=sub&tag=v1"
    assert source.resolved(COMMIT).lock_source() == (
        f"https://host/repo?subdirectory=sub&tag=v1#{COMMIT}")
    assert GitUrl.from_source("https://host/repo", branch="main").lock_requirement() == (
        "https://host/repo?branch=main")
    # An SSH user is an address, not a secret (uv keeps it too).
    assert GitUrl.parse("git+ssh://git@host/repo").lock_requirement() == "ssh://git@host/repo"
    with pytest.raises(ValueError):
        source.lock_source()


def test_lock_sources_read_back() -> None:
    read = GitUrl.from_lock(f"file:///tmp/repo?subdirectory=sub&branch=main#{COMMIT}")
    assert read == GitUrl("file:///tmp/repo", "branch", "main", "sub", COMMIT)
    assert read.requirement_url() == f"git+file:///tmp/repo@{COMMIT}#subdirectory=sub"
    assert GitUrl.from_lock(f"https://host/repo#{COMMIT}").ref_kind is None


def test_pep610_round_trip_compares_by_commit_without_credentials() -> None:
    url = GitUrl.parse("git+https://u:p@host/repo@main#subdirectory=sub").resolved(COMMIT)
    record = url.pep610()
    assert record == {"url": "https://host/repo", "subdirectory": "sub",
                      "vcs_info": {"vcs": "git", "commit_id": COMMIT,
                                   "requested_revision": "main"}}
    assert url_from_pep610(record) == comparable_url(url.requirement_url())
    assert url_from_pep610({"url": "https://host/x.whl", "archive_info": {}}) is None
    assert is_commit(COMMIT) and not is_commit(COMMIT[:7])
