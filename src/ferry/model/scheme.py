"""Where an installation's files go: the ``sysconfig`` install scheme of one environment.

It lives in ``model`` because ``python/`` computes it from an interpreter and ``wheel/`` consumes
it, and neither may import the other.
"""

from __future__ import annotations

from pathlib import Path

from ferry.model.immutable import immutable


@immutable
class Scheme:
    purelib: Path
    platlib: Path
    scripts: Path
    data: Path
    headers: Path

    def for_key(self, key: str) -> Path:
        """The directory for a ``.data/<key>/`` folder of a wheel; ``KeyError`` if unknown."""
        return {
            "purelib": self.purelib,
            "platlib": self.platlib,
            "scripts": self.scripts,
            "data": self.data,
            "headers": self.headers,
        }[key]
