"""The default index URL read from pip's source is the one importing pip gives."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ferry.index import default


def test_source_reading_agrees_with_pip() -> None:
    from pip._internal.models.index import PyPI

    assert default._from_pip_source() == PyPI.simple_url
    assert default.default_index_url() == PyPI.simple_url


def test_pip_is_not_imported_for_it() -> None:
    code = (
        "import sys; from ferry.index.default import default_index_url; "
        "url = default_index_url(); print(url, 'pip._internal' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    url, imported = out.stdout.split()
    assert url.endswith("/simple") and imported == "False"


@pytest.mark.parametrize(
    "source",
    [
        "PyPI = make_index()\n",  # not the expected definition
        'PyPI = PackageIndex("https://example.invalid/")\n',  # no urljoin shape around it
        "",
    ],
)
def test_an_unexpected_source_falls_back_to_importing_pip(
    source: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    models = tmp_path / "pip" / "_internal" / "models"
    models.mkdir(parents=True)
    (models / "index.py").write_text(source)

    class Spec:
        submodule_search_locations = [str(tmp_path / "pip")]

    import importlib.util

    monkeypatch.setattr(importlib.util, "find_spec", lambda name: Spec())
    assert default._from_pip_source() is None


def test_a_well_formed_source_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    models = tmp_path / "pip" / "_internal" / "models"
    models.mkdir(parents=True)
    (models / "index.py").write_text(
        "import urllib.parse\n\nclass PackageIndex:\n"
        "    def __init__(self, url, file_storage_domain):\n"
        '        self.simple_url = self._url_for_path("simple")\n'
        "    def _url_for_path(self, path):\n"
        "        return urllib.parse.urljoin(self.url, path)\n\n"
        "PyPI = PackageIndex('https://mirror.example.invalid/base/', file_storage_domain='x')\n"
    )

    class Spec:
        submodule_search_locations = [str(tmp_path / "pip")]

    import importlib.util

    monkeypatch.setattr(importlib.util, "find_spec", lambda name: Spec())
    assert default._from_pip_source() == "https://mirror.example.invalid/base/simple"
