"""How ``ferry lock`` was asked to treat ``uv.lock``: its flags and ``FERRY_LOCKED`` /
``FERRY_FROZEN`` reconciled into one mode, by uv 0.13.8's rules.

uv spells the modes twice on the command line (``--check`` is ``--locked``, ``--check-exists``
is ``--frozen``) and once more in the environment (``UV_LOCKED``, ``UV_FROZEN``; ferry reads the
``FERRY_`` names). Its messages name whichever spelling asked (``--check`` was provided,
``UV_FROZEN=1`` was provided), so the mode carries that spelling. The rules, as observed:

- two modes on the command line (``--check`` with ``--check-exists``, ``--dry-run`` with either)
  are a usage error, exit 2;
- a mode on the command line beats the other mode's variable, with a warning naming both;
- both variables and no flag: a usage error;
- ``--dry-run`` with a variable keeps both: under ``FERRY_LOCKED`` a lock that would change
  is still an error, and under ``FERRY_FROZEN`` the lock is only read, so the dry run reports
  no change.

The variables are read as ferry reads every boolean variable
(:func:`ferry.model.settings.env_bool`: a value neither true nor false is a usage error, as in
uv). Kept apart from :mod:`ferry.commands.lock` because the lean parser and click both reach it
through :mod:`ferry.cli.lock_action`.
"""

from __future__ import annotations

from ferry.model.errors import UsageError
from ferry.model.immutable import immutable
from ferry.model.settings import env_bool

LOCKED_VARIABLE = "FERRY_LOCKED"
FROZEN_VARIABLE = "FERRY_FROZEN"


@immutable
class LockMode:
    """What ``ferry lock`` will do with ``uv.lock``; ``given_as`` names what asked for
    ``locked``/``frozen`` (``--check``, ``FERRY_FROZEN=1``), for the messages."""

    locked: bool = False
    frozen: bool = False
    dry_run: bool = False
    given_as: str | None = None
    warnings: tuple[str, ...] = ()


def lock_mode(
    *,
    locked: bool = False,
    check: bool = False,
    frozen: bool = False,
    check_exists: bool = False,
    dry_run: bool = False,
) -> LockMode:
    """The mode the flags and the environment ask for (see the module docstring)."""
    locked_flag = "--check" if check else "--locked" if locked else None
    frozen_flag = "--check-exists" if check_exists else "--frozen" if frozen else None
    given = [flag for flag in ("--dry-run" if dry_run else None, locked_flag, frozen_flag) if flag]
    if len(given) > 1:
        raise UsageError(f"`{given[0]}` and `{given[1]}` cannot be used together")
    env_locked = env_bool(LOCKED_VARIABLE)
    env_frozen = env_bool(FROZEN_VARIABLE)
    if locked_flag is not None:
        return LockMode(locked=True, given_as=locked_flag,
                        warnings=_ignoring(FROZEN_VARIABLE, locked_flag) if env_frozen else ())
    if frozen_flag is not None:
        return LockMode(frozen=True, given_as=frozen_flag,
                        warnings=_ignoring(LOCKED_VARIABLE, frozen_flag) if env_locked else ())
    if env_frozen and env_locked:
        raise UsageError(f"`{LOCKED_VARIABLE}` and `{FROZEN_VARIABLE}` cannot be used together")
    if env_frozen:
        return LockMode(frozen=True, dry_run=dry_run, given_as=f"{FROZEN_VARIABLE}=1")
    if env_locked:
        return LockMode(locked=True, dry_run=dry_run, given_as=f"{LOCKED_VARIABLE}=1")
    return LockMode(dry_run=dry_run)


def _ignoring(variable: str, flag: str) -> tuple[str, ...]:
    return (f"Ignoring `{variable}` because `{flag}` was provided",)
