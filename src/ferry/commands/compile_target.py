"""The environment ``pip compile`` resolves for, worked out without running the target.

``--python-version`` replaces the interpreter's Python in the markers and in the wheel tags;
``--python-platform`` replaces the operating system and machine as well, so a Linux host can
compile for Windows or macOS. The platform names, their marker values and their wheel platform
tags follow uv's ``--python-platform`` (checked against uv itself): a requirements file compiled
for ``aarch64-apple-darwin`` by ferry and by uv must pick the same wheels and markers.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence

from ferry.model.errors import UsageError
from ferry.model.immutable import immutable
from ferry.model.lazy_regex import lazy_pattern
from ferry.model.pep440_version import InvalidVersion, Version
from ferry.resolve.options import TargetEnvironment

#: ``--python-platform`` aliases, as uv defines them.
ALIASES = {
    "windows": "x86_64-pc-windows-msvc",
    "linux": "x86_64-unknown-linux-gnu",
    "macos": "aarch64-apple-darwin",
}

#: The default glibc of the ``*-unknown-linux-gnu`` targets (uv: "equivalent to manylinux_2_28").
DEFAULT_GLIBC = (2, 28)
#: The default macOS deployment target (uv's; ``MACOSX_DEPLOYMENT_TARGET`` overrides it).
DEFAULT_MACOS = (13, 0)
#: The musllinux version of the ``*-unknown-linux-musl`` targets.
DEFAULT_MUSL = (1, 2)

# Compiled when a --python-platform names a manylinux version.
_MANYLINUX = lazy_pattern(r"^(x86_64|aarch64)-manylinux(?:(2014)|_(\d+)_(\d+))$")
_WINDOWS_MACHINE = {"x86_64": "AMD64", "i686": "x86", "aarch64": "ARM64"}
_WINDOWS_TAG = {"x86_64": "win_amd64", "i686": "win32", "aarch64": "win_arm64"}
_SUPPORTED = (
    "windows, linux, macos, x86_64-pc-windows-msvc, i686-pc-windows-msvc, "
    "aarch64-pc-windows-msvc, x86_64-unknown-linux-gnu, aarch64-unknown-linux-gnu, "
    "x86_64-unknown-linux-musl, aarch64-unknown-linux-musl, riscv64-unknown-linux, "
    "aarch64-apple-darwin, x86_64-apple-darwin, {x86_64,aarch64}-manylinux2014, "
    "{x86_64,aarch64}-manylinux_2_N"
)


@immutable
class Platform:
    """A target platform: the marker values it implies and its wheel platform tags, best first."""

    name: str
    os_name: str
    sys_platform: str
    platform_system: str
    platform_machine: str
    platform_tags: tuple[str, ...]

    def markers(self, base: dict[str, str]) -> dict[str, str]:
        """``base`` (the host's markers) with the OS and machine replaced, as uv does.

        The release and version of the OS cannot be known for another machine; uv leaves them
        empty, and so do we.
        """
        return {
            **base,
            "os_name": self.os_name,
            "sys_platform": self.sys_platform,
            "platform_system": self.platform_system,
            "platform_machine": self.platform_machine,
            "platform_release": "",
            "platform_version": "",
        }


def parse_platform(text: str) -> Platform:
    """The :class:`Platform` for a ``--python-platform`` value; a usage error for others."""
    name = ALIASES.get(text.strip().lower(), text.strip().lower())
    arch, _, rest = name.partition("-")
    if rest == "pc-windows-msvc" and arch in _WINDOWS_TAG:
        return Platform(
            name, "nt", "win32", "Windows", _WINDOWS_MACHINE[arch], (_WINDOWS_TAG[arch],)
        )
    if rest == "apple-darwin" and arch in ("aarch64", "x86_64"):
        machine = "arm64" if arch == "aarch64" else "x86_64"
        return Platform(
            name, "posix", "darwin", "Darwin", machine, tuple(_mac_tags(_macos_target(), machine))
        )
    if rest == "unknown-linux-gnu" and arch in ("x86_64", "aarch64"):
        return _linux(name, arch, DEFAULT_GLIBC)
    if rest == "unknown-linux" and arch == "riscv64":
        return _linux(name, arch, (2, 31))
    if rest == "unknown-linux-musl" and arch in ("x86_64", "aarch64"):
        major, minor = DEFAULT_MUSL
        musl = tuple(f"musllinux_{major}_{m}_{arch}" for m in range(minor, -1, -1))
        return Platform(name, "posix", "linux", "Linux", arch, (*musl, f"linux_{arch}"))
    match = _MANYLINUX().match(name)
    if match:
        glibc = (2, 17) if match.group(2) else (int(match.group(3)), int(match.group(4)))
        return _linux(name, match.group(1), glibc)
    raise UsageError(
        f"Unknown or unsupported `--python-platform` value `{text}`",
        hint=f"ferry knows: {_SUPPORTED}",
    )


def _linux(name: str, arch: str, glibc: tuple[int, int]) -> Platform:
    return Platform(name, "posix", "linux", "Linux", arch, (*_manylinux_tags(arch, glibc),
                                                            f"linux_{arch}"))


def _manylinux_tags(arch: str, glibc: tuple[int, int]) -> Iterator[str]:
    """``manylinux_2_N_arch`` from ``glibc`` down, each legacy alias beside its PEP 600 name."""
    legacy = {(2, 17): "manylinux2014", (2, 12): "manylinux2010", (2, 5): "manylinux1"}
    lowest = 17 if arch not in ("x86_64", "i686") else 5
    for minor in range(glibc[1], lowest - 1, -1):
        yield f"manylinux_2_{minor}_{arch}"
        alias = legacy.get((2, minor))
        if alias and (alias == "manylinux2014" or arch in ("x86_64", "i686")):
            yield f"{alias}_{arch}"


def _macos_target() -> tuple[int, int]:
    text = os.environ.get("MACOSX_DEPLOYMENT_TARGET", "")
    if not text:
        return DEFAULT_MACOS
    try:
        release = Version(text).release
    except InvalidVersion as exc:
        raise UsageError(f"Invalid MACOSX_DEPLOYMENT_TARGET `{text}`") from exc
    return release[0], release[1] if len(release) > 1 else 0


def _mac_tags(version: tuple[int, int], machine: str) -> Iterator[str]:
    from packaging import tags as ptags  # here: ~7 ms of start-up, only for another platform

    return iter(ptags.mac_platforms(version, machine))


def wheel_tags(
    python_version: Version, platforms: Sequence[str], implementation: str = "cpython"
) -> tuple[str, ...]:
    """Supported tags for ``python_version`` on ``platforms``, most preferred first.

    This is the order ``packaging.tags.sys_tags`` gives an interpreter of that version, so the
    wheel ferry picks for another target is the one that interpreter would pick.
    """
    from packaging import tags as ptags  # here: ~7 ms of start-up, only for another target

    major, minor = (*python_version.release, 0)[:2]
    version = (major, minor)
    if implementation == "cpython":
        found = [
            *ptags.cpython_tags(version, [f"cp{major}{minor}"], platforms),
            *ptags.compatible_tags(version, f"cp{major}{minor}", platforms),
        ]
    else:
        found = list(ptags.compatible_tags(version, None, platforms))
    return tuple(str(tag) for tag in found)


def parse_python_version(text: str) -> Version:
    """A `--python-version` value (pip compile, pip install): at least major.minor."""
    try:
        version = Version(text)
    except InvalidVersion as exc:
        raise UsageError(f"Invalid `--python-version` value `{text}`",
                         hint="write a version such as 3.12 or 3.12.1") from exc
    if len(version.release) < 2:
        raise UsageError(f"`--python-version {text}` needs a minor version, such as 3.12")
    return version


def host_platforms(tags: Sequence[str]) -> list[str]:
    """The platform parts of an interpreter's tags, in its order of preference (without ``any``)."""
    seen: dict[str, None] = {}
    for tag in tags:
        platform = tag.rsplit("-", 1)[-1]
        if platform != "any":
            seen.setdefault(platform, None)
    return list(seen)


def compile_target(
    *,
    markers: dict[str, str],
    tags: Sequence[str],
    implementation: str,
    interpreter_version: Version,
    python_version: Version | None,
    platform: Platform | None,
    no_binary: frozenset[str] = frozenset(),
    only_binary: frozenset[str] = frozenset(),
    no_build: frozenset[str] = frozenset(),
) -> TargetEnvironment:
    """The target: the interpreter's environment, with the requested Python and platform.

    Tags are regenerated whenever the Python or the platform differs from the interpreter's, so
    a 3.11 host compiling for 3.12 accepts ``cp312`` wheels and refuses ``cp311`` ones.
    """
    version = python_version or interpreter_version
    env = platform.markers(markers) if platform else dict(markers)
    same_python = version.release[:2] == interpreter_version.release[:2]
    if platform is not None:
        target_tags = wheel_tags(version, platform.platform_tags, "cpython")
    elif same_python:
        target_tags = tuple(tags)
    else:
        target_tags = wheel_tags(version, host_platforms(tags), implementation)
    return TargetEnvironment(
        markers=env,
        tags=target_tags,
        python_version=version,
        no_binary=no_binary,
        only_binary=only_binary,
        no_build=no_build,
    )


__all__ = [
    "Platform", "compile_target", "host_platforms", "parse_platform", "parse_python_version",
    "wheel_tags",
]
