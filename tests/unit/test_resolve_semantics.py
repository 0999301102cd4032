"""The resolver's packaging semantics, one behaviour per test, against an in-memory source."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from packaging.utils import NormalizedName, canonicalize_name

from ferry.model.errors import ResolutionError
from ferry.model.pep440_version import Version
from ferry.model.pep508_requirements import Requirement
from ferry.resolve.algorithm import resolve
from ferry.resolve.memory import MemorySource
from ferry.resolve.options import ResolverOptions, TargetEnvironment
from ferry.resolve.result import Dependency, Resolution
from ferry.resolve.source import CoreMetadata, MetadataError

TAGS = (
    "cp312-cp312-manylinux_2_17_x86_64",
    "cp312-abi3-manylinux_2_17_x86_64",
    "py3-none-manylinux_2_17_x86_64",
    "cp312-none-any",
    "py3-none-any",
)
MARKERS = {
    "implementation_name": "cpython",
    "implementation_version": "3.12.1",
    "os_name": "posix",
    "platform_machine": "x86_64",
    "platform_python_implementation": "CPython",
    "platform_release": "6.1",
    "platform_system": "Linux",
    "platform_version": "#1",
    "python_full_version": "3.12.1",
    "python_version": "3.12",
    "sys_platform": "linux",
}


def make_target(python: str = "3.12", **kw: Any) -> TargetEnvironment:
    return TargetEnvironment(MARKERS, TAGS, Version(python), **kw)


def run(
    packages: dict[str, Any],
    requirements: list[str],
    constraints: tuple[str, ...] = (),
    *,
    target: TargetEnvironment | None = None,
    source: MemorySource | None = None,
    **options: Any,
) -> Resolution:
    return resolve(
        [Requirement(r) for r in requirements],
        [Requirement(c) for c in constraints],
        source or MemorySource(packages),
        target or make_target(),
        ResolverOptions(**options),
    )


def pins(resolution: Resolution) -> dict[str, str]:
    return {str(k): v for k, v in resolution.pins().items()}


def n(name: str) -> NormalizedName:
    return canonicalize_name(name)


# --- basics -----------------------------------------------------------------------------------


def test_picks_highest_versions_and_records_the_graph() -> None:
    result = run(
        {"app": {"1.0": {"requires": ["lib>=1"]}, "2.0": {"requires": ["lib>=2", "util"]}},
         "lib": {"1.0": {}, "2.0": {}, "2.5": {}}, "util": {"0.1": {}}},
        ["app"],
    )
    assert pins(result) == {"app": "2.0", "lib": "2.5", "util": "0.1"}
    assert result.get(n("app")).requested  # type: ignore[union-attr]
    assert not result.get(n("lib")).requested  # type: ignore[union-attr]
    assert Dependency(None, n("app"), "app") in result.dependencies
    assert [d.parent for d in result.required_by(n("lib"))] == ["app"]
    assert {d.child for d in result.dependencies_of(n("app"))} == {"lib", "util"}


def test_names_are_normalised() -> None:
    result = run({"Foo_Bar": {"1.0": {"requires": ["Other.Thing"]}}, "other-thing": {"1.0": {}}},
                 ["foo.bar"])
    assert pins(result) == {"foo-bar": "1.0", "other-thing": "1.0"}


def test_backtracks_to_an_older_version_when_the_newest_conflicts() -> None:
    result = run(
        {"a": {"1.0": {"requires": ["c<2"]}, "2.0": {"requires": ["c>=2"]}},
         "b": {"1.0": {"requires": ["c<2"]}}, "c": {"1.0": {}, "2.0": {}}},
        ["a", "b"],
    )
    assert pins(result) == {"a": "1.0", "b": "1.0", "c": "1.0"}


# --- extras and markers ---------------------------------------------------------------------


def test_extras_pull_their_dependencies_at_the_same_version() -> None:
    result = run(
        {"a": {"1.0": {"extras": {"x": ["b"]}}, "2.0": {"extras": {"x": ["b", "c"]}}},
         "b": {"1.0": {}}, "c": {"1.0": {}}},
        ["a[x]"],
    )
    assert pins(result) == {"a": "2.0", "b": "1.0", "c": "1.0"}
    assert result.extras == {"a": frozenset({"x"})}
    edge = next(d for d in result.dependencies if d.child == "c")
    assert edge.parent == "a"
    assert edge.parent_extra == "x"


def test_extras_are_normalised_and_combined() -> None:
    result = run(
        {"a": {"1.0": {"extras": {"Fast_Mode": ["b"], "cli": ["c"]}}}, "b": {"1.0": {}},
         "c": {"1.0": {}}},
        ["a[fast-mode,CLI]"],
    )
    assert pins(result) == {"a": "1.0", "b": "1.0", "c": "1.0"}
    assert result.extras[n("a")] == {"fast-mode", "cli"}


def test_extra_of_a_dependency_and_self_referencing_extras() -> None:
    result = run(
        {"a": {"1.0": {"extras": {"all": ["a[x]"], "x": ["b"]}}},
         "app": {"1.0": {"requires": ["a[all]"]}}, "b": {"1.0": {}}},
        ["app"],
    )
    assert pins(result) == {"a": "1.0", "app": "1.0", "b": "1.0"}
    assert result.extras[n("a")] == {"all", "x"}


def test_an_extra_the_package_lacks_is_a_warning_not_an_error() -> None:
    result = run({"a": {"1.0": {}}}, ["a[nope]"])
    assert pins(result) == {"a": "1.0"}
    assert result.warnings == ("The package `a==1.0` does not have an extra named `nope`",)


def test_extra_dependency_conflict_backtracks_the_base() -> None:
    result = run(
        {"a": {"1.0": {"extras": {"x": ["b<2"]}}, "2.0": {"extras": {"x": ["b>=2"]}}},
         "b": {"1.0": {}, "2.0": {}}},
        ["a[x]", "b<2"],
    )
    assert pins(result) == {"a": "1.0", "b": "1.0"}


def test_markers_are_evaluated_against_the_target() -> None:
    packages = {
        "a": {"1.0": {"requires": [
            "linux-only; sys_platform == 'linux'",
            "win-only; sys_platform == 'win32'",
            "old-py; python_version < '3.10'",
            "new-py; python_version >= '3.13'",
        ]}},
        "linux-only": {"1.0": {}}, "win-only": {"1.0": {}}, "old-py": {"1.0": {}},
        "new-py": {"1.0": {}},
    }
    assert set(pins(run(packages, ["a"]))) == {"a", "linux-only"}
    # The target's Python wins over the interpreter's markers.
    assert set(pins(run(packages, ["a"], target=make_target("3.13")))) == {
        "a", "linux-only", "new-py"}
    assert set(pins(run(packages, ["a"], target=make_target("3.9")))) == {
        "a", "linux-only", "old-py"}


def test_root_requirements_with_false_markers_are_dropped() -> None:
    result = run({"a": {"1.0": {}}}, ["a", "missing; sys_platform == 'win32'"])
    assert pins(result) == {"a": "1.0"}


def test_marker_environment_uses_the_target_python() -> None:
    env = make_target("3.9").marker_environment("x")
    assert env["python_version"] == "3.9"
    assert env["python_full_version"] == "3.9.0"
    assert env["extra"] == "x"
    assert make_target("3.11.4").marker_environment()["python_full_version"] == "3.11.4"


# --- requires-python and wheel tags ---------------------------------------------------------


def test_requires_python_of_the_file_filters_versions_for_the_target() -> None:
    packages = {"a": {"1.0": {"requires_python": ">=3.8"}, "2.0": {"requires_python": ">=3.13"}}}
    assert pins(run(packages, ["a"])) == {"a": "1.0"}
    assert pins(run(packages, ["a"], target=make_target("3.13"))) == {"a": "2.0"}


def test_requires_python_upper_bounds_are_ignored() -> None:
    assert pins(run({"a": {"1.0": {"requires_python": ">=3.8,<3.11"}}}, ["a"])) == {"a": "1.0"}


def test_requires_python_found_only_in_metadata_still_counts() -> None:
    source = MemorySource({"a": {"1.0": {}, "2.0": {"requires_python": ">=3.13"}}})
    # Simulate an index that does not publish data-requires-python: strip it from the files.
    from ferry.model.value_fields import replace

    source._files[n("a")] = [replace(f, requires_python=None) for f in source._files[n("a")]]
    assert pins(run({}, ["a"], source=source)) == {"a": "1.0"}


def test_best_wheel_is_the_most_preferred_tag() -> None:
    result = run(
        {"a": {"1.0": {"wheel_tags": ["py3-none-any", "cp312-abi3-manylinux_2_17_x86_64",
                                      "cp311-cp311-manylinux_2_17_x86_64"]}}},
        ["a"],
    )
    file = result.dists[0].file
    assert file is not None
    assert file.filename == "a-1.0-cp312-abi3-manylinux_2_17_x86_64.whl"


def test_incompatible_wheels_fall_back_to_the_sdist() -> None:
    result = run({"a": {"1.0": {"wheel_tags": ["cp312-cp312-win_amd64"]}}}, ["a"])
    file = result.dists[0].file
    assert file is not None
    assert file.filename == "a-1.0.tar.gz"


def test_a_version_without_a_usable_file_is_skipped() -> None:
    result = run(
        {"a": {"1.0": {}, "2.0": {"wheel_tags": ["cp312-cp312-win_amd64"], "sdist": False}}},
        ["a"],
    )
    assert pins(result) == {"a": "1.0"}


def test_no_binary_and_only_binary() -> None:
    packages = {"a": {"1.0": {}, "2.0": {"sdist": False}, "3.0": {"wheel": False}}}
    no_binary = run(packages, ["a"], target=make_target(no_binary=frozenset({"a"})))
    assert no_binary.dists[0].file.filename == "a-3.0.tar.gz"  # type: ignore[union-attr]
    only_binary = run(packages, ["a"], target=make_target(only_binary=frozenset({":all:"})))
    assert only_binary.dists[0].file.filename == "a-2.0-py3-none-any.whl"  # type: ignore[union-attr]
    no_build = run(packages, ["a"], target=make_target(no_build=frozenset({"a"})))
    assert pins(no_build) == {"a": "2.0"}
    # A named --no-binary beats a blanket --only-binary :all:.
    both = make_target(no_binary=frozenset({"a"}), only_binary=frozenset({":all:"}))
    assert pins(run(packages, ["a"], target=both)) == {"a": "3.0"}


# --- yanked, prereleases, local and post versions, epochs ---------------------------------------


def test_yanked_versions_are_skipped_unless_pinned_exactly_by_the_user() -> None:
    packages = {"a": {"1.0": {}, "2.0": {"yanked": "broken"}},
                "b": {"1.0": {"requires": ["a==2.0"]}}}
    assert pins(run(packages, ["a"])) == {"a": "1.0"}
    assert pins(run(packages, ["a==2.0"])) == {"a": "2.0"}
    assert pins(run(packages, ["a"], ("a==2.0",))) == {"a": "2.0"}
    with pytest.raises(ResolutionError):
        run(packages, ["b"])  # a transitive pin does not unlock a yanked version
    with pytest.raises(ResolutionError):
        run(packages, ["a==2.0"], allow_yanked_pins=False)


@pytest.mark.parametrize(
    ("mode", "requirement", "expected"),
    [
        ("if-necessary-or-explicit", "a", "1.0"),
        ("if-necessary-or-explicit", "a>=2.0b1", "2.0b2"),
        ("if-necessary-or-explicit", "a>1.0", "2.0b2"),  # only pre-releases satisfy
        ("allow", "a", "2.0b2"),
        ("disallow", "a>=2.0b1", None),
        ("disallow", "a", "1.0"),
        ("explicit", "a>1.0", None),
        ("explicit", "a>=2.0b1", "2.0b2"),
        ("if-necessary", "a>1.0", "2.0b2"),
        ("if-necessary", "a", "1.0"),
        ("if-necessary", "a>=2.0b1", "2.0b2"),
    ],
)
def test_prerelease_modes(mode: str, requirement: str, expected: str | None) -> None:
    packages: dict[str, Any] = {"a": {"0.9": {}, "1.0": {}, "2.0b1": {}, "2.0b2": {}}}
    if expected is None:
        with pytest.raises(ResolutionError):
            run(packages, [requirement], prerelease=mode)
    else:
        assert pins(run(packages, [requirement], prerelease=mode)) == {"a": expected}


def test_only_prereleases_published_are_used() -> None:
    assert pins(run({"a": {"1.0a1": {}, "1.0a2": {}}}, ["a"])) == {"a": "1.0a2"}


def test_transitive_prerelease_mention_opts_in() -> None:
    result = run({"app": {"1.0": {"requires": ["b>=2.0rc1"]}}, "b": {"1.0": {}, "2.0rc1": {}}},
                 ["app"])
    assert pins(result) == {"app": "1.0", "b": "2.0rc1"}


def test_local_versions_follow_pep_440() -> None:
    packages: dict[str, Any] = {"a": {"1.0+cpu": {}, "1.0+cu121": {}, "0.9": {}}}
    assert pins(run(packages, ["a==1.0"]))["a"].startswith("1.0+")
    assert pins(run(packages, ["a==1.0+cpu"])) == {"a": "1.0+cpu"}
    with pytest.raises(ResolutionError):
        run(packages, ["a>1.0"])  # a local of 1.0 is not greater than 1.0


def test_post_releases_and_epochs() -> None:
    post: dict[str, Any] = {"a": {"1.0": {}, "1.0.post1": {}}}
    assert pins(run(post, ["a"])) == {"a": "1.0.post1"}
    assert pins(run(post, ["a<=1.0"])) == {"a": "1.0"}
    with pytest.raises(ResolutionError):
        run(post, ["a>1.0"])  # PEP 440: >V excludes post-releases of V
    assert pins(run(post, ["a>1.0.post0"])) == {"a": "1.0.post1"}
    epochs: dict[str, Any] = {"a": {"2.0": {}, "1!1.0": {}}}
    assert pins(run(epochs, ["a"])) == {"a": "1!1.0"}
    assert pins(run(epochs, ["a<1!0"])) == {"a": "2.0"}


# --- graph shapes -----------------------------------------------------------------------------


def test_self_dependencies_and_cycles() -> None:
    result = run(
        {"a": {"1.0": {"requires": ["a>=1", "b"]}}, "b": {"1.0": {"requires": ["c"]}},
         "c": {"1.0": {"requires": ["a"]}}},
        ["a"],
    )
    assert pins(result) == {"a": "1.0", "b": "1.0", "c": "1.0"}
    assert any(d.parent == "c" and d.child == "a" for d in result.dependencies)


def test_no_deps_installs_only_what_was_named() -> None:
    result = run({"a": {"1.0": {"requires": ["b"], "extras": {"x": ["c"]}}}}, ["a[x]"],
                 no_deps=True)
    assert pins(result) == {"a": "1.0"}


# --- preferences and resolution strategies ------------------------------------------------------


def test_preferences_keep_installed_versions_unless_upgrading() -> None:
    packages: dict[str, Any] = {"a": {"1.0": {}, "2.0": {}}, "b": {"1.0": {}, "2.0": {}}}
    prefs = {n("a"): Version("1.0"), n("b"): Version("1.0")}
    assert pins(run(packages, ["a", "b"], preferences=prefs)) == {"a": "1.0", "b": "1.0"}
    assert pins(run(packages, ["a", "b"], preferences=prefs, upgrade=True)) == {
        "a": "2.0", "b": "2.0"}
    assert pins(run(packages, ["a", "b"], preferences=prefs,
                    upgrade_packages=frozenset({n("b")}))) == {"a": "1.0", "b": "2.0"}
    # A preference that no longer satisfies the requirements is ignored.
    assert pins(run(packages, ["a>=2", "b"], preferences=prefs)) == {"a": "2.0", "b": "1.0"}


def test_lowest_and_lowest_direct() -> None:
    packages = {"a": {"1.0": {"requires": ["b"]}, "2.0": {"requires": ["b"]}},
                "b": {"1.0": {}, "2.0": {}}}
    assert pins(run(packages, ["a"], resolution="lowest")) == {"a": "1.0", "b": "1.0"}
    assert pins(run(packages, ["a"], resolution="lowest-direct")) == {"a": "1.0", "b": "2.0"}


def test_exclude_newer_hides_later_uploads() -> None:
    packages = {"a": {"1.0": {"upload_time": "2023-01-01T00:00:00Z"},
                      "2.0": {"upload_time": "2024-06-01T00:00:00Z"},
                      "3.0": {}}}
    result = run(packages, ["a"], exclude_newer=datetime(2024, 1, 1, tzinfo=UTC))
    assert pins(result) == {"a": "1.0"}
    assert pins(run(packages, ["a"], exclude_newer=datetime(2025, 1, 1))) == {"a": "2.0"}


# --- direct references, constraints, editables --------------------------------------------------


def test_direct_url_requirements() -> None:
    url = "https://example.invalid/files/a-5.0-py3-none-any.whl"
    source = MemorySource({"b": {"1.0": {}}, "a": {"1.0": {}}},
                          directs={url: {"version": "5.0", "requires": ["b"]}})
    result = run({}, [f"a @ {url}#sha256=00", "a>=2"], source=source)
    dist = result.get(n("a"))
    assert dist is not None
    assert dist.direct_url == f"{url}#sha256=00"
    assert dist.file is not None and dist.file.filename == "a-5.0-py3-none-any.whl"
    assert pins(result) == {"a": "5.0", "b": "1.0"}


def test_direct_url_of_another_package_is_refused() -> None:
    url = "file:///src/other"
    source = MemorySource({}, directs={url: {"name": "other", "version": "1.0"}})
    with pytest.raises(MetadataError, match="distribution of `other`"):
        run({}, [f"a @ {url}"], source=source)


def test_two_urls_for_one_package_conflict() -> None:
    source = MemorySource({}, directs={"file:///x": {"version": "1"},
                                       "file:///y": {"version": "1"}})
    with pytest.raises(ResolutionError) as info:
        run({}, ["a @ file:///x", "a @ file:///y"], source=source)
    assert "cannot come from two different URLs" in info.value.causes[0]


def test_editables_are_flagged() -> None:
    url = "file:///work/pkg"
    source = MemorySource({}, directs={url: {"version": "0.1"}})
    result = resolve([Requirement(f"pkg @ {url}")], [], source, make_target(), ResolverOptions(),
                     editables={n("pkg")})
    dist = result.dists[0]
    assert dist.editable and dist.direct_url == url and dist.file is None


def test_constraints_restrict_but_do_not_add() -> None:
    packages = {"a": {"1.0": {"requires": ["b"]}}, "b": {"1.0": {}, "2.0": {}}, "c": {"1.0": {}}}
    result = run(packages, ["a"], ("b<2", "c==1.0", "b>=5; sys_platform == 'win32'"))
    assert pins(result) == {"a": "1.0", "b": "1.0"}


def test_constraint_with_url_selects_the_url() -> None:
    url = "file:///wheels/b-9.0-py3-none-any.whl"
    source = MemorySource({"a": {"1.0": {"requires": ["b"]}}, "b": {"1.0": {}}},
                          directs={url: {"version": "9.0"}})
    result = run({}, ["a"], (f"b @ {url}",), source=source)
    assert result.get(n("b")).direct_url == url  # type: ignore[union-attr]


# --- metadata problems and the source seam ------------------------------------------------------


def test_inconsistent_metadata_makes_a_candidate_unusable() -> None:
    source = MemorySource({"a": {"1.0": {}, "2.0": {}}})
    real = source.metadata

    def lying(file: Any) -> CoreMetadata:
        meta = real(file)
        if file.filename.startswith("a-2.0"):
            return CoreMetadata(meta.name, Version("2.1"), meta.requires_dist)
        return meta

    source.metadata = lying  # type: ignore[method-assign]
    assert pins(run({}, ["a"], source=source)) == {"a": "1.0"}
    with pytest.raises(ResolutionError) as info:
        run({}, ["a==2.0"], source=source)
    assert "inconsistent metadata" in " ".join(info.value.causes)


def test_prefetch_is_offered_for_roots_and_new_dependencies() -> None:
    source = MemorySource({"a": {"1.0": {"requires": ["b>=1,<2"]}}, "b": {"1.0": {}, "1.5": {},
                                                                          "2.0": {}}})
    result = run({}, ["a"], source=source)
    assert pins(result) == {"a": "1.0", "b": "1.5"}
    assert source.prefetched == [("a", "a-1.0-py3-none-any.whl"), ("b", "b-1.5-py3-none-any.whl")]
    assert source.metadata_calls == ["a-1.0-py3-none-any.whl", "b-1.5-py3-none-any.whl"]


def test_core_metadata_from_bytes() -> None:
    text = (b"Metadata-Version: 2.1\nName: Foo_Bar\nVersion: 1.0\nRequires-Python: >=3.8\n"
            b"Requires-Dist: b>=1; extra == 'X_Y'\nProvides-Extra: X_Y\n\nbody")
    meta = CoreMetadata.from_bytes(text)
    assert meta.name == "foo-bar"
    assert meta.version == Version("1.0")
    assert [str(r) for r in meta.requires_dist] == ['b>=1; extra == "x-y"']
    assert meta.provides_extra == {"x-y"}
    with pytest.raises(MetadataError, match="invalid Requires-Dist"):
        CoreMetadata.from_bytes(b"Name: a\nVersion: 1\nRequires-Dist: b >>= 1\n", origin="a.whl")
    with pytest.raises(MetadataError, match="lacks a Name"):
        CoreMetadata.from_bytes(b"Version: 1\n")


def test_compressed_tag_sets_build_tags_and_foreign_files() -> None:
    from ferry.model.dist import FileRef
    from ferry.resolve.candidates import VersionBuilder

    names = [
        "a-1.0-py2.py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
        "a-1.0-2-py3-none-any.whl",
        "a-1.0-10-py3-none-any.whl",
        "other-1.0-py3-none-any.whl",
        "a-1.0.exe",
        "a-notaversion!-py3-none-any.whl",
    ]
    builder = VersionBuilder(make_target())
    built = builder.build(n("a"), [FileRef(f, f"memory://{f}") for f in names])
    assert [str(e.version) for e in built.entries] == ["1.0"]
    file = built.entries[0].file
    assert file is not None
    assert file.filename == names[0]  # py3-none-manylinux… outranks py3-none-any
    any_only = builder.build(n("a"), [FileRef(f, f) for f in names[1:3]])
    assert any_only.entries[0].file.filename == "a-1.0-10-py3-none-any.whl"  # type: ignore[union-attr]


def test_credentials_in_direct_urls_never_reach_messages_or_the_graph() -> None:
    url = "https://user:s3cret@example.invalid/a-1.0-py3-none-any.whl"
    other = "https://user:s3cret@example.invalid/a-2.0-py3-none-any.whl"
    source = MemorySource({}, directs={url: {"version": "1.0"}, other: {"version": "2.0"}})
    result = run({}, [f"a @ {url}"], source=source)
    assert result.get(n("a")).direct_url == url  # type: ignore[union-attr]  # kept for fetching
    assert all("s3cret" not in d.requirement for d in result.dependencies)
    with pytest.raises(ResolutionError) as info:
        run({}, [f"a @ {url}", f"a @ {other}"], source=source)
    assert "s3cret" not in " ".join(info.value.causes)
    assert "user:****@" in " ".join(info.value.causes)
