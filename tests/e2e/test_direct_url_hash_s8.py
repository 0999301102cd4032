"""The ``#sha256=`` of a direct reference is checked, as pip and uv check it (s8 review, pip 1).

It used to be dropped with the rest of the fragment: any bytes were installed.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from tests.e2e.seedkit import installed, ok

WRONG = "0" * 64


@pytest.fixture
def venv(tmp_path: Path, run) -> Path:  # type: ignore[no-untyped-def]
    ok(run("venv", str(tmp_path / "v"), "-q"))
    return tmp_path / "v"


def _url(kind: str, make_wheel, index_server, tmp_path: Path) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    if kind == "file":
        wheel = make_wheel("direct", "1.0")
        return wheel.as_uri(), hashlib.sha256(wheel.read_bytes()).hexdigest()
    index_server.index.add_wheel("direct", "1.0")
    url = index_server.simple_url.replace("/simple/", "/files/direct-1.0-py3-none-any.whl")
    served = next(Path(index_server.index.root).rglob("direct-1.0-py3-none-any.whl"))
    return url, hashlib.sha256(served.read_bytes()).hexdigest()


@pytest.mark.parametrize("kind", ["file", "http"])
def test_a_wrong_fragment_hash_is_refused_and_a_right_one_installs(
    kind: str, venv: Path, run, make_wheel, index_server, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    url, digest = _url(kind, make_wheel, index_server, tmp_path)
    refused = run("pip", "install", "--python", str(venv), f"direct @ {url}#sha256={WRONG}")
    assert refused.code == 1, refused.output
    assert "Hash mismatch" in refused.stderr and digest in refused.stderr
    assert "direct" not in installed(venv)
    ok(run("pip", "install", "--python", str(venv), f"direct @ {url}#sha256={digest}"))
    assert installed(venv)["direct"] == "1.0"
    ok(run("pip", "uninstall", "--python", str(venv), "direct"))
    # the file is in the cache now; a wrong hash is still refused, not answered from it
    again = run("pip", "install", "--python", str(venv), f"direct @ {url}#sha256={WRONG}")
    assert again.code == 1 and "Hash mismatch" in again.stderr


def test_a_malformed_fragment_hash_is_a_clear_error(
    venv: Path, run, make_wheel, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    wheel = make_wheel("direct", "1.0")
    result = run("pip", "install", "--python", str(venv), f"direct @ {wheel.as_uri()}#sha256=zz")
    assert result.code == 1
    assert "Invalid hash in the URL" in result.stderr and "Traceback" not in result.stderr
