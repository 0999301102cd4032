"""Path and URL sources declared by workspace members, on top of ``workspace_kit``'s workspace.

- ``lib-a`` declares ``helper = { path = "../../libs/helper", editable = true }`` (outside the
  member, relative to it) and ``inner = { path = "vendored/inner" }`` (inside it);
- ``lib-b`` declares ``urlpkg = { url = "<the index's wheel>" }`` and depends on ``rootdep``,
  whose source the root declares (``{ path = "libs/rootdep" }``, relative to the root).

uv 0.13.8 records every one of those paths relative to the workspace root.
"""

from __future__ import annotations

from pathlib import Path

from tests.e2e.workspace_kit import T, _member, make_workspace
from tests.support.index import LocalIndex

HELPER = '[project]\nname = "helper"\nversion = "0.5.0"\ndependencies = ["dep"]\n'
INNER = '[project]\nname = "inner"\nversion = "0.1.0"\n'
ROOTDEP = '[project]\nname = "rootdep"\nversion = "0.7.0"\n'


def populate_sources(index: LocalIndex) -> None:
    """The wheel ``lib-b``'s URL source points at (served from the index's files)."""
    index.add_wheel("urlpkg", "1.5", upload_time=T)


def _edit(path: Path, old: str, new: str, tail: str = "") -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new) + tail, encoding="utf-8")


def make_sourced_workspace(root: Path, simple_url: str) -> Path:
    """``workspace_kit``'s workspace plus the member sources of the module docstring."""
    make_workspace(root)
    _member(root / "libs" / "helper", HELPER, packaged=True, name="helper", version="0.5.0",
            requires=("dep",))
    _member(root / "libs" / "rootdep", ROOTDEP, packaged=True, name="rootdep",
            version="0.7.0")
    lib_a = root / "packages" / "lib-a"
    _member(lib_a / "vendored" / "inner", INNER, packaged=True, name="inner", version="0.1.0")
    _edit(lib_a / "pyproject.toml", 'dependencies = ["lib-b", "dep"]',
          'dependencies = ["lib-b", "dep", "helper", "inner"]',
          '\n[tool.uv.sources]\nhelper = { path = "../../libs/helper", editable = true }\n'
          'inner = { path = "vendored/inner" }\n')
    wheel = simple_url.replace("/simple/", "/files/urlpkg-1.5-py3-none-any.whl")
    _edit(root / "packages" / "lib-b" / "pyproject.toml", 'dependencies = ["dep<2"]',
          'dependencies = ["dep<2", "rootdep", "urlpkg"]',
          f'\n[tool.uv.sources]\nurlpkg = {{ url = "{wheel}" }}\n')
    _edit(root / "pyproject.toml", "lib-b = { workspace = true }\n",
          'lib-b = { workspace = true }\nrootdep = { path = "libs/rootdep" }\n')
    return root
