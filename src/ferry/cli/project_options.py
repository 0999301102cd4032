"""Options shared by ``sync`` and ``run`` (and the project commands that sync), and how every
project command reads ``--locked``/``--frozen`` with ``FERRY_LOCKED``/``FERRY_FROZEN``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ferry.cli.index_options import F, apply_options, index_strategy_option
from ferry.cli.lock_action import lock_fields
from ferry.model.choices import PRERELEASE_MODES, RESOLUTIONS

__all__ = [
    "lock_fields",
    "mode_options",
    "resolver_options",
    "selection_options",
    "sync_options",
]


def mode_options(frozen_help: str, locked_help: str) -> list[Any]:
    """``--frozen`` and ``--locked``, whose help names the variable that also sets them (read
    by :func:`lock_fields`, not by click: uv's rules for a flag beside a variable are not
    click's)."""
    return [
        click.option("--frozen", is_flag=True, help=f"{frozen_help} [env: FERRY_FROZEN]"),
        click.option("--locked", is_flag=True, help=f"{locked_help} [env: FERRY_LOCKED]"),
    ]


def resolver_options(func: F) -> F:
    """``-U``, ``-P``, ``--resolution`` and ``--prerelease``: how ``lock`` (and ``add``, which
    locks) may move and prefer versions."""
    return apply_options(
        [
            click.option("-U", "--upgrade", is_flag=True, help="Allow every package to upgrade."),
            click.option(
                "-P",
                "--upgrade-package",
                multiple=True,
                metavar="PKG",
                help="Allow this package to upgrade.",
            ),
            click.option(
                "--resolution",
                type=click.Choice(RESOLUTIONS),
                help="Which versions to prefer.",
            ),
            click.option(
                "--prerelease",
                type=click.Choice(PRERELEASE_MODES),
                help="When pre-releases may be chosen.",
            ),
        ],
        func,
    )


_SELECTION = [
    click.option(
        "--extra", "extras", multiple=True, help="Include this optional dependency group."
    ),
    click.option("--all-extras", is_flag=True, help="Include every optional dependency group."),
    click.option(
        "--no-extra",
        "no_extras",
        multiple=True,
        help="Leave out this optional dependency group, whatever else selects it (with "
        "`--all-extras`; repeatable).",
    ),
    click.option("--group", "groups", multiple=True, help="Include this dependency group."),
    click.option(
        "--only-group",
        "only_groups",
        multiple=True,
        help="Install only this dependency group (not the project's dependencies).",
    ),
    click.option("--all-groups", is_flag=True, help="Include every dependency group."),
    click.option(
        "--no-group",
        "no_groups",
        multiple=True,
        help="Leave out this dependency group, whatever else selects it (repeatable).",
    ),
    click.option("--no-dev", is_flag=True, help="Leave out the `dev` group (`--no-group dev`)."),
    click.option(
        "--only-dev",
        is_flag=True,
        help="Install only the `dev` group, not the project's dependencies "
        "(`--only-group dev`, but `dev` need not exist).",
    ),
    click.option("--no-default-groups", is_flag=True, help="Leave out the default groups."),
    click.option(
        "--package",
        multiple=True,
        help="The workspace member to act on (default: the current one); `sync` and `export` "
        "take several.",
    ),
    click.option("--all-packages", is_flag=True, help="Act on every workspace member."),
]

_SYNC = [
    *mode_options("Use uv.lock as it is; never update it.", "Fail if uv.lock is not up to date."),
    click.option("--inexact", is_flag=True, help="Keep packages the lockfile does not name."),
    click.option("--no-install-project", is_flag=True, help="Install the dependencies only."),
    click.option(
        "--no-install-workspace",
        is_flag=True,
        help="Install no workspace member (the root project included), only dependencies.",
    ),
    click.option("--no-install-package", multiple=True, help="Leave this package out."),
    click.option("--no-editable", is_flag=True, help="Install the project non-editable."),
    click.option("--reinstall", is_flag=True, help="Reinstall every package."),
    click.option("--reinstall-package", multiple=True, help="Reinstall this package."),
    click.option(
        "--link-mode",
        type=click.Choice(["clone", "hardlink", "copy", "symlink"]),
        envvar="FERRY_LINK_MODE",
    ),
    click.option("--compile-bytecode", is_flag=True, envvar="FERRY_COMPILE_BYTECODE"),
    click.option("-p", "--python", help="The interpreter for the project environment."),
    click.option("--active", is_flag=True, help="Sync into the active VIRTUAL_ENV."),
    click.option("--recreate", is_flag=True, help="Recreate the environment from scratch."),
    click.option("-U", "--upgrade", is_flag=True, help="Allow every package to upgrade."),
    click.option("-P", "--upgrade-package", multiple=True, help="Allow this package to upgrade."),
    click.option("-i", "--index-url", "--default-index", "index_url", envvar="FERRY_INDEX_URL"),
    click.option("--index", "index", multiple=True,
                 help="An index searched before the project's own indexes."),
    click.option("--extra-index-url", "extra_index_url", multiple=True,
                 help="An index searched after the project's indexes, before the default one."),
    click.option("-f", "--find-links", multiple=True),
    click.option("--no-index", is_flag=True),
    index_strategy_option(None),
    click.option("--exclude-newer", help="Ignore files uploaded after this date."),
    click.option(
        "--project",
        type=click.Path(path_type=Path, file_okay=False),
        help="The project directory (default: found from the working directory).",
    ),
]


def selection_options(func: F) -> F:
    return apply_options(_SELECTION, func)


def sync_options(func: F) -> F:
    return apply_options(_SYNC, func)
