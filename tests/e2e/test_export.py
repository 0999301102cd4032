"""``ferry export``: requirements.txt and pylock.toml, byte for byte what ``uv export`` writes.

The golden projects in tests/data/lockfiles (each with the uv.lock the real uv wrote) are exported
by uv and by ferry with the same flags; only the tool's name may differ. ferry runs in-process
for the matrix (fast), and as a subprocess for the command-line behaviour.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from tests.support.runner import Runner

from ferry.commands.export import ExportRequest, GroupSelection, LockSettings, export_project
from ferry.model.errors import UserError
from ferry.model.settings import GlobalOptions

GOLDEN = Path(__file__).resolve().parents[1] / "data" / "lockfiles"
CASES = sorted(p.name for p in GOLDEN.iterdir() if (p / "uv.lock").is_file())
UV = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
needs_uv = pytest.mark.skipif(UV is None, reason="uv is not installed")

# (uv flags, ExportRequest changes)
FLAG_SETS: list[tuple[list[str], dict[str, object]]] = [
    ([], {}),
    (["--all-extras", "--all-groups"], {"all_extras": True, "all_groups": True}),
    (["--no-dev", "--no-hashes"], {"no_dev": True, "hashes": False}),
    (["--no-annotate", "--no-emit-project"], {"annotate": False, "no_emit_project": True}),
    (["--no-editable", "--only-group", "dev"], {"editable": False, "only_groups": ("dev",)}),
    (["--format", "pylock.toml"], {"format": "pylock.toml"}),
    (["--format", "pylock.toml", "--all-extras"], {"format": "pylock.toml", "all_extras": True}),
]
_SELECTION = {"all_extras", "all_groups", "no_dev", "only_groups", "extras", "groups"}


def copy_case(case: str, tmp_path: Path) -> Path:
    target = tmp_path / case
    shutil.copytree(GOLDEN / case, target)
    return target


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One copy of the golden projects and one cache for the matrix (it only reads them)."""
    root = tmp_path_factory.mktemp("golden")
    for case in CASES:
        shutil.copytree(GOLDEN / case, root / case)
    return root


def uv_export(project: Path, flags: list[str], tmp_path: Path) -> tuple[int, str]:
    assert UV is not None
    env = {k: v for k, v in os.environ.items() if not k.startswith(("UV_", "PIP_"))}
    env["UV_CACHE_DIR"] = str(tmp_path / "uv-cache")
    done = subprocess.run(
        [UV, "export", "--no-config", "--offline", "--frozen", "--no-header", *flags],
        cwd=project,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    return done.returncode, done.stdout if done.returncode == 0 else done.stderr


def ferry_export(project: Path, changes: dict[str, object], tmp_path: Path) -> str:
    selection = GroupSelection(**{k: v for k, v in changes.items() if k in _SELECTION})  # type: ignore[arg-type]
    rest = {k: v for k, v in changes.items() if k not in _SELECTION}
    request = ExportRequest(
        project=project,
        header=False,
        selection=selection,
        lock=LockSettings(frozen=True),
        **rest,  # type: ignore[arg-type]
    )
    options = GlobalOptions(cache_dir=tmp_path / "ferry-cache")
    return export_project(request, options).text


@needs_uv
@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize(
    ("uv_flags", "changes"), FLAG_SETS, ids=lambda v: " ".join(v) if isinstance(v, list) else None
)
def test_export_matches_uv(
    case: str, uv_flags: list[str], changes: dict[str, object], shared: Path
) -> None:
    project = shared / case
    code, expected = uv_export(project, uv_flags, shared)
    if code != 0:
        # uv refuses this selection (an undefined group, conflicting extras): so must ferry.
        with pytest.raises(UserError) as info:
            ferry_export(project, changes, shared)
        first_paragraph = expected.split("\n\n")[0]
        assert " ".join(first_paragraph.split()) == f"error: {info.value.message}"
        return
    actual = ferry_export(project, changes, shared)
    assert actual == expected.replace('created-by = "uv"', 'created-by = "ferry"')


@pytest.mark.parametrize("case", CASES)
def test_pylock_validates_against_the_standard(case: str, tmp_path: Path) -> None:
    from packaging.pylock import Pylock

    project = copy_case(case, tmp_path)
    try:
        text = ferry_export(project, {"format": "pylock.toml"}, tmp_path)
    except UserError:
        pytest.skip("selection refused for this case")
    data = tomllib.loads(text)
    pylock = Pylock.from_dict(data)
    assert pylock.created_by == "ferry"
    assert str(pylock.lock_version) == "1.0"
    for package in pylock.packages:  # the golden locks record a hash for every file
        files = [package.sdist, package.archive, *(package.wheels or ())]
        assert all(f.hashes for f in files if f is not None), package.name


def test_cli_header_stdout_and_output_file(run: Runner, tmp_path: Path) -> None:
    project = copy_case("extras", tmp_path)
    result = run("export", "--frozen", "--no-dev", "-o", "requirements.txt", cwd=project)
    assert result.code == 0, result.stderr
    written = (project / "requirements.txt").read_text()
    assert result.stdout == written
    assert written.startswith(
        "# This file was autogenerated by ferry via the following command:\n"
        "#    ferry export --frozen --no-dev -o requirements.txt\n"
    )
    assert result.stderr == ""  # --frozen: nothing was resolved


def test_cli_pylock_format_from_the_file_name(run: Runner, tmp_path: Path) -> None:
    project = copy_case("simple", tmp_path)
    result = run("-q", "export", "--frozen", "-o", "pylock.dev.toml", cwd=project)
    assert result.code == 0, result.stderr
    assert result.stdout == ""  # -q: the file only
    text = (project / "pylock.dev.toml").read_text()
    assert 'lock-version = "1.0"\ncreated-by = "ferry"\n' in text
    bad = run("export", "--frozen", "--format", "pylock.toml", "-o", "lock.toml", cwd=project)
    assert bad.code == 2
    assert "not a valid pylock.toml file name" in bad.stderr


def test_cli_errors(run: Runner, tmp_path: Path) -> None:
    project = copy_case("extras", tmp_path)
    (project / "uv.lock").unlink()
    missing = run("export", "--frozen", cwd=project)
    assert missing.code == 1
    assert missing.stderr.startswith(
        "error: Unable to find lockfile at `uv.lock`, but `--frozen` was provided."
    )
    shutil.copy(GOLDEN / "extras" / "uv.lock", project / "uv.lock")
    unknown = run("export", "--frozen", "--extra", "nope", cwd=project)
    assert unknown.code == 2  # a usage error, as uv's
    assert "error: Extra `nope` is not defined" in unknown.stderr
    group = run("export", "--frozen", "--group", "nope", cwd=project)
    assert group.code == 2
    assert "error: Group `nope` is not defined" in group.stderr
