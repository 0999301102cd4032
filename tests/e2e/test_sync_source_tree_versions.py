"""A local source tree installs at the version it builds as now, not the lock's, as in uv 0.13.8.

uv.lock has no version for a project whose version is dynamic, and an outdated one for a path
dependency bumped after locking when `--frozen` keeps the lock. ferry used to compare the built
wheel with the lock's version (`0` when absent) and fail with "the cache is damaged: run
`ferry cache verify --repair`"; uv installs the tree's build (`+ lib==1.1 (from file://…)`).
A genuinely damaged cache entry is still refused with that hint.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from tests.e2e.seedkit import installed, ok, write_project

# A backend whose version comes from a VERSION file (or pyproject.toml's static one): the
# `dynamic = ["version"]` case that only the backend can answer.
_BACKEND = r'''
import base64, hashlib, os, re, zipfile

def _name():
    return re.search(r'name = "([^"]+)"', open("pyproject.toml").read()).group(1)

def _version():
    found = re.search(r'^version = "([^"]+)"', open("pyproject.toml").read(), re.M)
    return found.group(1) if found else open("VERSION").read().strip()

def _metadata():
    return "Metadata-Version: 2.1\nName: %s\nVersion: %s\n" % (_name(), _version())

def _wheel(directory, editable):
    name, version = _name(), _version()
    info = "%s-%s.dist-info" % (name, version)
    files = {info + "/METADATA": _metadata().encode(),
             info + "/WHEEL": b"Wheel-Version: 1.0\nGenerator: t\nRoot-Is-Purelib: true\n"
                              b"Tag: py3-none-any\n"}
    if editable:
        files[name + ".pth"] = (os.path.abspath(".") + "\n").encode()
    else:
        files[name + "_mod.py"] = b"X = 1\n"
    record = []
    filename = "%s-%s-py3-none-any.whl" % (name, version)
    with zipfile.ZipFile(os.path.join(directory, filename), "w") as archive:
        for path, data in files.items():
            archive.writestr(path, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
            record.append("%s,sha256=%s,%d" % (path, digest.decode(), len(data)))
        record.append(info + "/RECORD,,")
        archive.writestr(info + "/RECORD", "\n".join(record) + "\n")
    return filename

def prepare_metadata_for_build_wheel(directory, config_settings=None):
    info = "%s-%s.dist-info" % (_name(), _version())
    os.makedirs(os.path.join(directory, info))
    with open(os.path.join(directory, info, "METADATA"), "w") as f:
        f.write(_metadata())
    return info

prepare_metadata_for_build_editable = prepare_metadata_for_build_wheel

def build_wheel(directory, config_settings=None, metadata_directory=None):
    return _wheel(directory, False)

def build_editable(directory, config_settings=None, metadata_directory=None):
    return _wheel(directory, True)
'''


def _tree(root: Path, name: str, version: str | None, *, dependencies: str = "",
          extra: str = "") -> Path:
    root.mkdir(parents=True)
    declared = f'version = "{version}"' if version else 'dynamic = ["version"]'
    (root / "pyproject.toml").write_text(
        f'[project]\nname = "{name}"\n{declared}\nrequires-python = ">=3.8"\n'
        f"dependencies = [{dependencies}]\n"
        '[build-system]\nrequires = []\nbuild-backend = "backend"\nbackend-path = ["."]\n'
        + extra,
        encoding="utf-8",
    )
    (root / "backend.py").write_text(_BACKEND, encoding="utf-8")
    return root


def _set_version(tree: Path, version: str) -> None:
    pyproject = tree / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    pyproject.write_text(re.sub(r'(?m)^version = ".*"$', f'version = "{version}"', text),
                         encoding="utf-8")


def test_a_project_with_a_dynamic_version_installs_the_version_it_builds_as(
    run, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    project = _tree(tmp_path / "dyn", "dyn", None)
    (project / "VERSION").write_text("1.0\n", encoding="utf-8")
    result = ok(run("sync", cwd=project))
    assert "+ dyn==1.0 (from file://" in result.stderr, result.stderr
    assert "version = " not in (project / "uv.lock").read_text(encoding="utf-8").split(
        'name = "dyn"')[1].split("[")[0]  # dynamic: the lock names no version, as uv's
    assert installed(project / ".venv") == {"dyn": "1.0"}
    # A new build of another version replaces it, and reports what was installed.
    (project / "VERSION").write_text("1.1\n", encoding="utf-8")
    result = ok(run("sync", "--reinstall-package", "dyn", cwd=project))
    assert "+ dyn==1.1 (from file://" in result.stderr, result.stderr
    assert installed(project / ".venv") == {"dyn": "1.1"}
    again = ok(run("sync", cwd=project))
    assert "Checked 1 package" in again.stderr, again.stderr


def test_frozen_installs_a_bumped_path_dependency_at_its_new_version(
    run, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    library = _tree(tmp_path / "lib", "lib", "1.0")
    for editable in ("true", "false"):
        app = write_project(tmp_path / f"app-{editable}", "app", ["lib"],
                            extra=f'[tool.uv.sources]\nlib = {{ path = "../lib", '
                                  f"editable = {editable} }}\n")
        _set_version(library, "1.0")
        ok(run("lock", cwd=app))
        _set_version(library, "2.0")
        result = run("sync", "--frozen", cwd=app)
        assert result.code == 0, result.output
        assert "cache verify" not in result.stderr
        assert "+ lib==2.0 (from file://" in result.stderr, result.stderr
        assert installed(app / ".venv") == {"lib": "2.0"}
        assert 'version = "1.0"' in (app / "uv.lock").read_text()  # --frozen kept the lock


def test_a_damaged_archive_is_still_refused_with_the_repair_hint(
    run, index_server, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    index_server.index.add_wheel("alpha", "1.0")
    index_server.index.add_wheel("beta", "1.0")
    first = tmp_path / "first"
    ok(run("venv", str(first)))
    ok(run("pip", "install", "-p", str(first), "-i", index_server.simple_url, "alpha", "beta"))
    # alpha's entry (found by its wheel's sha256) now holds beta's complete unpacked tree: a
    # consistent entry under the wrong key, which only the installer's check can notice.
    archives = tmp_path / "cache" / "archives-v1"
    alpha = next(archives.glob("*/alpha-1.0.dist-info")).parent
    beta = next(archives.glob("*/beta-1.0.dist-info")).parent
    shutil.rmtree(alpha)
    shutil.copytree(beta, alpha, symlinks=True)
    second = tmp_path / "second"
    ok(run("venv", str(second)))
    result = run("pip", "install", "-p", str(second), "-i", index_server.simple_url, "alpha")
    assert result.code == 1, result.output
    assert "holds `beta==1.0`" in result.stderr, result.stderr
    assert "hint: the cache is damaged: run `ferry cache verify --repair`" in result.stderr
    assert installed(second) == {}


def test_a_tree_building_without_a_valid_version_is_an_error_with_a_hint(
    run, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    project = _tree(tmp_path / "dyn", "dyn", None)
    (project / "VERSION").write_text("1.0\n", encoding="utf-8")
    ok(run("lock", cwd=project))
    (project / "VERSION").write_text("not a version\n", encoding="utf-8")
    result = run("sync", "--frozen", cwd=project)
    assert result.code == 1, result.output
    assert "has no valid version" in result.stderr, result.stderr
    assert "hint: check `[project] version`" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert not (project / ".venv" / "lib").exists() or installed(project / ".venv") == {}
