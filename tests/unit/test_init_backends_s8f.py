"""``ferry init --build-backend``: the files each backend gets (the bytes uv 0.13.8 writes), and
the ``authors``/``description`` rules of bare and packaged projects."""

from __future__ import annotations

import tomllib

import pytest

from ferry.project.init_template import Author, InitOptions, project_files, pyproject_text
from ferry.project.init_template_backends import BUILD_BACKENDS, NATIVE_BACKENDS

PURE = [b for b in BUILD_BACKENDS if b not in NATIVE_BACKENDS]
EXPECTED_BUILD_SYSTEMS = {
    "uv": '[build-system]\nrequires = ["uv_build>=0.13.8,<0.14.0"]\nbuild-backend = "uv_build"\n',
    "hatch": '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n',
    "flit": '[build-system]\nrequires = ["flit_core>=3.2,<4"]\n'
    'build-backend = "flit_core.buildapi"\n',
    "pdm": '[build-system]\nrequires = ["pdm-backend"]\nbuild-backend = "pdm.backend"\n',
    "poetry": '[build-system]\nrequires = ["poetry-core>=2,<3"]\n'
    'build-backend = "poetry.core.masonry.api"\n',
    "setuptools": '[build-system]\nrequires = ["setuptools>=61"]\n'
    'build-backend = "setuptools.build_meta"\n',
}
PROJECT = (
    '[project]\nname = "demo-app"\nversion = "0.1.0"\ndescription = "Add your description here"\n'
    'readme = "README.md"\nrequires-python = ">=3.12"\ndependencies = []\n'
)


def options(**changes: object) -> InitOptions:
    base: dict[str, object] = {"name": "demo-app", "requires_python": ">=3.12"}
    return InitOptions(**{**base, **changes})  # type: ignore[arg-type]


@pytest.mark.parametrize("backend", PURE)
def test_pure_backends_change_only_the_build_system(backend: str) -> None:
    app = pyproject_text(options(package=True, backend=backend))
    assert app == (
        PROJECT + '\n[project.scripts]\ndemo-app = "demo_app:main"\n\n'
        + EXPECTED_BUILD_SYSTEMS[backend]
    )
    lib = pyproject_text(options(kind="lib", backend=backend))
    assert lib == PROJECT + "\n" + EXPECTED_BUILD_SYSTEMS[backend]
    files = dict(project_files(options(kind="lib", backend=backend), python_pin="3.12"))
    assert files["src/demo_app/__init__.py"] == (
        'def hello() -> str:\n    return "Hello from demo-app!"\n'
    )
    assert sorted(files) == [".python-version", "README.md", "pyproject.toml",
                             "src/demo_app/__init__.py", "src/demo_app/py.typed"]


def test_maturin_application_scaffolding() -> None:
    files = dict(project_files(options(package=True, backend="maturin"), python_pin="3.12"))
    assert sorted(files) == [".python-version", "Cargo.toml", "README.md", "pyproject.toml",
                             "src/demo_app/__init__.py", "src/demo_app/_core.pyi", "src/lib.rs"]
    assert files["pyproject.toml"] == PROJECT + (
        '\n[project.scripts]\ndemo-app = "demo_app:main"\n'
        '\n[tool.maturin]\nmodule-name = "demo_app._core"\npython-packages = ["demo_app"]\n'
        'python-source = "src"\n'
        '\n[tool.uv]\ncache-keys = [{ file = "pyproject.toml" }, { file = "src/**/*.rs" }, '
        '{ file = "Cargo.toml" }, { file = "Cargo.lock" }]\n'
        '\n[build-system]\nrequires = ["maturin>=1.0,<2.0"]\nbuild-backend = "maturin"\n'
    )
    assert files["src/demo_app/__init__.py"] == (
        "from demo_app._core import hello_from_bin\n\n\ndef main() -> None:\n"
        "    print(hello_from_bin())\n"
    )
    assert files["src/demo_app/_core.pyi"] == "def hello_from_bin() -> str: ...\n"
    cargo = tomllib.loads(files["Cargo.toml"])
    assert cargo["package"]["name"] == "demo_app"  # the module name, as uv writes it
    assert cargo["lib"] == {"name": "_core", "crate-type": ["cdylib"]}
    assert '"Hello from demo-app!".to_string()' in files["src/lib.rs"]
    assert "mod _core {\n" in files["src/lib.rs"]


def test_scikit_library_scaffolding() -> None:
    files = dict(project_files(options(kind="lib", backend="scikit"), python_pin="3.12"))
    assert sorted(files) == [".python-version", "CMakeLists.txt", "README.md", "pyproject.toml",
                             "src/demo_app/__init__.py", "src/demo_app/_core.pyi",
                             "src/demo_app/py.typed", "src/main.cpp"]
    assert files["pyproject.toml"] == PROJECT + (
        '\n[tool.scikit-build]\nminimum-version = "build-system.requires"\n'
        'build-dir = "build/{wheel_tag}"\n'
        '\n[tool.uv]\ncache-keys = [{ file = "pyproject.toml" }, '
        '{ file = "src/**/*.{h,c,hpp,cpp}" }, { file = "CMakeLists.txt" }]\n'
        '\n[build-system]\nrequires = ["scikit-build-core>=0.12", "pybind11>=3"]\n'
        'build-backend = "scikit_build_core.build"\n'
    )
    assert "install(TARGETS _core DESTINATION ${SKBUILD_PROJECT_NAME})\n" in (
        files["CMakeLists.txt"]
    )
    assert 'return "Hello from demo-app!"; }' in files["src/main.cpp"]
    assert files["src/demo_app/__init__.py"].endswith(
        "def hello() -> str:\n    return hello_from_bin()\n"
    )


def test_bare_packaged_project_has_tables_but_no_files() -> None:
    bare = options(kind="bare", package=True, backend="maturin", description=None,
                   authors=(Author("Ada", "ada@example.invalid"),))
    files = project_files(bare, python_pin="3.12")
    assert [path for path, _ in files] == ["pyproject.toml"]
    text = files[0][1]
    assert text.startswith(
        '[project]\nname = "demo-app"\nversion = "0.1.0"\nauthors = [\n'
        '    { name = "Ada", email = "ada@example.invalid" }\n]\nrequires-python = ">=3.12"\n'
    )
    assert "[project.scripts]" not in text
    assert "readme" not in text
    assert '\n[tool.maturin]\nmodule-name = "demo_app._core"\n' in text


def test_bare_project_keeps_an_explicit_description() -> None:
    text = pyproject_text(options(kind="bare", description="foo bar"))
    assert text == (
        '[project]\nname = "demo-app"\nversion = "0.1.0"\ndescription = "foo bar"\n'
        'requires-python = ">=3.12"\ndependencies = []\n'
    )
