"""`--offline`: a version whose metadata the cache cannot give is unavailable, not fatal.

uv 0.13.8 treats such a version as unavailable and moves on to the next (review finding F6, seed
uv#8860); the single-target and the universal resolver both do so now, and a failure names the
versions and `--offline`. The index source also reads a version's metadata from another of its
files when that is the one the cache holds.
"""

from __future__ import annotations

from typing import Any

import pytest
from test_resolve_semantics import make_target, pins

from ferry.model.dist import FileRef
from ferry.model.errors import OfflineError, ResolutionError
from ferry.model.pep440_specifiers import SpecifierSet
from ferry.model.pep508_requirements import Requirement
from ferry.model.version_sets import specifier_versions
from ferry.resolve.algorithm import resolve
from ferry.resolve.candidates import OFFLINE_HINT, is_offline_reason, offline_reason
from ferry.resolve.memory import MemorySource
from ferry.resolve.options import ResolverOptions
from ferry.resolve.provider_index import IndexSource
from ferry.resolve.source import CoreMetadata
from ferry.resolve.universal import RootList, UniversalRequest, resolve_universal

Packages = dict[str, dict[str, dict[str, Any]]]


class OfflineSource(MemorySource):
    """A memory index whose cache holds only the files in ``cached``: asking for the metadata
    of any other raises what the index client raises under ``--offline``."""

    def __init__(self, packages: Packages, cached: set[str], **kw: Any) -> None:
        super().__init__(packages, **kw)
        self.cached = cached

    def metadata(self, file: FileRef) -> CoreMetadata:
        if file.filename not in self.cached:
            self.metadata_calls.append(file.filename)
            raise OfflineError(f"The metadata of `{file.filename}` is not in the cache")
        return super().metadata(file)


def wheels(*specs: str) -> set[str]:
    """``"tool==1.0"`` → the pure wheel MemorySource offers for it."""
    out = set()
    for spec in specs:
        name, _, version = spec.partition("==")
        out.add(f"{name.replace('-', '_')}-{version}-py3-none-any.whl")
    return out


def compile_for_target(source: OfflineSource, requirements: list[str]) -> dict[str, str]:
    result = resolve([Requirement(r) for r in requirements], [], source, make_target(),
                     ResolverOptions())
    return pins(result)


def lock(source: MemorySource, requirements: list[str]) -> list[str]:
    request = UniversalRequest(
        project="proj",
        roots=(RootList("base", None, tuple(Requirement(r) for r in requirements)),),
        python=specifier_versions(SpecifierSet(">=3.9")),
    )
    graph = resolve_universal(request, source)
    return sorted(f"{ref.name}=={ref.version}" for ref in graph.nodes)


TOOL: Packages = {
    "tool": {"0.6.9": {"requires": ["helper"]}, "0.7.2": {"requires": ["helper>=2"]}},
    "helper": {"1.0": {}, "2.0": {}},
}


def test_the_target_resolver_moves_past_versions_the_cache_lacks() -> None:
    source = OfflineSource(TOOL, wheels("tool==0.6.9", "helper==1.0"))
    assert compile_for_target(source, ["tool"]) == {"tool": "0.6.9", "helper": "1.0"}
    assert "tool-0.7.2-py3-none-any.whl" in source.metadata_calls


def test_a_cached_version_whose_dependency_is_missing_gives_way() -> None:
    # tool 0.7.2 is cached but needs helper>=2, which is not: tool 0.6.9 and helper 1.0 win.
    source = OfflineSource(TOOL, wheels("tool==0.7.2", "tool==0.6.9", "helper==1.0"))
    assert compile_for_target(source, ["tool"]) == {"tool": "0.6.9", "helper": "1.0"}
    assert lock(source, ["tool"]) == ["helper==1.0", "tool==0.6.9"]


def test_the_universal_resolver_moves_past_versions_the_cache_lacks() -> None:
    source = OfflineSource(TOOL, wheels("tool==0.6.9", "helper==1.0"))
    assert lock(source, ["tool"]) == ["helper==1.0", "tool==0.6.9"]


def test_a_failure_names_the_version_and_offline() -> None:
    source = OfflineSource(TOOL, wheels("tool==0.6.9", "helper==1.0"))
    with pytest.raises(ResolutionError) as info:
        compile_for_target(source, ["tool>=0.7"])
    assert info.value.causes == [
        "Because tool==0.7.2 is not available offline (the metadata of "
        "`tool-0.7.2-py3-none-any.whl` is not in the cache) and you require tool>=0.7, "
        "the requirements are unsatisfiable."
    ]
    assert info.value.hint == OFFLINE_HINT


@pytest.mark.parametrize("universal", [False, True], ids=["target", "universal"])
def test_every_version_missing_is_one_sentence(universal: bool) -> None:
    packages: Packages = {"big": {f"1.{i}": {} for i in range(8)}}
    source = OfflineSource(packages, set())
    with pytest.raises(ResolutionError) as info:
        if universal:
            lock(source, ["big"])
        else:
            compile_for_target(source, ["big"])
    text = "\n".join(info.value.causes)
    assert "big==1.7" in text and "not available offline" in text
    assert "3 more" in text, text
    assert len(info.value.causes) == 1, text
    assert info.value.hint == OFFLINE_HINT


def test_the_reason_is_recognised_and_other_reasons_are_not() -> None:
    reason = offline_reason("tool==1.0", "The metadata of `x.whl` is not in the cache")
    assert reason == ("tool==1.0 is not available offline (the metadata of `x.whl` is not in "
                      "the cache)")
    assert is_offline_reason(reason)
    assert not is_offline_reason("tool==1.0 has unusable metadata: no Name")
    assert not is_offline_reason(None)


# --- the index source: another file of the same version --------------------------------------


class CacheClient:
    """An index client under ``--offline``: the metadata of files not in ``cached`` raises."""

    def __init__(self, files: dict[str, list[str]], cached: set[str]) -> None:
        self.files = files
        self.cached = cached
        self.asked: list[str] = []

    def project_files(self, name: str) -> list[FileRef]:
        return [FileRef(f, f"https://example.invalid/{f}") for f in self.files.get(name, [])]

    def fetch_metadata(self, file: FileRef) -> bytes:
        self.asked.append(file.filename)
        if file.filename not in self.cached:
            if file.filename.startswith("pagefail"):
                raise OfflineError("The index page is not in the cache")
            raise OfflineError(f"The metadata of `{file.filename}` is not in the cache")
        name, version = file.filename.split("-")[:2]
        return f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n".encode()


NUMERIC = ["num-1.0-cp310-cp310-macosx_11_0_arm64.whl",
           "num-1.0-cp312-cp312-manylinux_2_17_x86_64.whl",
           "num-1.0.tar.gz",
           "num-0.9-cp312-cp312-manylinux_2_17_x86_64.whl"]


def test_metadata_comes_from_the_file_of_that_version_the_cache_holds() -> None:
    client = CacheClient({"num": NUMERIC}, {"num-1.0-cp312-cp312-manylinux_2_17_x86_64.whl"})
    with IndexSource(client, max_workers=0) as source:
        meta = source.metadata(FileRef(NUMERIC[0], f"https://example.invalid/{NUMERIC[0]}"))
    assert (meta.name, str(meta.version)) == ("num", "1.0")
    assert client.asked == [NUMERIC[0], NUMERIC[1]]  # the wheel before the sdist, 0.9 never


def test_without_a_cached_file_of_that_version_the_offline_error_stays() -> None:
    client = CacheClient({"num": NUMERIC}, {NUMERIC[3]})
    with IndexSource(client, max_workers=0) as source, \
            pytest.raises(OfflineError, match=r"num-1\.0-cp310"):
        source.metadata(FileRef(NUMERIC[0], f"https://example.invalid/{NUMERIC[0]}"))
    assert client.asked == NUMERIC[:3]


def test_a_universal_lock_reads_the_cached_wheel_of_a_binary_package() -> None:
    client = CacheClient({"num": NUMERIC}, {NUMERIC[1]})
    with IndexSource(client, max_workers=0) as source:
        assert lock(source, ["num"]) == ["num==1.0"]


def test_other_metadata_failures_are_not_touched() -> None:
    class Broken(CacheClient):
        def fetch_metadata(self, file: FileRef) -> bytes:
            self.asked.append(file.filename)
            raise RuntimeError("boom")

    client = Broken({"num": NUMERIC}, set())
    with IndexSource(client, max_workers=0) as source, pytest.raises(RuntimeError):
        source.metadata(FileRef(NUMERIC[0], "https://example.invalid/x"))
    assert client.asked == [NUMERIC[0]]


def test_a_page_the_cache_lacks_is_still_an_error_naming_it() -> None:
    class NoPage(CacheClient):
        def project_files(self, name: str) -> list[FileRef]:
            raise OfflineError(f"The index page of `{name}` is not in the cache",
                               hint="run once without `--offline` so the cache holds it")

    source = IndexSource(NoPage({}, set()), max_workers=0)
    with pytest.raises(OfflineError, match="page of `never`"):
        resolve([Requirement("never")], [], source, make_target(), ResolverOptions())

