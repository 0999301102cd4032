"""``pip install --reinstall X`` resolves X afresh, as pip's ``--force-reinstall`` and uv's
``--reinstall`` do: the newest version that fits, not the one installed (s8 review, pip 5)."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.e2e.seedkit import installed, ok


@pytest.mark.parametrize("flag", [("--reinstall",), ("--reinstall-package", "alpha")])
def test_reinstall_moves_to_the_newest_fitting_version(
    flag: tuple[str, ...], tmp_path: Path, run, local_index  # type: ignore[no-untyped-def]
) -> None:
    local_index.add_wheel("alpha", "1.0")
    local_index.add_wheel("alpha", "2.0")
    local_index.add_wheel("beta", "1.0")
    local_index.add_wheel("beta", "2.0")
    ok(run("venv", "v", "-q", cwd=tmp_path))
    common = ("--python", "v", "--index-url", local_index.file_url)
    ok(run("pip", "install", *common, "alpha==1.0", "beta==1.0", cwd=tmp_path))
    result = ok(run("pip", "install", *common, *flag, "alpha", "beta", cwd=tmp_path))
    assert " + alpha==2.0" in result.stderr
    versions = installed(tmp_path / "v")
    assert versions["alpha"] == "2.0"
    # beta is reinstalled only by --reinstall, and then resolved afresh too
    assert versions["beta"] == ("2.0" if flag == ("--reinstall",) else "1.0")
