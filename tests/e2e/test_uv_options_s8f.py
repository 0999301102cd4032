"""uv's options on ``export``, ``version`` and ``init`` (s8 review, projects F8): what each one
does, and where uv is installed, that ferry's output is uv's byte for byte (header aside)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from tests.e2e.workspace_kit import _member, make_workspace, populate
from tests.support.index import IndexServer
from tests.support.runner import Runner

UV = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
NO_GIT = {"GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}
needs_uv = pytest.mark.skipif(UV is None, reason="uv is not installed")


@pytest.fixture
def workspace(tmp_path: Path, index_server: IndexServer, run: Runner) -> Path:
    """The workspace kit plus a local (non-member) path dependency ``localdep`` of the root,
    locked by ferry."""
    populate(index_server.index)
    root = make_workspace(tmp_path / "ws")
    _member(root / "vendor" / "localdep",
            '[project]\nname = "localdep"\nversion = "0.5.0"\ndependencies = ["gamma"]\n',
            packaged=True, name="localdep", version="0.5.0", requires=("gamma",))
    text = (root / "pyproject.toml").read_text()
    text = text.replace('"lib>=1"]', '"lib>=1", "localdep"]').replace(
        "lib-b = { workspace = true }",
        'lib-b = { workspace = true }\nlocaldep = { path = "vendor/localdep" }')
    (root / "pyproject.toml").write_text(text)
    locked = run("lock", cwd=root, env={"FERRY_INDEX_URL": index_server.simple_url})
    assert locked.code == 0, locked.stderr
    return root


def export(run: Runner, root: Path, *args: str) -> list[str]:
    result = run("export", "--frozen", "--no-header", "--no-hashes", *args, cwd=root)
    assert result.code == 0, result.stderr
    return result.stdout.splitlines()


def names(lines: list[str]) -> set[str]:
    return {line.split(" ;")[0].split("==")[0] for line in lines
            if line and not line.startswith(("#", " "))}


def test_no_emit_options(run: Runner, workspace: Path) -> None:
    everything = names(export(run, workspace))
    assert everything == {"-e .", "-e ./packages/lib-a", "-e ./packages/lib-b",
                          "./vendor/localdep", "dep", "gamma", "lib", "tool"}
    assert names(export(run, workspace, "--no-emit-workspace")) == {
        "./vendor/localdep", "dep", "gamma", "lib", "tool"}
    assert names(export(run, workspace, "--no-install-workspace")) == names(
        export(run, workspace, "--no-emit-workspace"))
    assert names(export(run, workspace, "--no-emit-local")) == {"dep", "gamma", "lib", "tool"}
    assert names(export(run, workspace, "--package", "lib-a", "--no-emit-workspace")) == {"dep"}


def test_no_emit_package_keeps_what_it_needs_and_prune_cuts_it(
    run: Runner, workspace: Path
) -> None:
    kept = export(run, workspace, "--no-emit-package", "lib-a")
    assert names(kept) == {"-e .", "-e ./packages/lib-b", "./vendor/localdep", "dep", "gamma",
                           "lib", "tool"}
    # what lib-a needs still names it
    assert "    #   lib-a" in kept
    pruned = export(run, workspace, "--prune", "lib-a")
    assert names(pruned) == {"-e .", "./vendor/localdep", "gamma", "lib", "tool"}
    assert "    # via localdep" in pruned  # gamma: no longer via lib-a
    refused = run("export", "--frozen", "--prune", "dep", "--all-packages", cwd=workspace)
    assert refused.code == 2
    assert "`--prune` cannot be used with `--all-packages`" in refused.stderr


def test_emit_index_url_and_find_links(run: Runner, workspace: Path, tmp_path: Path) -> None:
    (tmp_path / "links").mkdir()
    text = (workspace / "pyproject.toml").read_text() + (
        '\n[[tool.uv.index]]\nname = "extra"\nurl = "http://extra.invalid/simple"\n'
        '\n[[tool.uv.index]]\nname = "pinned"\nurl = "http://pinned.invalid/simple/"\n'
        "explicit = true\n"
        '\n[[tool.uv.index]]\nname = "main"\nurl = "../mirror/simple"\ndefault = true\n'
    )
    (workspace / "pyproject.toml").write_text(text)
    result = run("export", "--frozen", "--no-header", "--no-hashes", "--emit-index-url",
                 "--emit-find-links", "-f", str(tmp_path / "links"), "--index",
                 "http://first.invalid/simple", cwd=workspace, env={"FERRY_INDEX_URL": None})
    assert result.code == 0, result.stderr
    assert result.stdout.startswith(
        "--index-url ../mirror/simple\n"
        "--extra-index-url http://first.invalid/simple\n"
        "--extra-index-url http://extra.invalid/simple\n"
        "--extra-index-url http://pinned.invalid/simple/\n"
        f"--find-links {tmp_path / 'links'}\n\n-e .\n"
    )
    assert "warning: `requirements.txt` does not support per-package index pinning" in (
        result.stderr
    )
    plain = run("export", "--frozen", "--no-header", "--emit-find-links", cwd=workspace)
    assert plain.stdout.startswith("-e .\n")  # no find-links: nothing to emit
    no_index = run("export", "--frozen", "--no-header", "--emit-index-url", "--no-index",
                   cwd=workspace)
    assert no_index.stdout.startswith("-e .\n")


@needs_uv
@pytest.mark.parametrize("args", [
    ["--no-emit-workspace"],
    ["--no-emit-local"],
    ["--no-emit-package", "lib-a"],
    ["--prune", "lib-a"],
    ["--all-packages", "--no-emit-workspace"],
    ["--package", "lib-a", "--no-emit-workspace"],
    ["--no-emit-project", "--no-emit-workspace", "--emit-index-url", "--emit-find-links"],
    ["--no-editable-package", "lib-b", "--no-hashes"],
    ["--format", "pylock.toml", "--no-editable-package", "lib-a", "--prune", "gamma"],
])
def test_export_options_match_uv(
    run: Runner, workspace: Path, index_server: IndexServer, tmp_path: Path, args: list[str]
) -> None:
    assert UV is not None
    env = {**os.environ, "UV_CACHE_DIR": str(tmp_path / "uv-cache"),
           "UV_INDEX_URL": index_server.simple_url}
    theirs = subprocess.run([UV, "export", "--no-config", "--frozen", "--no-header", *args],
                            cwd=workspace, env=env, capture_output=True, text=True, check=False)
    assert theirs.returncode == 0, theirs.stderr
    ours = run("export", "--frozen", "--no-header", *args, cwd=workspace,
               env={"FERRY_INDEX_URL": index_server.simple_url})
    assert ours.code == 0, ours.stderr
    assert ours.stdout == theirs.stdout.replace('created-by = "uv"', 'created-by = "ferry"')


def test_version_of_a_member(run: Runner, workspace: Path, index_server: IndexServer) -> None:
    shown = run("version", "--package", "lib-a", cwd=workspace)
    assert (shown.code, shown.stdout) == (0, "lib-a 1.0.0\n")
    member = run("version", "--short", cwd=workspace / "packages" / "lib-b")
    assert member.stdout == "0.2.0\n"  # the current member's, not the root's
    missing = run("version", "--package", "nope", cwd=workspace)
    assert missing.code == 2
    assert "The workspace does not have a member nope" in missing.stderr
    dry = run("version", "--package", "tool-only", "--bump", "major", "--dry-run",
              cwd=workspace)
    assert dry.stdout == "tool-only 0.3.0 => 1.0.0\n"
    before = (workspace / "pyproject.toml").read_text()
    bumped = run("version", "--package", "lib-b", "--bump", "minor", "--no-sync",
                 cwd=workspace, env={"FERRY_INDEX_URL": index_server.simple_url})
    assert bumped.code == 0, bumped.stderr
    assert bumped.stdout == "lib-b 0.2.0 => 0.3.0\n"
    assert 'version = "0.3.0"' in (workspace / "packages" / "lib-b" / "pyproject.toml").read_text()
    assert (workspace / "pyproject.toml").read_text() == before
    assert 'name = "lib-b"\nversion = "0.3.0"' in (workspace / "uv.lock").read_text()


def test_init_backend_flags(run: Runner, tmp_path: Path) -> None:
    common = ("--vcs", "none", "-p", "3.12")
    refused = run("init", *common, "--no-package", "--build-backend", "flit", "x", env=NO_GIT)
    assert refused.code == 2
    assert "`--build-backend` cannot be used with `--no-package`" in refused.stderr
    script = run("init", "--script", "s.py", "--build-backend", "flit", env=NO_GIT)
    assert script.code == 2
    assert not (tmp_path / "x").exists() and not (tmp_path / "s.py").exists()
    env = {**NO_GIT, "FERRY_INIT_BUILD_BACKEND": "flit"}
    assert run("init", *common, "from-env", env=env).code == 0
    assert "flit_core.buildapi" in (tmp_path / "from-env" / "pyproject.toml").read_text()
    assert (tmp_path / "from-env" / "src" / "from_env" / "__init__.py").is_file()
    # the variable yields to --no-package (uv's UV_INIT_BUILD_BACKEND does the same)
    assert run("init", *common, "--no-package", "plain", env=env).code == 0
    assert (tmp_path / "plain" / "main.py").is_file()
    assert "build-system" not in (tmp_path / "plain" / "pyproject.toml").read_text()


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_init_authors_only_for_packaged_projects(run: Runner, tmp_path: Path) -> None:
    (tmp_path / "gitconfig").write_text("[user]\n\tname = Ada\n\temail = ada@example.invalid\n")
    env = {**NO_GIT, "GIT_CONFIG_GLOBAL": str(tmp_path / "gitconfig")}
    common = ("--vcs", "none", "-p", "3.12")
    for flags, name, expected in (
        ((), "app", False),
        (("--no-package",), "np", False),
        (("--no-package", "--author-from", "auto"), "np-auto", True),
        (("--package",), "pkg", True),
        (("--bare",), "bare", False),
        (("--bare", "--package"), "bare-pkg", True),
        (("--build-backend", "pdm"), "pdm", True),
    ):
        result = run("init", *common, *flags, name, env=env)
        assert result.code == 0, result.stderr
        text = (tmp_path / name / "pyproject.toml").read_text()
        assert ('{ name = "Ada", email = "ada@example.invalid" }' in text) is expected, flags


@needs_uv
@pytest.mark.parametrize("backend", ["uv", "hatch", "flit", "pdm", "poetry", "setuptools",
                                     "maturin", "scikit"])
@pytest.mark.parametrize("kind", ["--app", "--lib"])
def test_init_build_backend_matches_uv(
    run: Runner, tmp_path: Path, backend: str, kind: str
) -> None:
    assert UV is not None
    (tmp_path / "gitconfig").write_text("[user]\n\tname = Ada\n\temail = ada@example.invalid\n")
    env = {**NO_GIT, "GIT_CONFIG_GLOBAL": str(tmp_path / "gitconfig")}
    common = ["--vcs", "none", "--python", "3.12", kind, "--build-backend", backend]
    done = subprocess.run(
        [UV, "init", "--no-config", "--offline", *common, "--name", "my.Demo_x", "theirs"],
        cwd=tmp_path, capture_output=True, text=True, check=False,
        env={**os.environ, **env, "UV_CACHE_DIR": str(tmp_path / "uv-cache")},
    )
    assert done.returncode == 0, done.stderr
    result = run("init", *common, "--name", "my.Demo_x", "ours", env=env)
    assert result.code == 0, result.stderr
    assert files_of(tmp_path / "ours") == files_of(tmp_path / "theirs")


def files_of(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): p.read_text() for p in sorted(root.rglob("*"))
            if p.is_file()}
