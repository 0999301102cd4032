"""Which files a universal resolution takes a version's metadata from (uv's rules).

A universal lock serves every Python and platform the project supports, so a version is a
candidate whenever one of its wheels fits the project's requires-python (judged on the wheel's
Python and ABI tags, lower bound only) or it has an sdist; platform tags and the fork's own
Pythons are not judged (that is for install time). Its metadata comes from a wheel when there is
one — even a wheel for another Python when only the sdist is otherwise usable — and an sdist is
built only when the version has no wheel at all. The single-target resolver keeps checking tags.
"""

from __future__ import annotations

from typing import Any

import pytest

from ferry.model.errors import ResolutionError
from ferry.model.pep440_specifiers import SpecifierSet
from ferry.model.pep440_version import Version
from ferry.model.pep508_requirements import Requirement
from ferry.model.version_sets import VersionSet, specifier_versions
from ferry.resolve.algorithm import resolve
from ferry.resolve.marker_expr import render
from ferry.resolve.memory import MemorySource
from ferry.resolve.options import ResolverOptions, TargetEnvironment
from ferry.resolve.universal import RootList, UniversalRequest, resolve_universal
from ferry.resolve.universal_graph import UniversalGraph
from ferry.resolve.wheel_markers import matches_requires_python

LINUX_311 = "cp311-cp311-manylinux_2_17_x86_64"
# A dependency that splits the lock at Python 3.13, so some forks start above 3.11.
FORKING = ["lib<2; python_version < '3.13'", "lib>=2; python_version >= '3.13'"]
LIB = {"1.0": {}, "2.0": {}}


def universal(
    packages: dict[str, Any], dependencies: list[str], requires_python: str = ">=3.11"
) -> tuple[UniversalGraph, UniversalRequest, MemorySource]:
    source = MemorySource(packages)
    request = UniversalRequest(
        project="proj",
        roots=(RootList("base", None, tuple(Requirement(d) for d in dependencies)),),
        python=specifier_versions(SpecifierSet(requires_python)),
    )
    return resolve_universal(request, source), request, source


def pins(graph: UniversalGraph) -> list[str]:
    return sorted(f"{ref.name}=={ref.version}" for ref in graph.nodes)


def test_a_wheel_for_one_python_serves_every_fork_without_a_build() -> None:
    packages = {"native": {"1.0": {"wheel_tags": [LINUX_311]}}, "lib": LIB}
    graph, request, source = universal(packages, ["native", *FORKING])
    assert [render(f.marker, request.python) for f in graph.forks] == [
        "python_full_version >= '3.13'", "python_full_version < '3.13'"]
    assert pins(graph) == ["lib==1.0", "lib==2.0", "native==1.0"]
    assert set(source.metadata_calls) == {
        f"native-1.0-{LINUX_311}.whl", "lib-1.0-py3-none-any.whl", "lib-2.0-py3-none-any.whl"}


def test_wheels_only_for_an_older_python_than_a_fork_still_resolve() -> None:
    packages = {"native": {"1.0": {"wheel_tags": [LINUX_311], "sdist": False}}, "lib": LIB}
    graph, _, source = universal(packages, ["native", *FORKING])
    assert "native==1.0" in pins(graph)
    assert f"native-1.0-{LINUX_311}.whl" in source.metadata_calls


def test_a_wheel_below_requires_python_gives_metadata_for_the_sdist() -> None:
    # uv's "incompatible wheel": the sdist is what installs, the wheel is read instead of a build.
    packages = {"native": {"1.0": {"wheel_tags": ["cp310-cp310-manylinux_2_17_x86_64"]}}}
    graph, _, source = universal(packages, ["native"])
    assert pins(graph) == ["native==1.0"]
    assert source.metadata_calls == ["native-1.0-cp310-cp310-manylinux_2_17_x86_64.whl"]


def test_a_wheel_below_requires_python_without_an_sdist_is_unusable() -> None:
    packages = {"native": {"1.0": {"wheel_tags": ["cp310-cp310-manylinux_2_17_x86_64"],
                                   "sdist": False}}}
    with pytest.raises(ResolutionError) as caught:
        universal(packages, ["native"])
    assert "no wheel for a Python the project supports" in str(caught.value.causes)


def test_a_version_without_wheels_takes_its_metadata_from_the_sdist() -> None:
    # (Each fork asks; the real source memoises, so it is built once: tests/e2e/test_lock_wheels.)
    packages = {"pure": {"1.0": {"wheel": False}}, "lib": LIB}
    graph, _, source = universal(packages, ["pure", *FORKING])
    assert len(graph.forks) == 2
    assert "pure==1.0" in pins(graph)
    assert {f for f in source.metadata_calls if f.startswith("pure")} == {"pure-1.0.tar.gz"}


def test_the_single_target_resolver_still_judges_tags() -> None:
    packages = {"native": {"1.0": {"wheel_tags": [LINUX_311], "sdist": False}}}
    markers = {"sys_platform": "linux", "platform_machine": "x86_64", "os_name": "posix",
               "implementation_name": "cpython", "platform_python_implementation": "CPython",
               "platform_system": "Linux", "platform_release": "", "platform_version": ""}
    tags = ["cp312-cp312-manylinux_2_17_x86_64", "py3-none-any"]
    target = TargetEnvironment(markers, tags, Version("3.12"))
    with pytest.raises(ResolutionError):
        resolve([Requirement("native")], [], MemorySource(packages), target, ResolverOptions())


def python(spec: str) -> VersionSet:
    return specifier_versions(SpecifierSet(spec))


@pytest.mark.parametrize(
    "filename",
    [  # the wheels uv keeps for requires-python `==3.10.*` (its requires_python tests)
        "bcrypt-4.1.3-cp37-abi3-macosx_10_12_universal2.whl",
        "black-24.4.2-cp310-cp310-win_amd64.whl",
        "black-24.4.2-cp310-none-win_amd64.whl",
        "cbor2-5.6.4-py3-none-any.whl",
        "solace_pubsubplus-1.8.0-py36-none-manylinux_2_12_x86_64.whl",
        "torch-1.10.0-py310-none-macosx_10_9_x86_64.whl",
        "torch-1.10.0-py37-none-macosx_10_9_x86_64.whl",
        "watchfiles-0.22.0-pp310-pypy310_pp73-macosx_11_0_arm64.whl",
    ],
)
def test_wheels_matching_requires_python(filename: str) -> None:
    assert matches_requires_python(filename, python("==3.10.*"))


@pytest.mark.parametrize(
    "filename",
    [  # and those it drops
        "PySocks-1.7.1-py27-none-any.whl",
        "black-24.4.2-cp39-cp39-win_amd64.whl",
        "dearpygui-1.11.1-cp312-cp312-win_amd64.whl",
        "psutil-6.0.0-cp27-none-win32.whl",
        "psutil-6.0.0-cp36-cp36m-win32.whl",
        "pydantic_core-2.20.1-pp39-pypy39_pp73-win_amd64.whl",
        "torch-1.10.0-cp311-none-macosx_10_9_x86_64.whl",
        "torch-1.10.0-cp36-none-macosx_10_9_x86_64.whl",
        "torch-1.10.0-py311-none-macosx_10_9_x86_64.whl",
    ],
)
def test_wheels_outside_requires_python(filename: str) -> None:
    assert not matches_requires_python(filename, python("==3.10.*"))


def test_requires_python_is_compared_by_major_and_minor() -> None:
    cp312 = "dearpygui-1.11.1-cp312-cp312-win_amd64.whl"
    assert matches_requires_python(cp312, python(">=3.12.3"))
    assert matches_requires_python(cp312, python("==3.12.6"))
    assert matches_requires_python(cp312, python("==3.12"))
    assert matches_requires_python(cp312, python(">=3.10, <3.12.1"))
    assert not matches_requires_python(cp312, python(">=3.10, <3.12"))
    assert not matches_requires_python("x-1-cp310-cp310-win_amd64.whl", python(">=3.12.3"))
    assert matches_requires_python("x-1-cp313-cp313t-linux_x86_64.whl", python(">=3.13"))
    assert not matches_requires_python("x-1-py2-none-any.whl", VersionSet.full())
    assert matches_requires_python("x-1-cp38-cp38-any.whl", VersionSet.full())
