"""Which environments a wheel can serve, judged from its filename tags alone.

A universal lock keeps, for each package, only the wheels some environment that reaches the
package could install (uv drops ``cp38`` wheels when requires-python starts at 3.10, and Linux
wheels of a Windows-only dependency). The tags say it: the interpreter tag bounds the Python
version (``cp311`` → 3.11, ``cp311-abi3`` → 3.11 and later, ``py3`` → any 3.x), the platform tag
names the operating system and the architecture. Unknown tags are read permissively (any
environment), so a wheel is never dropped by mistake.
"""

from __future__ import annotations

from functools import lru_cache

from ferry._regex_cache import compile_pattern
from ferry.model.pep440_version import Version
from ferry.model.version_sets import VersionSet
from ferry.resolve.marker_expr import MarkerExpr
from ferry.resolve.marker_sets import ValueSet

_INTERPRETER = compile_pattern(r"^(py|cp|pp|ip|jy|graalpy)(\d)(\d*)$")


def interpreter_versions(interpreter: str, abi: str) -> VersionSet:
    """The Python versions one interpreter tag (with its ABI tag) runs on."""
    match = _INTERPRETER.match(interpreter)
    if match is None:
        return VersionSet.full()
    kind, major, minor = match.groups()
    if not minor:
        return VersionSet.between(Version(f"{major}"), Version(f"{int(major) + 1}"))
    low = Version(f"{major}.{minor}")
    if kind == "py" or abi == "abi3":
        return VersionSet.between(low, Version(f"{int(major) + 1}"))
    return VersionSet.between(low, Version(f"{major}.{int(minor) + 1}"))


def wheel_python_versions(filename: str) -> VersionSet:
    """The Python versions the wheel named ``filename`` supports, ignoring its platform."""
    parts = filename[: -len(".whl")].split("-")
    if len(parts) not in (5, 6):
        return VersionSet.full()
    return _tag_versions(parts[-3].lower(), parts[-2].lower())


@lru_cache(maxsize=4096)
def _tag_versions(interpreters: str, abis: str) -> VersionSet:
    result = VersionSet.empty()
    for interpreter in interpreters.split("."):
        for abi in abis.split("."):
            result = result | interpreter_versions(interpreter, abi)
    return result


_Bounds = tuple[tuple[int, int] | None, Version | None, bool]


def _bounds(python: VersionSet) -> _Bounds:
    """The bounding range of ``python``: its lowest major.minor, and its upper end (with
    whether the end is included); ``None`` where unbounded."""
    spans = list(python.intervals())
    if not spans:
        return None, Version("0"), False  # empty: nothing fits
    low = spans[0][0]
    return ((low.major, low.minor) if low is not None else None), spans[-1][2], spans[-1][3]


def _fits_upper(minor_text: str, bounds: _Bounds) -> bool:
    """Whether Python ``3.<minor_text>`` starts at or below the range's upper end."""
    _, high, inclusive = bounds
    if not minor_text.isdigit() or high is None:
        return True
    start = Version(f"3.{int(minor_text)}")
    return start <= high if inclusive else start < high


def _fits(minor_text: str, bounds: _Bounds) -> bool:
    """Whether exactly Python ``3.<minor_text>`` overlaps the range (unknown text: yes)."""
    if not minor_text.isdigit():
        return True
    low = bounds[0]
    return (low is None or (3, int(minor_text)) >= low) and _fits_upper(minor_text, bounds)


def matches_requires_python(filename: str, python: VersionSet) -> bool:
    """Whether the wheel ``filename`` can serve some Python of ``python`` (the project's
    requires-python), judged from its Python and ABI tags alone.

    This is uv's ``RequiresPython::matches_wheel_tag``, used by uv both to decide which wheels of
    a version are candidates in a universal resolution and to prune a lock's wheels, so ferry
    keeps the same wheels: ``cp311-cp311`` and ``cp311-none`` serve exactly 3.11, ``py37-none``
    serves 3.7 and later, ``abi3`` anything; Python 2 tags never serve; tags it cannot read
    always do (a wheel is never dropped by mistake). Bounds compare by major.minor, so ``cp312``
    serves ``>=3.12.3``.
    """
    parts = filename[: -len(".whl")].split("-")
    if len(parts) not in (5, 6):
        return True
    return _tags_match(parts[-3].lower(), parts[-2].lower(), _bounds(python))


@lru_cache(maxsize=4096)
def _tags_match(interpreters: str, abis: str, bounds: _Bounds) -> bool:
    return any(_abi_matches(abi, interpreters, bounds) for abi in abis.split("."))


def _abi_matches(abi: str, interpreters: str, bounds: _Bounds) -> bool:
    if abi in ("abi3", "abi3t"):
        return True
    if abi == "none":
        return any(_none_abi_matches(tag, bounds) for tag in interpreters.split("."))
    if abi.startswith(("cp2", "pypy2", "pypy_", "graalpy2")):
        return False
    if abi.startswith("cp3"):
        return _fits(abi[3:].strip("abcdefghijklmnopqrstuvwxyz"), bounds)
    if abi.startswith("pypy3"):
        minor, sep, _ = abi[5:].partition("_")
        return not sep or _fits(minor, bounds)
    return True


def _none_abi_matches(tag: str, bounds: _Bounds) -> bool:
    if tag.startswith(("py2", "cp2", "pp2", "graalpy2", "pt2")):
        return False
    if tag.startswith("py3"):
        return _fits_upper(tag[3:], bounds)  # `py37` is a lower bound: 3.7 and later
    if tag.startswith(("cp3", "pp3")):
        return _fits(tag[3:], bounds)
    return True


# uv keeps a wheel in a lock when its Python tags fit requires-python and its platform tags fit
# the package's reachability, judged per operating system and per architecture as below
# (``crates/uv-resolver/src/lock/mod.rs``, ``remove_unreachable_wheels``). Python tags are not
# judged against the reachability: a wheel for a Python the package is not reached on stays.
def _one_of(var: str, *values: str) -> MarkerExpr:
    return MarkerExpr.atom(var, ValueSet(True, frozenset(values)))


_OS = {
    "linux": _one_of("sys_platform", "linux") & _one_of("os_name", "posix"),
    "windows": _one_of("sys_platform", "win32") & _one_of("os_name", "nt"),
    "macos": _one_of("sys_platform", "darwin") & _one_of("os_name", "posix"),
}
_ARCH = {
    "x86_64": _one_of("platform_machine", "x86_64", "amd64", "AMD64"),
    "arm64": _one_of("platform_machine", "aarch64", "arm64", "ARM64"),
    "x86": _one_of("platform_machine", "i686", "i386", "win32", "x86"),
    "ppc64le": _one_of("platform_machine", "ppc64le"),
    "ppc64": _one_of("platform_machine", "ppc64"),
    "s390x": _one_of("platform_machine", "s390x"),
    "riscv64": _one_of("platform_machine", "riscv64"),
    "armv7l": _one_of("platform_machine", "armv7l"),
    "armv6l": _one_of("platform_machine", "armv6l"),
}


def _os_of(platform: str) -> str | None:
    if platform.startswith(("manylinux", "musllinux", "linux")):
        return "linux"
    if platform.startswith("win"):
        return "windows"
    if platform.startswith("macosx"):
        return "macos"
    return None


def _arch_of(platform: str) -> str | None:
    if platform.endswith(("x86_64", "amd64")):
        return "x86_64"
    if platform.endswith(("aarch64", "arm64")):
        return "arm64"
    if platform.endswith(("i686", "i386")) or platform == "win32":
        return "x86"
    for arch in ("ppc64le", "ppc64", "s390x", "riscv64", "armv7l", "armv6l"):
        if platform.endswith(arch):
            return arch
    return None


def wheel_reachable(filename: str, reach: MarkerExpr, python: VersionSet) -> bool:
    """Whether a lock keeps the wheel ``filename`` of a package reached where ``reach`` holds,
    for a project supporting the Pythons ``python`` (uv's rule, see above)."""
    if not matches_requires_python(filename, python):
        return False
    parts = filename[: -len(".whl")].split("-")
    if len(parts) not in (5, 6):
        return True
    platforms = parts[-1].lower().split(".")
    for classify, table in ((_os_of, _OS), (_arch_of, _ARCH)):
        kinds = {classify(p) for p in platforms}
        if len(kinds) == 1 and None not in kinds:
            kind = kinds.pop()
            assert kind is not None
            if reach.disjoint(table[kind]):
                return False
    return True
