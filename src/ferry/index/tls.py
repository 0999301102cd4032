"""A verifying TLS context that reads its CA bundle only when the first TLS connection opens.

Loading the bundle (certifi's, or ``SSL_CERT_FILE`` / ``SSL_CERT_DIR``) costs ~40 ms of CPU;
a context built eagerly with the client would pay it even when every index is ``http://`` or
``file://`` (a loopback mirror, a private index on the LAN) and no TLS connection is ever made.
:class:`DeferredVerifyContext` is the standard verifying context (the one httpx also built) —
protocol, ``CERT_REQUIRED``, hostname checking, the same CA source chosen the same way — except
that the CA certificates are loaded by the first ``wrap_socket``/``wrap_bio``, i.e. by the first
TLS handshake (an ``https://`` URL, a redirect to one, or an HTTPS proxy).

A bundle that cannot be read is a :class:`NetworkError` naming it, raised at that handshake
(before, it was an internal error as the client was built, even for ``http://`` indexes).

Verification is never weaker: the context is ``CERT_REQUIRED`` with ``check_hostname`` from
birth, so a handshake that somehow ran before the load would fail (no trusted CA), never pass.
"""

from __future__ import annotations

import os
import ssl
import sys
import threading
from typing import Any

from ferry.model.errors import NetworkError

__all__ = ["DeferredVerifyContext"]


class DeferredVerifyContext(ssl.SSLContext):
    """``ssl.create_default_context(cafile=…)`` as httpx builds it for ``verify=True``, with the
    CA bundle read on first use. ``trust_env`` is httpx's: honour ``SSL_CERT_FILE`` and
    ``SSL_CERT_DIR``."""

    _trust_env: bool
    _loaded: bool
    _load_lock: threading.Lock

    def __new__(cls, *, trust_env: bool = True) -> DeferredVerifyContext:
        # Everything is set up here: ssl.SSLContext has no __init__ of its own to extend.
        context = super().__new__(cls, ssl.PROTOCOL_TLS_CLIENT)
        context.verify_mode = ssl.CERT_REQUIRED
        context.check_hostname = True
        keylog = os.environ.get("SSLKEYLOGFILE")  # as create_default_context
        if keylog and not sys.flags.ignore_environment:
            context.keylog_filename = keylog
        context._trust_env = trust_env
        context._loaded = False
        context._load_lock = threading.Lock()
        return context

    @property
    def loaded(self) -> bool:
        """Whether the CA certificates have been read (for tests and ``-v`` reasoning)."""
        return self._loaded

    def ensure_loaded(self) -> None:
        """Read the CA certificates now, once, whichever thread gets here first."""
        if self._loaded:
            return
        with self._load_lock:
            if self._loaded:
                return
            cafile = os.environ.get("SSL_CERT_FILE") if self._trust_env else None
            capath = os.environ.get("SSL_CERT_DIR") if self._trust_env else None
            try:
                if cafile:
                    self.load_verify_locations(cafile=cafile)
                elif capath:
                    self.load_verify_locations(capath=capath)
                else:
                    import certifi

                    self.load_verify_locations(cafile=certifi.where())
            except OSError as exc:  # ssl.SSLError included: not a transient failure to retry
                where = (f"`{cafile}` (SSL_CERT_FILE)" if cafile
                         else f"`{capath}` (SSL_CERT_DIR)" if capath else "certifi's bundle")
                raise NetworkError(
                    f"Cannot read the CA certificates in {where}",
                    causes=[f"{type(exc).__name__}: {exc}"],
                    hint="point SSL_CERT_FILE at a readable PEM bundle, or unset it",
                ) from None
            self._loaded = True

    def wrap_socket(self, *args: Any, **kwargs: Any) -> ssl.SSLSocket:
        self.ensure_loaded()
        return super().wrap_socket(*args, **kwargs)

    def wrap_bio(self, *args: Any, **kwargs: Any) -> ssl.SSLObject:
        self.ensure_loaded()
        return super().wrap_bio(*args, **kwargs)
