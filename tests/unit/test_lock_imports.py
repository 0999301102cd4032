"""What ``ferry lock`` loads when it resolves: the resolver and the index client, nothing of the
build or install machinery, and no CA bundle for an ``http://`` index.

A fresh ``ferry lock`` against a warm cache costs a few hundred milliseconds, a third of them
imports; each stray module costs 0.1-5 ms and reading the CA bundle ~40 ms. Builds (sdists with
no wheel, dynamic metadata) and downloads are the exceptions that import their machinery when
they happen; this test runs ferry in a subprocess against a loopback index whose packages all
have wheels and lists ``sys.modules`` when it is done (``SSL_CERT_FILE`` names a file that does
not exist, so reading a bundle would fail the lock).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.support.index import IndexServer
from tests.unit.test_startup_imports import loaded_modules

# Needed only to build or install: a lock whose every package has a wheel never uses them.
# (click neither: a plain `ferry lock` is read by ferry.cli.lean.)
NOT_FOR_A_LOCK = (
    "click",
    "tomlkit",
    "installer",
    "pyproject_hooks",
    "ferry.commands.pipeline",
    "ferry.dist.build",
    "ferry.dist.build_env",
    "ferry.dist.metadata",
    "ferry.dist.prepare",
    "ferry.install",
    "ferry.wheel",
    "ferry.project.edit",
)
# A lock that still satisfies pyproject.toml is kept without any of these.
NOT_FOR_A_FRESH_LOCK = (
    *NOT_FOR_A_LOCK,
    "httpx",
    "httpcore",
    "resolvelib",
    "ferry.index.client",
    "ferry.commands.lock_resolve",
    "ferry.resolve.universal",
)


def among(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == n or m.startswith(n + ".") for n in names))


@pytest.fixture
def project(tmp_path: Path, index_server: IndexServer, isolated_env: Path) -> Path:
    index = index_server.index
    index.add_wheel("alpha", "1.0", requires=["beta>=2", "gamma; sys_platform == 'win32'"])
    index.add_wheel("beta", "2.0")
    index.add_wheel("gamma", "3.0")
    root = tmp_path / "proj"
    root.mkdir()
    (root / "pyproject.toml").write_text(
        '[project]\nname = "proj"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n'
        'dependencies = ["alpha"]\n\n'
        f'[[tool.uv.index]]\nurl = "{index_server.simple_url}"\ndefault = true\n'
    )
    return root


def test_a_resolving_lock_loads_no_build_install_or_ca_bundle(
    project: Path, tmp_path: Path
) -> None:
    # A CA bundle that cannot be read: ferry would fail if it read one for an http:// index.
    env: dict[str, str | None] = {"FERRY_CACHE_DIR": str(tmp_path / "cache"),
                                  "SSL_CERT_FILE": str(tmp_path / "no-such-bundle.pem")}
    modules = loaded_modules(["lock"], project, env)
    assert "gamma" in (project / "uv.lock").read_text()  # it did resolve, for every platform
    assert {"ferry.commands.lock_resolve", "ferry.index.client"} <= modules
    assert among(modules, NOT_FOR_A_LOCK) == []

    # warm cache, no lock: the path `ferry lock` takes after `rm uv.lock`
    (project / "uv.lock").unlink()
    assert among(loaded_modules(["lock"], project, env), NOT_FOR_A_LOCK) == []

    # the lock is fresh: read and compared with pyproject.toml, nothing resolved
    assert among(loaded_modules(["lock"], project, env), NOT_FOR_A_FRESH_LOCK) == []
