"""Which environments a wheel can serve, as a marker expression, from its filename tags alone.

A universal lock keeps, for each package, only the wheels some environment that reaches the
package could install (uv drops ``cp38`` wheels when requires-python starts at 3.10, and Linux
wheels of a Windows-only dependency). The tags say it: the interpreter tag bounds the Python
version (``cp311`` → 3.11, ``cp311-abi3`` → 3.11 and later, ``py3`` → any 3.x), the platform tag
names the ``sys_platform`` (``manylinux…`` → linux, ``win…`` → win32, ``macosx…`` → darwin).
Unknown tags are read permissively (any environment), so a wheel is never dropped by mistake.
"""

from __future__ import annotations

import re

from packaging.version import Version

from ferry.resolve.marker_expr import FALSE, TRUE, MarkerExpr
from ferry.resolve.marker_sets import ValueSet, VersionSet

_INTERPRETER = re.compile(r"^(py|cp|pp|ip|jy|graalpy)(\d)(\d*)$")


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


def platform_marker(platform: str) -> MarkerExpr:
    if platform == "any":
        return TRUE
    for prefix, value in (
        ("manylinux", "linux"),
        ("musllinux", "linux"),
        ("linux", "linux"),
        ("win", "win32"),
        ("macosx", "darwin"),
    ):
        if platform.startswith(prefix):
            return MarkerExpr.atom("sys_platform", ValueSet(True, frozenset({value})))
    return TRUE


def wheel_marker(filename: str) -> MarkerExpr:
    """The environments the wheel named ``filename`` can be installed in (approximately, from
    above: never smaller than the truth)."""
    parts = filename[: -len(".whl")].split("-")
    if len(parts) not in (5, 6):
        return TRUE
    interpreters, abis, platforms = (p.lower().split(".") for p in parts[-3:])
    result = FALSE
    for interpreter in interpreters:
        for abi in abis:
            versions = interpreter_versions(interpreter, abi)
            for platform in platforms:
                result = result | (MarkerExpr.python(versions) & platform_marker(platform))
    return result


def wheel_python_versions(filename: str) -> VersionSet:
    """The Python versions the wheel named ``filename`` supports, ignoring its platform."""
    parts = filename[: -len(".whl")].split("-")
    if len(parts) not in (5, 6):
        return VersionSet.full()
    interpreters, abis = (p.lower().split(".") for p in parts[-3:-1])
    result = VersionSet.empty()
    for interpreter in interpreters:
        for abi in abis:
            result = result | interpreter_versions(interpreter, abi)
    return result
