"""``ferry build`` end to end: ``python -m ferry build`` in a subprocess, as a user runs it."""

from __future__ import annotations

import sys
import tarfile
import zipfile
from collections.abc import Callable
from pathlib import Path

from tests.support.runner import Runner
from tests.support.sdists import FAILURE_MESSAGE, backend_source
from tests.support.wheels import make_wheel


def unpacked_project(make_sdist: Callable[..., Path], root: Path, name: str, **kw: object) -> Path:
    """The harness's tiny project (in-tree backend via backend-path) as a source tree."""
    sdist = make_sdist(name, "1.0", directory=root / "sdists", **kw)
    with tarfile.open(sdist) as tar:
        tar.extractall(root, filter="data")
    return root / sdist.name.removesuffix(".tar.gz")


def test_build_makes_the_sdist_then_the_wheel_from_it(
    run: Runner, tmp_path: Path, make_sdist: Callable[..., Path]
) -> None:
    project = unpacked_project(make_sdist, tmp_path, "tiny-pkg")
    result = run("build", "-p", sys.executable, cwd=project)
    assert result.code == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "Building source distribution...",
        "Building wheel from source distribution...",
        "Successfully built dist/tiny_pkg-1.0.tar.gz",
        "Successfully built dist/tiny_pkg-1.0-py3-none-any.whl",
    ]
    dist = project / "dist"
    assert sorted(p.name for p in dist.iterdir()) == [
        ".gitignore", "tiny_pkg-1.0-py3-none-any.whl", "tiny_pkg-1.0.tar.gz",
    ]
    with zipfile.ZipFile(dist / "tiny_pkg-1.0-py3-none-any.whl") as zf:
        assert zf.read("tiny_pkg/__init__.py") == b'__version__ = "1.0"\n'
    with tarfile.open(dist / "tiny_pkg-1.0.tar.gz") as tar:
        assert "tiny_pkg-1.0/pyproject.toml" in tar.getnames()


def test_build_from_the_parent_folder_with_interpreter_discovery(
    run: Runner, tmp_path: Path, make_sdist: Callable[..., Path]
) -> None:
    project = unpacked_project(make_sdist, tmp_path, "found")
    result = run("build", project.name, cwd=tmp_path)
    assert result.code == 0, result.stderr
    assert result.stderr.splitlines()[-1] == (
        f"Successfully built {project.name}/dist/found-1.0-py3-none-any.whl"
    )


def test_sdist_and_wheel_flags_and_out_dir(
    run: Runner, tmp_path: Path, make_sdist: Callable[..., Path]
) -> None:
    project = unpacked_project(make_sdist, tmp_path, "flags")
    wheel_only = run("build", "-p", sys.executable, "--wheel", "-o", tmp_path / "w", cwd=project)
    assert wheel_only.code == 0, wheel_only.stderr
    assert wheel_only.stderr.splitlines() == [  # outside the current directory: absolute
        "Building wheel...",
        f"Successfully built {tmp_path / 'w' / 'flags-1.0-py3-none-any.whl'}",
    ]
    sdist_only = run("build", "-p", sys.executable, "--sdist", cwd=project)
    assert sdist_only.code == 0, sdist_only.stderr
    in_dist = sorted(p.name for p in (project / "dist").iterdir())
    assert in_dist == [".gitignore", "flags-1.0.tar.gz"]
    from_sdist = run(
        "build", "-p", sys.executable, "--wheel", project / "dist" / "flags-1.0.tar.gz",
        cwd=tmp_path,
    )
    assert from_sdist.code == 0, from_sdist.stderr
    assert from_sdist.stderr.splitlines()[0] == "Building wheel from source distribution..."
    assert (project / "dist" / "flags-1.0-py3-none-any.whl").is_file()


def test_an_sdist_needs_the_wheel_flag(
    run: Runner, tmp_path: Path, make_sdist: Callable[..., Path]
) -> None:
    sdist = make_sdist("s", "1.0", directory=tmp_path)
    result = run("build", sdist.name)
    assert result.code == 1
    assert "hint: pass `--wheel` explicitly" in result.stderr


def test_a_failing_backend_shows_its_output_and_leaves_no_wheel(
    run: Runner, tmp_path: Path, make_sdist: Callable[..., Path]
) -> None:
    project = unpacked_project(make_sdist, tmp_path, "broken", build_backend="failing")
    result = run("build", "-p", sys.executable, cwd=project)
    assert result.code == 1
    first_line = "error: Failed to build `broken==1.0`: `build_wheel` of the build backend"
    assert first_line in result.stderr
    assert FAILURE_MESSAGE in result.stderr
    assert "Traceback" not in result.stderr.split("Caused by")[0]  # no ferry traceback
    assert not list((project / "dist").glob("*.whl"))


def test_a_missing_source_is_an_error(run: Runner) -> None:
    result = run("build", "nowhere")
    assert result.code == 1
    assert result.stderr.strip() == "error: Source `nowhere` does not exist"


def test_build_requirements_come_from_the_given_find_links(
    run: Runner, tmp_path: Path
) -> None:
    # The backend is a package of its own, installed into the isolated build environment.
    wheels = tmp_path / "wheels"
    make_wheel(wheels, "helper-backend", "1.0", files={"helper_backend.py": backend_source()})
    project = tmp_path / "uses-helper"
    (project / "src" / "uses_helper").mkdir(parents=True)
    (project / "src" / "uses_helper" / "__init__.py").write_text("")
    (project / "PKG-INFO").write_text("Metadata-Version: 2.1\nName: uses-helper\nVersion: 0.1\n")
    (project / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["helper-backend"]\nbuild-backend = "helper_backend"\n\n'
        '[project]\nname = "uses-helper"\nversion = "0.1"\n'
    )
    result = run(
        "build", "-p", sys.executable, "--wheel", "--no-index", "--find-links", wheels,
        cwd=project,
    )
    assert result.code == 0, result.stderr
    assert (project / "dist" / "uses_helper-0.1-py3-none-any.whl").is_file()
    # A second build reuses the cached build environment: nothing to install, so the
    # find-links are not even needed.
    again = run("-v", "build", "-p", sys.executable, "--wheel", "--no-index", cwd=project)
    assert again.code == 0, again.stderr
    assert "Reusing the build environment" in again.stderr
    # A requirement nothing provides: the error names the package, the step and the requirement.
    (project / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["absent-backend"]\nbuild-backend = "absent_backend"\n\n'
        '[project]\nname = "uses-helper"\nversion = "0.1"\n'
    )
    missing = run("build", "-p", sys.executable, "--wheel", "--no-index", cwd=project)
    assert missing.code == 1
    assert "could not install its build requirements (absent-backend)" in missing.stderr


def test_no_build_isolation_builds_with_the_interpreter_itself(
    run: Runner, tmp_path: Path, make_sdist: Callable[..., Path], tmp_cache: Path
) -> None:
    project = unpacked_project(make_sdist, tmp_path, "noiso")
    result = run("build", "-p", sys.executable, "--no-build-isolation", cwd=project)
    assert result.code == 0, result.stderr
    assert not (tmp_cache / "environments-v1" / "build").exists()
    assert (project / "dist" / "noiso-1.0-py3-none-any.whl").is_file()
