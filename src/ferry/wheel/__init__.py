"""wheel layer: validate/unpack one wheel, install an unpacked wheel into a Scheme, uninstall.

Local only (no network, no cache): it imports ``ferry.model`` and ``ferry.fs``. See
docs/architecture.md.

Most names below are re-exported lazily (PEP 562): a no-op ``sync`` imports
``ferry.wheel.installed`` and must not pay for the installer, the zip validator and
``installer``'s script templates. ``uninstall`` is the exception: it is both a submodule and a
function, and importing the submodule rebinds the package attribute to the module, so the
function is bound here, once, after that import (its dependencies are light).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ferry.wheel.uninstall import UninstallError, UninstallResult, uninstall

if TYPE_CHECKING:
    from ferry.wheel._problem import DEFAULT_MAX_UNPACKED_SIZE
    from ferry.wheel._transaction import remove_leftovers
    from ferry.wheel.compile import compile_bytecode
    from ferry.wheel.install import FileLinker, install_unpacked
    from ferry.wheel.installed import InstalledDist, iter_installed
    from ferry.wheel.unpack import unpack_wheel
    from ferry.wheel.unpacked import inspect_unpacked
    from ferry.wheel.validate import validate_wheel
    from ferry.wheel.wheel_info import WheelInfo

__all__ = [
    "DEFAULT_MAX_UNPACKED_SIZE",
    "FileLinker",
    "InstalledDist",
    "UninstallError",
    "UninstallResult",
    "WheelInfo",
    "compile_bytecode",
    "inspect_unpacked",
    "install_unpacked",
    "iter_installed",
    "remove_leftovers",
    "uninstall",
    "unpack_wheel",
    "validate_wheel",
]

# lazily exported name -> the submodule that defines it
_LAZY: dict[str, str] = {
    "DEFAULT_MAX_UNPACKED_SIZE": "_problem",
    "FileLinker": "install",
    "InstalledDist": "installed",
    "WheelInfo": "wheel_info",
    "compile_bytecode": "compile",
    "inspect_unpacked": "unpacked",
    "install_unpacked": "install",
    "iter_installed": "installed",
    "remove_leftovers": "_transaction",
    "unpack_wheel": "unpack",
    "validate_wheel": "validate",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
