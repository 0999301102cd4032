"""``ferry pip`` details next to ``uv pip`` 0.13.8 (s8 review of the pip interface): read-only
commands outside an environment, pip's ``pip3.X`` script, counts of local files, the default
index in ``--emit-index-url``, dry-run order, uninstall/show lines, interpreter messages."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.e2e.seedkit import ok, uv_executable
from tests.e2e.test_prepared_counts_s8d import prepared


def _path_env(venv: Path) -> dict[str, str | None]:
    """An environment where ``venv``'s python is the first on PATH and no venv is active."""
    return {
        "PATH": os.pathsep.join([str(venv / "bin"), os.environ.get("PATH", "")]),
        "VIRTUAL_ENV": None,
        "FERRY_PYTHON": None,
    }


def test_read_only_commands_fall_back_to_the_python_on_path(
    tmp_path: Path, run, local_index  # type: ignore[no-untyped-def]
) -> None:
    local_index.add_wheel("alpha", "1.0", requires=["beta"])
    ok(run("venv", "onpath", "-q", cwd=tmp_path))
    ok(run("pip", "install", "-q", "-p", "onpath", "--no-deps", "alpha",
           "--index-url", local_index.file_url, cwd=tmp_path))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = _path_env(tmp_path / "onpath")
    version = _version(tmp_path / "onpath")
    notice = f"Using Python {version} environment at: {tmp_path / 'onpath'}"

    listed = ok(run("pip", "list", "--format", "freeze", cwd=elsewhere, env=env))
    assert listed.stdout == "alpha==1.0\n"
    assert listed.stderr.splitlines() == [notice]
    frozen = ok(run("pip", "freeze", cwd=elsewhere, env=env))
    assert frozen.stdout == "alpha==1.0\n" and frozen.stderr.splitlines() == [notice]
    shown = ok(run("pip", "show", "alpha", cwd=elsewhere, env=env))
    assert "Name: alpha" in shown.stdout and shown.stderr.splitlines() == [notice]
    checked = run("pip", "check", cwd=elsewhere, env=env)
    assert checked.code == 1
    assert checked.stderr.splitlines()[0] == notice
    assert "requires `beta`, but it's not installed" in checked.stderr  # uv: on stderr
    quiet = ok(run("-q", "pip", "list", cwd=elsewhere, env=env))
    assert quiet.stderr == ""

    # commands that change the environment still refuse to guess (uv refuses too)
    for command in (("install", "--index-url", local_index.file_url, "alpha"),
                    ("uninstall", "alpha")):
        refused = run("pip", *command, cwd=elsewhere, env=env)
        assert refused.code == 1 and "No virtual environment found" in refused.stderr


def test_a_found_environment_prints_no_notice(
    tmp_path: Path, run  # type: ignore[no-untyped-def]
) -> None:
    ok(run("venv", "-q", cwd=tmp_path))
    listed = ok(run("pip", "list", cwd=tmp_path, env={"VIRTUAL_ENV": None}))
    assert listed.stderr == ""


def _version(venv: Path) -> str:
    out = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import platform; print(platform.python_version())"],
        check=True, capture_output=True, text=True,
    )
    return out.stdout.strip()


def test_a_local_wheel_or_sdist_is_counted_once(
    tmp_path: Path, run, make_wheel, make_sdist  # type: ignore[no-untyped-def]
) -> None:
    wheel = make_wheel("alpha", "1.0")
    sdist = make_sdist("beta", "1.0")
    ok(run("venv", "v", "-q", cwd=tmp_path))
    result = ok(run("pip", "install", "-p", "v", str(wheel), str(sdist), cwd=tmp_path))
    counts = prepared(result.stderr)
    # the wheel is read for its metadata and again to install it: one file, not two
    assert (counts["n"], counts["built"], counts["down"], counts["other"]) == (2, 1, 1, 1)
    again = ok(run("pip", "install", "-p", "v", "--reinstall", str(wheel), cwd=tmp_path))
    assert (prepared(again.stderr)["down"], prepared(again.stderr)["other"]) == (1, 0)


def _uv(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("UV_", "VIRTUAL_ENV"))}
    env.update(UV_CACHE_DIR=str(cwd / "uv-cache"), UV_OFFLINE="1", UV_PYTHON_DOWNLOADS="never",
               UV_NO_CONFIG="1")
    return subprocess.run([uv_executable(), *args], cwd=cwd, env=env, capture_output=True,
                          text=True, check=False)


def _report(stderr: str) -> list[str]:
    """A dry run's report without the lines that name paths or times."""
    return [line for line in stderr.splitlines() if not line.startswith(("Using", "Resolved"))]


def test_dry_run_reports_as_uv_does(
    tmp_path: Path, run, make_wheel  # type: ignore[no-untyped-def]
) -> None:
    for name, version, requires in [("alpha", "1.0", []), ("alpha", "2.0", ["gamma"]),
                                    ("beta", "1.0", []), ("beta", "2.0", []), ("gamma", "1.0", []),
                                    ("delta", "1.0", []), ("zeta", "1.0", [])]:
        make_wheel(name, version, requires=requires)
    links = ("--no-index", "--find-links", str(tmp_path / "wheels"))
    (tmp_path / "k.txt").write_text("alpha==2.0\nbeta==1.0\ndelta\n")
    for tool in ("ferry", "uv"):
        if tool == "ferry":
            ok(run("venv", "-q", "f", cwd=tmp_path))
            ok(run("pip", "install", "-q", "-p", "f", *links, "alpha==1.0", "beta==1.0", "zeta",
                   cwd=tmp_path))
        else:
            assert _uv(["venv", "-q", "-p", str(tmp_path / "f" / "bin" / "python"), "u"],
                       tmp_path).returncode == 0
            assert _uv(["pip", "install", "-q", "-p", "u", *links, "alpha==1.0", "beta==1.0",
                        "zeta"], tmp_path).returncode == 0
    for command in (["install", *links, "--dry-run", "-U", "alpha", "delta"],
                    ["sync", *links, "--dry-run", "k.txt"],
                    ["install", *links, "--dry-run", "--reinstall", "beta", "zeta"],
                    ["uninstall", "--dry-run", "beta", "zeta"]):
        ours = ok(run("pip", command[0], "-p", "f", *command[1:], cwd=tmp_path))
        theirs = _uv(["pip", command[0], "-p", "u", *command[1:]], tmp_path)
        assert theirs.returncode == 0, theirs.stderr
        assert _report(ours.stderr) == _report(theirs.stderr), command
    # the sync's report spelled out: counts first, then one list by name, `-` before `+`
    assert _report(ok(run("pip", "sync", "-p", "f", *links, "--dry-run", "k.txt",
                          cwd=tmp_path)).stderr) == [
        "Would download 2 packages", "Would uninstall 2 packages", "Would install 2 packages",
        " - alpha==1.0", " + alpha==2.0", " + delta==1.0", " - zeta==1.0"]


def test_uninstall_names_a_direct_reference_by_its_source(
    tmp_path: Path, run, make_wheel  # type: ignore[no-untyped-def]
) -> None:
    wheel = make_wheel("alpha", "1.0")
    ok(run("venv", "-q", "v", cwd=tmp_path))
    ok(run("pip", "install", "-q", "-p", "v", str(wheel), cwd=tmp_path))
    line = f" - alpha==1.0 (from {wheel.as_uri()})"
    dry = ok(run("pip", "uninstall", "-p", "v", "--dry-run", "alpha", cwd=tmp_path))
    assert dry.stderr.splitlines()[1:] == ["Would uninstall 1 package", line]
    assert dry.stderr.splitlines()[0].endswith(" environment at: v")
    real = ok(run("pip", "uninstall", "-p", "v", "alpha", cwd=tmp_path))
    assert real.stderr.splitlines()[2:] == [line]


def test_show_orders_as_uv(
    tmp_path: Path, run, make_wheel, make_sdist  # type: ignore[no-untyped-def]
) -> None:
    import tarfile

    with tarfile.open(make_sdist("proj", "1.0")) as archive:
        archive.extractall(tmp_path / "src", filter="data")
    project = tmp_path / "src" / "proj-1.0"
    zeta, beta = make_wheel("zeta", "1.0"), make_wheel("beta", "1.0", requires=["zeta"])
    ok(run("venv", "-q", "v", cwd=tmp_path))
    ok(run("pip", "install", "-q", "-p", "v", str(zeta), str(beta), "-e", str(project),
           cwd=tmp_path))
    shown = ok(run("pip", "show", "-p", "v", "zeta", "proj", "Beta", "nothere", "zz_x", "zeta",
                   cwd=tmp_path))
    site = next((tmp_path / "v" / "lib").glob("python*/site-packages"))
    assert shown.stdout.splitlines() == [
        "Name: beta", "Version: 1.0", f"Location: {site}", "Requires: zeta", "Required-by:",
        "---",
        "Name: proj", "Version: 1.0", f"Location: {site}",
        f"Editable project location: {project}", "Requires:", "Required-by:",
        "---",
        "Name: zeta", "Version: 1.0", f"Location: {site}", "Requires:", "Required-by: beta",
    ]
    assert shown.stderr.splitlines() == [  # uv names every environment but ./.venv
        f"Using Python {_version(tmp_path / 'v')} environment at: v",
        "warning: Package(s) not found for: nothere, zz-x",
    ]
    files = ok(run("pip", "show", "-p", "v", "-f", "zeta", cwd=tmp_path)).stdout.splitlines()
    listed = files[files.index("Files:") + 1:]
    assert listed == sorted(listed) and "  zeta-1.0.dist-info/RECORD" in listed
    missing = run("pip", "show", "-p", "v", "nothere", cwd=tmp_path)
    assert missing.code == 1 and missing.stdout == ""


def test_a_local_path_with_a_fragment_gets_no_egg_advice(
    tmp_path: Path, run, make_wheel  # type: ignore[no-untyped-def]
) -> None:
    make_wheel("alpha", "1.0")
    ok(run("venv", "-q", "v", cwd=tmp_path))
    (tmp_path / "r.txt").write_text("./wheels/alpha-1.0-py3-none-any.whl#egg=alpha\n")
    failed = run("pip", "install", "-p", "v", "-r", "r.txt", cwd=tmp_path)
    assert failed.code == 1
    assert "Cannot tell the package name" in failed.stderr
    assert "so `#egg=name` cannot name it" in failed.stderr
    assert "add `#egg=name` to the URL" not in failed.stderr


def test_uvs_key_spelling_is_explained_not_called_no_python_at_all(
    tmp_path: Path, run  # type: ignore[no-untyped-def]
) -> None:
    failed = run("venv", "-p", "cpython-3.12.1-linux-x86_64-gnu", "v", cwd=tmp_path)
    assert failed.code != 0
    assert "no Python interpreter was found at all" not in failed.stderr
    assert "no executable named `cpython-3.12.1-linux-x86_64-gnu`" in failed.stderr
    assert "Caused by: found " in failed.stderr  # what discovery did find
    assert "ask for `cpython@3.12.1`" in failed.stderr


def test_python_version_chooses_the_wheel_tags_too(
    tmp_path: Path, run, make_wheel, python_exe  # type: ignore[no-untyped-def]
) -> None:
    make_wheel("native", "1.0", tag="cp38-none-any")
    make_wheel("native", "2.0", tag="cp312-none-any")
    ok(run("venv", "-q", "-p", str(python_exe("3.12")), "v", cwd=tmp_path))
    links = ("-p", "v", "--no-index", "--find-links", str(tmp_path / "wheels"))
    # as uv: the resolution is for 3.8 (cp38 wheels), whatever the environment's Python
    dry = ok(run("pip", "install", *links, "--python-version", "3.8", "--dry-run", "native",
                 cwd=tmp_path))
    assert " + native==1.0" in dry.stderr.splitlines()
    own = ok(run("pip", "install", *links, "--dry-run", "native", cwd=tmp_path))
    assert " + native==2.0" in own.stderr.splitlines()
    (tmp_path / "r.txt").write_text("native\n")
    synced = ok(run("pip", "sync", *links, "--python-version", "3.8", "r.txt", cwd=tmp_path))
    assert " + native==1.0" in synced.stderr.splitlines()
    bad = run("pip", "install", *links, "--python-version", "x", "--dry-run", "native",
              cwd=tmp_path)
    assert bad.code == 2 and "Invalid `--python-version` value `x`" in bad.stderr
