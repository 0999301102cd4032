"""End to end: a lock against a quick loopback index prefetches on two threads; against one
that is slow to answer, prefetching widens (and says so under ``-v``)."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.seedkit import write_project
from tests.support.index import IndexServer
from tests.support.runner import Runner

WIDENED = "The index is far away: prefetching on up to 8 threads"


def _project(root: Path, index_server: IndexServer) -> Path:
    names = [f"dep{i}" for i in range(8)]
    for name in names:
        index_server.index.add_wheel(name, "1.0")
    return write_project(root, "app", names)


def test_a_quick_index_keeps_prefetching_narrow(
    run: Runner, tmp_path: Path, index_server: IndexServer
) -> None:
    root = _project(tmp_path / "app", index_server)
    # The bar is the median wait of the first five answers (3 ms). On a machine busy with the
    # rest of the suite (2 CPUs, 2 workers) the loopback server's thread can miss it now and
    # then, which is the rule working as meant; an index ferry always took for far would widen
    # on every try, so a narrow one in three still proves the rule.
    outcomes = []
    for attempt in range(3):  # each with a cache of its own: every page is asked again
        (root / "uv.lock").unlink(missing_ok=True)
        cache = tmp_path / f"cache{attempt}"
        result = run("lock", "-v", "--cache-dir", str(cache), "--index-url",
                     index_server.simple_url, cwd=root)
        assert result.code == 0, result.stderr
        outcomes.append(WIDENED in result.stderr)
        if not outcomes[-1]:
            break
    assert not all(outcomes), "prefetching widened on every try against a quick index"


def test_an_index_slow_to_answer_widens_prefetching(
    run: Runner, tmp_path: Path, index_server: IndexServer
) -> None:
    root = _project(tmp_path / "app", index_server)
    index_server.delay("/simple/*", 0.02)
    result = run("lock", "-v", "--index-url", index_server.simple_url, cwd=root)
    assert result.code == 0, result.stderr
    assert WIDENED in result.stderr
