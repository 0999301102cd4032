"""The `Prepared N packages (…)` line counts what the command really downloaded (s8 F5, F11, F10).

Seed uv#13727: users read this line to see whether their Docker cache mount works. So it must
show every file the command fetched into the cache, the sdists it built and the build
requirements of isolated build environments included (a cold cache must not look warm), and it
must not call a wheel an earlier command built "built" (a warm cache must not look cold). The
numbers are checked against the loopback index's own count of file downloads.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from tests.e2e.seedkit import installed, ok
from tests.e2e.test_run_installs_project_s8d import packaged_project

PREPARED = re.compile(
    r"^Prepared (?P<n>\d+) packages? in \S+ \((?:(?P<built>\d+) built, )?(?P<cache>\d+) from "
    r"cache, (?P<down>\d+) downloaded(?:, (?P<other>\d+) other files? downloaded)?"
    r"(?P<tail>, [^;]+; cache: .+)?\)$"
)


def prepared(stderr: str) -> dict[str, int | str]:
    """The counts of the one `Prepared` line of ``stderr``."""
    lines = [line for line in stderr.splitlines() if line.startswith("Prepared")]
    assert len(lines) == 1, stderr
    match = PREPARED.match(lines[0])
    assert match is not None, lines[0]
    counts: dict[str, int | str] = {
        key: int(match.group(key) or 0) for key in ("n", "built", "cache", "down", "other")
    }
    counts["tail"] = match.group("tail") or ""
    assert counts["built"] + counts["cache"] + counts["down"] == counts["n"]  # type: ignore[operator]
    return counts


@pytest.fixture
def sdist_index(index_server):  # type: ignore[no-untyped-def]
    """`sdonly` ships only an sdist, whose isolated build needs `buildhelper`; `dep` is a wheel."""
    index_server.index.add_wheel("buildhelper", "1.0")
    index_server.index.add_wheel("dep", "1.0")
    index_server.index.add_sdist("sdonly", "1.0", requires=["dep"], build_requires=["buildhelper"])
    return index_server


def _install(run, venv: str, url: str, *args: str):  # type: ignore[no-untyped-def]
    return ok(run("pip", "install", "--python", venv, "-i", url, *args))


def test_a_cold_cache_counts_the_sdist_and_the_build_requirements(
    sdist_index, run, tmp_cache: Path  # type: ignore[no-untyped-def]
) -> None:
    ok(run("venv", "v1", "-q"))
    result = _install(run, "v1", sdist_index.simple_url, "sdonly")
    fetched = sorted(Path(r.path).name for r in sdist_index.file_downloads())
    assert fetched == ["buildhelper-1.0-py3-none-any.whl", "dep-1.0-py3-none-any.whl",
                       "sdonly-1.0.tar.gz"]
    counts = prepared(result.stderr)
    assert (counts["built"], counts["cache"], counts["down"]) == (1, 0, 1)
    assert counts["down"] + counts["other"] == len(fetched)  # type: ignore[operator]
    assert f"; cache: {tmp_cache}" in str(counts["tail"])


def test_only_an_sdist_and_its_build_requirement_downloaded_is_not_a_warm_cache(
    index_server, run, tmp_cache: Path  # type: ignore[no-untyped-def]
) -> None:
    """The reviewer's minimal repro: before, `(1 built, 0 from cache, 0 downloaded)`."""
    index_server.index.add_wheel("buildhelper", "1.0")
    index_server.index.add_sdist("alone", "0.9", build_requires=["buildhelper"])
    ok(run("venv", "v", "-q"))
    result = _install(run, "v", index_server.simple_url, "alone==0.9")
    counts = prepared(result.stderr)
    assert (counts["built"], counts["down"], counts["other"]) == (1, 0, 2)
    assert len(index_server.file_downloads()) == 2
    assert str(tmp_cache) in str(counts["tail"])


def test_a_wheel_built_by_an_earlier_command_counts_as_from_cache(
    sdist_index, run, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    ok(run("venv", "v1", "-q"))
    _install(run, "v1", sdist_index.simple_url, "sdonly")
    sdist_index.clear_log()
    ok(run("venv", "v2", "-q"))
    again = prepared(_install(run, "v2", sdist_index.simple_url, "sdonly").stderr)
    assert (again["built"], again["cache"], again["down"], again["other"]) == (0, 2, 0, 0)
    assert again["tail"] == ""  # nothing downloaded: no size, no cache path
    reinstall = _install(run, "v2", sdist_index.simple_url, "--reinstall", "sdonly")
    counts = prepared(reinstall.stderr)
    assert (counts["built"], counts["cache"], counts["down"]) == (0, 2, 0)
    assert sdist_index.file_downloads() == []
    assert installed(tmp_path / "v2")["sdonly"] == "1.0"


@pytest.mark.parametrize("flag", [("-U",), ("--upgrade-package", "dep")])
def test_upgrade_with_nothing_newer_says_audited(
    sdist_index, run, flag: tuple[str, ...]  # type: ignore[no-untyped-def]
) -> None:
    ok(run("venv", "v", "-q"))
    _install(run, "v", sdist_index.simple_url, "dep")
    result = _install(run, "v", sdist_index.simple_url, *flag, "dep")
    named, *lines = result.stderr.splitlines()
    assert named.endswith(" environment at: v")  # uv's line for an environment named by -p
    assert lines[0].startswith("Resolved 1 package in ")
    assert re.fullmatch(r"Checked 1 package in \S+", lines[1]), result.stderr
    assert len(lines) == 2


def test_upgrade_that_changes_something_prints_no_audit(
    sdist_index, run  # type: ignore[no-untyped-def]
) -> None:
    ok(run("venv", "v", "-q"))
    _install(run, "v", sdist_index.simple_url, "dep")
    sdist_index.index.add_wheel("dep", "2.0")
    result = _install(run, "v", sdist_index.simple_url, "-U", "dep")
    assert "Checked" not in result.stderr
    assert " + dep==2.0" in result.stderr


# -- the Docker recipe's project layer ---------------------------------------------------------


@pytest.fixture
def packaged(tmp_path: Path, sdist_index) -> Path:  # type: ignore[no-untyped-def]
    """A project whose own build needs `buildhelper` from the index (like hatchling)."""
    return packaged_project(tmp_path, sdist_index.simple_url, requires=["dep"],
                            build_requires=["buildhelper"])


def _layers(template: Path, where: Path, run, env: dict[str, str]) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    where.mkdir()
    for name in ("pyproject.toml", "uv.lock"):
        shutil.copy2(template / name, where / name)
    deps = ok(run("sync", "--frozen", "--no-install-project", "--no-dev", cwd=where, env=env))
    shutil.copytree(template, where, dirs_exist_ok=True)
    project = ok(run("sync", "--frozen", "--no-dev", cwd=where, env=env))
    return deps.stderr, project.stderr


def test_the_project_layer_shows_its_build_requirements_downloads(
    packaged: Path, tmp_path: Path, run, sdist_index  # type: ignore[no-untyped-def]
) -> None:
    ok(run("lock", cwd=packaged))
    cache = tmp_path / "mounted"
    # No FERRY_INDEX_URL: the build environment finds `buildhelper` on the project's own
    # default index (`[[tool.uv.index]]`), as uv's does.
    env = {"FERRY_CACHE_DIR": str(cache), "FERRY_LINK_MODE": "copy"}
    sdist_index.clear_log()
    deps, project = _layers(packaged, tmp_path / "build1", run, env)
    assert [Path(r.path).name for r in sdist_index.file_downloads()] == [
        "dep-1.0-py3-none-any.whl", "buildhelper-1.0-py3-none-any.whl",
    ]
    first = prepared(deps)
    assert (first["cache"], first["down"], first["other"]) == (0, 1, 0)
    layer = prepared(project)  # before: (1 built, 0 from cache, 0 downloaded), looking warm
    assert (layer["built"], layer["down"], layer["other"]) == (1, 0, 1)
    assert f"; cache: {cache}" in str(layer["tail"])

    sdist_index.clear_log()
    deps, project = _layers(packaged, tmp_path / "build2", run, env)
    assert sdist_index.file_downloads() == []
    assert prepared(deps)["cache"] == 1
    layer = prepared(project)  # an editable build of another directory: built, nothing fetched
    assert (layer["down"], layer["other"], layer["tail"]) == (0, 0, "")
    assert installed(tmp_path / "build2" / ".venv") == {"app": "0.1.0", "dep": "1.0"}
