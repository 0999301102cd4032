"""ferry's code bundle (``ferry/_code_bundle.py``): modules come from it only while their source
is the one it was built from; it is rebuilt after a run that missed it, never where Python would
not write bytecode; a damaged one is ignored."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from tests.support.ferry_copy import copy_env, copy_ferry

from ferry import _code_bundle

TAG = sys.implementation.cache_tag

# What a process saw: where each of a few modules came from, and what a changed module says.
_PROBE = """
import json, sys
import ferry, ferry.model.names, ferry.commands.lock
from ferry._code_bundle import CodeBundle, _BundledLoader
names = ["ferry.model.names", "ferry.commands.lock", "ferry.model"]
finder = sys.meta_path[0]
print(json.dumps({
    "bundled": {n: isinstance(sys.modules[n].__spec__.loader, _BundledLoader)
                   and n not in finder.missed for n in names},
    "files": {n: sys.modules[n].__file__ for n in names},
    "cached": sys.modules["ferry.model.names"].__cached__,
    "package_path": list(sys.modules["ferry.model"].__path__),
    "finder_first": isinstance(sys.meta_path[0], CodeBundle),
    "marker": getattr(ferry.model.names, "MARKER", None),
}))
"""


@pytest.fixture
def package(tmp_path: Path) -> Path:
    """A private copy of ferry with its bytecode and no bundle."""
    return copy_ferry(tmp_path / "site")


_env = copy_env


def _probe(root: Path, *args: str, write: bool = True, **extra: str) -> dict[str, object]:
    done = subprocess.run([sys.executable, *args, "-c", _PROBE], capture_output=True,
                          text=True, check=True, env=_env(root, write=write, **extra),
                          cwd=root)
    assert done.stderr == ""
    result: dict[str, object] = json.loads(done.stdout)
    return result


def _bundle(root: Path) -> Path:
    return root / "ferry" / "__pycache__" / f"bundle.{TAG}.bin"


def test_the_first_run_writes_the_bundle_and_the_next_one_reads_from_it(package: Path) -> None:
    first = _probe(package)
    assert first["finder_first"] is True
    assert not any(first["bundled"].values())  # type: ignore[attr-defined]
    assert _bundle(package).is_file()
    second = _probe(package)
    assert all(second["bundled"].values())  # type: ignore[attr-defined]
    # Modules look as the ordinary import makes them: same files, bytecode path, package path.
    assert second["files"] == first["files"]
    assert second["cached"] == first["cached"]
    assert second["package_path"] == first["package_path"] == [str(package / "ferry" / "model")]


def test_a_changed_source_is_loaded_from_itself_and_the_bundle_rebuilt(package: Path) -> None:
    _probe(package)
    names = package / "ferry" / "model" / "names.py"
    names.write_text(names.read_text(encoding="utf-8") + "\nMARKER = 'edited'\n",
                     encoding="utf-8")
    seen = _probe(package)
    assert seen["marker"] == "edited"
    assert seen["bundled"] == {"ferry.model.names": False, "ferry.commands.lock": True,
                               "ferry.model": True}
    again = _probe(package)
    assert again["marker"] == "edited"
    assert all(again["bundled"].values())  # type: ignore[attr-defined]


def test_a_damaged_bundle_is_ignored_then_replaced(package: Path) -> None:
    _probe(package)
    data = _bundle(package).read_bytes()
    for damaged in (b"", data[:7], data[:40], _code_bundle.MAGIC + b"\xff\xff\xff\x7fjunk"):
        _bundle(package).write_bytes(damaged)
        seen = _probe(package)
        assert not any(seen["bundled"].values())  # type: ignore[attr-defined]
        assert _bundle(package).read_bytes() == data


def test_a_cut_off_bundle_serves_what_it_still_holds(package: Path) -> None:
    _probe(package)
    data = _bundle(package).read_bytes()
    _bundle(package).write_bytes(data[:-2000])  # the last module's code is cut short
    last = max(_code_bundle.collect(str(package / "ferry")))
    done = subprocess.run([sys.executable, "-c", f"import {last}; print('imported')"],
                          capture_output=True, text=True, env=_env(package), cwd=package)
    assert (done.returncode, done.stdout, done.stderr) == (0, "imported\n", "")
    assert _bundle(package).read_bytes() == data


def test_nothing_is_written_where_python_writes_no_bytecode(package: Path) -> None:
    _probe(package, write=False)
    assert not _bundle(package).exists()
    _probe(package, "-B")
    assert not _bundle(package).exists()


def test_a_bundle_that_cannot_be_written_is_no_error(package: Path) -> None:
    # A directory where the bundle goes: reading and replacing it both fail (as they would in
    # a read-only install, which root could write anyway).
    _bundle(package).mkdir()
    seen = _probe(package)
    assert seen["finder_first"] is True
    assert _bundle(package).is_dir()
    assert [p.name for p in _bundle(package).parent.glob("bundle.*")] == [_bundle(package).name]


def test_optimised_runs_and_the_switch_leave_it_out(package: Path) -> None:
    _probe(package)
    assert _probe(package, "-O")["finder_first"] is False
    assert _probe(package, FERRY_NO_CODE_BUNDLE="1")["finder_first"] is False


def test_a_bundle_of_another_interpreter_is_not_read(package: Path) -> None:
    _probe(package)
    data = bytearray(_bundle(package).read_bytes())
    data[0] ^= 0xFF  # another bytecode magic number
    _bundle(package).write_bytes(bytes(data))
    assert not any(_probe(package)["bundled"].values())  # type: ignore[attr-defined]


def test_only_current_bytecode_is_collected(package: Path) -> None:
    names = package / "ferry" / "model" / "names.py"
    names.write_text(names.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    collected = _code_bundle.collect(str(package / "ferry"))
    assert "ferry.model.names" not in collected  # its .pyc is of the old text
    assert "ferry.commands.lock" in collected and "ferry.model" in collected
    assert "ferry.__main__" not in collected and "ferry" not in collected
    is_package, relative, _, size, _ = collected["ferry.model"]
    assert is_package and relative == os.path.join("model", "__init__.py")
    assert size == (package / "ferry" / "model" / "__init__.py").stat().st_size


def test_a_module_gone_or_turned_into_a_package_is_found_as_it_is_now(package: Path) -> None:
    _probe(package)  # the bundle holds ferry.model.git and ferry.model.names as modules
    (package / "ferry" / "model" / "git.py").unlink()
    names = package / "ferry" / "model" / "names.py"
    (package / "ferry" / "model" / "names").mkdir()
    names.rename(package / "ferry" / "model" / "names" / "__init__.py")
    probe = ("import ferry.model.names as n, sys\n"
             "print(n.__file__.endswith('__init__.py'), n.__path__ is not None)\n"
             "try:\n    import ferry.model.git\nexcept ModuleNotFoundError:\n    print('gone')\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          env=_env(package), cwd=package)
    assert (done.returncode, done.stdout, done.stderr) == (0, "True True\ngone\n", "")
