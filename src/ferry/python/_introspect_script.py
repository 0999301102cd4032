# ruff: noqa: PTH100, PTH118, UP006, UP031, UP035, UP036, UP045
"""Runs INSIDE a target interpreter (CPython 3.8+, PyPy) and prints one JSON object.

Why a script of our own: the target has no ``packaging`` (or anything but the stdlib), yet ferry
needs its PEP 508 markers, its wheel tags in preference order, and its install scheme — all facts
only that interpreter can report. The tag logic mirrors ``packaging.tags.sys_tags`` (26.x: native
``linux_*`` before ``manylinux``; ``abi3t`` for free-threaded builds), stdlib only, and must stay
parseable by Python 3.8: no ``match``, no ``X | Y`` at run time, annotations are strings.
"""

from __future__ import annotations

import os
import struct
import sys
import sysconfig
from importlib.machinery import EXTENSION_SUFFIXES

# Only what every answer needs is imported here: this runs at every cold query, in a fresh
# interpreter, and ``json``, ``re``, ``platform``, ``subprocess`` and ``typing`` cost ~12 ms of
# imports there (half the query after start-up). Each is imported where it is needed: ``platform``
# off Linux, ``re`` and ``subprocess`` for musl and old macOS only, ``json`` if ``_json`` is not.
TYPE_CHECKING = False  # mypy reads this name as True
if TYPE_CHECKING:
    from typing import Any, Dict, Iterator, List, Optional, Tuple

SHORT_NAMES = {"python": "py", "cpython": "cp", "pypy": "pp", "ironpython": "ip", "jython": "jy"}
LEGACY_MANYLINUX = {(2, 17): "manylinux2014", (2, 12): "manylinux2010", (2, 5): "manylinux1"}
MANYLINUX_ARCHS = {"x86_64", "aarch64", "ppc64", "ppc64le", "s390x", "loongarch64", "riscv64"}
IS_32_BIT = struct.calcsize("P") == 4


def _nodot(version: Tuple[int, ...]) -> str:
    return "".join(map(str, version))


def _normalize(text: str) -> str:
    return text.replace(".", "_").replace("-", "_").replace(" ", "_")


# --- ELF: just enough to find the dynamic loader and the machine of an executable -----------------


def _elf_header(path: str) -> Optional[Dict[str, Any]]:
    """Class, byte order, machine, flags and PT_INTERP of an ELF file; None if not ELF."""
    try:
        with open(path, "rb") as f:
            ident = f.read(16)
            if len(ident) < 16 or ident[:4] != b"\x7fELF" or ident[4] not in (1, 2):
                return None
            bits64 = ident[4] == 2
            end = "<" if ident[5] == 1 else ">"
            fmt = end + ("HHIQQQIHHH" if bits64 else "HHIIIIIHHH")
            raw = f.read(struct.calcsize(fmt))
            _, machine, _, _, phoff, _, flags, _, phentsize, phnum = struct.unpack(fmt, raw)
            interp = None
            ph_fmt = end + ("IIQQQQ" if bits64 else "IIIII")
            for index in range(phnum):
                f.seek(phoff + phentsize * index)
                fields = struct.unpack(ph_fmt, f.read(struct.calcsize(ph_fmt)))
                if fields[0] != 3:  # PT_INTERP
                    continue
                offset, size = (fields[2], fields[5]) if bits64 else (fields[1], fields[4])
                f.seek(offset)
                interp = f.read(size).rstrip(b"\0").decode("ascii", "replace")
            return {
                "bits64": bits64,
                "lsb": end == "<",
                "machine": machine,
                "flags": flags,
                "interp": interp,
            }
    except (OSError, struct.error, ValueError):
        return None


def _have_manylinux_abi(archs: List[str]) -> bool:
    elf = _elf_header(sys.executable)
    if "armv7l" in archs:
        return bool(
            elf
            and not elf["bits64"]
            and elf["lsb"]
            and elf["machine"] == 40
            and elf["flags"] & 0xFF000000 == 0x05000000
            and elf["flags"] & 0x400
        )
    if "i686" in archs:
        return bool(elf and not elf["bits64"] and elf["lsb"] and elf["machine"] == 3)
    return any(arch in MANYLINUX_ARCHS for arch in archs)


# --- platform tags -------------------------------------------------------------------------------


def _glibc_version() -> Tuple[int, int]:
    try:
        text = os.confstr("CS_GNU_LIBC_VERSION") or ""
        version = text.rsplit()[1]
    except (AttributeError, OSError, ValueError, IndexError):
        try:
            import ctypes

            getter = ctypes.CDLL(None).gnu_get_libc_version
            getter.restype = ctypes.c_char_p
            version = getter().decode("ascii")
        except Exception:
            return (-1, -1)
    return _leading_major_minor(version)


def _leading_major_minor(text: str) -> Tuple[int, int]:
    """``(X, Y)`` of a text starting ``X.Y`` (``Y`` may be followed by anything); else
    ``(-1, -1)``: what ``re.match(r"([0-9]+)\\.([0-9]+)")`` finds, without importing ``re``."""
    major, dot, rest = text.partition(".")
    minor = rest[: len(rest) - len(rest.lstrip("0123456789"))]
    if not dot or not major or major.strip("0123456789") or not minor:
        return (-1, -1)
    return (int(major), int(minor))


def _manylinux_compatible(arch: str, version: Tuple[int, int], glibc: Tuple[int, int]) -> bool:
    if glibc < version:
        return False
    _manylinux = _manylinux_module()
    if _manylinux is None:
        return True
    if hasattr(_manylinux, "manylinux_compatible"):
        result = _manylinux.manylinux_compatible(version[0], version[1], arch)
        return True if result is None else bool(result)
    legacy = {
        (2, 5): "manylinux1_compatible",
        (2, 12): "manylinux2010_compatible",
        (2, 17): "manylinux2014_compatible",
    }.get(version)
    if legacy and hasattr(_manylinux, legacy):
        return bool(getattr(_manylinux, legacy))
    return True


_NOT_LOOKED_UP = object()
_MANYLINUX: Any = _NOT_LOOKED_UP


def _manylinux_module() -> Any:
    """The distributor's ``_manylinux`` module, or ``None``; looked up once, not at each of the
    ~30 versions asked (a failed import walks ``sys.path`` every time)."""
    global _MANYLINUX
    if _MANYLINUX is _NOT_LOOKED_UP:
        try:
            import _manylinux  # type: ignore[import-not-found]
        except ImportError:
            _MANYLINUX = None
        else:
            _MANYLINUX = _manylinux
    return _MANYLINUX


def _manylinux_platforms(archs: List[str]) -> Iterator[str]:
    if not _have_manylinux_abi(archs):
        return
    too_old = (2, 4) if set(archs) & {"x86_64", "i686"} else (2, 16)
    glibc = _glibc_version()
    maxima = [glibc] + [(major, 50) for major in range(glibc[0] - 1, 1, -1)]
    for arch in archs:
        for major, top in maxima:
            floor = too_old[1] if major == too_old[0] else -1
            for minor in range(top, floor, -1):
                if _manylinux_compatible(arch, (major, minor), glibc):
                    yield "manylinux_%d_%d_%s" % (major, minor, arch)
                    legacy = LEGACY_MANYLINUX.get((major, minor))
                    if legacy:
                        yield "%s_%s" % (legacy, arch)


def _musllinux_platforms(archs: List[str]) -> Iterator[str]:
    elf = _elf_header(sys.executable)
    loader = elf and elf["interp"]
    if not loader or "musl" not in loader:
        return
    import re
    import subprocess

    try:
        proc = subprocess.run(
            [loader], stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, check=False
        )
    except OSError:
        return
    lines = [line.strip() for line in proc.stderr.splitlines() if line.strip()]
    m = re.match(r"Version (\d+)\.(\d+)", lines[1]) if len(lines) >= 2 else None
    if not m or not lines[0].startswith("musl"):
        return
    for arch in archs:
        for minor in range(int(m.group(2)), -1, -1):
            yield "musllinux_%s_%d_%s" % (m.group(1), minor, arch)


def _linux_platforms() -> Iterator[str]:
    linux = _normalize(sysconfig.get_platform())
    if not linux.startswith("linux_"):
        yield linux
        return
    if IS_32_BIT:
        linux = {"linux_x86_64": "linux_i686", "linux_aarch64": "linux_armv8l"}.get(linux, linux)
    arch = linux.split("_", 1)[1]
    archs = ["armv8l", "armv7l"] if arch == "armv8l" else [arch]
    for one in archs:
        yield "linux_" + one
    yield from _manylinux_platforms(archs)
    yield from _musllinux_platforms(archs)


def _mac_formats(version: Tuple[int, int], arch: str) -> List[str]:
    formats = [arch]
    if arch == "x86_64":
        if version < (10, 4):
            return []
        formats.extend(["intel", "fat64", "fat32"])
    elif arch == "i386":
        if version < (10, 4):
            return []
        formats.extend(["intel", "fat32", "fat"])
    elif arch == "ppc64":
        if version > (10, 5) or version < (10, 4):
            return []
        formats.append("fat64")
    elif arch == "ppc":
        if version > (10, 6):
            return []
        formats.extend(["fat32", "fat"])
    if arch in {"arm64", "x86_64"}:
        formats.append("universal2")
    if arch in {"x86_64", "i386", "ppc64", "ppc", "intel"}:
        formats.append("universal")
    return formats


def _mac_platforms() -> Iterator[str]:
    import platform
    import subprocess

    text, _, arch = platform.mac_ver()
    version = tuple(map(int, text.split(".")[:2]))
    if version == (10, 16):  # built against an old SDK: ask without the compatibility shim
        text = subprocess.run(
            [sys.executable, "-sS", "-c", "import platform; print(platform.mac_ver()[0])"],
            check=True,
            env={"SYSTEM_VERSION_COMPAT": "0"},
            stdout=subprocess.PIPE,
            text=True,
        ).stdout
        version = tuple(map(int, text.split(".")[:2]))
    if IS_32_BIT:
        arch = "ppc" if arch.startswith("ppc") else "i386"
    if (10, 0) <= version < (11, 0):
        for minor in range(version[1], -1, -1):
            for fmt in _mac_formats((10, minor), arch):
                yield "macosx_10_%d_%s" % (minor, fmt)
    if version >= (11, 0):
        for major in range(version[0], 10, -1):
            for fmt in _mac_formats((major, 0), arch):
                yield "macosx_%d_0_%s" % (major, fmt)
        for minor in range(16, 3, -1):
            formats = _mac_formats((10, minor), arch) if arch == "x86_64" else ["universal2"]
            for fmt in formats:
                yield "macosx_10_%d_%s" % (minor, fmt)


def platform_tags() -> List[str]:
    system = _platform()["platform_system"]
    if system == "Darwin":
        return list(_mac_platforms())
    if system == "Linux":
        return list(_linux_platforms())
    return [_normalize(sysconfig.get_platform())]


# --- interpreter and ABI tags --------------------------------------------------------------------


def _cpython_abis(version: Tuple[int, int]) -> List[str]:
    nodot = _nodot(version)
    debug_var = sysconfig.get_config_var("Py_DEBUG")
    has_debug = hasattr(sys, "gettotalrefcount") or "_d.pyd" in EXTENSION_SUFFIXES
    debug = "d" if debug_var or (debug_var is None and has_debug) else ""
    threading = "t" if version >= (3, 13) and sysconfig.get_config_var("Py_GIL_DISABLED") else ""
    abis = ["cp%s%s%s" % (nodot, threading, debug)]
    if debug:
        abis.append("cp%s%s" % (nodot, threading))
    return abis


def _generic_abis() -> List[str]:
    suffix = sysconfig.get_config_var("EXT_SUFFIX")
    if not isinstance(suffix, str) or not suffix.startswith("."):
        raise SystemError("invalid sysconfig.get_config_var('EXT_SUFFIX')")
    parts = suffix.split(".")
    if len(parts) < 3:
        return _cpython_abis((sys.version_info[0], sys.version_info[1]))
    soabi = parts[1]
    if soabi.startswith("cpython"):
        abi = "cp" + soabi.split("-")[1]
    elif soabi.startswith("cp"):
        abi = soabi.split("-")[0]
    elif soabi.startswith("pypy"):
        abi = "-".join(soabi.split("-")[:2])
    elif soabi.startswith("graalpy"):
        abi = "-".join(soabi.split("-")[:3])
    elif soabi:
        abi = soabi
    else:
        return []
    return [_normalize(abi)]


def _interpreter_version() -> str:
    nodot = sysconfig.get_config_var("py_version_nodot")
    return str(nodot) if nodot else _nodot(sys.version_info[:2])


def sys_tags(platforms: List[str]) -> List[str]:
    """The supported tags, most preferred first, as ``packaging.tags.sys_tags`` orders them."""
    tags: List[str] = []
    py = (sys.version_info[0], sys.version_info[1])
    name = SHORT_NAMES.get(sys.implementation.name) or sys.implementation.name
    if name == "cp":
        interp = "cp" + _nodot(py)
        abis = _cpython_abis(py)
        threaded = "t" in abis[0][len(interp) :]
        stable = "abi3t" if threaded else "abi3"
        for abi in abis:
            tags.extend("%s-%s-%s" % (interp, abi, p) for p in platforms)
        tags.extend("%s-%s-%s" % (interp, stable, p) for p in platforms)
        tags.extend("%s-none-%s" % (interp, p) for p in platforms)
        for minor in range(py[1] - 1, 1, -1):
            older = "cp" + _nodot((py[0], minor))
            tags.extend("%s-%s-%s" % (older, stable, p) for p in platforms)
    else:
        interp = name + _interpreter_version()
        abis = _generic_abis()
        if "none" not in abis:
            abis.append("none")
        for abi in abis:
            tags.extend("%s-%s-%s" % (interp, abi, p) for p in platforms)
    pys = ["py" + _nodot(py), "py%d" % py[0]]
    pys.extend("py" + _nodot((py[0], minor)) for minor in range(py[1] - 1, -1, -1))
    for version in pys:
        tags.extend("%s-none-%s" % (version, p) for p in platforms)
    if name == "pp":
        tags.append("pp3-none-any")
    elif name == "cp":
        tags.append("cp%s-none-any" % _interpreter_version())
    tags.extend("%s-none-any" % version for version in pys)
    return tags


# --- markers and install schemes -----------------------------------------------------------------


_PLATFORM: Dict[str, str] = {}


def _platform() -> Dict[str, str]:
    """The markers ``platform`` answers, as it answers them.

    On Linux, for CPython and PyPy, they are ``os.uname()``'s fields and the first word of
    ``sys.version``, which is what ``platform`` reads there (its ``re`` and the rest cost ~4 ms
    of a cold query); anywhere else ``platform`` itself is asked."""
    if not _PLATFORM:
        uname = getattr(os, "uname", None)
        known = {"cpython": "CPython", "pypy": "PyPy"}.get(sys.implementation.name)
        if sys.platform == "linux" and uname is not None and known is not None:
            system, _, release, version, machine = uname()
            full = sys.version.split()[0] if sys.version else ""
            python = known
        else:
            import platform

            system, release, version = platform.system(), platform.release(), platform.version()
            machine, full = platform.machine(), platform.python_version()
            python = platform.python_implementation()
        _PLATFORM.update(
            platform_machine=machine,
            platform_release=release,
            platform_system=system,
            platform_version=version,
            python_full_version=full,
            platform_python_implementation=python,
            python_version=".".join(full.split(".")[:2]),
        )
    return _PLATFORM


def markers() -> Dict[str, str]:
    info = sys.implementation.version
    full = "%d.%d.%d" % (info.major, info.minor, info.micro)
    if info.releaselevel != "final":
        full += info.releaselevel[0] + str(info.serial)
    return {
        "implementation_name": sys.implementation.name,
        "implementation_version": full,
        "os_name": os.name,
        **_platform(),
        "sys_platform": sys.platform,
    }


def _infer_scheme(preferred: bool) -> str:
    """pip's choice of sysconfig scheme for installing into ``sys.prefix``."""
    names = set(sysconfig.get_scheme_names())
    api = getattr(sysconfig, "get_preferred_scheme", None)
    if preferred and api is not None:
        return str(api("prefix"))
    for name in (
        "%s_%s" % (sys.implementation.name, os.name),
        sys.implementation.name,
        "%s_prefix" % os.name,
        os.name,
    ):
        if name in names:
            return name
    return "posix_prefix"


def scheme(in_venv: bool) -> Dict[str, str]:
    paths = sysconfig.get_paths(scheme=_infer_scheme(preferred=True))
    include = paths["include"]
    if in_venv:  # pip's historical header location inside virtual environments
        include = os.path.join(sys.prefix, "include", "site", "python%d.%d" % sys.version_info[:2])
    return {
        "purelib": paths["purelib"],
        "platlib": paths["platlib"],
        "scripts": paths["scripts"],
        "data": paths["data"],
        "headers": include,
    }


def venv_layout() -> Dict[str, str]:
    """Where a virtual environment made from this interpreter keeps things, relative to its root."""
    names = set(sysconfig.get_scheme_names())
    if "venv" in names:
        name = "venv"
    elif sys.version_info[:2] == (3, 10) and "deb_system" in names:
        name = "posix_prefix"
    else:
        name = _infer_scheme(preferred=False)
    root = os.path.join(os.path.abspath(os.sep), "__ferry_venv_root__")
    fake = {k: root for k in ("base", "platbase", "installed_base", "installed_platbase")}
    paths = sysconfig.get_paths(scheme=name, vars=fake)
    rel = {k: os.path.relpath(paths[k], root) for k in ("purelib", "platlib", "scripts", "data")}
    rel["headers"] = os.path.join("include", "site", "python%d.%d" % sys.version_info[:2])
    return rel


def _dumps(value: Any) -> str:
    """``json.dumps(value)`` (ASCII, ``", "`` and ``": "`` aside) for the dicts, lists, strings,
    integers, booleans and ``None`` this script prints, with ``json``'s own C string encoder
    when there is one: importing ``json`` costs ~3 ms here (``re`` with it)."""
    try:
        from _json import encode_basestring_ascii as quote
    except ImportError:
        import json

        return json.dumps(value)

    def encode(item: Any) -> str:
        if item is None:
            return "null"
        if item is True:
            return "true"
        if item is False:
            return "false"
        if isinstance(item, int):
            return str(int(item))
        if isinstance(item, str):
            return str(quote(item))
        if isinstance(item, dict):
            return "{%s}" % ",".join(
                "%s:%s" % (quote(str(k)), encode(v)) for k, v in item.items()
            )
        if isinstance(item, (list, tuple)):
            return "[%s]" % ",".join(encode(v) for v in item)
        raise TypeError("cannot encode %r" % (item,))

    return encode(value)


def main() -> None:
    if sys.version_info < (3, 8):
        full = _platform()["python_full_version"]
        sys.stdout.write(_dumps({"error": "unsupported", "version": full}))
        return
    in_venv = sys.prefix != getattr(sys, "base_prefix", sys.prefix)
    plats = platform_tags()
    result = {
        "sys_executable": sys.executable,
        "base_executable": getattr(sys, "_base_executable", None),
        "version": _platform()["python_full_version"],
        "implementation": sys.implementation.name,
        "markers": markers(),
        "tags": sys_tags(plats),
        "scheme": scheme(in_venv),
        "venv_layout": venv_layout(),
        "prefix": sys.prefix,
        "base_prefix": getattr(sys, "base_prefix", sys.prefix),
        "is_venv": in_venv,
        "pointer_size": 32 if IS_32_BIT else 64,
        "gil_disabled": bool(sysconfig.get_config_var("Py_GIL_DISABLED")),
        "site_packages": [p for p in sys.path if p.endswith(("site-packages", "dist-packages"))],
    }
    sys.stdout.write(_dumps(result))


if __name__ == "__main__":
    main()
