"""Describing a new virtual environment without running its interpreter.

Running an environment's python to learn its scheme, tags and markers costs 40-90 ms, and the
interpreter cache cannot help a *new* environment: its entries are keyed by path. Yet two
environments made the same way from the same base interpreter differ only in where they live:
every path in the answer that belongs to the environment starts with its root, and nothing else
changes. So once an environment has been queried, its answer is also kept as a *template* with
the root cut out, keyed by everything else the answer depends on: the base binary (real path and
``stat``), the interpreter's path inside the environment (``bin/python`` and ``bin/python3`` may
report different executables), the introspection script, and the settings in ``pyvenv.cfg``
(with the root cut out of them too, and ``prompt`` left out: it changes nothing the query
reports). The next environment with the same key gets the template with its own root put in.

A template is kept only when cutting the root out removed every mention of it, when the
environment reported itself at that root, and when its base lives outside it; anything unusual
is simply queried, as before.
"""

from __future__ import annotations

# ruff: noqa: PTH113, PTH116, PTH118, PTH120
import json
import os
from typing import Any, Protocol

from ferry.model.builtin_sha256 import sha256
from ferry.model.log import get_logger
from ferry.python.interpreter_cache import script_digest
from ferry.python.pyvenv_cfg import CFG_NAME, parse_pyvenv_cfg

logger = get_logger(__name__)

BUCKET = "interpreters"
PLACEHOLDER = "\0venv-root\0"
FIELD = "venv_template"


class JsonStore(Protocol):
    """The part of ``ferry.cache.store.Cache`` this layer needs: small JSON documents by key."""

    def read_json(self, bucket: str, key: str) -> Any: ...

    def write_json(self, bucket: str, key: str, value: Any) -> None: ...


def _where(path: str) -> tuple[str, str] | None:
    """The environment root holding the interpreter ``path`` (``<root>/bin/python``) and the
    interpreter's path relative to it, when ``<root>`` has a ``pyvenv.cfg``."""
    root = os.path.dirname(os.path.dirname(path))
    if not os.path.isfile(os.path.join(root, CFG_NAME)):
        return None
    return root, os.path.relpath(path, root)


def _key(path: str, root: str, relative: str) -> str | None:
    try:
        real = os.path.realpath(path)
        info = os.stat(real)
        with open(os.path.join(root, CFG_NAME), encoding="utf-8", errors="replace") as handle:
            cfg = parse_pyvenv_cfg(handle.read())
    except OSError:
        return None
    if _inside(real, root):
        return None
    settings = sorted((k, v.replace(root, PLACEHOLDER)) for k, v in cfg.items() if k != "prompt")
    raw = "\0".join(
        (
            FIELD,
            script_digest(),
            real,
            f"{info.st_dev}:{info.st_ino}:{info.st_mtime_ns}:{info.st_size}",
            relative,
            *(f"{k}={v}" for k, v in settings),
        )
    )
    return sha256(raw.encode("utf-8", "surrogateescape")).hexdigest()


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _cut(value: Any, root: str) -> Any:
    if isinstance(value, str):
        return PLACEHOLDER + value[len(root) :] if _inside(value, root) else value
    if isinstance(value, list):
        return [_cut(item, root) for item in value]
    if isinstance(value, dict):
        return {key: _cut(item, root) for key, item in value.items()}
    return value


def _put(value: Any, root: str) -> Any:
    if isinstance(value, str):
        return root + value[len(PLACEHOLDER) :] if value.startswith(PLACEHOLDER) else value
    if isinstance(value, list):
        return [_put(item, root) for item in value]
    if isinstance(value, dict):
        return {key: _put(item, root) for key, item in value.items()}
    return value


def remember_template(path: str, record: dict[str, Any], cache: JsonStore) -> None:
    """Keep ``record`` (the queried answer of the environment interpreter ``path``) as the
    template for later environments made the same way."""
    where = _where(path)
    if where is None or record.get("prefix") != where[0]:
        return
    root, relative = where
    key = _key(path, root, relative)
    if key is None:
        return
    template = _cut(record, root)
    for base in ("base_prefix", "base_executable"):
        if str(template.get(base, "")).startswith(PLACEHOLDER):
            return
    if root in json.dumps(template, ensure_ascii=False):
        logger.debug("Not keeping %s as a template: its root appears inside other values", path)
        return
    cache.write_json(BUCKET, key, {FIELD: template})


def derive_from_template(path: str, cache: JsonStore) -> dict[str, Any] | None:
    """The answer the environment interpreter ``path`` would give, from the template of an
    earlier environment made the same way; ``None`` when there is none."""
    where = _where(path)
    if where is None:
        return None
    root, relative = where
    key = _key(path, root, relative)
    if key is None:
        return None
    stored = cache.read_json(BUCKET, key)
    if not isinstance(stored, dict) or not isinstance(stored.get(FIELD), dict):
        return None
    logger.debug("Describing %s from an earlier environment of the same base", path)
    derived: dict[str, Any] = _put(stored[FIELD], root)
    return derived
