"""``run --with``: an overlay environment holding the extra packages on top of a base one.

As uv does, the ``--with`` requirements (and ``--with-requirements`` files) are resolved on
every run, with this run's index options (``--index-url``, ``--extra-index-url``,
``-f/--find-links``, ``--no-index``, ``--index-strategy``, ``--exclude-newer``), and the
overlay is a cached environment keyed by the *pins* that resolution gives (plus the
interpreter and the base it layers on). Keying by the requirement strings (as ferry once did)
reused the first environment made for ``--with X`` whatever the indexes offered and whatever
appeared since, and ``--upgrade``/``--refresh`` never reached it (s9 review R4). A warm
resolution reads the index pages and metadata from the cache, so this costs little.

The overlay sees the base environment's packages through a ``.pth`` file that calls
``site.addsitedir`` on each of the base's site-packages directories, as uv's overlay does:
a plain path line would add the directory but not process *its* ``.pth`` files, so the
project's editable install (and any ``.pth``-based one) was invisible under ``--with``
(s9 review R10: ``ferry run --with pytest pytest`` could not import the project).

``--with-editable`` trees join the same resolution as ``-e`` requirements, so the overlay's key
holds their (normalised) paths and the editable mark: an edit to the tree's code needs no new
overlay, a change to its metadata gives a new one, and ``--with`` of the same tree is a copy
in an overlay of its own.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ferry.cache.overlays import OVERLAY_FILE
from ferry.model.log import get_logger
from ferry.model.settings import GlobalOptions

if TYPE_CHECKING:
    from datetime import datetime

    from ferry.cache.store import Cache
    from ferry.commands.pipeline import PipelineOutcome
    from ferry.commands.sync import SyncRequest
    from ferry.model.dist import PinnedDist
    from ferry.python.environment import PythonEnvironment
    from ferry.python.interpreter import Interpreter

log = get_logger(__name__)

OVERLAY_PTH = OVERLAY_FILE  # ferry.cache.overlays reads it when pruning
LAYERED_PREFIX = "with-layered"
"""The key prefix of a ``--with`` environment that links no base (``layer_in``)."""


def overlay_environment(
    cache: Cache,
    base: PythonEnvironment,
    packages: tuple[str, ...],
    requirement_files: tuple[Path, ...],
    sync: SyncRequest,
    options: GlobalOptions,
    outcomes: list[Any],
    *,
    editables: tuple[str, ...] = (),
    layer_in: Path | None = None,
) -> list[PythonEnvironment]:
    """The cached environment with ``packages`` (and ``requirement_files``' requirements, and
    the ``editables`` trees installed editable), resolved now with ``sync``'s index options,
    that also sees ``base``'s packages: the environments to run in, the first foremost.

    ``layer_in``: ``base`` is temporary (``run --isolated``) and this directory goes with it.
    The packages then go into a cached environment that does not name the base, reused by
    every such run as uv reuses its own, and a layer made in ``layer_in`` sees both (a key
    naming the base made one more cached environment per run, never used again)."""
    from ferry.commands.script_env import cached_venv, install_pins, pins_key, remake_reason
    from ferry.model.exclude_newer import flag_cutoff

    interpreter = _interpreter_of(cache, base, temporary=layer_in is not None)
    cutoff = flag_cutoff(sync.exclude_newer)
    client, builder = _sources(cache, options, sync, cutoff)
    filled: list[PipelineOutcome] = []
    with client:
        inputs = (packages, requirement_files, _checked_editables(editables))
        pins, resolved = _resolve(base, inputs, cutoff, options, cache, client, builder)
        site_dirs = tuple(str(d) for d in base.site_dirs)
        if layer_in is None:
            key = pins_key(interpreter, pins, extra=site_dirs, prefix="with")
        else:
            key = pins_key(interpreter, pins, prefix=LAYERED_PREFIX)

        def fill(root: Path) -> None:
            result = install_pins(pins, root, client, builder, sync, options, cache)
            result.resolved, result.resolve_seconds = resolved.resolved, resolved.resolve_seconds
            result.diagnostics[:0] = resolved.diagnostics  # uv prints them after the changes
            filled.append(result)

        reason = remake_reason(sync, options)
        if reason and (sync.upgrade or sync.upgrade_package):
            reason = None  # an upgrade is the resolution's business: new pins, a new key
        overlay = cached_venv(cache, "run-with", key, interpreter, fill, remake=reason)
    # what was installed (printed); else what was resolved (printed with -v only)
    outcomes.extend(filled or [resolved])
    if layer_in is None:
        link_base(overlay, site_dirs)
        return [overlay]
    from ferry.commands.run_with_layer import make_layer

    return [make_layer(layer_in, interpreter, overlay, site_dirs, cache), overlay]


def _interpreter_of(cache: Cache, base: PythonEnvironment, *, temporary: bool) -> Interpreter:
    """The interpreter the overlay is made with: the base environment's own — for a temporary
    base the one it was made from, so the overlay's key does not name the base's path."""
    from ferry.python.discovery import find_interpreter
    from ferry.python.request import PythonRequest

    python = base.interpreter.base_executable if temporary else base.python
    return find_interpreter(
        PythonRequest.parse(str(python)), cache, directory=Path.cwd(), allow_venvs=False
    )


def _sources(
    cache: Cache, options: GlobalOptions, sync: SyncRequest, cutoff: datetime | None
) -> tuple[Any, Any]:
    """The index client and source builder of this run's index options."""
    from ferry.commands.index_settings import IndexSettings, index_client
    from ferry.commands.lazy_builder import make_builder

    settings = IndexSettings(
        index_url=sync.index_url, extra_index_urls=tuple(sync.extra_index_url),
        find_links=tuple(sync.find_links), no_index=sync.no_index,
        strategy=sync.index_strategy or "first-index", exclude_newer=cutoff,
    )
    fields = ("index_url", "extra_index_urls", "find_links", "no_index", "strategy",
              "exclude_newer")
    client = index_client(cache, options, **{f: getattr(settings, f) for f in fields})
    return client, make_builder(cache, options, settings)


def _checked_editables(editables: tuple[str, ...]) -> tuple[str, ...]:
    """``--with-editable`` values, a plain path checked and made absolute: uv reads a value
    that names no directory (``sixx``, ``./nope``) as a path all the same and fails with
    ``Distribution not found`` (exit code 1); ferry's requirement parser would only say that
    it cannot tell the package name."""
    checked: list[str] = []
    for editable in editables:
        if "@" in editable or "://" in editable:
            checked.append(editable)  # `name @ path` or a URL: the requirement parser checks
            continue
        # normalised, so `../tool` and `/abs/tool` are one overlay (one pin, one URL); not
        # resolved: a symlinked tree keeps the path it was given, as uv keeps it
        path = Path(os.path.abspath(editable))  # noqa: PTH100
        if not path.is_dir():
            from ferry.model.errors import UserError

            raise UserError(
                "Failed to resolve `--with` requirement",
                causes=[f"Distribution not found at: {path.as_uri()}"],
                hint="`--with-editable` takes the path of a local project directory",
            )
        checked.append(str(path))
    return tuple(checked)


def _resolve(
    base: PythonEnvironment,
    requested: tuple[tuple[str, ...], tuple[Path, ...], tuple[str, ...]],
    cutoff: datetime | None,
    options: GlobalOptions,
    cache: Cache,
    client: Any,
    builder: Any,
) -> tuple[list[PinnedDist], PipelineOutcome]:
    """The pins of the ``--with`` requirements for the base's interpreter: the newest that fit
    (no preferences: what is installed anywhere does not hold a version back)."""
    from ferry.commands.cached_preferences import preferences_for
    from ferry.commands.git_pins import git_name_of
    from ferry.commands.hash_checking import enforce_hashes
    from ferry.commands.inputs import gather_inputs
    from ferry.commands.pipeline import PipelineOutcome, resolve_requirements, target_for
    from ferry.resolve.options import ResolverOptions

    packages, requirement_files, editables = requested
    inputs = gather_inputs(
        packages=packages,
        requirement_files=requirement_files,
        editables=editables,
        name_of=git_name_of(cache, offline=options.offline),
    )
    outcome = PipelineOutcome(cache_dir=str(cache.root))
    resolver_options = ResolverOptions(
        prerelease="allow" if inputs.options.pre else "if-necessary-or-explicit",
        upgrade=True,
        preferences=preferences_for(cache, options, {}),
        exclude_newer=cutoff,
        index_order=client.config.first_match_order,
    )
    target = target_for(base, None)
    resolution = resolve_requirements(
        inputs, outcome, client=client, target=target, options=resolver_options,
        builder=builder, interpreter=base.interpreter,
    )
    pins = enforce_hashes(resolution.dists, inputs)
    log.debug("the --with requirements resolve to %s", ", ".join(str(p) for p in pins))
    return pins, outcome


def link_base(overlay: PythonEnvironment, site_dirs: tuple[str, ...]) -> None:
    """Make ``overlay`` see the base's packages, ``.pth`` files included (module docstring)."""
    pth = overlay.site_packages / OVERLAY_PTH
    lines = "".join(f"import site; site.addsitedir({d!r})\n" for d in site_dirs)
    try:
        current = pth.read_text(encoding="utf-8")
    except OSError:
        current = None
    if current != lines:
        pth.write_text(lines, encoding="utf-8")
