"""iter_installed / InstalledDist: fast listing from directory names, lazy details."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from ferry.model.pep440_version import Version
from ferry.wheel import InstalledDist, iter_installed


def dist_info(site: Path, dirname: str, files: dict[str, str] | None = None) -> Path:
    path = site / dirname
    path.mkdir(parents=True)
    for name, text in (files or {}).items():
        (path / name).write_text(text)
    return path


def test_names_and_versions_come_from_directory_names(tmp_path: Path) -> None:
    site = tmp_path / "site"
    # no METADATA at all: proof that the unambiguous names are not read from it
    dist_info(site, "Foo_Bar-1.0.post2.dist-info")
    dist_info(site, "zope.interface-6.0.dist-info")
    (site / "foo_bar").mkdir()
    (site / "README.txt").write_text("not a dist")
    found = iter_installed([site])
    assert [(d.name, d.version) for d in found] == [
        ("foo-bar", Version("1.0.post2")),
        ("zope-interface", Version("6.0")),
    ]
    assert found[0].site_dir == site and found[0].kind == "dist-info"


def test_ambiguous_names_read_metadata(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    site = tmp_path / "site"
    dist_info(site, "foo-bar-1.0.dist-info", {"METADATA": "Name: foo-bar\nVersion: 1.0\n"})
    dist_info(site, "weird.dist-info", {"METADATA": "Name: Weird\nVersion: 3\n"})
    dist_info(site, "broken.dist-info")
    with caplog.at_level(logging.WARNING, logger="ferry.wheel"):
        found = iter_installed([site])
    assert [(d.name, str(d.version)) for d in found] == [("foo-bar", "1.0"), ("weird", "3")]
    assert "broken.dist-info" in caplog.text


def test_egg_info_directories_and_files(tmp_path: Path) -> None:
    site = tmp_path / "site"
    egg = dist_info(
        site, "legacy.egg-info",
        {
            "PKG-INFO": "Metadata-Version: 1.1\nName: Legacy\nVersion: 0.9\n",
            "requires.txt": 'six\n\n[socks]\nPySocks>=1.5\n\n[:python_version < "3"]\nenum34\n',
        },
    )
    flat = "Metadata-Version: 1.0\nName: flat\nVersion: 2.0\n"
    (site / "flat-2.0-py3.12.egg-info").write_text(flat)
    found: dict[str, InstalledDist] = {d.name: d for d in iter_installed([site])}
    assert set(found) == {"legacy", "flat"}
    legacy = found["legacy"]
    assert legacy.kind == "egg-info" and legacy.dist_info == egg
    assert legacy.project_name == "Legacy"
    assert legacy.requires == [
        "six", 'PySocks>=1.5; extra == "socks"', 'enum34; (python_version < "3")'
    ]
    assert legacy.installer is None and not legacy.requested and legacy.direct_url is None
    assert found["flat"].version == Version("2.0")


def test_hidden_entries_missing_and_repeated_dirs(tmp_path: Path) -> None:
    site = tmp_path / "site"
    other = tmp_path / "other"
    dist_info(site, "a-1.0.dist-info")
    dist_info(site, ".ferry-tmp-b-1.0.dist-info-x")  # an interrupted install: not installed
    dist_info(other, "a-2.0.dist-info")
    found = iter_installed([site, site, tmp_path / "missing", other])
    assert [(d.name, str(d.version), d.site_dir) for d in found] == [
        ("a", "1.0", site), ("a", "2.0", other)
    ]


def test_lazy_properties(tmp_path: Path) -> None:
    site = tmp_path / "site"
    path = dist_info(
        site, "demo-1.0.dist-info",
        {
            "METADATA": "Metadata-Version: 2.1\nName: Demo\nVersion: 1.0\n"
            "Requires-Dist: b>=1\nRequires-Dist: c; extra == 'x'\n\nLong description\n",
            "INSTALLER": "pip\n",
            "REQUESTED": "",
            "direct_url.json": '{"url": "file:///src", "dir_info": {"editable": true}}',
        },
    )
    (dist,) = iter_installed([site])
    assert dist == InstalledDist("demo", Version("1.0"), path, site)  # type: ignore[arg-type]
    assert dist.installer == "pip"
    assert dist.requested
    assert dist.editable
    assert dist.direct_url == {"url": "file:///src", "dir_info": {"editable": True}}
    assert dist.requires == ["b>=1", "c; extra == 'x'"]
    assert dist.metadata["Name"] == "Demo" and dist.project_name == "Demo"
    assert str(dist) == "demo==1.0"


def test_malformed_direct_url_is_ignored(tmp_path: Path) -> None:
    site = tmp_path / "site"
    dist_info(site, "demo-1.0.dist-info", {"direct_url.json": "{not json"})
    (dist,) = iter_installed([site])
    assert dist.direct_url is None and not dist.editable and dist.installer is None
    assert dist.requires == [] and not dist.requested
