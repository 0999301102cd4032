"""The build backends ``ferry init --build-backend`` writes, as ``uv init --build-backend`` does.

Why a table of text: the ``[build-system]`` of each backend, and for the two that compile an
extension module (``maturin`` with Rust and PyO3, ``scikit`` with CMake and pybind11) their
scaffolding (``Cargo.toml``/``CMakeLists.txt``, the native source, a typed stub and a package
that imports it), are the exact bytes uv 0.13.8 writes, so a project started with either tool
reads the same. The pure-Python backends only change ``[build-system]``; the native ones add a
``[tool.maturin]``/``[tool.scikit-build]`` table and ``[tool.uv] cache-keys`` (so the project is
rebuilt when its native sources change), in uv's order.

``uv`` names uv's own backend, ``uv_build``, with the bounds uv 0.13.8 writes (the uv release
ferry follows): it is an ordinary build requirement fetched from the index.
"""

from __future__ import annotations

from ferry.model.choices import BUILD_BACKENDS, BuildBackend

__all__ = ["BUILD_BACKENDS", "NATIVE_BACKENDS", "BuildBackend", "build_system", "native_files",
           "tool_tables"]
NATIVE_BACKENDS: frozenset[BuildBackend] = frozenset({"maturin", "scikit"})

_BUILD_SYSTEMS: dict[BuildBackend, tuple[tuple[str, ...], str]] = {
    "uv": (("uv_build>=0.13.8,<0.14.0",), "uv_build"),
    "hatch": (("hatchling",), "hatchling.build"),
    "flit": (("flit_core>=3.2,<4",), "flit_core.buildapi"),
    "pdm": (("pdm-backend",), "pdm.backend"),
    "poetry": (("poetry-core>=2,<3",), "poetry.core.masonry.api"),
    "setuptools": (("setuptools>=61",), "setuptools.build_meta"),
    "maturin": (("maturin>=1.0,<2.0",), "maturin"),
    "scikit": (("scikit-build-core>=0.12", "pybind11>=3"), "scikit_build_core.build"),
}

_MATURIN_TOOL = """
[tool.maturin]
module-name = "{module}._core"
python-packages = ["{module}"]
python-source = "src"

[tool.uv]
cache-keys = [{{ file = "pyproject.toml" }}, {{ file = "src/**/*.rs" }}, \
{{ file = "Cargo.toml" }}, {{ file = "Cargo.lock" }}]
"""

_SCIKIT_TOOL = """
[tool.scikit-build]
minimum-version = "build-system.requires"
build-dir = "build/{{wheel_tag}}"

[tool.uv]
cache-keys = [{{ file = "pyproject.toml" }}, {{ file = "src/**/*.{{h,c,hpp,cpp}}" }}, \
{{ file = "CMakeLists.txt" }}]
"""

_CARGO_TOML = """\
[package]
name = "{module}"
version = "0.1.0"
edition = "2024"

[lib]
name = "_core"
# "cdylib" is necessary to produce a shared library for Python to import from.
crate-type = ["cdylib"]

[dependencies]
# "extension-module" tells pyo3 we want to build an extension module \
(skips linking against libpython.so)
# "abi3-py39" tells pyo3 (and maturin) to build using the stable ABI with minimum Python \
version 3.9
pyo3 = {{ version = "0.28.2", features = ["extension-module", "abi3-py39"] }}
"""

_LIB_RS = """\
use pyo3::prelude::*;

/// A Python module implemented in Rust. The name of this module must match
/// the `lib.name` setting in the `Cargo.toml`, else Python will not be able to
/// import the module.
#[pymodule]
mod _core {{
    use pyo3::prelude::*;

    #[pyfunction]
    fn hello_from_bin() -> String {{
        "Hello from {name}!".to_string()
    }}
}}
"""

_CMAKE_LISTS = """\
cmake_minimum_required(VERSION 3.15...4.0)
project(${SKBUILD_PROJECT_NAME} LANGUAGES CXX)

find_package(pybind11 CONFIG REQUIRED)

pybind11_add_module(_core MODULE src/main.cpp)
install(TARGETS _core DESTINATION ${SKBUILD_PROJECT_NAME})
"""

_MAIN_CPP = """\
#include <pybind11/pybind11.h>

std::string hello_from_bin() {{ return "Hello from {name}!"; }}

namespace py = pybind11;

PYBIND11_MODULE(_core, m) {{
  m.doc() = "pybind11 hello module";

  m.def("hello_from_bin", &hello_from_bin, R"pbdoc(
      A function that returns a Hello string.
  )pbdoc");
}}
"""

_NATIVE_APP = """\
from {module}._core import hello_from_bin


def main() -> None:
    print(hello_from_bin())
"""

_NATIVE_LIB = """\
from {module}._core import hello_from_bin


def hello() -> str:
    return hello_from_bin()
"""

_CORE_STUB = "def hello_from_bin() -> str: ...\n"


def build_system(backend: BuildBackend) -> str:
    """The ``[build-system]`` table of ``backend``."""
    requires, api = _BUILD_SYSTEMS[backend]
    quoted = ", ".join(f'"{requirement}"' for requirement in requires)
    return f'[build-system]\nrequires = [{quoted}]\nbuild-backend = "{api}"\n'


def tool_tables(backend: BuildBackend, module: str) -> str:
    """The ``[tool.*]`` tables a native backend needs, with their leading blank line; empty
    for a pure-Python backend."""
    if backend == "maturin":
        return _MATURIN_TOOL.format(module=module)
    if backend == "scikit":
        return _SCIKIT_TOOL.format()
    return ""


def native_files(
    backend: BuildBackend, name: str, module: str, *, library: bool
) -> list[tuple[str, str]]:
    """The extension-module scaffolding of a native backend (empty for the others): the build
    files, the native source, and the package that imports the compiled ``_core``."""
    if backend not in NATIVE_BACKENDS:
        return []
    if backend == "maturin":
        build = [("Cargo.toml", _CARGO_TOML.format(module=module)),
                 ("src/lib.rs", _LIB_RS.format(name=name))]
    else:
        build = [("CMakeLists.txt", _CMAKE_LISTS), ("src/main.cpp", _MAIN_CPP.format(name=name))]
    package = (_NATIVE_LIB if library else _NATIVE_APP).format(module=module)
    files = [*build, (f"src/{module}/__init__.py", package),
             (f"src/{module}/_core.pyi", _CORE_STUB)]
    if library:
        files.append((f"src/{module}/py.typed", ""))
    return files
