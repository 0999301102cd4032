"""ferry: a fast Python package and project manager that reads and writes uv projects."""

from ferry._code_bundle import install as _install_code_bundle

__version__ = "0.1.0"

_install_code_bundle(__file__)
