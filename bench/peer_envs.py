"""The slow peers (pdm, poetry, pip-tools), each installed once into a private venv.

The issues measure ferry against pdm and poetry (issue 4) and pip-tools (issue 6), so those
tools must be on hand, at versions the report can name. Each is installed, pinned, into
``bench/.peers/<name>-<pins digest>/`` with the venv's own pip from the index pip is
configured for (its configuration is read as usual: the bench never names an index host).
A stamp file in the venv records the pins; a venv whose stamp does not match the current
pins is rebuilt, so changing a pin below is all an upgrade takes.

Installing is the one step that may use the network; the measured commands never do (see
``bench/peers.py``).
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

__all__ = ["PEERS_DIR", "PEER_SPECS", "PeerInstallError", "PeerSpec", "ensure_peer"]

logger = logging.getLogger(__name__)

PEERS_DIR = Path(__file__).resolve().parent / ".peers"
_STAMP = "bench-peer-pins.txt"
_INSTALL_TIMEOUT = 1800


class PeerInstallError(Exception):
    """A peer could not be installed; the message names the tool and ends with pip's output."""


@dataclass(frozen=True, slots=True)
class PeerSpec:
    """One peer: its pinned requirements and the executables the bench runs from its venv."""

    name: str  # the tool's column in the table
    requirements: tuple[str, ...]  # every line pinned with ==, so the report can name them

    def describe(self) -> str:
        return ", ".join(self.requirements)

    def digest(self, python: Path) -> str:
        """Names the venv: a new pin or another base interpreter means another venv."""
        text = "\n".join([str(python), *self.requirements])
        return hashlib.sha256(text.encode()).hexdigest()[:12]


# pip is pinned for pip-tools because pip-compile and pip-sync run on pip's internals: the pair
# is the version measured. pdm and poetry bring their own resolvers and installers.
PEER_SPECS: dict[str, PeerSpec] = {
    spec.name: spec
    for spec in (
        PeerSpec("pdm", ("pdm[locked]==2.29.3",)),
        PeerSpec("poetry", ("poetry==2.5.1",)),
        PeerSpec("pip-tools", ("pip-tools==7.6.2", "pip==26.3")),
    )
}


def _bin(venv: Path, name: str) -> Path:
    return venv / "bin" / name


def _run(argv: list[str], what: str) -> None:
    # pip's own configuration (PIP_* and its config files) stays: it says which index to use.
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, errors="replace", env=env,
                              check=False, timeout=_INSTALL_TIMEOUT)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise PeerInstallError(f"{what}: {exc}") from exc
    if proc.returncode != 0:
        tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-15:])
        raise PeerInstallError(f"{what}: `{' '.join(argv)}` exited {proc.returncode}:\n{tail}")


def ensure_peer(spec: PeerSpec, python: Path, root: Path = PEERS_DIR) -> Path:
    """The venv holding ``spec``'s pins, made from ``python`` (installed now if need be)."""
    venv = root / f"{spec.name}-{spec.digest(python)}"
    stamp = venv / _STAMP
    wanted = "".join(f"{line}\n" for line in spec.requirements)
    if stamp.is_file() and stamp.read_text() == wanted:
        logger.debug("%s: reusing %s", spec.name, venv)
        return venv
    logger.info("installing %s into %s", spec.describe(), venv)
    root.mkdir(parents=True, exist_ok=True)
    # The directory ignores itself: bench/ owns it, the repository's .gitignore does not.
    (root / ".gitignore").write_text("*\n")
    shutil.rmtree(venv, ignore_errors=True)
    _run([str(python), "-m", "venv", str(venv)], f"creating the {spec.name} venv")
    _run([str(_bin(venv, "python")), "-m", "pip", "install", "--disable-pip-version-check",
          "--no-input", *spec.requirements], f"installing {spec.describe()}")
    stamp.write_text(wanted)
    return venv
