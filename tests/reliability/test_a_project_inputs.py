"""RELIABILITY.md section A: bad project inputs (pyproject.toml, uv.lock, requirements files).

A malformed input is refused before anything is written: no ``.venv``, no lockfile, the input
files byte-for-byte unchanged, and the message points at the file, the line and column (TOML
syntax) or the dotted key path (schema), with a caret where a line is shown.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.reliability.conftest import needs
from tests.reliability.invariants import EXIT_INPUT, Guard
from tests.support.index import LocalIndex
from tests.support.runner import Result, Runner

MakeGuard = Callable[..., Guard]

PYPROJECT = """\
[project]
name = "proj"
version = "0.1.0"
requires-python = ">=3.8"
dependencies = {deps}
"""


def write_project(root: Path, deps: str = '["alpha"]', extra: str = "") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(PYPROJECT.format(deps=deps) + extra)
    return root


@pytest.fixture
def project(tmp_path: Path, local_index: LocalIndex) -> Path:
    local_index.add_wheel("alpha", "1.0")
    local_index.add_wheel("alpha", "2.0")
    local_index.add_wheel("beta", "1.0")
    return write_project(tmp_path / "proj")


@pytest.fixture
def prun(run: Runner, project: Path, local_index: LocalIndex) -> Callable[..., Result]:
    """``ferry <args>`` in the project, against the local index, with the test's Python."""

    def go(*args: str) -> Result:
        env = {"FERRY_INDEX_URL": local_index.file_url, "FERRY_PYTHON": sys.executable}
        return run(*args, cwd=project, env=env)

    return go


def _no_outputs(project: Path) -> None:
    assert not (project / ".venv").exists(), "an environment was created from bad input"
    assert not (project / "uv.lock").exists(), "a lockfile was written from bad input"


@needs("sync", "lock")
@pytest.mark.parametrize("command", ["sync", "lock"])
def test_A1_toml_syntax_error_in_pyproject(
    project: Path, prun: Callable[..., Result], guard: MakeGuard, command: str
) -> None:
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('version = "0.1.0"', 'version = "0.1.0'))
    g = guard(watched=[pyproject])
    result = prun(command)
    g.failed(result, code=EXIT_INPUT, mentions=("Failed to parse", "pyproject.toml"))
    assert "pyproject.toml:3:" in result.stderr, "no line:column"
    assert "^" in result.stderr, "no caret under the error"
    _no_outputs(project)
    pyproject.write_text(PYPROJECT.format(deps='["alpha"]'))
    g.recovered(prun(command))


@needs("sync", "lock")
@pytest.mark.parametrize(
    ("deps", "extra", "key_path", "detail"),
    [
        ('"alpha"', "", "project.dependencies", "array"),
        ('["alpha", "beta", "gamma>=<1"]', "", "project.dependencies[2]", "gamma>=<1"),
        ('["alpha"]\n[tool.ferry]\nno-such-setting = 1\n', "", "no-such-setting", "tool.ferry"),
    ],
    ids=["not-a-list", "bad-pep508", "unknown-tool-key"],
)
def test_A2_schema_errors_name_the_key_path(
    project: Path, prun: Callable[..., Result], guard: MakeGuard,
    deps: str, extra: str, key_path: str, detail: str,
) -> None:
    write_project(project, deps, extra)
    g = guard(watched=[project / "pyproject.toml"])
    result = prun("sync")
    g.failed(result, code=EXIT_INPUT, mentions=("pyproject.toml", key_path, detail))
    _no_outputs(project)
    write_project(project)
    g.recovered(prun("sync"))


@needs("sync", "lock")
def test_A2_bad_requires_python(
    project: Path, prun: Callable[..., Result], guard: MakeGuard
) -> None:
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('">=3.8"', '">=3.x"'))
    g = guard(watched=[pyproject])
    result = prun("sync")
    g.failed(result, code=EXIT_INPUT, mentions=("project.requires-python", ">=3.x"))
    _no_outputs(project)


LOCK_DAMAGE = {
    "garbage": lambda text: "\x00\x01 this is not toml ]]]\n",
    "truncated": lambda text: text[: text.index("[[package]]") + len("[[package]]\nname = ")],
    "missing-key": lambda text: text.replace("requires-python", "requires-pithon", 1),
    "duplicate-package": lambda text: text + text[text.index("[[package]]"):],
}


@needs("sync", "lock")
@pytest.mark.parametrize("damage", sorted(LOCK_DAMAGE))
def test_A3_damaged_lockfile_is_refused_and_never_rewritten(
    project: Path, prun: Callable[..., Result], guard: MakeGuard, damage: str
) -> None:
    assert prun("lock").code == 0
    lock = project / "uv.lock"
    good = lock.read_text()
    lock.write_text(LOCK_DAMAGE[damage](good))
    g = guard(watched=[lock, project / "pyproject.toml"])
    for flag in ("--frozen", "--locked"):
        result = prun("sync", flag)
        g.failed(result, code=EXIT_INPUT, mentions=("Failed to parse", "uv.lock"))
    assert not list(project.glob(".venv/lib/*/site-packages/alpha*"))
    # a plain `ferry lock` may replace a damaged lock, but never silently
    relocked = prun("lock")
    assert relocked.code != 0 or ("uv.lock" in relocked.stderr and "warning" in relocked.stderr)
    assert "Traceback" not in relocked.output
    lock.write_text(good)
    g.recovered(prun("sync", "--frozen"))


@needs("sync", "lock")
def test_A4_newer_lockfile_version_is_refused_untouched(
    project: Path, prun: Callable[..., Result], guard: MakeGuard
) -> None:
    assert prun("lock").code == 0
    lock = project / "uv.lock"
    good = lock.read_text()
    lock.write_text(good.replace("version = 1\n", "version = 99\n", 1))
    g = guard(watched=[lock])
    for args in (("sync", "--frozen"), ("sync", "--locked"), ("lock", "--locked")):
        result = prun(*args)
        g.failed(result, code=EXIT_INPUT,
                 mentions=("unsupported lockfile version 99", "upgrade ferry"))
    lock.write_text(good)
    g.recovered(prun("sync", "--frozen"))


@needs("sync", "lock")
@pytest.mark.parametrize("command", ["lock", "sync"])
def test_A4_newer_lockfile_version_is_not_overwritten_by_lock_or_sync(
    project: Path, prun: Callable[..., Result], guard: MakeGuard, command: str
) -> None:
    assert prun("lock").code == 0
    lock = project / "uv.lock"
    lock.write_text(lock.read_text().replace("version = 1\n", "version = 99\n", 1))
    g = guard(watched=[lock])
    g.failed(prun(command), code=EXIT_INPUT,
             mentions=("unsupported lockfile version 99", "upgrade ferry"))


@needs("sync", "lock")
def test_A5_stale_lockfile_with_locked(
    project: Path, prun: Callable[..., Result], guard: MakeGuard
) -> None:
    assert prun("lock").code == 0
    write_project(project, '["alpha", "beta"]')
    lock = project / "uv.lock"
    g = guard(watched=[lock, project / "pyproject.toml"])
    for args in (("sync", "--locked"), ("lock", "--locked")):
        result = prun(*args)
        g.failed(result, code=EXIT_INPUT, mentions=(
            "needs to be updated, but `--locked` was provided", "ferry lock", "beta"))
    assert not list(project.glob(".venv/lib/*/site-packages/beta*"))
    g.recovered(prun("sync"))
    g.recovered(prun("sync", "--locked"))


# -- A6: hash-checking mode of requirements files (pip install, no project needed) ------------


@pytest.fixture
def hashed(local_index: LocalIndex) -> str:
    return local_index.add_wheel("alpha", "1.0").sha256


@pytest.mark.parametrize(
    ("line", "needle"),
    [
        ("alpha==1.0 --hash=md5:0123456789abcdef0123456789abcdef", "md5"),
        ("alpha==1.0 --hash=sha999:00ff", "sha999"),
        ("alpha>=1 --hash=sha256:{sha}", "`alpha>=1`"),
    ],
    ids=["weak-md5", "unknown-algorithm", "unpinned"],
)
def test_A6_hash_mode_errors(
    tmp_path: Path, venv: Path, local_index: LocalIndex, hashed: str, guard: MakeGuard,
    pip_install: Callable[..., Result], line: str, needle: str,
) -> None:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text(line.format(sha=hashed) + "\n")
    g = guard(venv=venv, watched=[requirements])
    result = pip_install("--require-hashes", "-r", str(requirements),
                         index=local_index.file_url)
    g.failed(result, code=EXIT_INPUT, mentions=(needle,), hint=needle == "`alpha>=1`")
    requirements.write_text(f"alpha==1.0 --hash=sha256:{hashed}\n")
    g.recovered(pip_install("--require-hashes", "-r", str(requirements),
                            index=local_index.file_url))
