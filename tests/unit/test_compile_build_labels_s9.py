"""``# via`` names a ``setup.py``/``setup.cfg`` project by the name its build reports, as uv
does (``demo-sp (setup.py)``), not by its directory (s9 pip-compile review 3)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ferry.commands.compile_inputs import read_compile_inputs


@pytest.mark.parametrize("file", ["setup.py", "setup.cfg"])
def test_a_built_project_is_named_by_its_metadata(tmp_path: Path, file: str,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    project = tmp_path / "sp"
    project.mkdir()
    (project / file).write_text("")
    monkeypatch.chdir(project)
    inputs = read_compile_inputs([Path(file)])
    (build,) = inputs.builds
    assert build.label_for("demo-sp") == f"demo-sp ({file})"
