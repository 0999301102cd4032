"""Requirements files where only some lines carry ``--hash``, side by side with uv 0.13.8: without
``--require-hashes`` the given hashes of pinned lines are verified and the rest installs (uv's
verify-hashes mode, not pip's "any hash means hash mode"); with it (flag or file option) every
requirement and dependency needs one, refused with uv's first error line."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from tests.e2e.tool_pair_s16 import run_tool as _run
from tests.support.server import IndexServer

WRONG = "0" * 64


def _error(stderr: str) -> str:
    return next((line for line in stderr.splitlines() if line.startswith("error:")), "")


@pytest.mark.usefixtures("isolated_env")
def test_partly_hashed_files_as_uv(tmp_path: Path, index_server: IndexServer,
                                   python_exe) -> None:  # type: ignore[no-untyped-def]
    index = index_server.index
    shas = {}
    for name, requires in (("six", []), ("idna", []), ("alpha", ["beta"]), ("beta", [])):
        entry = index.add_wheel(name, "1.0", requires=requires)
        shas[name] = hashlib.sha256((index.files_dir / entry.filename).read_bytes()).hexdigest()
    python = str(python_exe("3.12"))
    url = index_server.simple_url
    files = {
        "partial": f"six==1.0 --hash=sha256:{shas['six']}\nidna==1.0\n",
        "partial-wrong": f"six==1.0 --hash=sha256:{WRONG}\nidna==1.0\n",
        "unpinned-wrong": f"six>=0.5 --hash=sha256:{WRONG}\nidna==1.0\n",
        "option": f"--require-hashes\nsix==1.0 --hash=sha256:{shas['six']}\nidna==1.0\n",
        "dependency": f"alpha==1.0 --hash=sha256:{shas['alpha']}\n",
    }
    for name, text in files.items():
        (tmp_path / f"{name}.txt").write_text(text, encoding="utf-8")
    cases = [
        ("sync", "partial.txt"), ("sync", "partial-wrong.txt"), ("sync", "unpinned-wrong.txt"),
        ("sync", "partial.txt", "--require-hashes"), ("sync", "option.txt"),
        ("install", "-r", "dependency.txt"), ("install", "-r", "dependency.txt",
                                                "--require-hashes"),
    ]
    seen: dict[str, list[tuple[bool, str, list[str]]]] = {}
    for tool in ("uv", "ferry"):
        for case in cases:
            venv = tmp_path / f"{tool}-venv"
            made = _run(tool, ["venv", "-q", "--clear", "--python", python, str(venv)],
                        tmp_path, url)
            assert made.returncode == 0, made.stderr
            done = _run(tool, ["pip", case[0], "--python", str(venv), *case[1:]], tmp_path, url)
            added = sorted(line.strip() for line in done.stderr.splitlines()
                           if line.startswith(" +"))
            first_error = _error(done.stderr)
            if "mismatch" in done.stderr.lower():
                first_error = "Hash mismatch for `six==1.0`" * ("`six==1.0`" in done.stderr)
            seen.setdefault(tool, []).append((done.returncode == 0, first_error, added))
    assert seen["ferry"] == seen["uv"]
    assert [ok for ok, _, _ in seen["ferry"]] == [True, False, True, False, False, True, False]
