"""``ferry lock --script`` and what uses a script's lock: ``run`` installs exactly the locked
versions (re-locking a stale lock first, failing under ``--locked``, taking it as it is under
``--frozen``), ``add``/``remove --script`` update it, and a failure writes nothing."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from tests.support.index import IndexServer
from tests.support.runner import Result, Runner

PY = f">={sys.version_info.major}.{sys.version_info.minor}"
SHOW = (
    "import importlib.metadata as m\n"
    "for name in ('lib', 'dep', 'colorama', 'extra'):\n"
    "    try:\n"
    "        print(name, m.version(name))\n"
    "    except m.PackageNotFoundError:\n"
    "        pass\n"
)


def script_text(url: str, *dependencies: str) -> str:
    deps = ", ".join(f'"{d}"' for d in dependencies)
    return (
        f'# /// script\n# requires-python = "{PY}"\n# dependencies = [{deps}]\n#\n'
        f'# [[tool.uv.index]]\n# url = "{url}"\n# default = true\n# ///\n{SHOW}'
    )


def ok(result: Result) -> Result:
    assert result.code == 0, result.output
    return result


def versions(result: Result) -> dict[str, str]:
    return dict(line.split() for line in ok(result).stdout.splitlines())


@pytest.fixture
def server(index_server: IndexServer) -> IndexServer:
    index = index_server.index
    index.add_wheel("lib", "1.0", requires=["dep"])
    index.add_wheel("dep", "1.0")
    index.add_wheel("colorama", "0.4")
    index.add_wheel("extra", "1.0")
    return index_server


@pytest.fixture
def script(tmp_path: Path, server: IndexServer) -> Path:
    path = tmp_path / "s.py"
    path.write_text(
        script_text(server.simple_url, "lib", "colorama; sys_platform == 'win32'"),
        encoding="utf-8",
    )
    return path


def lock_of(script: Path) -> Path:
    return script.with_name(script.name + ".lock")


def test_run_installs_the_locked_versions_even_when_newer_ones_appear(
    run: Runner, script: Path, server: IndexServer, tmp_path: Path
) -> None:
    ok(run("lock", "--script", "s.py"))
    locked = lock_of(script).read_bytes()
    assert b'name = "lib"\nversion = "1.0"' in locked
    server.index.add_wheel("lib", "2.0", requires=["dep>=2"])
    server.index.add_wheel("dep", "2.0")
    server.clear_log()
    # The lock still satisfies the block: no index page is asked for, the lock is not rewritten,
    # and the win32-only requirement is left out on this platform.
    assert versions(run("run", "s.py")) == {"lib": "1.0", "dep": "1.0"}
    assert server.count("/simple/*") == 0
    assert lock_of(script).read_bytes() == locked
    # The same block without a lock resolves again and gets the new release.
    twin = tmp_path / "unlocked.py"
    twin.write_text(script.read_text(encoding="utf-8"), encoding="utf-8")
    assert versions(run("run", "unlocked.py")) == {"lib": "2.0", "dep": "2.0"}


def test_run_relocks_a_stale_lock_first_keeping_the_locked_versions(
    run: Runner, script: Path, server: IndexServer
) -> None:
    ok(run("lock", "--script", "s.py"))
    server.index.add_wheel("lib", "2.0")
    script.write_text(script.read_text().replace('"lib"', '"lib", "extra"'), encoding="utf-8")
    # The new requirement is locked; lib keeps its locked version (a preference, as in uv).
    assert versions(run("run", "s.py")) == {"lib": "1.0", "dep": "1.0", "extra": "1.0"}
    assert 'name = "extra"' in lock_of(script).read_text()
    ok(run("lock", "--script", "s.py", "--upgrade-package", "lib"))
    assert versions(run("run", "s.py")) == {"lib": "2.0", "extra": "1.0"}


def test_a_stale_lock_with_locked_fails_clearly_and_changes_nothing(
    run: Runner, script: Path, tmp_path: Path
) -> None:
    ok(run("lock", "--script", "s.py"))
    locked = lock_of(script).read_bytes()
    script.write_text(script.read_text().replace('"lib"', '"lib", "extra"'), encoding="utf-8")
    for command in (("run", "--locked", "s.py"), ("lock", "--script", "s.py", "--locked")):
        result = run(*command)
        assert result.code == 1, result.output
        assert result.stdout == ""  # the script did not run
        assert "The lockfile at `s.py.lock` needs to be updated, but `--locked`" in result.stderr
        assert "`extra` is new" in result.stderr
        assert "Traceback" not in result.stderr
        assert lock_of(script).read_bytes() == locked
    environments = tmp_path / "cache" / "environments-v1" / "scripts"
    assert not environments.exists() or not any(environments.iterdir())


def test_frozen_uses_a_stale_lock_as_it_is(run: Runner, script: Path) -> None:
    ok(run("lock", "--script", "s.py"))
    locked = lock_of(script).read_bytes()
    script.write_text(script.read_text().replace('"lib"', '"lib", "extra"'), encoding="utf-8")
    assert versions(run("run", "--frozen", "s.py")) == {"lib": "1.0", "dep": "1.0"}
    assert lock_of(script).read_bytes() == locked


def test_a_fresh_lock_is_kept_without_asking_the_index(
    run: Runner, script: Path, server: IndexServer
) -> None:
    first = ok(run("lock", "--script", "s.py"))
    assert first.stderr.startswith("Resolved 3 packages in ")
    before = lock_of(script).stat().st_mtime_ns
    server.clear_log()
    again = ok(run("lock", "--script", "s.py"))
    assert again.stderr.startswith("Resolved 3 packages in ")
    assert server.requests == []
    assert lock_of(script).stat().st_mtime_ns == before


def test_missing_locks_under_frozen_and_locked_are_named(run: Runner, script: Path) -> None:
    for flag in ("--frozen", "--locked"):
        result = run("lock", "--script", "s.py", flag)
        assert result.code == 1
        assert f"Unable to find lockfile at `s.py.lock`, but `{flag}` was provided" in (
            result.stderr
        )
    assert not lock_of(script).exists()


def test_a_failed_edit_or_relock_leaves_script_and_lock_untouched(
    run: Runner, script: Path
) -> None:
    ok(run("lock", "--script", "s.py"))
    before = (script.read_bytes(), lock_of(script).read_bytes())
    added = run("add", "--script", "s.py", "nonexistent")
    assert added.code == 1, added.output
    assert (script.read_bytes(), lock_of(script).read_bytes()) == before
    script.write_text(script.read_text().replace('"lib"', '"lib>=9"'), encoding="utf-8")
    edited = script.read_bytes()
    ran = run("run", "s.py")
    assert ran.code == 1 and ran.stdout == "", ran.output
    assert (script.read_bytes(), lock_of(script).read_bytes()) == (edited, before[1])


def test_add_and_remove_update_an_existing_lock_only(run: Runner, script: Path) -> None:
    ok(run("add", "--script", "s.py", "extra"))
    assert not lock_of(script).exists()  # no lock is created by an edit
    ok(run("lock", "--script", "s.py"))
    ok(run("remove", "--script", "s.py", "extra"))
    assert 'name = "extra"' not in lock_of(script).read_text()
    ok(run("lock", "--script", "s.py", "--locked"))
    ok(run("add", "--script", "s.py", "extra"))
    assert '{ name = "extra", specifier = ">=1.0" }' in lock_of(script).read_text()
    ok(run("lock", "--script", "s.py", "--locked"))
    frozen = ok(run("remove", "--script", "s.py", "extra", "--frozen"))
    assert "was not updated (`--frozen`)" in frozen.stderr
    assert 'name = "extra"' in lock_of(script).read_text()
    assert run("lock", "--script", "s.py", "--locked").code == 1


def test_a_damaged_lock_is_replaced_unless_it_must_be_used(run: Runner, script: Path) -> None:
    lock_of(script).write_text("version = 1\n[[package]\n", encoding="utf-8")
    strict = run("run", "--locked", "s.py")
    assert strict.code != 0 and "Traceback" not in strict.stderr
    result = ok(run("lock", "--script", "s.py"))
    assert "Ignoring the existing lockfile `s.py.lock`, which cannot be read" in result.stderr
    ok(run("lock", "--script", "s.py", "--locked"))
    assert versions(run("run", "s.py")) == {"lib": "1.0", "dep": "1.0"}


def test_run_with_adds_packages_on_top_of_the_locked_environment(
    run: Runner, script: Path
) -> None:
    ok(run("lock", "--script", "s.py"))
    assert versions(run("run", "--with", "extra", "s.py")) == {
        "lib": "1.0", "dep": "1.0", "extra": "1.0",
    }
