"""Field-level checks: the model says what the golden uv locks say."""

from __future__ import annotations

from pathlib import Path

from ferry.project.lock_model import ConflictItem, LockRequirement, LockSource
from ferry.project.lockfile import read_lock

GOLDEN = Path(__file__).resolve().parents[1] / "data" / "lockfiles"
INDEX = "http://127.0.0.1:38461/simple"


def test_top_level_fields_and_forks() -> None:
    lock = read_lock(GOLDEN / "simple" / "uv.lock")
    assert (lock.version, lock.revision, lock.requires_python) == (1, 5, ">=3.11")
    assert lock.resolution_markers == (
        "python_full_version >= '3.12'",
        "python_full_version < '3.12'",
    )
    alphas = lock.find("alpha")
    assert [a.version for a in alphas] == ["1.0.0", "2.0.0"]
    assert alphas[0].resolution_markers == ("python_full_version < '3.12'",)
    root = lock.find("simple")[0]
    assert root.source == LockSource("virtual", ".")
    deps = {(d.name, d.package.version): d.marker for d in root.dependencies}
    assert deps == {
        ("alpha", "1.0.0"): "python_full_version < '3.12'",
        ("alpha", "2.0.0"): "python_full_version >= '3.12'",
        ("gamma", "1.0.0"): None,
    }
    # A dependency written as `{ name = "beta", version = …, source = … }` resolves to that entry.
    beta_dep = alphas[1].dependencies[0]
    assert beta_dep.package == lock.find("beta")[1].id
    tz = alphas[1].dependencies[1]
    assert (tz.name, tz.marker) == ("tzdata", "sys_platform == 'win32'")


def test_files_hashes_sizes_upload_times() -> None:
    lock = read_lock(GOLDEN / "simple" / "uv.lock")
    alpha = lock.find("alpha")[0]
    assert alpha.sdist is not None
    assert alpha.sdist.url == "http://127.0.0.1:38461/files/alpha-1.0.0.tar.gz"
    assert alpha.sdist.upload_time == "2023-05-27T11:12:46.688Z"
    (wheel,) = alpha.wheels
    assert wheel.name == "alpha-1.0.0-py3-none-any.whl"
    assert wheel.hash is not None and wheel.hash.startswith("sha256:")
    assert len(wheel.hash) == len("sha256:") + 64
    assert wheel.size == 901
    tz = lock.find("tzdata")[0]
    assert tz.sdist is None and tz.wheels[0].upload_time is None and tz.wheels[0].size == 903
    native = read_lock(GOLDEN / "markers" / "uv.lock").find("native")[0]
    assert len(native.wheels) == 5
    assert [w.name for w in native.wheels] == sorted(w.name for w in native.wheels)


def test_optional_dependencies_and_metadata() -> None:
    lock = read_lock(GOLDEN / "extras" / "uv.lock")
    root = lock.find("extras-demo")[0]
    assert root.source == LockSource("editable", ".")
    assert root.default_groups == "all"
    assert [(d.name, d.marker) for d in root.optional("cli")] == [
        ("wincolor", "sys_platform == 'win32'"),
        ("zeta-pkg", None),
    ]
    fast = root.optional("fast")[0]
    assert (fast.name, fast.extras) == ("gamma", ("fast",))
    assert root.metadata.provides_extras == ("fast", "cli")
    assert (
        LockRequirement(
            name="wincolor",  # type: ignore[arg-type]
            marker="sys_platform == 'win32' and extra == 'cli'",
        )
        in root.metadata.requires_dist
    )
    assert (
        LockRequirement(
            name="zeta-pkg",  # type: ignore[arg-type]
            marker="extra == 'cli'",
            specifier=">=0.1",
        )
        in root.metadata.requires_dist
    )
    gamma = lock.find("gamma")[0]
    assert [d.name for d in gamma.optional("fast")] == ["delta"]
    assert lock.find("delta")[0].wheels == ()


def test_dev_dependencies_and_requires_dev() -> None:
    lock = read_lock(GOLDEN / "groups" / "uv.lock")
    root = lock.find("groups")[0]
    assert root.default_groups == ("dev", "test")
    assert [d.name for d in root.group("dev")] == ["tzdata", "wincolor"]
    assert [d.name for d in root.group("test")] == ["beta", "gamma"]
    requires_dev = root.metadata.requires_dev_map()
    assert requires_dev["docs"] == ()
    assert [r.name for r in requires_dev["dev"]] == ["tzdata", "wincolor"]
    assert requires_dev["dev"][1].specifier == ">=0.4"
    assert requires_dev["lint"][0].extras == ("fast",)


def test_conflicts_and_two_registries() -> None:
    lock = read_lock(GOLDEN / "multi_index" / "uv.lock")
    assert lock.conflicts[1] == (
        ConflictItem("multi-index", group="new"),
        ConflictItem("multi-index", group="old"),
    )
    b = lock.find("multi-index")[0].optional("b")[0]
    assert b.package.source == LockSource("registry", "http://127.0.0.1:38461/other/simple")
    req = next(r for r in lock.find("multi-index")[0].metadata.requires_dist if r.index)
    assert req.conflict == ConflictItem("multi-index", extra="b")


def test_sources_options_and_manifest() -> None:
    lock = read_lock(GOLDEN / "sources" / "uv.lock")
    assert lock.supported_markers == ("sys_platform == 'linux'", "sys_platform == 'darwin'")
    assert lock.options.resolution_mode == "lowest-direct"
    assert lock.options.exclude_newer == "2025-01-01T00:00:00Z"
    assert lock.manifest.overrides[0].specifier == "==1.0.0"
    kinds = {p.name: p.source.kind for p in lock.packages}
    assert kinds["gitdep"] == "git" and kinds["helper"] == "editable"
    assert kinds["other"] == "directory" and kinds["localwheel"] == "path"
    assert kinds["wincolor"] == "url"
    assert lock.find("localwheel")[0].wheels[0].filename == "localwheel-1.0.0-py3-none-any.whl"
    assert {p.name for p in lock.local_packages()} == {"helper", "localwheel", "other", "sources"}
    reqs = {r.name: r for r in lock.find("sources")[0].metadata.requires_dist}
    assert reqs["helper"].editable == "libs/helper"
    assert reqs["gitdep"].git == "file:///tmp/ferry-golden-git/gitdep?tag=v1.0"
    assert reqs["alpha"].index == "http://127.0.0.1:38461/other/simple"


def test_workspace_manifest_and_options() -> None:
    lock = read_lock(GOLDEN / "workspace" / "uv.lock")
    assert lock.manifest.members == ("member", "root")
    assert lock.options.exclude_newer_span == "P30D"
    assert dict(lock.options.prerelease_package) == {"eps": "allow"}
    overrides = dict(lock.options.exclude_newer_package)
    assert overrides["gamma"].disabled
    assert overrides["late"].timestamp == "2024-06-01T00:00:00Z"
    (meta,) = lock.manifest.dependency_metadata
    assert meta.requires_dist == ("beta", "gamma[fast]")
