"""SourceBuilder: PEP 517/660 builds with the harness's in-tree backend, isolated and cached.

Every build here runs a real backend in a real subprocess; the only fake is the installer of
build requirements, which installs wheels the test made, with ferry's own wheel layer.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import zipfile
from collections.abc import Sequence
from pathlib import Path

import pytest
from packaging.utils import canonicalize_name, parse_wheel_filename
from tests.support.metadata import metadata_text
from tests.support.sdists import (
    BACKEND_MODULE,
    FAILURE_MESSAGE,
    backend_source,
    make_sdist,
    write_targz,
)
from tests.support.wheels import make_wheel

from ferry.cache.store import Cache
from ferry.dist.build import SourceBuilder
from ferry.fs.link import Linker, LinkMode
from ferry.model.errors import BuildError, ResolutionError, UserError
from ferry.model.pep508_requirements import Requirement
from ferry.python.environment import PythonEnvironment, open_environment
from ferry.python.interpreter import Interpreter, introspect
from ferry.python.venv import create_venv
from ferry.wheel import install_unpacked, unpack_wheel

# -- helpers -----------------------------------------------------------------------------------


class WheelDirInstaller:
    """Installs build requirements from a folder of wheels, with ferry's wheel layer."""

    def __init__(self, wheel_dir: Path | None = None, fail: bool = False) -> None:
        self.wheel_dir = wheel_dir
        self.fail = fail
        self.calls: list[tuple[str, ...]] = []

    def install(self, requirements: Sequence[str], environment: PythonEnvironment) -> None:
        self.calls.append(tuple(requirements))
        if self.fail:
            raise ResolutionError("No solution found: `missing-dep` is not in the index")
        for text in requirements:
            requirement = Requirement(text)
            wheel = self._find(requirement)
            unpacked = environment.root.parent / f".unpacked-{wheel.stem}-{id(environment)}"
            unpack_wheel(wheel, unpacked)
            install_unpacked(
                unpacked,
                environment.scheme,
                python_executable=environment.python,
                linker=Linker(LinkMode.COPY),
            )

    def _find(self, requirement: Requirement) -> Path:
        assert self.wheel_dir is not None, f"nothing to install {requirement} from"
        for wheel in sorted(self.wheel_dir.glob("*.whl"), reverse=True):
            name, version, _, _ = parse_wheel_filename(wheel.name)  # packaging's Version
            wanted = str(version) in requirement.specifier
            if name == canonicalize_name(requirement.name) and wanted:
                return wheel
        raise ResolutionError(f"no wheel for `{requirement}` in {self.wheel_dir}")


def write_project(
    root: Path,
    name: str,
    version: str,
    *,
    dynamic: Sequence[str] = (),
    requires: Sequence[str] = (),
    build_requires: Sequence[str] = (),
    backend: str | None = None,
    backend_module: str = BACKEND_MODULE,
    in_tree_backend: bool = True,
    pkg_info_version: str = "2.1",
    failing: bool = False,
) -> Path:
    """A source tree the harness backend builds (``backend`` replaces its source)."""
    pkg = canonicalize_name(name).replace("-", "_")
    (root / "src" / pkg).mkdir(parents=True)
    (root / "src" / pkg / "__init__.py").write_text(f'X = "{version}"\n')
    meta = metadata_text(name, version, requires=requires, overrides={
        "Metadata-Version": pkg_info_version,
    })
    (root / "PKG-INFO").write_text(meta)
    lines = [
        "[build-system]",
        f"requires = {json.dumps(list(build_requires))}",
        f'build-backend = "{backend_module}"',
    ]
    if in_tree_backend:
        lines.append('backend-path = ["_backend"]')
        (root / "_backend").mkdir()
        source = backend if backend is not None else backend_source(failing=failing)
        (root / "_backend" / f"{backend_module}.py").write_text(source)
    lines += ["", "[project]", f'name = "{name}"']
    if "version" not in dynamic:
        lines.append(f'version = "{version}"')
    if "dependencies" not in dynamic:
        lines.append(f"dependencies = {json.dumps(list(requires))}")
    lines.append(f"dynamic = {json.dumps(list(dynamic))}")
    (root / "pyproject.toml").write_text("\n".join(lines) + "\n")
    return root


def archive(root: Path, directory: Path, top: str | None = None) -> Path:
    """``root`` as ``<top>.tar.gz`` (default: the folder's own name) in ``directory``."""
    top = top or root.name
    entries = [
        (f"{top}/{path.relative_to(root).as_posix()}", path.read_bytes())
        for path in sorted(root.rglob("*"))
        if path.is_file()
    ]
    directory.mkdir(parents=True, exist_ok=True)
    return write_targz(directory / f"{top}.tar.gz", entries)


def logging_backend(log_env: str = "FERRY_TEST_BUILD_LOG") -> str:
    """The harness backend, appending one line to $FERRY_TEST_BUILD_LOG per build hook run."""
    hook = "def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):\n"
    record = (
        f"    with open(os.environ['{log_env}'], 'a') as log:\n"
        "        log.write('build_wheel ' + os.getcwd() + '\\n')\n"
    )
    return backend_source().replace(hook, hook + record)


def built_entries(cache: Cache) -> list[Path]:
    return sorted(cache.bucket("built").rglob("*.whl"))


@pytest.fixture
def cache(tmp_path: Path) -> Cache:
    return Cache(tmp_path / "cache")


@pytest.fixture
def interpreter(cache: Cache) -> Interpreter:
    return introspect(Path(sys.executable), cache)


@pytest.fixture
def builder(cache: Cache) -> SourceBuilder:
    return SourceBuilder(cache, WheelDirInstaller())


# -- building and the cache ---------------------------------------------------------------------


def test_an_sdist_is_built_once_for_two_environments_of_one_interpreter(
    tmp_path: Path, cache: Cache, interpreter: Interpreter, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "builds.log"
    monkeypatch.setenv("FERRY_TEST_BUILD_LOG", str(log))
    tree = write_project(tmp_path / "demo_pkg-1.0", "demo-pkg", "1.0", backend=logging_backend())
    sdist = archive(tree, tmp_path / "sdists")
    envs = [open_environment(create_venv(tmp_path / n, interpreter), cache) for n in ("a", "b")]
    assert envs[0].interpreter.executable != envs[1].interpreter.executable

    first = SourceBuilder(cache, WheelDirInstaller())
    wheel_a = first.build_wheel(sdist, envs[0].interpreter)
    second = SourceBuilder(cache, WheelDirInstaller())  # as a later command would
    wheel_b = second.build_wheel(sdist, envs[1].interpreter)

    assert wheel_a == wheel_b
    assert wheel_a.name == "demo_pkg-1.0-py3-none-any.whl"
    assert (first.backend_builds, second.backend_builds) == (1, 0)
    assert len(log.read_text().splitlines()) == 1
    assert built_entries(cache) == [wheel_a]
    assert wheel_a.parent.parent.name == _sha256(sdist)  # keyed by the sdist's digest
    assert wheel_a.parent.name == interpreter.tags[0]


def _sha256(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_concurrent_builds_of_one_sdist_build_once(
    tmp_path: Path, cache: Cache, interpreter: Interpreter, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "builds.log"
    monkeypatch.setenv("FERRY_TEST_BUILD_LOG", str(log))
    tree = write_project(tmp_path / "race-1.0", "race", "1.0", backend=logging_backend())
    sdist = archive(tree, tmp_path / "sdists")
    builders = [SourceBuilder(cache, WheelDirInstaller()) for _ in range(4)]
    results: list[Path] = []
    errors: list[BaseException] = []

    def build(b: SourceBuilder) -> None:
        try:
            results.append(b.build_wheel(sdist, interpreter))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=build, args=(b,)) for b in builders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(set(results)) == 1
    assert sum(b.backend_builds for b in builders) == 1
    assert len(log.read_text().splitlines()) == 1
    # Both the build environment and the wheel are complete, single entries.
    assert len(list((cache.bucket("environments") / "build").glob("*/.ferry-build-env.json"))) == 1


def test_a_source_tree_is_cached_until_its_files_change(
    tmp_path: Path, builder: SourceBuilder, cache: Cache, interpreter: Interpreter
) -> None:
    tree = write_project(tmp_path / "proj", "proj", "1.0")
    first = builder.build_wheel(tree, interpreter)
    assert builder.build_wheel(tree, interpreter) == first
    assert builder.backend_builds == 1
    assert first.parent.parent.name.startswith("tree-")
    (tree / "build").mkdir()  # build output does not count as a change
    (tree / "build" / "junk").write_text("x")
    assert builder.build_wheel(tree, interpreter) == first
    (tree / "src" / "proj" / "__init__.py").write_text('X = "changed"\n')
    rebuilt = builder.build_wheel(tree, interpreter)
    assert builder.backend_builds == 2
    assert rebuilt != first
    with zipfile.ZipFile(rebuilt) as zf:
        assert zf.read("proj/__init__.py") == b'X = "changed"\n'


def test_build_requirements_are_installed_into_a_reused_isolated_environment(
    tmp_path: Path, cache: Cache, interpreter: Interpreter
) -> None:
    # The backend itself comes from a wheel, as setuptools or hatchling would from an index.
    wheels = tmp_path / "wheels"
    make_wheel(wheels, "helper-backend", "1.0", files={"helper_backend.py": backend_source()})
    installer = WheelDirInstaller(wheels)
    builder = SourceBuilder(cache, installer)
    trees = [
        write_project(
            tmp_path / f"p{i}", f"p{i}", "1.0", build_requires=["helper-backend>=1"],
            backend_module="helper_backend", in_tree_backend=False,
        )
        for i in (1, 2)
    ]
    for tree in trees:
        builder.build_wheel(tree, interpreter)
    assert installer.calls == [("helper-backend>=1",)]
    assert builder.environments.created == 1
    assert builder.backend_builds == 2


def test_what_get_requires_asks_for_makes_a_second_environment(
    tmp_path: Path, cache: Cache, interpreter: Interpreter
) -> None:
    wheels = tmp_path / "wheels"
    make_wheel(wheels, "extra-dep", "2.0")
    installer = WheelDirInstaller(wheels)
    asks = backend_source().replace(
        "def get_requires_for_build_wheel(config_settings=None):\n    return []",
        "def get_requires_for_build_wheel(config_settings=None):\n    return ['Extra_Dep>=2']",
    )
    tree = write_project(tmp_path / "asks", "asks", "1.0", backend=asks)
    wheel = SourceBuilder(cache, installer).build_wheel(tree, interpreter)
    assert wheel.name == "asks-1.0-py3-none-any.whl"
    assert installer.calls == [("extra-dep>=2",)]


def test_no_build_isolation_uses_the_target_environment(
    tmp_path: Path, cache: Cache, interpreter: Interpreter, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "builds.log"
    monkeypatch.setenv("FERRY_TEST_BUILD_LOG", str(log))
    target = open_environment(create_venv(tmp_path / "target", interpreter), cache)
    tree = write_project(tmp_path / "ni", "ni", "1.0", backend=logging_backend())
    builder = SourceBuilder(cache, WheelDirInstaller(), isolation=False)
    builder.build_wheel(tree, target.interpreter)
    assert builder.environments.created == 0
    assert not (cache.root / "environments-v1" / "build").exists()


def test_no_isolation_for_named_packages_only(
    tmp_path: Path, cache: Cache, interpreter: Interpreter
) -> None:
    builder = SourceBuilder(cache, WheelDirInstaller(), no_isolation_packages=frozenset({"Pkg_A"}))
    builder.build_wheel(write_project(tmp_path / "a", "pkg-a", "1.0"), interpreter)
    assert builder.environments.created == 0
    builder.build_wheel(write_project(tmp_path / "b", "pkg-b", "1.0"), interpreter)
    assert builder.environments.created == 1


# -- editable builds ---------------------------------------------------------------------------


def test_an_editable_wheel_points_into_the_tree_and_edits_show_without_reinstall(
    tmp_path: Path, builder: SourceBuilder, cache: Cache, interpreter: Interpreter
) -> None:
    tree = write_project(tmp_path / "ed", "ed-pkg", "1.0")
    wheel = builder.build_wheel(tree, interpreter, editable=True)
    with zipfile.ZipFile(wheel) as zf:
        pth = zf.read("_ed_pkg_editable.pth").decode()
    assert pth.strip() == str(tree / "src")
    assert wheel.parent.parent.name.startswith("editable-")
    env = open_environment(create_venv(tmp_path / "venv", interpreter), cache)
    unpack_wheel(wheel, tmp_path / "unpacked")
    install_unpacked(
        tmp_path / "unpacked", env.scheme, python_executable=env.python, linker=Linker()
    )

    def value() -> str:
        return subprocess.run(
            [str(env.python), "-B", "-c", "import ed_pkg; print(ed_pkg.X)"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()

    assert value() == "1.0"
    (tree / "src" / "ed_pkg" / "__init__.py").write_text('X = "edited"\n')
    assert value() == "edited"


def test_editable_wheels_of_identical_trees_at_two_paths_differ(
    tmp_path: Path, builder: SourceBuilder, interpreter: Interpreter
) -> None:
    one = builder.build_wheel(write_project(tmp_path / "one", "twin", "1.0"), interpreter,
                              editable=True)
    two = builder.build_wheel(write_project(tmp_path / "two", "twin", "1.0"), interpreter,
                              editable=True)
    assert one != two
    assert builder.backend_builds == 2


def test_an_sdist_cannot_be_built_editable(
    tmp_path: Path, builder: SourceBuilder, interpreter: Interpreter
) -> None:
    with pytest.raises(UserError, match="only a directory can be installed in editable mode"):
        builder.build_wheel(make_sdist(tmp_path, "s", "1.0"), interpreter, editable=True)


def test_a_backend_without_build_editable_says_so(
    tmp_path: Path, builder: SourceBuilder, interpreter: Interpreter
) -> None:
    source = backend_source().split("def build_editable(")[0]
    tree = write_project(tmp_path / "ne", "ne", "1.0", backend=source + "\n")
    with pytest.raises(BuildError, match=r"does not support editable installs \(PEP 660\)"):
        builder.build_wheel(tree, interpreter, editable=True)


# -- metadata ----------------------------------------------------------------------------------


def test_static_metadata_needs_no_build_at_all(
    tmp_path: Path, builder: SourceBuilder, cache: Cache, interpreter: Interpreter
) -> None:
    # The backend would fail: reading static metadata never runs it.
    sdist = make_sdist(tmp_path, "static", "1.0", requires=["idna>=2"], build_backend="failing")
    data = builder.metadata(sdist, interpreter)
    assert b"Name: static\n" in data and b"Requires-Dist: idna>=2\n" in data
    assert (builder.backend_builds, builder.metadata_preparations) == (0, 0)
    assert builder.environments.created == 0
    assert not (cache.root / "environments-v1").exists()


def test_pkg_info_2_2_is_used_when_pyproject_is_dynamic(
    tmp_path: Path, builder: SourceBuilder, interpreter: Interpreter
) -> None:
    tree = write_project(
        tmp_path / "pep643-1.0", "pep643", "1.0", dynamic=["dependencies"],
        requires=["idna"], pkg_info_version="2.2", failing=True,
    )
    data = builder.metadata(archive(tree, tmp_path / "sdists"), interpreter)
    assert b"Metadata-Version: 2.2" in data and b"Requires-Dist: idna" in data
    assert builder.metadata_preparations == 0


def test_dynamic_metadata_comes_from_prepare_metadata_and_is_cached(
    tmp_path: Path, cache: Cache, interpreter: Interpreter
) -> None:
    tree = write_project(tmp_path / "dyn-1.0", "dyn", "1.0", dynamic=["dependencies"],
                         requires=["six>=1"])
    sdist = archive(tree, tmp_path / "sdists")
    builder = SourceBuilder(cache, WheelDirInstaller())
    data = builder.metadata(sdist, interpreter)
    assert b"Requires-Dist: six>=1" in data
    assert (builder.metadata_preparations, builder.backend_builds) == (1, 0)
    later = SourceBuilder(cache, WheelDirInstaller())
    assert later.metadata(sdist, interpreter) == data
    assert later.metadata_preparations == 0


def test_without_prepare_metadata_the_wheel_is_built_once_and_read(
    tmp_path: Path, cache: Cache, interpreter: Interpreter
) -> None:
    source = backend_source().replace(
        "prepare_metadata_for_build_editable = prepare_metadata_for_build_wheel\n", ""
    ).replace("def prepare_metadata_for_build_wheel(", "def _unused_prepare(")
    tree = write_project(tmp_path / "nometa-1.0", "nometa", "1.0", dynamic=["dependencies"],
                         requires=["six"], backend=source)
    sdist = archive(tree, tmp_path / "sdists")
    builder = SourceBuilder(cache, WheelDirInstaller())
    assert b"Requires-Dist: six" in builder.metadata(sdist, interpreter)
    assert builder.backend_builds == 1
    builder.build_wheel(sdist, interpreter)  # the wheel built for its metadata is reused
    assert builder.backend_builds == 1


def test_metadata_that_contradicts_the_filename_is_refused(
    tmp_path: Path, builder: SourceBuilder, interpreter: Interpreter
) -> None:
    tree = write_project(tmp_path / "liar-1.0", "liar", "2.0", dynamic=["dependencies"])
    sdist = archive(tree, tmp_path / "sdists", top="liar-1.0")
    with pytest.raises(BuildError, match=r"says version `2\.0`, not `1\.0`"):
        builder.metadata(sdist, interpreter)
    with pytest.raises(BuildError, match="unusable wheel"):
        builder.build_wheel(sdist, interpreter)


# -- failures ----------------------------------------------------------------------------------


def test_a_failing_backend_reports_everything_and_caches_nothing(
    tmp_path: Path, builder: SourceBuilder, cache: Cache, interpreter: Interpreter
) -> None:
    sdist = make_sdist(tmp_path, "broken", "1.0", build_backend="failing")
    with pytest.raises(BuildError) as caught:
        builder.build_wheel(sdist, interpreter)
    error = caught.value
    assert "`broken==1.0`" in error.message
    assert "`build_wheel`" in error.message and BACKEND_MODULE in error.message
    output = "\n".join(error.causes)
    assert FAILURE_MESSAGE in output
    assert "Traceback" in output and "RuntimeError" in output
    command = error.causes[0]
    assert command.startswith("The command was:") and f"{BACKEND_MODULE}.build_wheel" in command
    assert "environments-v1/build/" in command  # the isolated environment's python ran it
    assert built_entries(cache) == []
    assert list(cache.tmp_root.iterdir()) == []


def test_a_missing_backend_is_named_with_a_hint(
    tmp_path: Path, builder: SourceBuilder, interpreter: Interpreter
) -> None:
    tree = write_project(tmp_path / "nb", "nb", "1.0", backend_module="no_such_backend_xyz",
                         in_tree_backend=False)
    with pytest.raises(BuildError, match="`no_such_backend_xyz` could not be imported") as caught:
        builder.build_wheel(tree, interpreter)
    assert caught.value.hint is not None and "build-system.requires" in caught.value.hint
    assert any("no_such_backend_xyz" in cause for cause in caught.value.causes)


def test_a_backend_that_returns_no_wheel(
    tmp_path: Path, builder: SourceBuilder, cache: Cache, interpreter: Interpreter
) -> None:
    source = backend_source() + (
        "\n\ndef build_wheel(wheel_directory, config_settings=None, metadata_directory=None):\n"
        "    return 'ghost-1.0-py3-none-any.whl'\n"
    )
    tree = write_project(tmp_path / "ghost", "ghost", "1.0", backend=source)
    with pytest.raises(BuildError, match=r"returned 'ghost-1\.0-py3-none-any\.whl' instead of"):
        builder.build_wheel(tree, interpreter)
    assert built_entries(cache) == []


def test_failing_build_requirements_leave_no_environment(
    tmp_path: Path, cache: Cache, interpreter: Interpreter
) -> None:
    tree = write_project(tmp_path / "fr", "fr", "1.0", build_requires=["missing-dep"])
    builder = SourceBuilder(cache, WheelDirInstaller(fail=True))
    with pytest.raises(BuildError, match="could not install its build requirements") as caught:
        builder.build_wheel(tree, interpreter)
    assert "missing-dep" in caught.value.message
    assert list((cache.bucket("environments") / "build").glob("*/")) == []


def test_neither_directory_nor_archive(
    tmp_path: Path, builder: SourceBuilder, interpreter: Interpreter
) -> None:
    (tmp_path / "notes.txt").write_text("")
    with pytest.raises(UserError, match="neither a source tree nor a source distribution"):
        builder.build_wheel(tmp_path / "notes.txt", interpreter)
    with pytest.raises(UserError, match="does not exist"):
        builder.build_wheel(tmp_path / "gone", interpreter)


# -- ferry build's operations -------------------------------------------------------------------


def test_build_sdist_then_wheel_from_it_into_a_folder(
    tmp_path: Path, builder: SourceBuilder, cache: Cache, interpreter: Interpreter
) -> None:
    tree = write_project(tmp_path / "proj", "Proj.Name", "0.3")
    out = tmp_path / "dist"
    sdist = builder.build_sdist(tree, interpreter, out)
    assert sdist == out / "proj_name-0.3.tar.gz"
    wheel = builder.build_wheel_into(sdist, interpreter, out)
    assert wheel == out / "proj_name-0.3-py3-none-any.whl"
    assert sorted(p.name for p in out.iterdir()) == sorted([sdist.name, wheel.name])
    assert built_entries(cache) == []  # ferry build always builds, and leaves no cache entry


def test_a_failed_build_into_a_folder_leaves_it_as_it_was(
    tmp_path: Path, builder: SourceBuilder, interpreter: Interpreter
) -> None:
    out = tmp_path / "dist"
    out.mkdir()
    (out / "keep.txt").write_text("k")
    tree = write_project(tmp_path / "bad", "bad", "1.0", failing=True)
    with pytest.raises(BuildError):
        builder.build_wheel_into(tree, interpreter, out)
    assert [p.name for p in out.iterdir()] == ["keep.txt"]


# -- setuptools, the legacy fallback ------------------------------------------------------------


def _bundled_wheels() -> dict[str, Path]:
    """setuptools and wheel wheels that CPython ships for its own tests (no network needed)."""
    from tests.support.envs import pyenv_root

    found: dict[str, Path] = {}
    patterns = ("versions/*/lib/python3.*/test/*.whl", "versions/*/lib/python3.*/test/*/*.whl")
    candidates = [p for pattern in patterns for p in pyenv_root().glob(pattern)]
    candidates += list(Path("/usr/share/python-wheels").glob("*.whl"))
    for wheel in sorted(candidates):
        name, version, _, _ = parse_wheel_filename(wheel.name)
        if name in ("setuptools", "wheel"):
            best = found.get(name)
            if best is None or parse_wheel_filename(best.name)[1] < version:
                found[name] = wheel
    return found


def test_a_setup_py_project_builds_with_setuptools_legacy_backend(
    tmp_path: Path, cache: Cache, interpreter: Interpreter
) -> None:
    bundled = _bundled_wheels()
    if set(bundled) != {"setuptools", "wheel"}:
        pytest.skip("no setuptools and wheel wheels on this machine to build offline")
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    for wheel in bundled.values():
        (wheels / wheel.name).write_bytes(wheel.read_bytes())
    tree = tmp_path / "legacy"
    tree.mkdir()
    (tree / "setup.py").write_text(
        "from setuptools import setup\n"
        "setup(name='legacy-pkg', version='1.2', py_modules=['legacy_mod'],\n"
        "      install_requires=['idna'])\n"
    )
    (tree / "legacy_mod.py").write_text("VALUE = 42\n")
    installer = WheelDirInstaller(wheels)
    builder = SourceBuilder(cache, installer)
    metadata = builder.metadata(tree, interpreter)
    assert b"Name: legacy-pkg" in metadata and b"Requires-Dist: idna" in metadata
    wheel = builder.build_wheel(tree, interpreter)
    assert wheel.name == "legacy_pkg-1.2-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as zf:
        assert zf.read("legacy_mod.py") == b"VALUE = 42\n"
    # build-system.requires of the legacy fallback first; setuptools may ask for `wheel` too.
    assert installer.calls[0] == ("setuptools>=40.8.0",)
    assert all(call[0] == "setuptools>=40.8.0" for call in installer.calls)
    assert builder.environments.created == len(installer.calls)


def test_builds_are_bounded_by_the_concurrency_limit(
    tmp_path: Path, cache: Cache, interpreter: Interpreter, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "overlap.log"
    monkeypatch.setenv("FERRY_TEST_BUILD_LOG", str(log))
    hook = "def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):\n"
    slow = backend_source().replace(
        hook,
        hook
        + "    import time\n"
        + "    with open(os.environ['FERRY_TEST_BUILD_LOG'], 'a') as f: f.write('start\\n')\n"
        + "    time.sleep(0.3)\n"
        + "    with open(os.environ['FERRY_TEST_BUILD_LOG'], 'a') as f: f.write('end\\n')\n",
    )
    trees = [write_project(tmp_path / f"c{i}", f"c{i}", "1.0", backend=slow) for i in range(3)]
    builder = SourceBuilder(cache, WheelDirInstaller(), concurrency=1)
    threads = [
        threading.Thread(target=builder.build_wheel, args=(tree, interpreter)) for tree in trees
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert log.read_text().split() == ["start", "end"] * 3
    assert builder.backend_builds == 3


def test_a_built_wheel_is_unpacked_once_for_the_installer(
    tmp_path: Path, builder: SourceBuilder, cache: Cache, interpreter: Interpreter
) -> None:
    wheel = builder.build_wheel(make_sdist(tmp_path, "unp", "1.0"), interpreter)
    archive = builder.unpacked(wheel)
    assert (archive / "unp" / "__init__.py").read_text() == '__version__ = "1.0"\n'
    assert (archive / "unp-1.0.dist-info" / "METADATA").is_file()
    assert builder.unpacked(wheel) == archive
    assert archive.parent == cache.root / "archives-v1"
