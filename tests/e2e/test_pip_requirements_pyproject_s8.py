"""``ferry pip install -r pyproject.toml`` installs the project's dependencies, as uv does.

It used to read the TOML as lines of a requirements file ("Invalid requirement `[project]`"),
while ``pip sync`` and ``pip compile`` read it right (s8 review, pip 3).
"""

from __future__ import annotations

from pathlib import Path

from tests.e2e.seedkit import installed, ok


def test_install_and_uninstall_read_a_pyproject(tmp_path: Path, run, local_index) -> None:  # type: ignore[no-untyped-def]
    local_index.add_wheel("alpha", "1.0")
    local_index.add_wheel("beta", "2.0")
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\nversion = "1"\ndependencies = ["alpha", "beta>=2"]\n'
    )
    (tmp_path / "more.txt").write_text("alpha\n")
    ok(run("venv", "v", "-q", cwd=tmp_path))
    common = ("--python", "v", "--index-url", local_index.file_url)
    result = ok(run("pip", "install", *common, "-r", "pyproject.toml", "-r", "more.txt",
                    cwd=tmp_path))
    assert " + alpha==1.0" in result.stderr and " + beta==2.0" in result.stderr
    assert {"alpha", "beta"} <= set(installed(tmp_path / "v"))
    ok(run("pip", "uninstall", "--python", "v", "-r", "pyproject.toml", cwd=tmp_path))
    assert not {"alpha", "beta"} & set(installed(tmp_path / "v"))


def test_dynamic_dependencies_are_refused_not_ignored(tmp_path: Path, run, local_index) -> None:  # type: ignore[no-untyped-def]
    """Known only by a build: installing nothing with exit 0 hid them (s8 late review L4)."""
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\nversion = "1"\ndynamic = ["dependencies"]\n'
    )
    ok(run("venv", "v", "-q", cwd=tmp_path))
    result = run("pip", "install", "--python", "v", "--index-url", local_index.file_url,
                 "-r", "pyproject.toml", cwd=tmp_path)
    assert result.code == 1
    assert "dynamic" in result.stderr and "pip compile" in result.stderr
    assert "Traceback" not in result.stderr
