"""wheel layer: validate/unpack one wheel, install an unpacked wheel into a Scheme, uninstall.

Local only (no network, no cache): it imports ``ferry.model`` and ``ferry.fs``. See
docs/architecture.md.
"""

from ferry.wheel._transaction import remove_leftovers
from ferry.wheel.compile import compile_bytecode
from ferry.wheel.install import FileLinker, install_unpacked
from ferry.wheel.installed import InstalledDist, iter_installed
from ferry.wheel.uninstall import UninstallError, UninstallResult, uninstall
from ferry.wheel.unpack import inspect_unpacked, unpack_wheel
from ferry.wheel.validate import DEFAULT_MAX_UNPACKED_SIZE, WheelInfo, validate_wheel

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
