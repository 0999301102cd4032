"""Counted at the server: pages served with ``Cache-Control: max-age`` (as the Python Package
Index serves them) are not asked for again while fresh; ``--refresh`` asks anyway."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.support.index import IndexServer
from tests.support.runner import Runner


@pytest.fixture
def args(tmp_path: Path, index_server: IndexServer) -> tuple[str, ...]:
    """`pip compile` of alpha (which needs beta) on an index whose pages are fresh 10 minutes."""
    index_server.cache_control = "max-age=600, public"
    index_server.index.add_wheel("alpha", "1.0", requires=["beta"])
    index_server.index.add_wheel("beta", "1.0")
    requirements = tmp_path / "requirements.in"
    requirements.write_text("alpha\n")
    return ("pip", "compile", str(requirements), "--index-url", index_server.simple_url)


def test_a_second_compile_within_max_age_asks_the_index_nothing(
    args: tuple[str, ...], run: Runner, index_server: IndexServer
) -> None:
    assert run(*args).code == 0
    assert index_server.count("/simple/*") == 2
    index_server.clear_log()

    again = run("-v", *args)
    assert again.code == 0, again.output
    assert "alpha==1.0" in again.stdout and "beta==1.0" in again.stdout
    assert index_server.requests == [], "fresh pages and cached metadata should answer"
    assert "fresh for another" in again.stderr

    refreshed = run(*args, "--refresh")
    assert refreshed.code == 0, refreshed.output
    assert index_server.count("/simple/*") == 2


def test_an_upgrade_asks_for_fresh_pages_again(
    args: tuple[str, ...], run: Runner, index_server: IndexServer
) -> None:
    """As uv (an upgrade implies a refresh): a release from the last minutes must be seen."""
    assert run(*args).code == 0
    index_server.index.add_wheel("alpha", "2.0", requires=["beta"])  # released meanwhile
    index_server.clear_log()

    assert "alpha==1.0" in run(*args).stdout  # fresh pages: not asked
    assert index_server.count("/simple/*") == 0

    only_alpha = run(*args, "--upgrade-package", "alpha")
    assert only_alpha.code == 0, only_alpha.output
    assert "alpha==2.0" in only_alpha.stdout
    assert [r.path for r in index_server.requests if r.path.startswith("/simple/")] == [
        "/simple/alpha/"]
    index_server.clear_log()

    everything = run(*args, "--upgrade")
    assert everything.code == 0, everything.output
    assert index_server.count("/simple/*") == 2
