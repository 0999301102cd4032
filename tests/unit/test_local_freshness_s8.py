"""When a local project counts as changed since it was installed (install/local_freshness.py)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from packaging.utils import canonicalize_name

from ferry.install.local_freshness import stale_local_builds
from ferry.model.dist import PinnedDist
from ferry.model.pep440_version import Version


class _Installed:
    def __init__(self, name: str, dist_info: Path) -> None:
        self.name = name
        self.dist_info = dist_info


def _setup(tmp_path: Path) -> tuple[PinnedDist, _Installed, Path]:
    project = tmp_path / "app"
    project.mkdir()
    pyproject = project / "pyproject.toml"
    pyproject.write_text("[project]\n")
    dist_info = tmp_path / "site" / "app-1.0.dist-info"
    dist_info.mkdir(parents=True)
    (dist_info / "RECORD").write_text("")
    pin = PinnedDist(canonicalize_name("app"), Version("1.0"), None, project.as_uri(),
                     editable=True)
    return pin, _Installed("app", dist_info), pyproject


def _at(path: Path, seconds: float) -> None:
    os.utime(path, (seconds, seconds))


def test_a_configuration_newer_than_the_install_is_stale(tmp_path: Path) -> None:
    pin, have, pyproject = _setup(tmp_path)
    now = time.time()
    _at(have.dist_info / "RECORD", now - 60)
    _at(pyproject, now - 30)
    assert stale_local_builds([pin], [have]) == {"app"}
    _at(pyproject, now - 90)
    assert stale_local_builds([pin], [have]) == set()


def test_a_configuration_dated_in_the_future_never_is(tmp_path: Path) -> None:
    """It would look newer after every rebuild: every sync reinstalled the project."""
    pin, have, pyproject = _setup(tmp_path)
    now = time.time()
    _at(have.dist_info / "RECORD", now - 60)
    _at(pyproject, now + 86400)
    assert stale_local_builds([pin], [have]) == set()


def test_archives_and_index_pins_are_not_judged(tmp_path: Path) -> None:
    _, have, _ = _setup(tmp_path)
    archive = (tmp_path / "app-1.0-py3-none-any.whl").as_uri()
    wheel = PinnedDist(canonicalize_name("app"), Version("1.0"), None, archive)
    registry = PinnedDist(canonicalize_name("app"), Version("1.0"))
    assert stale_local_builds([wheel, registry], [have]) == set()
