"""Local indexes in ``uv.lock``: the spellings uv 0.13.8 writes, read back (s8 review F1).

The expected strings were observed with uv 0.13.8 on indexes built by ``tests/support``; the
side-by-side runs are in ``tests/interop/test_file_index_lock_interop_s8.py``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ferry.commands.lock_indexes import IndexChoice, choose_indexes
from ferry.project.lock_inputs import expected_metadata
from ferry.project.lock_local import (
    fetch_url,
    find_local,
    local_registry,
    locked_file,
    metadata_index_url,
    registry_directory,
    registry_key,
)
from ferry.project.lock_select import Selection, select
from ferry.project.lockfile import parse_lock
from ferry.project.pyproject import parse_pyproject

ROOT = Path("/work/proj")
H = "sha256:" + "ab" * 32


@pytest.fixture(autouse=True)
def _no_index_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("FERRY_INDEX_URL", "FERRY_EXTRA_INDEX_URL", "FERRY_FIND_LINKS"):
        monkeypatch.delenv(key, raising=False)


# -- how the lock names a local index -------------------------------------------------------------


def test_a_file_url_is_its_decoded_path_trailing_slash_kept() -> None:
    reg = local_registry("file:///srv/my%20idx/simple/", base=ROOT, root=ROOT)
    assert reg.key == "file:///srv/my%20idx/simple/"
    assert reg.value == "/srv/my idx/simple/"
    assert reg.directory == "/srv/my idx/simple"
    assert not reg.relative
    url = "file:///srv/my%20idx/files/a-1.0-py3-none-any.whl"
    expected = "/srv/my idx/files/a-1.0-py3-none-any.whl"
    assert reg.file_path(url, "a-1.0-py3-none-any.whl") == expected


def test_an_absolute_path_is_normalised() -> None:
    reg = local_registry("/srv/idx/./simple/", base=ROOT, root=ROOT)
    assert reg.value == "/srv/idx/simple"
    assert reg.key == "file:///srv/idx/simple"
    assert not reg.relative


def test_a_relative_path_is_relative_to_the_root_and_its_files_to_the_index() -> None:
    reg = local_registry("./../idx/simple/", base=ROOT, root=ROOT)
    assert reg.value == "../idx/simple"
    assert reg.key == "file:///work/idx/simple"
    assert reg.directory == "/work/idx/simple"
    assert reg.relative
    assert reg.file_path("file:///work/idx/files/a.whl", "a.whl") == "../files/a.whl"
    # a page may link anywhere: uv walks up as far as it takes
    outside = reg.file_path("file:///other/files/b.tar.gz", "b.tar.gz")
    assert outside == "../../../other/files/b.tar.gz"


def test_a_relative_flag_is_relative_to_the_working_directory() -> None:
    reg = local_registry("../../../idx/simple", base=ROOT / "sub" / "deeper", root=ROOT)
    assert reg.value == "../idx/simple"


def test_a_find_links_directory_lists_files_by_name_and_without_sizes() -> None:
    reg = local_registry("../wheels", base=ROOT, root=ROOT, key="../wheels", flat=True)
    assert reg.key == "../wheels"
    assert reg.entry("file:///elsewhere/resolved/a.whl", "a.whl", 123) == ("a.whl", None)
    absolute = local_registry("/srv/wheels/", base=ROOT, root=ROOT, key="/srv/wheels/", flat=True)
    assert absolute.entry("file:///srv/wheels/a.whl", "a.whl", 9) == ("/srv/wheels/a.whl", None)
    index = local_registry("/srv/idx/simple", base=ROOT, root=ROOT)
    assert index.entry("file:///srv/idx/files/a.whl", "a.whl", 9) == ("/srv/idx/files/a.whl", 9)


def test_only_paths_are_turned_into_file_urls() -> None:
    assert fetch_url("", ROOT) == ""
    assert fetch_url("https://example.invalid/simple/", ROOT) == "https://example.invalid/simple/"
    assert fetch_url("file:///srv/idx/simple/", ROOT) == "file:///srv/idx/simple/"
    assert fetch_url("idx/simple/", ROOT) == "file:///work/proj/idx/simple"


def test_the_metadata_names_an_index_by_url() -> None:
    assert metadata_index_url("file:///srv/idx/simple/", ROOT) == "file:///srv/idx/simple/"
    assert metadata_index_url("/srv/idx/simple/", ROOT) == "file:///srv/idx/simple"
    assert metadata_index_url("../my idx/simple/", ROOT) == "file:///work/my%20idx/simple"
    assert metadata_index_url("https://example.invalid/simple", ROOT) == (
        "https://example.invalid/simple")


def test_a_file_url_index_missing_from_the_choice_is_named_absolute() -> None:
    found = find_local((), "file:///srv/idx/simple", ROOT)
    assert found is not None and found.value == "/srv/idx/simple"
    assert find_local((), "https://example.invalid/simple", ROOT) is None


# -- reading it back ------------------------------------------------------------------------------


def test_registry_paths_compare_as_uv_compares_them() -> None:
    assert registry_key("/srv/idx/simple/") == registry_key("/srv/idx/simple")
    assert registry_key("./../idx/simple/") == registry_key("../idx/simple")
    assert registry_key("../idx/simple") != registry_key("/work/idx/simple")
    assert registry_key("https://x.invalid/simple/") != registry_key("https://x.invalid/simple")


def test_locked_files_resolve_against_their_registry() -> None:
    assert registry_directory("../idx/simple", ROOT) == Path("/work/idx/simple")
    assert registry_directory("/srv/idx/simple/", ROOT) == Path("/srv/idx/simple")
    assert locked_file("../idx/simple", "../files/a.whl", ROOT) == Path("/work/idx/files/a.whl")
    assert locked_file("../idx/simple", "/abs/a.whl", ROOT) == Path("/abs/a.whl")


LOCK = f"""\
version = 1
revision = 3
requires-python = ">=3.10"

[[package]]
name = "app"
version = "0.1.0"
source = {{ virtual = "." }}
dependencies = [
    {{ name = "lib" }},
    {{ name = "onlysd" }},
]

[[package]]
name = "lib"
version = "1.0"
source = {{ registry = "../idx/simple" }}
sdist = {{ path = "../files/lib-1.0.tar.gz", hash = "{H}" }}
wheels = [
    {{ path = "../files/lib-1.0-py3-none-any.whl", hash = "{H}" }},
]

[[package]]
name = "onlysd"
version = "1.0"
source = {{ registry = "/srv/idx/simple/" }}
sdist = {{ path = "/srv/idx/files/onlysd-1.0.tar.gz", hash = "{H}" }}
"""


def test_a_frozen_selection_installs_registry_files_from_their_paths() -> None:
    lock = parse_lock(LOCK)
    picked = {s.package.name: s.pin for s in select(
        lock, ["app"], Selection(), {"python_version": "3.11", "python_full_version": "3.11.7"},
        ["py3-none-any"], str(ROOT))}
    lib, onlysd = picked["lib"], picked["onlysd"]
    assert lib is not None and lib.file is not None
    assert lib.file.url == "file:///work/idx/files/lib-1.0-py3-none-any.whl"
    assert lib.file.hashes.sha256 == "ab" * 32
    assert onlysd is not None and onlysd.file is not None
    assert onlysd.file.url == "file:///srv/idx/files/onlysd-1.0.tar.gz"
    assert onlysd.file.filename == "onlysd-1.0.tar.gz"


# -- the configured indexes ------------------------------------------------------------------------

PYPROJECT = """\
[project]
name = "app"
version = "0.1.0"
dependencies = ["lib", "dep"]

[tool.uv.sources]
lib = {{ index = "pinned" }}

[[tool.uv.index]]
name = "pinned"
url = "{pinned}"
explicit = true

[[tool.uv.index]]
name = "main"
url = "../idx/simple/"
default = true
"""


def _choice(tmp_path: Path, pinned: str, **flags: object) -> tuple[IndexChoice, Path]:
    root = tmp_path / "proj"
    root.mkdir()
    text = PYPROJECT.format(pinned=pinned)
    pyproject = parse_pyproject(text, root / "pyproject.toml")
    options: dict[str, object] = {"index_url": None, "extra_index_urls": (), "find_links": (),
                                  "no_index": False, **flags}
    return choose_indexes(pyproject, **options), root  # type: ignore[arg-type]


def test_local_indexes_are_fetched_as_file_urls_and_named_as_uv_names_them(
    tmp_path: Path
) -> None:
    choice, _ = _choice(tmp_path, "/srv/pinned/simple")
    main = (tmp_path / "idx" / "simple").as_uri()
    assert choice.urls == (main,)
    assert choice.pinned == (("lib", "file:///srv/pinned/simple"),)
    assert choice.configured() == {"../idx/simple", "/srv/pinned/simple"}
    assert choice.unconfigured(["../idx/simple/", "/srv/pinned/simple/"]) == []
    assert choice.unconfigured(["/elsewhere", "https://x.invalid/simple"]) == [
        "/elsewhere", "https://x.invalid/simple"]
    registry = choice.registry_of(main)
    assert registry is not None and registry.value == "../idx/simple" and registry.relative


def test_the_same_directory_spelled_the_other_way_is_named_in_the_reason(tmp_path: Path) -> None:
    choice, root = _choice(tmp_path, "file:///srv/pinned/simple")
    absolute = (tmp_path / "idx" / "simple").as_posix()
    assert choice.unconfigured([absolute]) == [absolute]
    assert choice.spelled_otherwise(absolute, root) == "../idx/simple"
    assert choice.spelled_otherwise("../pinned/simple", root) is None
    assert choice.spelled_otherwise("https://x.invalid/simple", root) is None


def test_a_find_links_directory_is_a_registry_of_the_lock(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "wheels").mkdir()
    monkeypatch.chdir(tmp_path / "wheels")
    choice, _ = _choice(tmp_path, "/srv/pinned/simple", find_links=(".", "missing-dir"),
                        no_index=True)
    assert choice.urls == ()
    flat = choice.registry_of(".")
    assert flat is not None and flat.flat and flat.value == "../wheels"
    assert choice.registry_of("missing-dir") is None
    assert "../wheels" in choice.configured()
    assert "../idx/simple" not in choice.configured()


def test_the_project_metadata_names_a_local_index_by_url(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    root.mkdir()
    text = PYPROJECT.format(pinned="../pinned idx/simple/").replace(
        'lib = { index = "pinned" }', 'lib = { index = "pinned" }\ndep = { index = "main" }')
    metadata = expected_metadata(parse_pyproject(text, root / "pyproject.toml"))
    indexes = {r.name: r.index for r in metadata.requires_dist}
    assert indexes == {"lib": (tmp_path / "pinned idx" / "simple").as_uri(),
                       "dep": (tmp_path / "idx" / "simple").as_uri()}
