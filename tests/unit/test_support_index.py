"""LocalIndex: the PEP 503/691/658 tree it writes, and that pip and uv can use it via file://."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from tests.support.index import LocalIndex


def clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "UV_", "VIRTUAL_ENV"))}
    env["PIP_CONFIG_FILE"] = os.devnull
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def uv_binary() -> str:
    try:
        from uv import find_uv_bin
    except ImportError:
        pytest.skip("uv is not installed")
    return str(find_uv_bin())


def uv_compile(
    index_url: str, requirements: str, tmp_path: Path
) -> subprocess.CompletedProcess[str]:
    req = tmp_path / "requirements.in"
    req.write_text(requirements)
    return subprocess.run(
        [uv_binary(), "pip", "compile", "--no-config", "--no-cache", "--no-header",
         "--python-version", "3.11", "--index-url", index_url, str(req)],
        capture_output=True, text=True, env=clean_env(), timeout=120, check=False,
    )


def pip_download(index_url: str, dest: Path, *reqs: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--dest", str(dest),
         "--index-url", index_url, *reqs],
        capture_output=True, text=True, env=clean_env(), timeout=120, check=False,
    )


def test_pages_carry_hashes_requires_python_yanked_and_upload_time(local_index: LocalIndex) -> None:
    wheel = local_index.add_wheel("Pkg_One", "1.0", requires_python=">=3.8,<4",
                                  upload_time=datetime(2024, 5, 6, 7, 8, 9))
    local_index.add_wheel("pkg-one", "2.0", yanked="broken build")
    local_index.add_sdist("pkg-one", "2.0", yanked=True)
    page = (local_index.simple_dir / "pkg-one" / "index.html").read_text()
    assert f'#sha256={wheel.sha256}"' in page
    assert 'data-requires-python="&gt;=3.8,&lt;4"' in page
    assert 'data-yanked="broken build"' in page and 'data-yanked=""' in page
    assert 'data-upload-time="2024-05-06T07:08:09.000000Z"' in page
    assert f'data-core-metadata="sha256={wheel.metadata_sha256}"' in page
    root = (local_index.simple_dir / "index.html").read_text()
    assert '<a href="pkg-one/">pkg-one</a>' in root

    data = json.loads((local_index.simple_dir / "pkg-one" / "index.json").read_text())
    assert data["meta"]["api-version"] == "1.1" and data["versions"] == ["1.0", "2.0"]
    first = data["files"][0]
    assert first["filename"] == "pkg_one-1.0-py3-none-any.whl"
    assert first["hashes"] == {"sha256": wheel.sha256}
    assert first["requires-python"] == ">=3.8,<4"
    assert first["upload-time"] == "2024-05-06T07:08:09.000000Z"
    assert first["core-metadata"] == {"sha256": wheel.metadata_sha256}
    assert first["size"] == wheel.size
    assert [f["yanked"] for f in data["files"]] == [False, "broken build", True]

    metadata = (local_index.files_dir / f"{wheel.filename}.metadata").read_bytes()
    assert metadata.startswith(b"Metadata-Version: 2.1\nName: Pkg_One\n")


def test_lies_and_flags(tmp_path: Path) -> None:
    index = LocalIndex(tmp_path / "plain", json_pages=False, core_metadata=False)
    entry = index.add_wheel("a", "1.0")
    assert not (index.simple_dir / "a" / "index.json").exists()
    assert not (index.files_dir / f"{entry.filename}.metadata").exists()
    assert "data-core-metadata" not in (index.simple_dir / "a" / "index.html").read_text()

    index.update(entry.filename, fragment="sha256=" + "0" * 64)
    assert "#sha256=" + "0" * 64 in (index.simple_dir / "a" / "index.html").read_text()
    index.update(entry.filename, fragment="")
    assert "#" not in (index.simple_dir / "a" / "index.html").read_text().split("href=")[1][:80]

    index.json_pages = True
    index.update(entry.filename, advertised_size=1)
    index.build()
    data = json.loads((index.simple_dir / "a" / "index.json").read_text())
    assert data["files"][0]["size"] == 1 and data["files"][0]["hashes"] == {}

    index.remove(entry.filename)
    assert not (index.simple_dir / "a").exists()
    assert not (index.files_dir / entry.filename).exists()
    assert "a/" not in (index.simple_dir / "index.html").read_text()


def test_add_copies_external_files_and_reads_requires_python(
    tmp_path: Path, local_index: LocalIndex
) -> None:
    from tests.support.wheels import make_sdist, make_wheel

    entry = local_index.add(make_wheel(tmp_path / "w", "b", "1.0", requires_python=">=3.10"))
    assert entry.requires_python == ">=3.10" and (local_index.files_dir / entry.filename).is_file()
    sdist = local_index.add(make_sdist(tmp_path / "w", "b", "1.0", requires_python=">=3.9"),
                            requires_python=">=3.7")
    assert sdist.requires_python == ">=3.7" and sdist.metadata is not None
    assert [e.filename for e in local_index.files_of("B")] == ["b-1.0-py3-none-any.whl",
                                                              "b-1.0.tar.gz"]


def test_pip_and_uv_use_the_file_url(tmp_path: Path, local_index: LocalIndex) -> None:
    local_index.add_wheel("app", "1.0", requires=["lib>=1"])
    local_index.add_wheel("lib", "1.0")
    local_index.add_wheel("lib", "2.0")
    local_index.add_wheel("lib", "3.0", requires_python=">=3.99")
    local_index.add_wheel("lib", "2.5", yanked="bad")
    proc = pip_download(local_index.file_url, tmp_path / "dl", "lib")
    assert proc.returncode == 0, proc.stderr
    assert [p.name for p in (tmp_path / "dl").iterdir()] == ["lib-2.0-py3-none-any.whl"]
    proc = uv_compile(local_index.file_url, "app\n", tmp_path)
    assert proc.returncode == 0, proc.stderr
    pins = [line for line in proc.stdout.splitlines() if "==" in line]
    assert pins == ["app==1.0", "lib==2.0"]
