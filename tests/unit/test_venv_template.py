"""A new environment is described from an earlier one of the same base, exactly as a query would.

Each case makes two environments the same way, queries the first (which leaves a template),
then describes the second with subprocesses forbidden and compares that with a real query of it.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from ferry.cache.store import Cache
from ferry.python.interpreter import introspect
from ferry.python.venv import create_venv

PYENV_VERSIONS = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"
BASES = [
    *(PYENV_VERSIONS / f"{v}/bin/python3" for v in ("3.8.18", "3.10.13", "3.12.1", "3.13.0")),
    Path("/usr/bin/python3.11"),
]


def entries(cache: Cache) -> list[Path]:
    return sorted(cache.bucket("interpreters").glob("*.json"))


def _forbid_queries(monkeypatch: pytest.MonkeyPatch) -> None:
    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("the environment was queried instead of derived")

    monkeypatch.setattr(subprocess, "run", forbidden)  # interpreter imports it where it runs


def _make(kind: str, base: Path, root: Path) -> Path:
    if kind == "ferry":
        create_venv(root, introspect(base, None), prompt=root.name)
    elif kind == "ferry-system":
        create_venv(root, introspect(base, None), system_site_packages=True)
    else:
        subprocess.run([str(base), "-m", "venv", "--without-pip", str(root)], check=True)
    return root / "bin" / "python"


@pytest.mark.parametrize("kind", ["ferry", "ferry-system", "stdlib"])
@pytest.mark.parametrize("base", BASES, ids=lambda p: p.parent.parent.name or str(p))
def test_a_second_environment_is_derived_exactly(
    base: Path, kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not base.is_file():
        pytest.skip(f"{base} is not installed")
    store = Cache(tmp_path / "cache")
    introspect(_make(kind, base, tmp_path / "first env"), store)
    second = _make(kind, base, tmp_path / "elsewhere" / "second")
    expected = introspect(second, None)
    with monkeypatch.context() as patched:
        _forbid_queries(patched)
        derived = introspect(second, store)
    assert derived == expected
    assert derived.to_json() == expected.to_json()


def test_another_base_or_setting_is_queried(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bases = [b for b in BASES if b.is_file()][:2]
    if len(bases) < 2:
        pytest.skip("needs two interpreters")
    store = Cache(tmp_path / "cache")
    introspect(_make("ferry", bases[0], tmp_path / "a"), store)
    other_base = _make("ferry", bases[1], tmp_path / "b")
    other_setting = _make("ferry-system", bases[0], tmp_path / "c")
    with monkeypatch.context() as patched:
        _forbid_queries(patched)
        for python in (other_base, other_setting):
            with pytest.raises(AssertionError, match="queried instead of derived"):
                introspect(python, store)
    assert (
        introspect(other_base, store).python_version
        != introspect(other_setting, store).python_version
    )


def test_a_derived_answer_is_cached_like_a_queried_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = next((b for b in BASES if b.is_file()), None)
    if base is None:
        pytest.skip("no interpreter")
    store = Cache(tmp_path / "cache")
    introspect(_make("ferry", base, tmp_path / "a"), store)
    second = _make("ferry", base, tmp_path / "b")
    _forbid_queries(monkeypatch)
    first = introspect(second, store)
    known = entries(store)
    assert introspect(second, store) == first
    assert entries(store) == known
