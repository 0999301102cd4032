"""The index the mirror is filled from: whatever pip is configured for on this machine.

The repository names no registry host: the address comes from pip's configuration (its
environment variables and config files, as ``pip config list`` reports them), else from pip's
own default. Resolution is uv's (``uv pip compile``), so the pinned set is what a real user of
the fastest peer would get; downloads are pip's (``pip download --no-deps --only-binary``),
which fetches exactly one file per pin for the target interpreter.
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from ferry.model.url import redact

__all__ = [
    "Pin",
    "Upstream",
    "UpstreamError",
    "compile_pins",
    "download_wheels",
    "parse_pins",
    "python_platform",
]

logger = logging.getLogger(__name__)

_CONFIG_LINE = re.compile(r"^(?P<key>[^=\s]+)=(?P<quote>['\"])(?P<value>.*)(?P=quote)$")
# pip's precedence: the [global] section, then the command's section, then PIP_* variables.
_INDEX_KEYS = (":env:.index-url", "download.index-url", "global.index-url")
_CERT_KEYS = (":env:.cert", "download.cert", "global.cert")


class UpstreamError(RuntimeError):
    """Resolving or downloading from the upstream index failed; carries the tool's output."""


@dataclass(frozen=True, slots=True)
class Pin:
    """``name==version`` (canonical name), with the marker a universal resolution attached."""

    name: str
    version: str
    marker: str | None = None

    def requirement(self) -> str:
        return f"{self.name}=={self.version}"


@dataclass(frozen=True, slots=True)
class Upstream:
    """The configured index (and CA bundle) the mirror downloads from."""

    index_url: str
    cert: str | None = None

    @classmethod
    def from_pip_config(cls, config: Mapping[str, str]) -> Upstream:
        """Pick the winning ``index-url`` and ``cert`` from ``pip config list`` items."""
        index = next((config[k] for k in _INDEX_KEYS if config.get(k)), None)
        cert = next((config[k] for k in _CERT_KEYS if config.get(k)), None)
        if index is None:
            from pip._internal.models.index import PyPI

            index = str(PyPI.simple_url)
        return cls(index_url=index.split()[0], cert=cert)

    @classmethod
    def discover(cls, python: str = sys.executable) -> Upstream:
        """Ask pip (run as ``python -m pip config list``) what it is configured for."""
        proc = subprocess.run(
            [python, "-m", "pip", "config", "list"],
            capture_output=True, text=True, check=False,
        )
        if proc.returncode != 0:
            logger.warning("`pip config list` failed; using pip's default index: %s",
                           proc.stderr.strip()[-500:])
        return cls.from_pip_config(parse_pip_config(proc.stdout))

    def tls_env(self) -> dict[str, str]:
        """Variables that make uv trust the same CA bundle as pip, when pip has one set."""
        if self.cert and "SSL_CERT_FILE" not in os.environ:
            return {"SSL_CERT_FILE": self.cert}
        return {}


def parse_pip_config(text: str) -> dict[str, str]:
    """``key='value'`` lines of ``pip config list`` into a dict."""
    items: dict[str, str] = {}
    for line in text.splitlines():
        match = _CONFIG_LINE.match(line.strip())
        if match:
            items[match["key"]] = match["value"]
    return items


def python_platform() -> str | None:
    """uv's ``--python-platform`` for this machine's wheels (Linux only; else native)."""
    if sys.platform != "linux":
        return None
    machine = os.uname().machine
    return f"{machine}-manylinux_2_28" if machine in {"x86_64", "aarch64"} else None


def parse_pins(text: str) -> list[Pin]:
    """The ``name==version ; marker`` lines of a compiled requirements file."""
    pins: list[Pin] = []
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        try:
            req = Requirement(line)
        except InvalidRequirement as exc:
            raise UpstreamError(f"unexpected line in compiled pins: {raw!r}: {exc}") from exc
        specs = list(req.specifier)
        if len(specs) != 1 or specs[0].operator != "==":
            raise UpstreamError(f"not an exact pin: {raw!r}")
        pins.append(Pin(canonicalize_name(req.name), specs[0].version,
                        str(req.marker) if req.marker else None))
    return pins


def _run(argv: Sequence[str], *, cwd: Path | None = None,
         env: Mapping[str, str] | None = None) -> str:
    logger.info("running: %s", " ".join(redact(a) if "://" in a else a for a in argv))
    proc = subprocess.run(list(argv), cwd=cwd, env=None if env is None else dict(env),
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        tail = "\n".join(proc.stderr.strip().splitlines()[-30:])
        raise UpstreamError(f"`{' '.join(argv[:4])} …` failed (exit {proc.returncode}):\n{tail}")
    return proc.stdout


def _scrubbed_env(extra: Mapping[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "UV_"))}
    env.update(extra)
    return env


def compile_pins(
    uv: str, workload_dir: Path, *, python_version: str, upstream: Upstream, cache_dir: Path,
    universal: bool = False, source: str = "pyproject.toml", constraints: Path | None = None,
) -> str:
    """``uv pip compile`` the workload's pyproject.toml (or another ``source`` file in
    ``workload_dir``) for the target (or every) platform, within ``constraints`` if given."""
    argv = [uv, "pip", "compile", source, "--python-version", python_version,
            "--index-url", upstream.index_url, "--no-config", "--no-header", "--no-annotate",
            "--quiet", "--cache-dir", str(cache_dir)]
    if constraints is not None:
        argv += ["--constraint", str(constraints)]
    if universal:
        argv.append("--universal")
    elif (platform := python_platform()) is not None:
        argv += ["--python-platform", platform]
    return _run(argv, cwd=workload_dir, env=_scrubbed_env(upstream.tls_env()))


def download_wheels(
    python: str, requirements: Sequence[str], dest: Path, *, python_version: str,
    upstream: Upstream, platform: str | None = None,
) -> None:
    """``pip download`` one wheel per requirement into ``dest`` (files already there are kept).

    pip's configuration is switched off (only the configured index is used, not extra indexes
    or find-links) so the mirror holds what the index serves.
    """
    if not requirements:
        return
    argv = [python, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:",
            "--python-version", python_version, "--index-url", upstream.index_url,
            "--disable-pip-version-check", "--no-cache-dir", "--progress-bar", "off",
            "--dest", str(dest)]
    if upstream.cert:
        argv += ["--cert", upstream.cert]
    if platform is not None:
        argv += ["--platform", platform, "--implementation", "cp"]
    argv += list(requirements)
    _run(argv, env=_scrubbed_env({"PIP_CONFIG_FILE": os.devnull}))
