"""`ferry run script.py` with PEP 723 inline metadata, and `run --isolated`."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.seedkit import ok

SCRIPT = '''\
# /// script
# requires-python = ">=3.9"
# dependencies = ["greeting==1.0.0"]
# ///
import greeting
print("script sees", greeting.__version__)
'''


def test_a_script_runs_in_a_cached_environment_of_its_own(
    run, index_server, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    index_server.index.add_wheel("greeting", "1.0.0")
    script = tmp_path / "hello.py"
    script.write_text(SCRIPT, encoding="utf-8")
    env = {"FERRY_INDEX_URL": index_server.simple_url}
    first = ok(run("run", str(script), cwd=tmp_path, env=env))
    assert first.stdout.strip() == "script sees 1.0.0"
    # uv 0.13.8's words for a script's environment: the count alone, no `+` lines
    assert first.stderr.startswith("Installed 1 package in ") and " + " not in first.stderr
    index_server.clear_log()
    second = ok(run("run", str(script), cwd=tmp_path, env=env))
    assert second.stdout.strip() == "script sees 1.0.0"
    assert index_server.requests == []  # the environment was reused


def test_a_script_block_that_is_not_toml_is_a_clear_error(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    script = tmp_path / "broken.py"
    script.write_text("# /// script\n# dependencies = [\n# ///\nprint(1)\n", encoding="utf-8")
    result = run("run", str(script), cwd=tmp_path)
    assert result.code == 1, result.output
    assert "broken.py" in result.stderr and "Traceback" not in result.stderr
