"""``tree --outdated`` reports the newest release that fits the project's ``requires-python``,
as uv does (ferry once reported a release whose files all need a newer Python than the
project supports: s9 review W10)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.support.index import LocalIndex
from tests.support.peers import find_uv
from tests.support.runner import Runner

UV = find_uv()
EXPECTED = "app v0.1.0\n└── top v1.0.0\n    └── leaf v1.0.0 (latest: v1.2.0)\n"


def test_outdated_skips_releases_for_a_newer_python(
    run: Runner, tmp_path: Path, local_index: LocalIndex
) -> None:
    local_index.add_wheel("leaf", "1.0.0", requires_python=">=3.8")
    local_index.add_wheel("top", "1.0.0", requires=["leaf"])
    project = tmp_path / "app"
    project.mkdir()
    (project / "pyproject.toml").write_text(
        '[project]\nname = "app"\nversion = "0.1.0"\nrequires-python = ">=3.9"\n'
        'dependencies = ["top"]\n', encoding="utf-8")
    locked = run("lock", "--index-url", local_index.file_url, cwd=project)
    assert locked.code == 0, locked.stderr
    local_index.add_wheel("leaf", "1.2.0", requires_python=">=3.9")
    newer = local_index.add_wheel("leaf", "1.5.0", requires_python=">=3.10")
    local_index.update(newer.filename, requires_python=">=3.10")

    result = run("tree", "--frozen", "--universal", "--outdated", cwd=project)
    assert result.code == 0, result.stderr
    assert result.stdout == EXPECTED
    if UV is None:
        return
    env = {k: v for k, v in os.environ.items() if not k.startswith(("UV_", "PIP_"))}
    env["UV_CACHE_DIR"] = str(tmp_path / "uv-cache")
    theirs = subprocess.run([UV, "tree", "--frozen", "--universal", "--outdated"],
                            cwd=project, capture_output=True, text=True, env=env, check=False)
    assert theirs.returncode == 0, theirs.stderr
    assert theirs.stdout == EXPECTED
