"""Index and link options declared once, for every command that installs from indexes.

``ferry pip install``/``compile``/``sync`` and ``ferry venv`` (for ``--seed``'s install) take the
same index options, as uv's commands do; declaring them here keeps their names, aliases,
environment variables and help the same everywhere. The project commands (``lock``, ``sync``,
``run``, ``add``, ``remove``, ``export``, ``tree``) take :func:`index_strategy_option` with no
default, so that a project's ``[tool.uv] index-strategy`` applies unless the flag is given.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import click
from click.decorators import FC

from ferry.model.choices import INDEX_STRATEGIES, LINK_MODES

F = Callable[..., Any]


_STRATEGY_HELP = (
    "first-index never takes a name from a later index once one has it; "
    "unsafe-first-match takes versions from the first index that has a fitting one; "
    "unsafe-best-match takes the best version on any index."
)


def index_strategy_option(default: str | None) -> Callable[[FC], FC]:
    """``--index-strategy``; ``default=None`` leaves the choice to the project's settings."""
    return click.option(
        "--index-strategy",
        type=click.Choice(INDEX_STRATEGIES),
        default=default,
        show_default=default is not None,
        help=_STRATEGY_HELP if default is not None
        else _STRATEGY_HELP + " Overrides `[tool.uv] index-strategy` (default: first-index).",
    )


_INDEX_OPTIONS: list[Callable[[F], F]] = [
    click.option(
        "-i",
        "--index-url",
        "--default-index",
        envvar="FERRY_INDEX_URL",
        help="The default index [env: FERRY_INDEX_URL].",
    ),
    click.option(
        "--extra-index-url",
        "--index",
        multiple=True,
        help="More indexes, searched before the default one (--index-url).",
    ),
    click.option(
        "-f", "--find-links", multiple=True, help="A directory or page of distribution links."
    ),
    click.option("--no-index", is_flag=True, help="Ignore every index; use --find-links only."),
    index_strategy_option("first-index"),
    click.option("--exclude-newer", help="Ignore files uploaded after this date (RFC 3339)."),
    click.option(
        "--allow-insecure-host",
        "--trusted-host",
        "allow_insecure_host",
        multiple=True,
        help="Do not verify TLS certificates of this host (host or host:port) "
        "[env: FERRY_INSECURE_HOST].",
    ),
]

link_mode_option: Callable[[F], F] = click.option(
    "--link-mode",
    type=click.Choice(LINK_MODES),
    envvar="FERRY_LINK_MODE",
    help="How files go from the cache into the environment [env: FERRY_LINK_MODE].",
)


def apply_options(options: Sequence[Callable[[F], F]], func: F) -> F:
    """``func`` decorated with ``options`` as if they were written above it in this order."""
    for option in reversed(options):
        func = option(func)
    return func


def index_options(func: F) -> F:
    """``-i/--index-url``, ``--extra-index-url``, ``-f``, ``--no-index``, ``--index-strategy``,
    ``--exclude-newer``, ``--allow-insecure-host``: the pip-style index options."""
    return apply_options(_INDEX_OPTIONS, func)
