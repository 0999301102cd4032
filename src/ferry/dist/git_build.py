"""Git references made ready: checked out for metadata, built once per commit for installs.

A wheel built from a git commit is recorded against that commit (``git-v0/built/…``), so a
later install of the same commit — ``sync --frozen``, another environment, ``--offline`` — links
the wheel without a checkout, a tree hash or a build. The wheel itself lives in ``built-v1`` like
every built wheel; the record is only a pointer and is ignored once that wheel is gone, and
under ``--refresh``/``--refresh-package`` of the package (the user distrusts what earlier commands
built: the checkout is built again, once per command, as an sdist's wheel is).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING

from ferry.cache.store import Cache
from ferry.dist.git import git_sources
from ferry.model.dist import PinnedDist
from ferry.model.errors import UserError
from ferry.model.git import GitUrl
from ferry.model.log import get_logger
from ferry.model.refresh import Refresh

if TYPE_CHECKING:
    from ferry.dist.prepare import PreparedDist, Preparer

logger = get_logger(__name__)


def store_of(cache: object) -> Cache:
    """The :class:`Cache` behind an index client's cache protocol (git needs its buckets)."""
    if not isinstance(cache, Cache):
        raise TypeError(f"git sources need ferry's cache, not {type(cache).__name__}")
    return cache


def git_checkout(cache: object, url: str, *, offline: bool = False) -> Path:
    """The project directory of the git requirement URL ``url`` at its (resolved) commit."""
    return git_sources(store_of(cache), offline=offline).checkout(GitUrl.parse(url))


def _offline(preparer: Preparer) -> bool:
    config = getattr(preparer.downloader, "config", None)
    return bool(getattr(config, "offline", False))


def _target(preparer: Preparer) -> str:
    """What else a built wheel depends on: the interpreter's tag and the backend settings."""
    assert preparer.interpreter is not None
    interpreter = preparer.interpreter
    target = interpreter.tags[0] if interpreter.tags else interpreter.python_version
    settings = getattr(preparer.builder, "config_settings", None)
    if settings:
        digest = hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()
        target += f"-cs{digest[:12]}"
    return target


def _refreshing(preparer: Preparer, pin: PinnedDist) -> bool:
    refresh = getattr(preparer.builder, "refresh", None)
    return isinstance(refresh, Refresh) and refresh.covers(str(pin.name))


def prepare_git(preparer: Preparer, pin: PinnedDist) -> PreparedDist:
    """An unpacked wheel of the git pin ``pin``: the one built from its commit before, else a
    build of its checkout (git references are never installed editable)."""
    from ferry.dist.prepare import PreparedDist

    assert pin.direct_url is not None
    if preparer.builder is None or preparer.interpreter is None:
        raise UserError(f"`{pin}` must be built from its git checkout, and this command cannot "
                        "build")
    sources = git_sources(preparer.cache, offline=_offline(preparer))
    url = GitUrl.parse(pin.direct_url)
    resolved = url if url.commit is not None else sources.resolve(url)
    assert resolved.commit is not None
    target = _target(preparer)
    wheel = None if _refreshing(preparer, pin) else sources.built_wheel(resolved, target)
    if wheel is not None:
        logger.debug("%s: using the wheel built from commit %s", pin, resolved.commit[:12])
        return PreparedDist(pin, preparer.builder.unpacked(wheel), True, 0)
    checkout = sources.checkout(resolved)
    logger.debug("%s: building commit %s of %s", pin, resolved.commit[:12], resolved.describe())
    wheel = preparer.builder.build_wheel(checkout, preparer.interpreter,
                                         expected_name=str(pin.name))
    sources.remember_wheel(resolved, target, wheel)
    return PreparedDist(pin, preparer.builder.unpacked(wheel), True, 0, built=True)
