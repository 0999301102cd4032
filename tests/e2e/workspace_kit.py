"""A small hermetic workspace for the workspace tests (e2e and interop).

``root-app`` (the root, a package) depends on ``lib-a[x]`` (a member, on Linux only) and ``lib``;
``lib-a`` depends on ``lib-b`` (a member) and ``dep``; ``lib-b`` wants ``dep<2`` and a newer
Python; ``tool-only`` is a virtual member (no build system, nobody depends on it).
Packaged members carry the test suite's in-tree PEP 517 backend (``backend-path``), which reads
their ``PKG-INFO``, so building them needs neither the network nor an index.
"""

from __future__ import annotations

from pathlib import Path

from tests.support.index import LocalIndex
from tests.support.sdists import BACKEND_MODULE, backend_source

T = "2024-01-01T00:00:00Z"

BUILD_SYSTEM = (
    f'[build-system]\nrequires = []\nbuild-backend = "{BACKEND_MODULE}"\n'
    'backend-path = ["_backend"]\n'
)

ROOT = """[project]
name = "root-app"
version = "0.1.0"
requires-python = ">=3.10"
dependencies = ["lib-a[x] ; sys_platform == 'linux'", "lib>=1"]

[dependency-groups]
dev = ["tool"]

[tool.uv.sources]
lib-a = { workspace = true }
lib-b = { workspace = true }

[tool.uv.workspace]
members = ["packages/*"]
exclude = ["packages/skip*"]
"""

LIB_A = """[project]
name = "lib-a"
version = "1.0.0"
requires-python = ">=3.10"
dependencies = ["lib-b", "dep"]

[project.optional-dependencies]
x = ["gamma"]

[dependency-groups]
test = ["tool>=1"]
"""

LIB_B = """[project]
name = "lib-b"
version = "0.2.0"
requires-python = ">=3.11"
dependencies = ["dep<2"]
"""

TOOL_ONLY = """[project]
name = "tool-only"
version = "0.3.0"
dependencies = ["gamma"]
"""


def populate(index: LocalIndex) -> None:
    for name, version in (("lib", "1.0"), ("lib", "2.0"), ("dep", "1.0"), ("dep", "2.0"),
                          ("gamma", "1.0"), ("tool", "3.0")):
        index.add_wheel(name, version, upload_time=T)


def _member(directory: Path, pyproject: str, *, packaged: bool, name: str = "",
            version: str = "", requires: tuple[str, ...] = ()) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "pyproject.toml").write_text(
        pyproject + ("\n" + BUILD_SYSTEM if packaged else ""), encoding="utf-8")
    if not packaged:
        return
    module = name.replace("-", "_")
    lines = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}"]
    lines += [f"Requires-Dist: {r}" for r in requires]
    (directory / "PKG-INFO").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (directory / "_backend").mkdir(exist_ok=True)
    (directory / "_backend" / f"{BACKEND_MODULE}.py").write_text(backend_source(),
                                                                encoding="utf-8")
    (directory / "src" / module).mkdir(parents=True, exist_ok=True)
    (directory / "src" / module / "__init__.py").write_text(
        f"NAME = {name!r}\n", encoding="utf-8")


def make_workspace(root: Path) -> Path:
    """Write the workspace under ``root`` (see the module docstring) and return ``root``."""
    _member(root, ROOT, packaged=True, name="root-app", version="0.1.0")
    _member(root / "packages" / "lib-a", LIB_A, packaged=True, name="lib-a", version="1.0.0")
    _member(root / "packages" / "lib-b", LIB_B, packaged=True, name="lib-b", version="0.2.0")
    _member(root / "packages" / "tool-only", TOOL_ONLY, packaged=False)
    (root / "packages" / "skipped").mkdir(parents=True, exist_ok=True)
    (root / "packages" / "skipped" / "notes.txt").write_text("not a member\n", encoding="utf-8")
    return root
