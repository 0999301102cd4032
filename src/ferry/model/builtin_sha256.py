"""sha256 without OpenSSL, for the small digests of start-up-critical paths.

``import hashlib`` loads OpenSSL's ``_hashlib`` (~2.5 ms here), paid by every command that
merely names a cache key, a lock digest or a RECORD line. CPython's builtin sha256 gives the
same digests for those few bytes; large streams (downloads, archives) still go through
``hashlib``, imported where they are hashed, because OpenSSL's is several times faster there.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing itself costs ~2 ms to import; mypy reads this name as True
if TYPE_CHECKING:
    from collections.abc import Callable
    from hashlib import _Hash


def _sha256_factory() -> Callable[..., _Hash]:
    """Called as ``sha256()`` or ``sha256(data)``, like ``hashlib.sha256``."""
    try:
        from _sha256 import sha256  # type: ignore[import-not-found,unused-ignore]  # 3.11
    except ImportError:
        try:
            from _sha2 import sha256  # type: ignore[import-not-found,no-redef,unused-ignore]
        except ImportError:
            from hashlib import sha256  # type: ignore[assignment,unused-ignore]
    return sha256  # type: ignore[no-any-return,unused-ignore]


sha256 = _sha256_factory()
